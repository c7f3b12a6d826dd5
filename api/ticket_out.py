"""Tickets as the staff API shows them: a queue row, one ticket with its thread, thread items.

Rows take their names from the desk's lists (tickets.queues.queue_rows), as
the queue page does; one ticket is read as its workspace reads it
(tickets.workspace), thread and history in a fixed number of queries. A message's
files carry the address to download them, the ticket the address of its whole thread.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from tickets.models import Message, Ticket, TicketEvent
from tickets.queues.listing import Row
from tickets.workspace import THREAD_LIMIT, ticket_thread


def _slug(choice: Any) -> str | None:
    return choice.slug if choice is not None else None


def row_out(row: Row) -> dict[str, Any]:
    ticket = row.ticket
    return {
        **_common(ticket),
        "requester_name": getattr(ticket, "row_requester_name", "") or "",
        "requester_email": getattr(ticket, "row_requester_email", "") or "",
        "hub": _slug(row.hub),
        "product": _slug(row.product),
        "category": _slug(row.category),
        "impact": _slug(row.impact),
        "tags": [tag.slug for tag in row.tags],
        "snippet": str(row.snippet),
    }


def _common(ticket: Ticket) -> dict[str, Any]:
    return {
        "reference": ticket.reference,
        "id": ticket.pk,
        "subject": ticket.subject,
        "status": ticket.status,
        "escalation_status": ticket.escalation_status,
        "channel": ticket.channel,
        "is_urgent": ticket.is_urgent,
        "version": ticket.version,
        "partner": ticket.partner_id,
        "assignee": ticket.assignee_id,
        "first_response_due_at": ticket.first_response_due_at,
        "next_response_due_at": ticket.next_response_due_at,
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
    }


def summary_out(ticket: Ticket) -> dict[str, Any]:
    """A ticket read with its relations (tickets.workspace.workspace_ticket), as a row."""

    def slug(name: str) -> str | None:
        related = getattr(ticket, name) if getattr(ticket, f"{name}_id") else None
        return related.slug if related is not None else None

    return {
        **_common(ticket),
        "requester_name": ticket.requester.name,
        "requester_email": ticket.requester.email,
        "hub": slug("hub"),
        "product": slug("product"),
        "category": slug("category"),
        "impact": slug("impact"),
        "tags": sorted(tag.slug for tag in ticket.issue_tags.all()),
        "snippet": "",
    }


def detail_out(request: HttpRequest, ticket: Ticket) -> dict[str, Any]:
    """The ticket, its report, and the newest THREAD_LIMIT messages and events."""
    thread, earlier = ticket_thread(ticket, THREAD_LIMIT)
    return {
        **summary_out(ticket),
        "description": ticket.description,
        "what_doing": ticket.what_doing,
        "expected": ticket.expected,
        "actual": ticket.actual,
        "steps": ticket.steps,
        "product_details": _mapping(ticket.product_details),
        "environment": _mapping(ticket.environment),
        "messages": [
            message_out(request, ticket, item["message"])
            for item in thread
            if item["type"] == "message"
        ],
        "events": [event_out(item["event"]) for item in thread if item["type"] == "event"],
        "thread_truncated": earlier,
        "thread_url": _absolute(request, "api:tickets_thread", reference=ticket.reference),
    }


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _absolute(request: HttpRequest, name: str, **kwargs: Any) -> str:
    return request.build_absolute_uri(reverse(name, kwargs=kwargs))


def thread_item_out(request: HttpRequest, ticket: Ticket, item: dict[str, Any]) -> dict[str, Any]:
    """An item of the thread (tickets.thread_pages): a message or an event, as the ticket
    read shows them."""
    if item["type"] == "message":
        return {"type": "message", "message": message_out(request, ticket, item["message"])}
    return {"type": "event", "event": event_out(item["event"])}


def event_out(event: TicketEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "kind": event.kind,
        "field": event.field,
        "old": event.old_value,
        "new": event.new_value,
        "actor": event.actor_label,
        "created_at": event.created_at,
    }


def message_out(request: HttpRequest, ticket: Ticket, message: Message) -> dict[str, Any]:
    """A message of ``ticket`` with its files, each with the address to download it."""
    return {
        "id": message.pk,
        "kind": message.kind,
        "body": message.body,
        "author": message.author_label,
        "author_user": message.author_user_id,
        "created_at": message.created_at,
        "attachments": [
            {
                "id": a.pk,
                "name": a.original_name,
                "content_type": a.content_type,
                "size": a.size,
                "sha256": a.sha256,
                "created_at": a.created_at,
                "url": _absolute(
                    request,
                    "api:tickets_attachment",
                    reference=ticket.reference,
                    attachment_id=a.pk,
                ),
            }
            for a in message.attachments.all()
        ],
    }
