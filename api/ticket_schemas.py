"""What the staff side of the tickets API reads and answers with (pydantic, through ninja).

The list's filters are the desk's (tickets.queues.query.FILTER_KEYS, described in
tickets.filters): the same keys, the same values (slugs for the taxonomy, ids
for partners and staff, ``none`` for "not set", ``me`` for the caller), the same
sorts; the schema only bounds their size.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Literal

from ninja import Field, Schema
from pydantic import StringConstraints

from api.pagination import PageQuery
from tickets.models import Status
from tickets.queues import QUEUES, SORTS
from tickets.queues.query import SEARCH_MAX_LENGTH

if TYPE_CHECKING:
    QueueSlug = str
    SortKey = str
    StatusValue = str
    ReplyThen = str
else:
    QueueSlug = Literal[tuple(QUEUES)]
    SortKey = Literal[tuple(SORTS)]
    StatusValue = Literal[tuple(Status.values)]
    ReplyThen = Literal["waiting", "open", "resolved"]

MAX_PAGE = 100
SLUG = r"^[-a-zA-Z0-9_]+$"
# A filter value: a slug, an id, "none", "me", or a day (2026-12-07).
VALUE = r"^[-a-zA-Z0-9_.]+$"
Value = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=VALUE)]
Slug = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=SLUG)]
FilterValues = list[Value] | None
REFERENCE = r"^(?:[A-Za-z]+-)?[0-9]{1,18}$"
BODY_MAX = 100_000


def _values(description: str) -> FilterValues:
    return Field(None, max_length=20, description=description)


class TicketFilter(Schema):
    queue: QueueSlug = Field("all", description="One of the desk's queues.")
    hub: FilterValues = _values("Hub slugs, or none.")
    partner: FilterValues = _values("Partner ids, or none.")
    product: FilterValues = _values("Product slugs, or none.")
    category: FilterValues = _values("Category slugs, or none.")
    impact: FilterValues = _values("Impact slugs, or none.")
    tag: FilterValues = _values("Issue tag slugs.")
    status: FilterValues = _values("Statuses.")
    escalation: FilterValues = _values("Escalation statuses.")
    assignee: FilterValues = _values("Staff ids, me, or none.")
    channel: FilterValues = _values("Channels.")
    urgent: FilterValues = _values("yes or no.")
    created_from: FilterValues = _values("A day (YYYY-MM-DD), from its start in tz.")
    created_to: FilterValues = _values("A day (YYYY-MM-DD), to its end in tz.")
    tz: str | None = Field(
        None,
        max_length=64,
        description=(
            "The IANA time zone the days are read in, e.g. Africa/Nairobi or UTC. Default: "
            "the caller's, as the desk reads them for that person (the token owner's or "
            "staff member's profile zone, else their hub's, else DESK_DEFAULT_TIME_ZONE)."
        ),
    )
    q: str | None = Field(None, max_length=SEARCH_MAX_LENGTH, description="The desk's search.")
    sort: SortKey | None = Field(None, description="The queue's default sort if not given.")
    cursor: str | None = Field(
        None, max_length=1000, pattern=r"^[-A-Za-z0-9_:.]+$", description="From next."
    )
    limit: int = Field(50, ge=1, le=MAX_PAGE)


class TicketRowOut(Schema):
    reference: str
    id: int
    subject: str
    status: str
    escalation_status: str
    channel: str
    is_urgent: bool
    version: int
    requester_name: str
    requester_email: str
    partner: int | None
    hub: str | None
    product: str | None
    category: str | None
    impact: str | None
    assignee: int | None
    tags: list[str]
    first_response_due_at: datetime | None
    next_response_due_at: datetime | None
    created_at: datetime
    updated_at: datetime
    snippet: str  # what the search matched, escaped, matches in <mark>; "" without a search


class TicketPage(Schema):
    items: list[TicketRowOut]
    next: str | None


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    created_at: datetime
    url: str = Field(..., description="Where to download the file (GET, tickets:read).")


class MessageOut(Schema):
    id: int
    kind: str  # customer, reply, note (internal), event
    body: str
    author: str
    author_user: int | None
    created_at: datetime
    attachments: list[AttachmentOut]


class EventOut(Schema):
    id: int
    kind: str
    field: str
    old: str
    new: str
    actor: str
    created_at: datetime


class TicketDetailOut(TicketRowOut):
    description: str
    what_doing: str
    expected: str
    actual: str
    steps: str
    product_details: dict[str, object]
    environment: dict[str, object]
    messages: list[MessageOut]
    events: list[EventOut]
    thread_truncated: bool = Field(
        ..., description="Only the newest items are here: thread_url has all of them."
    )
    thread_url: str = Field(..., description="The whole thread, page by page.")


class MessageItemOut(Schema):
    type: Literal["message"]
    message: MessageOut


class EventItemOut(Schema):
    type: Literal["event"]
    event: EventOut


ThreadItemOut = Annotated[MessageItemOut | EventItemOut, Field(discriminator="type")]


class ThreadQuery(PageQuery):
    order: Literal["oldest", "newest"] = Field(
        "oldest", description="oldest: oldest first (as the thread reads); newest: newest first."
    )


class ThreadPage(Schema):
    items: list[ThreadItemOut]
    next: str | None


class ReplyIn(Schema):
    body: str = Field(..., min_length=1, max_length=BODY_MAX)
    then_status: ReplyThen = Field("waiting", description="Where the ticket goes next.")


class NoteIn(Schema):
    body: str = Field(..., min_length=1, max_length=BODY_MAX)


class TicketPatch(Schema):
    """Only the fields sent change; ``null`` clears a field (not tags nor status)."""

    subject: str | None = Field(None, min_length=1, max_length=200)
    hub: str | None = Field(None, max_length=100, pattern=SLUG)
    partner: int | None = Field(None, ge=1, le=2**63 - 1)
    product: str | None = Field(None, max_length=100, pattern=SLUG)
    category: str | None = Field(None, max_length=100, pattern=SLUG)
    impact: str | None = Field(None, max_length=100, pattern=SLUG)
    tags: list[Slug] | None = Field(None, max_length=50)
    assignee: int | None = Field(None, ge=1, le=2**63 - 1, description="A staff member's id.")
    status: StatusValue | None = None


class EscalationIn(Schema):
    technical_summary: str = Field(..., min_length=1, max_length=BODY_MAX)
    include_contact: bool = False
    title: str | None = Field(None, max_length=256)
    body: str | None = Field(None, max_length=BODY_MAX)
    publish_anyway: bool = False


class EscalationOut(Schema):
    issue_id: int
    repository: str
    title: str
    ticket: TicketRowOut
