"""What a stored mail is, and what it does: a reply, a new ticket, or mail held for an agent.

:func:`decide` reads a stored mail (:mod:`integrations.email.services` stores it
and records the outcome): machine mail (auto-replies, bounces, lists, our own
mail) is ignored; a reply is matched to its ticket by the reply address, then
by the thread headers; a reply from someone other than the requester, one our
own mail server could not authenticate (:mod:`integrations.email.authentication`),
or a mail that only names a ticket in its subject, is held for an agent; anything
else opens a ticket. The files a mail carries go through the same check as
uploads (:func:`tickets.uploads.check_uploads`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _

from integrations.email import addresses, authentication
from integrations.email.classify import automatic_reason, automatic_subject
from integrations.email.models import InboundEmail, InboundStatus
from integrations.email.parsing import ParsedMail, parse_mail
from tickets import services
from tickets.models import Channel, Message, MessageKind, Status, Ticket
from tickets.uploads import check_uploads

FORWARD_PREFIXES = ("fwd:", "fw:", "wg:", "tr:", "rv:")
# Files of one mail named one by one in the message when they are not kept; more are counted.
NOTES_LISTED = 20


@dataclass(frozen=True)
class Outcome:
    status: str
    reason: str
    ticket: Ticket | None = None
    message: Message | None = None


def decide(inbound: InboundEmail) -> Outcome:
    parsed = parse_mail(bytes(inbound.raw))
    inbound.html_sanitised = parsed.sanitised_html
    inbound.save(update_fields=["html_sanitised"])
    if inbound.truncated:
        return Outcome(
            InboundStatus.FAILED,
            _("Larger than the %(limit)s MB limit (%(size)s MB); only its beginning was kept.")
            % {
                "limit": settings.INBOUND_EMAIL_MAX_BYTES // (1024 * 1024),
                "size": round(inbound.size / (1024 * 1024), 1),
            },
        )
    reason = _loop_reason(parsed) or automatic_reason(parsed)
    if reason:
        return Outcome(InboundStatus.IGNORED, reason)
    looks_automatic = automatic_subject(parsed)
    if looks_automatic:
        return Outcome(
            InboundStatus.HELD,
            _("%(why)s Held so an agent can check that no person wrote it.")
            % {"why": looks_automatic},
        )
    if parsed.unreadable:
        return Outcome(
            InboundStatus.FAILED,
            _("%(why)s Its headers are kept; the raw mail is below.") % {"why": parsed.unreadable},
        )
    if not parsed.from_address or "@" not in parsed.from_address:
        return Outcome(InboundStatus.HELD, _("The mail has no sender address to answer."))
    ticket = _matched_ticket(parsed, inbound.envelope_recipient)
    if ticket is not None:
        return _reply_to_ticket(inbound, parsed, ticket)
    hinted = _ticket_named_in_subject(parsed)
    if hinted is not None:
        return Outcome(
            InboundStatus.HELD,
            _(
                "The subject names %(ref)s and the sender is its requester, but the mail does "
                "not answer any of our mails: confirm to add it to %(ref)s, or create a ticket."
            )
            % {"ref": hinted.reference},
            ticket=hinted,
        )
    return open_ticket(inbound, parsed)


def _loop_reason(parsed: ParsedMail) -> str:
    """Our own mail coming back (a forwarding rule, a list, a misconfigured alias)."""
    if addresses.is_our_address(parsed.from_address):
        return _("Sent from the help desk's own address (a mail loop).")
    if "x-helpdesk-ticket" in parsed.headers or addresses.is_our_message_id(parsed.message_id):
        return _("A mail the help desk sent itself (a mail loop).")
    return ""


def _matched_ticket(parsed: ParsedMail, envelope_recipient: str) -> Ticket | None:
    """By the ticket's reply address first, then by our Message-IDs in the thread headers."""
    ticket = addresses.ticket_from_reply_addresses([envelope_recipient, *parsed.recipients])
    if ticket is None:
        ticket = _ticket_from_headers(parsed)
    # A merged ticket continues in the one it was merged into.
    seen: set[int] = set()
    while ticket is not None and ticket.merged_into_id and ticket.pk not in seen:
        seen.add(ticket.pk)
        ticket = ticket.merged_into
    return ticket


