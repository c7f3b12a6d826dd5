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
from datetime import tzinfo
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router

from api.auth import acting_user, scoped
from api.problems import ApiProblem, Problem
from api.scopes import TICKETS_READ
from api.ticket_http import REFERENCE_PARAM, staff_ticket, with_etag
from api.ticket_out import detail_out, row_out
from api.ticket_schemas import TicketDetailOut, TicketFilter, TicketPage
from catalog.models import validate_time_zone
from tickets import queues
from tickets.queues.query import FILTER_KEYS, QueueQuery
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
    following = None
    if page.next_cursor:
        params = request.GET.copy()
        params["cursor"] = page.next_cursor
        params["limit"] = str(filters.limit)
        following = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
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
    return detail_out(ticket)
