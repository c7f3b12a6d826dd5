"""What the requester side of the API takes and answers: a new ticket, the requester's view.

The limits mirror the Contact Us form's (portal.forms), so the document tells a
client what the form will check; the form still does the checking.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Literal

from django.conf import settings
from ninja import Field, Schema

SLUG = r"^[-a-zA-Z0-9_]+$"
TEXT_MAX = 10_000
DETAIL_MAX = 500

if TYPE_CHECKING:
    Language = str
else:
    Language = Literal[tuple(code for code, _name in settings.LANGUAGES)]


class EnvironmentIn(Schema):
    """Where the person was: what the product knows without asking them."""

    page_url: str | None = Field(None, max_length=2000, description="The page they were on.")
    app_version: str | None = Field(None, max_length=100)
    instance: str | None = Field(None, max_length=DETAIL_MAX, description="e.g. a Flow instance.")
    browser: str | None = Field(None, max_length=300, description="Computer and browser (bugs).")
    device: str | None = Field(None, max_length=DETAIL_MAX, description="Phone or tablet (bugs).")
    dashboard: str | None = Field(
        None, max_length=DETAIL_MAX, description="The connected dashboard (bugs)."
    )


class TicketCreateIn(Schema):
    """A request, as Contact Us takes it: which fields count depends on the category's kind
    (a bug's four guided questions, a feature's problem and who needs it)."""

    name: str = Field(..., max_length=200, description="The requester's name.")
    email: str = Field(..., max_length=254, description="Answers and the private link go here.")
    organisation: str = Field("", max_length=200)
    hub: str | None = Field(None, max_length=80, pattern=SLUG, description="A hub's slug.")
    category: str = Field(..., max_length=80, pattern=SLUG, description="e.g. bug, question.")
    product: str = Field(..., max_length=80, pattern=SLUG, description="e.g. akvo-flow.")
    subject: str = Field(..., max_length=200)
    description: str = Field("", max_length=TEXT_MAX)
    what_doing: str = Field("", max_length=TEXT_MAX, description="Bug: what were you doing?")
    expected: str = Field("", max_length=TEXT_MAX, description="Bug: what did you expect?")
    actual: str = Field("", max_length=TEXT_MAX, description="Bug: what actually happened?")
    steps: str = Field("", max_length=TEXT_MAX, description="Bug: steps to reproduce.")
    problem: str = Field("", max_length=TEXT_MAX, description="Feature: the problem it solves.")
    who_needs: str = Field("", max_length=TEXT_MAX, description="Feature: who needs it.")
    product_fields: dict[str, str] = Field(
        default_factory=dict, description="The product's own fields (its report_fields), by name."
    )
    environment: EnvironmentIn = Field(default_factory=lambda: EnvironmentIn.model_validate({}))
    language: Language | None = Field(None, description="The requester's; mail comes in it.")


class TicketCreatedOut(Schema):
    reference: str
    status: str
    requester_url: str = Field(..., description="The private link: keep it secret.")
    token: str = Field(..., description="The private token, for /api/v1/requests/{token}.")


class PublicAttachmentOut(Schema):
    name: str
    content_type: str
    size: int


class PublicMessageOut(Schema):
    id: int
    kind: str = Field(..., description="customer (the requester) or reply (support).")
    author: str
    body: str
    created_at: datetime
    attachments: list[PublicAttachmentOut]


class RequesterTicketOut(Schema):
    """The ticket as its requester sees it on the private page: no notes, no staff fields."""

    reference: str
    subject: str
    status: str
    product: str | None
    category: str | None
    created_at: datetime
    updated_at: datetime
    can_reply: bool
    messages: list[PublicMessageOut]


class ReplyIn(Schema):
    body: str = Field(..., max_length=TEXT_MAX)