def _ticket_from_headers(parsed: ParsedMail) -> Ticket | None:
    referenced = [*parsed.in_reply_to, *reversed(parsed.references)]
    named = addresses.tickets_from_thread_ids(referenced)
    if named:
        return named[0]
    # A reply to another mail of the thread (e.g. one the requester sent us, with Cc).
    known = (
        Message.objects.filter(email_message_id__in=referenced[:50])
        .exclude(email_message_id="")
        .select_related("ticket")
        .order_by("-created_at")
        .first()
    )
    return known.ticket if known else None


def _ticket_named_in_subject(parsed: ParsedMail) -> Ticket | None:
    """A ticket the subject names (``[HD-12]``) whose requester sent the mail: only a hint."""
    prefix = settings.TICKET_REFERENCE_PREFIX
    match = re.search(rf"\[{re.escape(prefix)}-(\d{{1,18}})\]", parsed.subject, re.IGNORECASE)
    if not match:
        return None
    return Ticket.objects.filter(
        pk=int(match.group(1)), requester__email=parsed.from_address
    ).first()


def _reply_to_ticket(inbound: InboundEmail, parsed: ParsedMail, ticket: Ticket) -> Outcome:
    failed, shown = authentication.failed_checks(parsed, settings.INBOUND_EMAIL_AUTHSERV_ID)
    if failed:
        return Outcome(
            InboundStatus.HELD,
            _(
                "A reply to %(ref)s that our mail server could not authenticate (%(failed)s "
                "failed: %(results)s): it may be forged. Confirm to add it to the ticket."
            )
            % {"ref": ticket.reference, "failed": ", ".join(failed), "results": shown},
            ticket=ticket,
        )
    if parsed.from_address != ticket.requester.email:
        return Outcome(
            InboundStatus.HELD,
            _(
                "A reply to %(ref)s from %(sender)s, who is not its requester (%(requester)s): "
                "confirm to add it to the ticket, or create a ticket for the sender."
            )
            % {
                "ref": ticket.reference,
                "sender": parsed.from_address,
                "requester": ticket.requester.email,
            },
            ticket=ticket,
        )
    if ticket.status == Status.CLOSED:
        return open_ticket(inbound, parsed, follow_up_of=ticket)
    return append_to_ticket(inbound, parsed, ticket)


def append_to_ticket(
    inbound: InboundEmail, parsed: ParsedMail, ticket: Ticket, *, by: User | None = None
) -> Outcome:
    body = _reply_body(parsed)
    files, notes = _attachments(parsed)
    if not body and not files:
        return _held_empty(notes, ticket)
    # A mail that says its language (few do): later mail to them is written in it.
    requester = services.requester_get_or_create(
        email=parsed.from_address,
        name=parsed.from_name,
        language=parsed.headers.get("content-language", ""),
    )
    message = services.ticket_add_message(
        ticket=ticket,
        kind=MessageKind.CUSTOMER,
        body=_with_notes(body, notes),
        requester=requester,
        attachments=files,
        email_message_id=inbound.message_id,
    )
    reason = _("Added to %(ref)s.") % {"ref": ticket.reference}
    if by is not None:
        reason = _("Added to %(ref)s, confirmed by %(agent)s.") % {
            "ref": ticket.reference,
            "agent": by.get_username(),
        }
    return Outcome(InboundStatus.PROCESSED, reason, ticket=ticket, message=message)


