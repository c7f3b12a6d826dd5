"""Writes on a ticket: reply, note, triage / assign / status (PATCH), reopen, escalate to L2.

Each goes through the ticket service the desk calls (tickets.services), as the
token's owner (or the signed-in agent): the owner's role is checked there, and
the ticket's version from ``If-Match`` is checked under the row lock
(api.ticket_http). The answer carries the ticket's new ``ETag``.

The operations join :data:`api.routes_tickets.router` (GET and PATCH share a path,
which two routers cannot), as do a reply's and a note's variants with files
(api.routes_ticket_files, which imports this module); the API adds that router
once, from there.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import User
from django.core.files import File
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Status

from api.auth import acting_user, scoped
from api.problems import ApiProblem, Problem
from api.routes_tickets import router
from api.scopes import TICKETS_WRITE
from api.ticket_http import IF_MATCH, REFERENCE_PARAM, with_etag, write
from api.ticket_out import message_out, summary_out
from api.ticket_schemas import (
    EscalationIn,
    EscalationOut,
    MessageOut,
    NoteIn,
    ReplyIn,
    TicketPatch,
    TicketRowOut,
)
from catalog.memo import active_by_slug
from catalog.models import Category, Hub, Impact, IssueTag, Partner, Product
from tickets import services
from tickets.models import Message, MessageKind, Ticket
from tickets.uploads import validate_uploads

WRITE = scoped(TICKETS_WRITE)

PRECONDITIONS = {412: Problem, 428: Problem}


def message_write(
    request: HttpRequest,
    response: HttpResponse,
    reference: str,
    kind: str,
    body: str,
    then: str = "",
    files: Sequence[File] = (),
) -> Status[dict[str, Any]]:
    """A reply or a note, with ``files`` if any (api.routes_ticket_files), as If-Match allows;
    answered with the message (201) and the ticket's new ``ETag``."""
    user = acting_user(request)

    def send(ticket: Ticket, version: int | None) -> Message:
        # The desk's reply form's check (its AttachmentsField), once the ticket and its
        # version are known: types by content, sizes, and the count, which the service
        # leaves to each channel. A refusal is a 422 naming ``attachments``.
        attachments = validate_uploads(files)
        return services.ticket_reply(
            ticket=ticket,
            by=user,
            kind=kind,
            body=body,
            attachments=attachments,
            expected_version=version,
            then_status=then,
        )

    ticket, message = write(request, reference, send)
    with_etag(response, ticket)
    return Status(201, message_out(request, ticket, message))


@router.post(
    "/{ticketref:reference}/replies",
    auth=WRITE,
    response={201: MessageOut, 404: Problem, **PRECONDITIONS},
    operation_id="tickets_reply",
)
def ticket_reply(
    request: HttpRequest,
    response: HttpResponse,
    payload: ReplyIn,
    reference: str = REFERENCE_PARAM,
    if_match: str | None = IF_MATCH,
) -> Status[dict[str, Any]]:
    """A public reply, emailed to the requester; the ticket then waits on them (or as asked)."""
    return message_write(
        request, response, reference, MessageKind.REPLY, payload.body, payload.then_status
    )


@router.post(
    "/{ticketref:reference}/notes",
    auth=WRITE,
    response={201: MessageOut, 404: Problem, **PRECONDITIONS},
    operation_id="tickets_note",
)
def ticket_note(
    request: HttpRequest,
    response: HttpResponse,
    payload: NoteIn,
    reference: str = REFERENCE_PARAM,
    if_match: str | None = IF_MATCH,
) -> Status[dict[str, Any]]:
    """An internal note: staff only, never shown to the requester."""
    return message_write(request, response, reference, MessageKind.NOTE, payload.body)


def _by_slug[M: Model](model: type[M], field: str, slug: str | None) -> M | None:
    """The active row ``slug`` names (None clears the field); an unknown one is a 422."""
    if slug is None:
        return None
    row = active_by_slug(model, slug)
    if row is None:
        raise _unknown(field, slug)
    return row


def _unknown(field: str, value: object) -> ApiProblem:
    message = _("“%(value)s” names nothing that can be chosen.") % {"value": value}
    return ApiProblem(422, message, errors=[{"field": field, "message": message}])


