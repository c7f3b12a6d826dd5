"""The ticket domain's models, one module per family."""

from tickets.models.desk import CannedResponse, SavedView
from tickets.models.escalation import (
    EscalationComment,
    EscalationIssue,
    EscalationLink,
    IssueState,
)
from tickets.models.outbox import OutboxMessage, OutboxStatus
from tickets.models.sla import HubClosure, SlaClock, SlaEvent, SlaEventKind, SlaPolicy, SlaTarget
from tickets.models.taxonomy import Category, Hub, Impact, IssueTag, Partner, Product
from tickets.models.thread import Attachment, EventKind, Message, MessageKind, TicketEvent
from tickets.models.ticket import (
    OPEN_STATUSES,
    Channel,
    EscalationStatus,
    Requester,
    Status,
    Ticket,
)

__all__ = [
    "OPEN_STATUSES",
    "Attachment",
    "CannedResponse",
    "Category",
    "Channel",
    "EscalationComment",
    "EscalationIssue",
    "EscalationLink",
    "EscalationStatus",
    "EventKind",
    "Hub",
    "HubClosure",
    "Impact",
    "IssueState",
    "IssueTag",
    "Message",
    "MessageKind",
    "OutboxMessage",
    "OutboxStatus",
    "Partner",
    "Product",
    "Requester",
    "SavedView",
    "SlaClock",
    "SlaEvent",
    "SlaEventKind",
    "SlaPolicy",
    "SlaTarget",
    "Status",
    "Ticket",
    "TicketEvent",
]
