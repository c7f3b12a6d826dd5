"""The issue text the agent previewed and edited, checked again before it is filed.

The desk shows the redacted draft (:func:`tickets.escalation.issue_draft`) and
lets the agent edit it; what is filed is exactly that text. An edit can bring
personal data back, so :func:`checked_text` looks again: if anything is found
and the agent has not confirmed it, :class:`PersonalDataFound` says where, and
the desk shows it highlighted for the agent to fix or confirm.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tickets.escalation import redaction
from tickets.escalation.issue_text import IssueDraft, ticket_context
from tickets.escalation.records import EDITED_BODY_MAX, TITLE_MAX
from tickets.models import Ticket


class PersonalDataFound(ValidationError):
    """The edited text still holds what redaction hides; ``title`` / ``body`` say where."""

    def __init__(
        self, *, title: list[redaction.Span], body: list[redaction.Span], kinds: list[str]
    ) -> None:
        super().__init__(
            _(
                "The text to publish still contains %(kinds)s (highlighted). Fix it, or confirm "
                "that it may be published."
            )
            % {"kinds": ", ".join(kinds)}
        )
        self.title_spans = title
        self.body_spans = body


def findings(
    *, ticket: Ticket, title: str, body: str, include_contact: bool
) -> tuple[list[redaction.Span], list[redaction.Span]]:
    """What redaction would hide in the title and in the body."""
    context = ticket_context(ticket, include_contact=include_contact)
    return redaction.find(title, context), redaction.find(body, context)


def checked_text(
    *,
    ticket: Ticket,
    draft: IssueDraft,
    title: str,
    body: str,
    include_contact: bool,
    publish_anyway: bool,
) -> IssueDraft:
    """The agent's title and body, to be filed as they are, once nothing private is left.

    Raises :class:`PersonalDataFound` unless ``publish_anyway`` (the agent saw the
    highlighted findings and confirmed them).
    """
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise ValidationError(_("The issue needs a title and a body."))
    if len(title) > TITLE_MAX or len(body) > EDITED_BODY_MAX:
        raise ValidationError(
            _("GitHub takes titles up to %(title)s characters and bodies up to %(body)s.")
            % {"title": TITLE_MAX, "body": EDITED_BODY_MAX}
        )
    in_title, in_body = findings(
        ticket=ticket, title=title, body=body, include_contact=include_contact
    )
    if (in_title or in_body) and not publish_anyway:
        kinds = list(dict.fromkeys(span.kind for span in in_title + in_body))
        raise PersonalDataFound(title=in_title, body=in_body, kinds=kinds)
    return IssueDraft(title=title, body=body, labels=draft.labels)