def _triage_changes(changes: dict[str, Any]) -> dict[str, Any]:
    """The PATCH body's values as the triage service takes them (rows, not slugs)."""
    found: dict[str, Any] = {}
    for field, model in (("hub", Hub), ("product", Product), ("category", Category),
                         ("impact", Impact)):  # fmt: skip
        if field in changes:
            found[field] = _by_slug(model, field, changes[field])
    if "subject" in changes:
        if changes["subject"] is None:
            message = _("A ticket needs a subject.")
            raise ApiProblem(422, message, errors=[{"field": "subject", "message": message}])
        found["subject"] = changes["subject"]
    if "partner" in changes:
        pk = changes["partner"]
        found["partner"] = Partner.objects.filter(pk=pk, is_active=True).first() if pk else None
        if pk and found["partner"] is None:
            raise _unknown("partner", pk)
    if changes.get("tags") is not None:
        tags = list(IssueTag.objects.filter(slug__in=changes["tags"], is_active=True))
        missing = set(changes["tags"]) - {tag.slug for tag in tags}
        if missing:
            raise _unknown("tags", ", ".join(sorted(missing)))
        found["tags"] = tags
    if "assignee" in changes:
        pk = changes["assignee"]
        found["assignee"] = User.objects.filter(pk=pk).first() if pk else None
        if pk and found["assignee"] is None:
            raise _unknown("assignee", pk)
    if changes.get("status") is not None:
        found["status"] = changes["status"]
    return found


@router.patch(
    "/{ticketref:reference}",
    auth=WRITE,
    response={200: TicketRowOut, 404: Problem, **PRECONDITIONS},
    operation_id="tickets_update",
)
def ticket_update(
    request: HttpRequest,
    response: HttpResponse,
    payload: TicketPatch,
    reference: str = REFERENCE_PARAM,
    if_match: str | None = IF_MATCH,
) -> dict[str, Any]:
    """Triage (hub, partner, product, category, impact, tags, subject), assignee and status.

    Only the fields sent change, in one step; ``null`` clears a field. Escalating has
    its own operation; a closed ticket changes only by being reopened (``/reopen``).
    """
    user = acting_user(request)

    def triage(ticket: Ticket, version: int | None) -> Ticket:
        # Values are looked up once the ticket and its version are known: 404, 428 and
        # 412 come before a 422 for a value.
        changes = _triage_changes(payload.model_dump(exclude_unset=True))
        return services.ticket_triage(ticket=ticket, by=user, expected_version=version, **changes)

    ticket, _changed = write(request, reference, triage)
    with_etag(response, ticket)
    return summary_out(ticket)


@router.post(
    "/{ticketref:reference}/reopen",
    auth=WRITE,
    response={200: TicketRowOut, 404: Problem, 409: Problem, **PRECONDITIONS},
    operation_id="tickets_reopen",
)
def ticket_reopen(
    request: HttpRequest,
    response: HttpResponse,
    reference: str = REFERENCE_PARAM,
    if_match: str | None = IF_MATCH,
) -> dict[str, Any]:
    """Reopen a resolved or closed ticket: back to where triage left it, the requester told.

    A ticket that is not finished is answered as it is; a merged one stays closed (409).
    """
    user = acting_user(request)

    def reopen(ticket: Ticket, version: int | None) -> Ticket:
        return services.ticket_reopen(ticket=ticket, by=user, expected_version=version)

    ticket, _reopened = write(request, reference, reopen)
    with_etag(response, ticket)
    return summary_out(ticket)


@router.post(
    "/{ticketref:reference}/escalation",
    auth=WRITE,
    response={201: EscalationOut, 404: Problem, **PRECONDITIONS},
    operation_id="tickets_escalate",
)
def ticket_escalate(
    request: HttpRequest,
    response: HttpResponse,
    payload: EscalationIn,
    reference: str = REFERENCE_PARAM,
    if_match: str | None = IF_MATCH,
) -> Status[dict[str, Any]]:
    """Hand the ticket to L2: a GitHub issue is filed in its product's repository (by the
    outbox, after commit), from the redacted draft or the text given."""
    user = acting_user(request)

    def escalate(ticket: Ticket, version: int | None) -> Any:
        return services.ticket_escalate(
            ticket=ticket,
            by=user,
            technical_summary=payload.technical_summary,
            include_contact=payload.include_contact,
            title=payload.title,
            body=payload.body,
            publish_anyway=payload.publish_anyway,
            expected_version=version,
        )

    ticket, issue = write(request, reference, escalate)
    with_etag(response, ticket)
    return Status(
        201,
        {
            "issue_id": issue.pk,
            "repository": issue.repository,
            "title": issue.title,
            "ticket": summary_out(ticket),
        },
    )
