"""GET /api/v1/tickets…: the desk's queues, filters, search and pages; one ticket and its thread.

The list is the desk's queue view (tickets.queues), not a copy of it: the same
allow-listed filters and sorts, the same QuerySets (so the same indexes and
plans), the same search with internal notes, the same keyset pages, whose
cursor goes in ``next``. Where the desk ignores a value it does not know, the
API says so: a 422 naming it. A page costs the same number of queries
whatever its size.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, tzinfo
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router

from api.auth import acting_user, scoped
from api.pagination import decode_cursor, encode_cursor, next_url, unknown_cursor
from api.problems import ApiProblem, Problem
from api.scopes import TICKETS_READ
from api.ticket_http import REFERENCE_PARAM, staff_ticket, with_etag
from api.ticket_out import detail_out, row_out, thread_item_out
from api.ticket_schemas import ThreadPage, ThreadQuery, TicketDetailOut, TicketFilter, TicketPage
from catalog.models import validate_time_zone
from tickets import access, queues
from tickets.downloads import OCTET_STREAM, attachment_response
from tickets.filetypes import SAFE_CONTENT_TYPES
from tickets.queues.query import FILTER_KEYS, QueueQuery
from tickets.thread_pages import EVENT, MESSAGE, ThreadPlace, place, thread_page
from tickets.time_zones import staff_zone

router = Router(tags=["tickets"])


def _desk_params(filters: TicketFilter) -> QueryDict:
    """The query string the desk would read for these filters."""
    params = QueryDict(mutable=True)
    for key in FILTER_KEYS:
        params.setlist(key, getattr(filters, key) or [])
    if filters.q:
        params["q"] = filters.q
    if filters.sort:
        params["sort"] = filters.sort
    if filters.cursor:
        params["after"] = filters.cursor
    return params


def _refuse_ignored(query: QueueQuery, filters: TicketFilter) -> None:
    cursor_ignored = _("page link") in query.ignored
    ignored = [item for item in query.ignored if item != _("page link")]
    if ignored:
        raise ApiProblem(
            422,
            _("These filter values name nothing: %(values)s.") % {"values": ", ".join(ignored)},
            errors=[
                {"field": item.partition("=")[0], "message": _("Unknown value: %(item)s.")
                 % {"item": item}}
                for item in ignored
            ],
        )  # fmt: skip
    if cursor_ignored or (filters.cursor and query.after is None):
        raise ApiProblem(
            400,
            _("The cursor is not one this API gave for this sort."),
            errors=[{"field": "cursor", "message": _("Unknown cursor.")}],
        )


def _zone(name: str | None, user: User) -> tzinfo:
    """The zone the list's days are read in: ``tz`` if given (422 if unknown), else the
    person's desk zone (profile, hub, DESK_DEFAULT_TIME_ZONE), for a token and a session alike."""
    if name is None:
        return staff_zone(user)
    try:
        validate_time_zone(name)
    except ValidationError as unknown:
        message = " ".join(unknown.messages)
        raise ApiProblem(422, message, errors=[{"field": "tz", "message": message}]) from None
    return zoneinfo.ZoneInfo(name)


@router.get(
    "",
    auth=scoped(TICKETS_READ),
    response={200: TicketPage, 400: Problem},
    operation_id="tickets_list",
)
def tickets_list(request: HttpRequest, filters: Query[TicketFilter]) -> dict[str, Any]:
    """Tickets of a desk queue, filtered and searched as on the desk, page by page.

    ``created_from``/``created_to`` are days in ``tz``, by default the caller's own zone
    (as the desk reads them for the token's owner or the signed-in staff member)."""
    user = acting_user(request)
    now = timezone.now()
    with timezone.override(_zone(filters.tz, user)):
        lists = queues.desk_lists(user)
        query = queues.parse_queue_query(filters.queue, _desk_params(filters), lists)
        _refuse_ignored(query, filters)
        query.size = filters.limit
        page = queues.queue_page(query, user, now)
        rows = queues.queue_rows(page.rows, lists, now, query)
    following = next_url(request, page.next_cursor, filters.limit) if page.next_cursor else None
    return {"items": [row_out(row) for row in rows], "next": following}


@router.get(
    "/{ticketref:reference}",
    auth=scoped(TICKETS_READ),
    response={200: TicketDetailOut, 404: Problem},
    operation_id="tickets_get",
)
def ticket_get(
    request: HttpRequest, response: HttpResponse, reference: str = REFERENCE_PARAM
) -> dict[str, Any]:
    """One ticket with its thread (internal notes included) and its history; ETag: its version."""
    ticket = staff_ticket(reference)
    with_etag(response, ticket)
    return detail_out(request, ticket)


@router.get(
    "/{ticketref:reference}/thread",
    auth=scoped(TICKETS_READ),
    response={200: ThreadPage, 400: Problem, 404: Problem},
    operation_id="tickets_thread",
    url_name="tickets_thread",
)
def ticket_thread_read(
    request: HttpRequest, query: Query[ThreadQuery], reference: str = REFERENCE_PARAM
) -> dict[str, Any]:
    """The whole thread (internal notes included), messages and events as the ticket read
    gives them, page by page: oldest first, or newest first (``order=newest``)."""
    ticket = staff_ticket(reference, full=False)
    after = _thread_place(query.cursor) if query.cursor else None
    items, more = thread_page(
        ticket, limit=query.limit, after=after, newest_first=query.order == "newest"
    )
    following = None
    if more:
        last = place(items[-1])
        cursor = encode_cursor([last.at.isoformat(), last.rank, last.id])
        following = next_url(request, cursor, query.limit)
    return {"items": [thread_item_out(request, ticket, item) for item in items], "next": following}


def _thread_place(cursor: str) -> ThreadPlace:
    """The thread item a cursor names the place of; one this API did not give is a 400."""
    at, rank, pk = decode_cursor(cursor, 3)
    if not (isinstance(at, str) and rank in (MESSAGE, EVENT) and isinstance(pk, int)):
        raise unknown_cursor()
    try:
        when = datetime.fromisoformat(at)
    except ValueError:
        raise unknown_cursor() from None
    if timezone.is_naive(when):
        raise unknown_cursor()
    return ThreadPlace(when, rank, pk)


# What a file may go out as (tickets.downloads): an allowed type, else a stream of bytes.
_FILE = {"schema": {"type": "string", "format": "binary"}}
_DOWNLOAD = {
    200: {
        "description": "The file, as a download.",
        "content": {kind: _FILE for kind in sorted({*SAFE_CONTENT_TYPES, OCTET_STREAM})},
    }
}
ATTACHMENT_PARAM = Path(..., ge=1, le=2**63 - 1, description="The attachment's id.")


@router.get(
    "/{ticketref:reference}/attachments/{int:attachment_id}",
    auth=scoped(TICKETS_READ),
    response={404: Problem},
    openapi_extra={"responses": _DOWNLOAD},
    operation_id="tickets_attachment",
    url_name="tickets_attachment",
)
def ticket_attachment(
    request: HttpRequest, reference: str = REFERENCE_PARAM, attachment_id: int = ATTACHMENT_PARAM
) -> HttpResponseBase:
    """A file of the ticket's thread (a note's too), as the desk serves it: its bytes,
    streamed, as a download. Another ticket's file is not found here."""
    ticket = staff_ticket(reference, full=False)
    found = access.ticket_attachment(ticket, attachment_id)
    response = attachment_response(found) if found is not None else None
    if response is None:
        raise ApiProblem(
            404, _("%(ref)s has no file %(id)s.") % {"ref": ticket.reference, "id": attachment_id}
        )
    return response
