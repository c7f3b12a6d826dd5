"""The ticket domain's models, one module per family (the taxonomy is in ``catalog``)."""

from tickets.models.desk import CannedResponse, SavedView
from tickets.models.escalation import (
    EscalationComment,
    EscalationIssue,
    EscalationLink,
    IssueState,
    L2News,
    L2NewsKind,
)
from tickets.models.outbox import OutboxMessage, OutboxStatus
from tickets.models.search import SearchWord, TicketSearch
from tickets.models.sla import SlaClock, SlaEvent, SlaEventKind, SlaPolicy, SlaTarget
from tickets.models.staff import StaffProfile
from tickets.models.task_guard import RedeliveredTask
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
    "Channel",
    "EscalationComment",
    "EscalationIssue",
    "EscalationLink",
    "EscalationStatus",
    "EventKind",
    "IssueState",
    "L2News",
    "L2NewsKind",
    "Message",
    "MessageKind",
    "OutboxMessage",
    "OutboxStatus",
    "RedeliveredTask",
    "Requester",
    "SavedView",
    "SearchWord",
    "SlaClock",
    "SlaEvent",
    "SlaEventKind",
    "SlaPolicy",
    "SlaTarget",
    "StaffProfile",
    "Status",
    "Ticket",
    "TicketEvent",
    "TicketSearch",
]
