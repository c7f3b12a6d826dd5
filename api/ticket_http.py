"""The staff tickets API's HTTP side: finding a ticket by reference, If-Match, and errors.

Optimistic versions (RFC 9110 §13.1.1): a ticket's ``ETag`` is its version,
``"7"``. Every write must send ``If-Match`` with the version it read; without
one the answer is ``428 Precondition Required`` (RFC 6585), so a client cannot
overwrite a colleague's change by forgetting the header. ``If-Match: *`` means
"whatever it is now" (no check). A version that no longer matches (or a weak
tag, which never matches for If-Match) is ``412 Precondition Failed`` and
nothing is written: the service refuses under the row lock.

The services' refusals become problems: a role that does not allow it 403, a
closed ticket or a move the workflow forbids 409, invalid values 422 with
field errors.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import register_converter
from django.utils.translation import gettext as _
from ninja import Header, Path

from api.auth import acting_through
from api.problems import ApiProblem
from api.ticket_schemas import REFERENCE
from tickets.models import Ticket
from tickets.queues import reference_pk
from tickets.services import StaleTicket, TicketClosed, acting_via, check_version
from tickets.workflow import InvalidTransition
from tickets.workspace import workspace_ticket


class TicketReferenceConverter:
    """``{ticketref:reference}``: a path segment shaped like a reference (HD-1042, 1042),
    so /tickets/with-files (the requester side's create) is never read as one."""

    regex = REFERENCE.strip("^$")

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TicketReferenceConverter, "ticketref")


_STRONG_TAG = re.compile(r'^"(\d{1,18})"$')
# Documented on every write; enforced by expected_version (428 without it, not 422).
IF_MATCH = Header(
    None,
    alias="If-Match",
    max_length=400,
    description='The ticket\'s ETag as read, e.g. "7"; * for whatever it is now. Required.',
)
REFERENCE_PARAM = Path(..., pattern=REFERENCE, max_length=40, description="HD-1042 or 1042.")


def etag(ticket: Ticket) -> str:
    return f'"{ticket.version}"'


def with_etag(response: HttpResponse, ticket: Ticket) -> HttpResponse:
    response["ETag"] = etag(ticket)
    return response


def staff_ticket(reference: str, *, full: bool = True) -> Ticket:
    """The ticket named by ``HD-1042`` (or ``1042``), read as its workspace reads it, or 404.

    Not ``full``: the ticket's row alone, for a read of its thread or its files.
    """
    pk = reference_pk(reference)
    ticket = None
    if pk is not None and pk < 2**63:
        ticket = workspace_ticket(pk) if full else Ticket.objects.filter(pk=pk).first()
    if ticket is None:
        raise ApiProblem(404, _("There is no ticket %(ref)s.") % {"ref": reference})
    return ticket


def expected_version(request: HttpRequest, ticket: Ticket) -> int | None:
    """The version ``If-Match`` names (None for ``*``); 428 without it, 412 if it cannot match."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise ApiProblem(
            428,
            _('Send If-Match with the ticket\'s ETag (for example If-Match: "%(version)s").')
            % {"version": ticket.version},
        )
    if header == "*":
        return None
    matches = (_STRONG_TAG.match(tag.strip()) for tag in header.split(","))
    versions = [int(match.group(1)) for match in matches if match]
    if ticket.version in versions:
        return ticket.version
    if versions:
        try:
            check_version(ticket=ticket, expected_version=versions[0])
        except StaleTicket as stale:
            raise _stale(stale) from None
    detail = _(
        "If-Match names no version of %(ref)s (a weak or malformed tag): read the ticket "
        "again and retry with its ETag."
    ) % {"ref": ticket.reference}
    raise ApiProblem(412, detail, headers={"ETag": etag(ticket)})


def _stale(stale: StaleTicket) -> ApiProblem:
    """The API's words for a ticket that moved on (the desk's speak of its page and form)."""
    who = stale.last_change.actor_label if stale.last_change else _("someone")
    detail = _(
        "%(ref)s has changed since version %(expected)s (it is now version %(current)s, last "
        "changed by %(who)s), so nothing was written: read it again and retry with its ETag."
    ) % {
        "ref": stale.ticket.reference,
        "expected": stale.expected,
        "current": stale.current,
        "who": who,
    }
    return ApiProblem(412, detail, headers={"ETag": etag(stale.ticket)})


def _field_errors(error: ValidationError) -> list[dict[str, str]]:
    if not hasattr(error, "error_dict"):
        return [{"field": "", "message": str(message)} for message in error.messages]
    return [
        {"field": "" if field == NON_FIELD_ERRORS else field, "message": str(message)}
        for field, messages in error.message_dict.items()
        for message in messages
    ]


@contextmanager
def service_problems() -> Iterator[None]:
    """Turn a ticket service's refusal into a problem (ActionNotAllowed is already a 403)."""
    try:
        yield
    except StaleTicket as stale:
        raise _stale(stale) from None
    except TicketClosed as closed:
        raise ApiProblem(409, " ".join(closed.messages)) from None
    except InvalidTransition as refused:
        raise ApiProblem(409, str(refused)) from None
    except ValidationError as invalid:
        errors = _field_errors(invalid)
        raise ApiProblem(
            422, " ".join(e["message"] for e in errors) or _("Invalid request."), errors=errors
        ) from None


def write(
    request: HttpRequest, reference: str, change: Callable[[Ticket, int | None], Any]
) -> tuple[Ticket, Any]:
    """Run ``change(ticket, expected_version)`` on the ticket, as If-Match allows; the ticket
    read again afterwards (its new version) and what ``change`` returned. The history
    records a token's changes as its owner's via the token."""
    ticket = staff_ticket(reference)
    version = expected_version(request, ticket)
    with service_problems(), acting_via(acting_through(request)):
        result = change(ticket, version)
    fresh = workspace_ticket(ticket.pk)
    return (fresh or ticket), result
