"""Inbound mail: one ingestion service for the IMAP poller and the providers' webhooks.

Two steps, each in its own transaction:

1. :func:`inbound_receive` stores the raw mail once per Message-ID and commits.
   Only then does the poller mark the mail in the mailbox, so nothing is lost.
2. :func:`inbound_process` has :mod:`integrations.email.intake` decide what the
   mail is and do it (ignore machine mail, add a reply to its ticket, hold what
   an agent must confirm, open a ticket), and records the outcome on the row.
   Whatever goes wrong is recorded on the row (failed, with the error), never
   raised, so one bad mail never stops the ones after it.

The admin's actions on held and failed mail are services here too.
"""

from __future__ import annotations

import hashlib
import logging
import traceback
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from integrations.email.intake import Outcome, append_to_ticket, decide, open_ticket
from integrations.email.models import InboundEmail, InboundSource, InboundStatus
from integrations.email.parsing import fallback_message_id, parse_mail
from tickets.models import Status

logger = logging.getLogger(__name__)

# What is kept of a mail larger than INBOUND_EMAIL_MAX_BYTES: its headers and the
# start of its body, enough for an agent to see who wrote and about what.
TRUNCATED_KEEP_BYTES = 256 * 1024


@dataclass(frozen=True)
class Received:
    inbound: InboundEmail
    created: bool


# --------------------------------------------------------------------------- #
# Step 1: store                                                               #
# --------------------------------------------------------------------------- #


def inbound_receive(
    *, raw: bytes, source: str, envelope_recipient: str = "", size: int | None = None
) -> Received:
    """Store a mail once (by Message-ID) and commit; a second delivery returns the first row.

    ``size`` is the mail's real size when only its beginning was fetched.
    """
    if source not in InboundSource.values:
        raise ValueError(f"Unknown inbound source {source!r}")
    size = len(raw) if size is None else size
    truncated = size > settings.INBOUND_EMAIL_MAX_BYTES
    kept = raw[:TRUNCATED_KEEP_BYTES] if truncated else raw
    parsed = parse_mail(kept)
    message_id = parsed.message_id or fallback_message_id(raw)
    if len(message_id) > 255:
        message_id = f"<sha256-{hashlib.sha256(message_id.encode()).hexdigest()}@long-id>"
    fields = {
        "source": source,
        "raw": kept,
        "truncated": truncated,
        "size": size,
        "envelope_recipient": envelope_recipient.strip().lower()[:254],
        "from_address": parsed.from_address[:254],
        "subject": parsed.subject[:255],
    }
    try:
        with transaction.atomic():
            inbound = InboundEmail.objects.create(message_id=message_id, **fields)
    except IntegrityError:
        existing = InboundEmail.objects.filter(message_id=message_id).first()
        if existing is None:
            raise
        return Received(existing, created=False)
    return Received(inbound, created=True)


# --------------------------------------------------------------------------- #
# Step 2: decide and act                                                      #
# --------------------------------------------------------------------------- #


def inbound_process(*, inbound_id: int) -> InboundEmail:
    """Process a stored mail that was not processed yet; never raises for a bad mail."""
    # Counted first, in its own write: a mail that kills the worker outright (not an
    # exception: memory, a time limit) is set aside after a few tries, not retried forever.
    InboundEmail.objects.filter(pk=inbound_id, status=InboundStatus.RECEIVED).update(
        attempts=F("attempts") + 1
    )
    with transaction.atomic():
        inbound = InboundEmail.objects.select_for_update().get(pk=inbound_id)
        if inbound.status != InboundStatus.RECEIVED:
            return inbound  # done already (a retry, or two workers)
        if inbound.attempts > settings.INBOUND_MAX_ATTEMPTS:
            reason = _("Processing was cut short %(n)s times (the worker stopped); set aside.") % {
                "n": inbound.attempts - 1
            }
            _settle(inbound, Outcome(InboundStatus.FAILED, reason))
            return inbound
        try:
            with transaction.atomic():  # a failure undoes the half-made ticket, not the row
                outcome = decide(inbound)
            error = ""
        except Exception as exc:
            logger.exception("Inbound mail %s could not be processed", inbound.pk)
            outcome = Outcome(
                InboundStatus.FAILED,
                _("Processing failed: %(error)s") % {"error": _one_line(exc)},
            )
            error = traceback.format_exc()
        _settle(inbound, outcome, error=error)
        return inbound


