"""The customer-safe update L2's news leaves in the reply box: written, saved, and shown."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from tickets.models import EscalationLink, Message, MessageKind, Ticket


def _greeting(ticket: Ticket) -> str:
    first = ticket.requester.first_name
    return _("Hello %(name)s,") % {"name": first} if first else _("Hello,")


def _draft_closed(ticket: Ticket, state_reason: str) -> str:
    """A customer-safe update: no GitHub links, no L2 wording, for the agent to complete."""
    if state_reason == "not_planned":
        middle = _(
            "Our engineering team has finished looking into the problem you reported in "
            "%(ref)s (“%(subject)s”). [Explain what they found and any workaround.]"
        )
    else:
        middle = _(
            "Good news: our engineering team has fixed the problem you reported in %(ref)s "
            "(“%(subject)s”). [Say when the fix reaches you, or what to do now.] Could you try "
            "again and tell us whether it works for you?"
        )
    middle = middle % {"ref": ticket.reference, "subject": ticket.subject}
    return f"{_greeting(ticket)}\n\n{middle}\n\n{_('Best regards,')}\n{_('The support team')}"


def _draft_reopened(ticket: Ticket) -> str:
    middle = _(
        "Our engineering team is taking another look at the problem you reported in %(ref)s "
        "(“%(subject)s”). We will let you know as soon as we have news."
    ) % {"ref": ticket.reference, "subject": ticket.subject}
    return f"{_greeting(ticket)}\n\n{middle}\n\n{_('Best regards,')}\n{_('The support team')}"


def _save_draft(ticket: Ticket, text: str) -> None:
    EscalationLink.objects.filter(ticket=ticket).update(
        draft_reply=text, draft_created_at=timezone.now()
    )


def draft_to_show(link: EscalationLink | None, messages: Iterable[Message]) -> str:
    """The draft update, unless a public reply went out since it was written."""
    if link is None or not link.draft_reply or link.draft_created_at is None:
        return ""
    for message in messages:
        if message.kind == MessageKind.REPLY and message.created_at >= link.draft_created_at:
            return ""
    return link.draft_reply