def open_ticket(
    inbound: InboundEmail, parsed: ParsedMail, *, follow_up_of: Ticket | None = None
) -> Outcome:
    # A new request keeps its whole text: what it quotes or forwards is the context.
    body = parsed.text
    files, notes = _attachments(parsed)
    if not body and not files:
        return _held_empty(notes, None)
    if follow_up_of is not None:
        body = (
            _("Follow-up to %(ref)s, which is closed.") % {"ref": follow_up_of.reference}
            + "\n\n"
            + _reply_body(parsed)
        )
    acknowledge = _may_acknowledge(parsed.from_address)
    ticket = services.ticket_create(
        requester_email=parsed.from_address,
        requester_name=parsed.from_name,
        subject=parsed.subject or _("(no subject)"),
        channel=Channel.EMAIL,
        description=_with_notes(body, notes),
        attachments=files,
        partner=follow_up_of.partner if follow_up_of else None,
        product=follow_up_of.product if follow_up_of else None,
        submission_key=f"email:{hashlib.sha256(inbound.message_id.encode()).hexdigest()[:58]}",
        notify_requester=acknowledge,
        requester_language=parsed.headers.get("content-language", ""),
    )
    message = ticket.messages.filter(kind=MessageKind.CUSTOMER).order_by("id").first()
    if message is not None:
        message.email_message_id = inbound.message_id[:255]
        message.save(update_fields=["email_message_id"])
    reason = _("Opened %(ref)s.") % {"ref": ticket.reference}
    if not acknowledge:
        reason += " " + _(
            "Not acknowledged: this address opened %(n)s tickets by mail in the last hour "
            "(an auto-responder we did not recognise would loop)."
        ) % {"n": settings.INBOUND_ACKS_PER_SENDER_PER_HOUR}
    if follow_up_of is not None:
        reason = _("Opened %(ref)s as a follow-up of closed %(old)s.") % {
            "ref": ticket.reference,
            "old": follow_up_of.reference,
        }
    return Outcome(InboundStatus.PROCESSED, reason, ticket=ticket, message=message)


def _may_acknowledge(address: str) -> bool:
    """Whether a new ticket from this address may be acknowledged by mail.

    Auto-responders that drop every thread header and our reference would
    otherwise answer each acknowledgement with a new mail, and so on: past a few
    tickets an hour from one address, tickets are still opened but not answered.
    """
    since = timezone.now() - timedelta(hours=1)
    recent = Ticket.objects.filter(
        requester__email=address.lower(), channel=Channel.EMAIL, created_at__gte=since
    ).count()
    return recent < settings.INBOUND_ACKS_PER_SENDER_PER_HOUR


def _held_empty(notes: list[str], ticket: Ticket | None) -> Outcome:
    reason = _("The mail has no text and no file we could keep.")
    if notes:
        reason += " " + " ".join(notes)
    return Outcome(InboundStatus.HELD, reason, ticket=ticket)


def _reply_body(parsed: ParsedMail) -> str:
    """A reply without its quoted history; a forward keeps what it forwards."""
    if parsed.subject.lower().startswith(FORWARD_PREFIXES):
        return parsed.text
    return parsed.reply_text


def _with_notes(body: str, notes: list[str]) -> str:
    if not notes:
        return body
    listed = "\n".join(f"- {note}" for note in notes)
    return f"{body}\n\n{_('Files in the email that were not kept:')}\n{listed}".strip()


def _attachments(parsed: ParsedMail) -> tuple[list[ContentFile], list[str]]:
    """The files we keep (checked by :func:`tickets.uploads.check_uploads`, as uploads
    are), and notes on the rest.

    A mail with thousands of parts (a mail bomb) gets a bounded amount of work and of
    text: at most NOTES_LISTED files are checked and named after the last one kept,
    the others are counted.
    """
    limit = settings.INBOUND_EMAIL_MAX_ATTACHMENTS
    candidates = parsed.attachments[: limit + NOTES_LISTED]
    check = check_uploads(
        [ContentFile(part.data, name=part.name) for part in candidates], max_count=limit
    )
    notes = [
        _("%(part)s It is in the raw mail, kept under Email → Inbound emails.") % {"part": part}
        for part in parsed.unread_parts[:NOTES_LISTED]
    ]
    unlisted = len(parsed.attachments) - len(candidates)
    for refusal in check.refusals:
        if len(notes) < NOTES_LISTED:
            notes.append(refusal.message)
        else:
            unlisted += len(refusal.names)
    if unlisted:
        notes.append(_("%(count)s more files, not kept.") % {"count": unlisted})
    return check.files, notes