def inbound_process_pending(*, older_than_seconds: int = 0, limit: int = 100) -> int:
    """Process mail stored but not processed (a webhook whose hand-over to the worker was lost).

    Rows younger than ``older_than_seconds`` are left to the task their own receipt queued.
    """
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = list(
        InboundEmail.objects.filter(status=InboundStatus.RECEIVED, received_at__lte=cutoff)
        .order_by("received_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    for inbound_id in ids:
        inbound_process(inbound_id=inbound_id)
    return len(ids)


def _settle(inbound: InboundEmail, outcome: Outcome, *, error: str = "") -> None:
    inbound.status = outcome.status
    inbound.reason = outcome.reason
    inbound.error = error
    inbound.ticket = outcome.ticket
    inbound.ticket_message = outcome.message
    inbound.processed_at = timezone.now()
    inbound.save(
        update_fields=["status", "reason", "error", "ticket", "ticket_message", "processed_at"]
    )


def _one_line(exc: BaseException) -> str:
    messages = getattr(exc, "messages", None)
    text = "; ".join(str(m) for m in messages) if messages else str(exc) or type(exc).__name__
    return " ".join(text.split())[:500]


# --------------------------------------------------------------------------- #
# An agent's decisions on held and failed mail (the admin's actions)          #
# --------------------------------------------------------------------------- #


def _locked_for_agent(inbound: InboundEmail, allowed: tuple[str, ...]) -> InboundEmail:
    inbound = InboundEmail.objects.select_for_update().get(pk=inbound.pk)
    if inbound.status not in allowed:
        raise ValidationError(
            _("This mail is %(status)s; nothing to do.")
            % {"status": inbound.get_status_display().lower()}
        )
    return inbound


@transaction.atomic
def inbound_confirm_append(*, inbound: InboundEmail, by: User) -> InboundEmail:
    """Add a held mail to the ticket it seems to belong to, as a message from its sender."""
    inbound = _locked_for_agent(inbound, (InboundStatus.HELD,))
    if inbound.ticket is None:
        raise ValidationError(_("This mail belongs to no ticket; create a ticket instead."))
    if inbound.ticket.status == Status.CLOSED:
        raise ValidationError(
            _("%(ref)s is closed; create a ticket instead.") % {"ref": inbound.ticket.reference}
        )
    parsed = parse_mail(bytes(inbound.raw))
    outcome = append_to_ticket(inbound, parsed, inbound.ticket, by=by)
    if outcome.status != InboundStatus.PROCESSED:
        raise ValidationError(outcome.reason)
    _settle(inbound, outcome)
    return inbound


@transaction.atomic
def inbound_create_ticket(*, inbound: InboundEmail, by: User) -> InboundEmail:
    """Open a ticket for the sender of a held, failed or ignored mail (an agent's call)."""
    inbound = _locked_for_agent(
        inbound, (InboundStatus.HELD, InboundStatus.FAILED, InboundStatus.IGNORED)
    )
    parsed = parse_mail(bytes(inbound.raw))
    if not parsed.from_address:
        raise ValidationError(_("The mail has no sender address to open a ticket for."))
    outcome = open_ticket(inbound, parsed)
    if outcome.status != InboundStatus.PROCESSED:
        raise ValidationError(outcome.reason)
    reason = f"{outcome.reason} {_('Created by %(agent)s.') % {'agent': by.get_username()}}"
    _settle(inbound, Outcome(outcome.status, reason, outcome.ticket, outcome.message))
    return inbound


@transaction.atomic
def inbound_ignore(*, inbound: InboundEmail, by: User) -> InboundEmail:
    inbound = _locked_for_agent(inbound, (InboundStatus.HELD, InboundStatus.FAILED))
    reason = _("Ignored by %(agent)s. Before: %(reason)s") % {
        "agent": by.get_username(),
        "reason": inbound.reason,
    }
    _settle(inbound, Outcome(InboundStatus.IGNORED, reason, inbound.ticket))
    return inbound


def inbound_retry(*, inbound: InboundEmail) -> InboundEmail:
    """Process a failed mail again (after a fix, or a database that was away)."""
    updated = InboundEmail.objects.filter(pk=inbound.pk, status=InboundStatus.FAILED).update(
        status=InboundStatus.RECEIVED, reason="", error="", attempts=0
    )
    if not updated:
        raise ValidationError(_("Only failed mail can be processed again."))
    return inbound_process(inbound_id=inbound.pk)
