"""Tickets as the staff API shows them: a queue row, and one ticket with its thread.

Rows take their names from the desk's lists (tickets.queues.queue_rows), as
the queue page does; one ticket is read as its workspace reads it
(tickets.workspace), thread and history in a fixed number of queries.
"""

from __future__ import annotations

from typing import Any

from tickets.models import Ticket
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


def detail_out(ticket: Ticket) -> dict[str, Any]:
    """The ticket, its report, and the newest THREAD_LIMIT messages and events."""
    thread, earlier = ticket_thread(ticket, THREAD_LIMIT)
    messages = [item["message"] for item in thread if item["type"] == "message"]
    events = [item["event"] for item in thread if item["type"] == "event"]
    return {
        **summary_out(ticket),
        "description": ticket.description,
        "what_doing": ticket.what_doing,
        "expected": ticket.expected,
        "actual": ticket.actual,
        "steps": ticket.steps,
        "product_details": _mapping(ticket.product_details),
        "environment": _mapping(ticket.environment),
        "messages": [message_out(m) for m in messages],
        "events": [
            {
                "id": e.pk,
                "kind": e.kind,
                "field": e.field,
                "old": e.old_value,
                "new": e.new_value,
                "actor": e.actor_label,
                "created_at": e.created_at,
            }
            for e in events
        ],
        "thread_truncated": earlier,
    }


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def message_out(message: Any) -> dict[str, Any]:
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
            }
            for a in message.attachments.all()
        ],
    }
