"""The requester side: file a ticket as Contact Us does, then follow it by its private token.

POST /api/v1/tickets (``tickets:create``) runs the Contact Us form itself
(the widget's subclass, which also takes the host page's context) and its
submit service, so a ticket filed here is checked and made exactly as one from
the portal: same kinds and guided questions, product fields, limits, the
acknowledgement email through the outbox. The browser-only defences
(honeypot, fill time, the per-address form limits) do not apply to a token
client, which is counted per token instead (API_RATE_LIMIT); the per-requester
limit (``PORTAL_SUBMISSIONS_PER_EMAIL_PER_HOUR``) does apply.

GET /api/v1/requests/{token} and POST …/replies need no API token: the
private token is the credential, as the portal's link works without login.
They are counted per client address, and a wrong token is the same 404 as a
missing ticket.

api imports portal here on purpose (tests/test_layers.py says why).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Mapping, Sequence
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import File, Form, Path, Router
from ninja.files import UploadedFile
from ninja.responses import Status as Answer

from api.auth import acting_through, count_anonymous, scoped
from api.idempotency import IDEMPOTENCY_KEY, Kept, idempotent
from api.multipart import json_part
from api.problems import ApiProblem, Problem
from api.requests_schemas import (
    ReplyIn,
    RequesterTicketOut,
    TicketCreatedOut,
    TicketCreateIn,
)
from api.routes_tickets import router as tickets_router
from api.scopes import TICKETS_CREATE
from catalog.memo import active_by_slug
from catalog.models import Category, Hub, Product
from portal import services as portal_services
from portal.forms import PRODUCT_FIELD_PREFIX, ReplyForm
from portal.widget_forms import WidgetContactForm
from tickets import access
from tickets import services as ticket_services
from tickets.models import Message, MessageKind, Status, Ticket
from tickets.queues import reference_pk

router = Router(tags=["requests"])
# The shape of a private token (tickets.access); a well-formed wrong one is a 404.
PrivateToken = Path(..., min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")

# The API's environment keys and the form fields that take them.
ENVIRONMENT = {
    "page_url": "host_page_url",
    "app_version": "host_app_version",
    "instance": "host_instance",
    "browser": "env_computer",
    "device": "env_device",
    "dashboard": "env_dashboard",
}
API_FIELD = {form: f"environment.{key}" for key, form in ENVIRONMENT.items()} | {"__all__": ""}


def _pk(model: type[Product | Category | Hub], slug: str | None) -> str:
    """The active row's pk for ``slug``; an unknown slug is passed on for the form to refuse."""
    if not slug:
        return ""
    row = active_by_slug(model, slug)
    return str(row.pk) if row is not None else slug


def _form_data(payload: TicketCreateIn) -> dict[str, str]:
    data = payload.dict(exclude={"product_fields", "environment", "language"})
    data |= {
        "category": _pk(Category, payload.category),
        "product": _pk(Product, payload.product),
        "hub": _pk(Hub, payload.hub),
    }
    data |= {PRODUCT_FIELD_PREFIX + k: v for k, v in payload.product_fields.items()}
    data |= {ENVIRONMENT[k]: v for k, v in payload.environment.dict().items() if v}
    return {k: "" if v is None else str(v) for k, v in data.items()}


def _api_field(name: str) -> str:
    if name.startswith(PRODUCT_FIELD_PREFIX):
        return "product_fields." + name.removeprefix(PRODUCT_FIELD_PREFIX)
    return API_FIELD.get(name, name)


def _refused(errors: Mapping[str, Sequence[Any]]) -> ApiProblem:
    found = [
        {"field": _api_field(name), "message": str(message)}
        for name, messages in errors.items()
        for message in messages
    ]
    return ApiProblem(422, _("The request has invalid fields."), errors=found)


def _checked(payload: TicketCreateIn, files: MultiValueDict | None) -> WidgetContactForm:
    """The Contact Us form, filled with the payload and files, checked; 422 with its errors."""
    form = WidgetContactForm(_form_data(payload), files)
    valid = form.is_valid()
    known = {str(spec["name"]) for spec in (form.chosen_product or Product()).report_fields or []}
    unknown = {
        PRODUCT_FIELD_PREFIX + name: [_("This product has no such field.")]
        for name in payload.product_fields
        if name not in known
    }
    if not valid or unknown:
        raise _refused({**form.errors, **unknown})
    return form


def _seconds_to_next_hour() -> int:
    return 3600 - int(time.time()) % 3600


def _created(ticket: Ticket) -> dict[str, Any]:
    return {
        "reference": ticket.reference,
        "status": ticket.status,
        "requester_url": settings.SITE_URL
        + reverse("portal:ticket", kwargs={"token": ticket.token}),
        "token": ticket.token,
    }


def _kept(created: dict[str, Any]) -> dict[str, Any]:
    """What is stored of a create's answer for a replay: not the private token."""
    return {"reference": created["reference"], "status": created["status"]}


def _rebuilt(kept: dict[str, Any]) -> dict[str, Any]:
    """The create's answer again, from the ticket it made (the token read from it anew)."""
    pk = reference_pk(str(kept["reference"]))
    ticket = Ticket.objects.filter(pk=pk).only("pk", "status", "token").first() if pk else None
    if ticket is None:
        raise ApiProblem(404, _("The ticket made with this Idempotency-Key no longer exists."))
    return _created(ticket) | {"status": kept["status"]}


# A replayed create answers as the first did; its private token is not kept in the database
# twice (api.idempotency.Kept).
CREATED = Kept(keep=_kept, rebuild=_rebuilt)


def _create(
    payload: TicketCreateIn, files: MultiValueDict | None = None
) -> tuple[int, dict[str, Any]]:
    form = _checked(payload, files)
    contact = form.to_request()
    if portal_services.rate_limit_exceeded(
        scope="submit-email",
        ident=contact.email,
        limit=settings.PORTAL_SUBMISSIONS_PER_EMAIL_PER_HOUR,
    ):
        raise ApiProblem(
            429,
            _("Too many requests from this address in a short time; please try again later."),
            headers={"Retry-After": str(_seconds_to_next_hour())},
        )
    draft = portal_services.Draft(
        id=secrets.token_hex(16), key=portal_services.submission_key_new()
    )
    with translation.override(payload.language or translation.get_language()):
        try:
            ticket = portal_services.contact_submit(
                request=contact, draft=draft, uploads=form.accepted_uploads
            )
        except ValidationError as error:
            raise ApiProblem(422, " ".join(error.messages)) from None
    return 201, _created(ticket)


# The creates share /api/v1/tickets with the staff's list (GET): one path, one router.
@tickets_router.post(
    "",
    auth=scoped(TICKETS_CREATE),
    response={201: TicketCreatedOut, 422: Problem, 429: Problem},
    operation_id="tickets_create",
)
def tickets_create(
    request: HttpRequest,
    payload: TicketCreateIn,
    idempotency_key: str | None = IDEMPOTENCY_KEY,
) -> HttpResponse:
    """File a ticket as Contact Us does; the requester gets the acknowledgement email.

    Send an ``Idempotency-Key`` to retry safely: the same key and body answer with
    the same ticket, the same key with another body is a 409.
    """
    with ticket_services.acting_via(acting_through(request)):
        return _located(
            idempotent(request, idempotency_key, lambda: _create(payload), kept=CREATED)
        )


@tickets_router.post(
    "/with-files",
    auth=scoped(TICKETS_CREATE),
    response={201: TicketCreatedOut, 422: Problem, 429: Problem},
    operation_id="tickets_create_with_files",
)
def tickets_create_with_files(
    request: HttpRequest,
    ticket: Form[str],
    attachments: list[UploadedFile] = File(None),  # noqa: B008 (ninja's way to declare a part)
    idempotency_key: str | None = IDEMPOTENCY_KEY,
) -> HttpResponse:
    """The same, as ``multipart/form-data``: the ticket's JSON in the ``ticket`` part, files in
    ``attachments`` (repeated), within the portal's upload limits."""
    payload = json_part(TicketCreateIn, "ticket", ticket)
    files = request.FILES
    same = cast(HttpRequest, _Multipart(request, ticket, files.getlist("attachments")))
    with ticket_services.acting_via(acting_through(request)):
        return _located(
            idempotent(same, idempotency_key, lambda: _create(payload, files), kept=CREATED)
        )


class _Multipart:
    """The request as the idempotency check sees it: its ``body`` is the ticket part and
    each file's name and digest. Django no longer has the raw body once it has parsed
    the parts, and the boundary changes from one retry to the next anyway."""

    def __init__(self, request: HttpRequest, ticket: str, files: list[Any]) -> None:
        self._request = request
        digests = []
        for upload in files:
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
            digests.append(f"{upload.name}\0{digest.hexdigest()}")
        self.body = "\0".join([ticket, *digests]).encode()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._request, name)


def _located(response: HttpResponse) -> HttpResponse:
    """A created ticket's answer says where its requester view is."""
    if response.status_code == 201:
        token = _token_of(response)
        response["Location"] = reverse("api:requests_read", kwargs={"token": token})
    return response


def _token_of(response: HttpResponse) -> str:
    return str(json.loads(response.content)["token"])


# --- By the private token -----------------------------------------------------------


def _ticket(request: HttpRequest, token: str) -> Ticket:
    """Count the caller's address, then the token's ticket; anything else is one 404."""
    count_anonymous(request)
    ticket = access.ticket_for_requester(
        token, Ticket.objects.select_related("requester", "product", "category")
    )
    if ticket is None:
        raise ApiProblem(404, _("No request has this link."))
    return ticket


def _message_out(message: Message, ticket: Ticket) -> dict[str, Any]:
    customer = message.kind == MessageKind.CUSTOMER
    return {
        "id": message.pk,
        "kind": message.kind,
        "author": ticket.requester.name if customer else message.author_label,
        "body": message.body,
        "created_at": message.created_at,
        "attachments": [
            {"name": a.original_name, "content_type": a.content_type, "size": a.size}
            for a in message.attachments.all()
        ],
    }


def _ticket_out(ticket: Ticket) -> dict[str, Any]:
    return {
        "reference": ticket.reference,
        "subject": ticket.subject,
        "status": ticket.status,
        "product": ticket.product.slug if ticket.product else None,
        "category": ticket.category.slug if ticket.category else None,
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
        "can_reply": ticket.status != Status.CLOSED,
        "messages": [_message_out(m, ticket) for m in access.public_messages(ticket)],
    }


@router.get(
    "/requests/{token}",
    response={200: RequesterTicketOut, 404: Problem},
    operation_id="requests_read",
    url_name="requests_read",
)
def requests_read(request: HttpRequest, token: str = PrivateToken) -> dict[str, Any]:
    """The ticket as its requester sees it by the private link: the public thread only."""
    return _ticket_out(_ticket(request, token))


@router.post(
    "/requests/{token}/replies",
    response={201: RequesterTicketOut, 404: Problem, 422: Problem, 429: Problem},
    operation_id="requests_reply",
)
def requests_reply(
    request: HttpRequest, payload: ReplyIn, token: str = PrivateToken
) -> Answer[dict[str, Any]]:
    """Add a message as the requester, as on the private page; answers with the ticket.

    As on the page, only a valid reply counts against the ticket's hourly limit: an
    empty or oversized one is refused without using up the quota."""
    ticket = _ticket(request, token)
    form = ReplyForm({"body": payload.body})
    if not form.is_valid():
        raise _refused(form.errors)
    if portal_services.rate_limit_exceeded(
        scope="reply", ident=str(ticket.pk), limit=settings.PORTAL_REPLIES_PER_TICKET_PER_HOUR
    ):
        raise ApiProblem(
            429,
            _("Too many messages in a short time; please try again later."),
            headers={"Retry-After": str(_seconds_to_next_hour())},
        )
    try:
        ticket_services.ticket_add_message(
            ticket=ticket,
            kind=MessageKind.CUSTOMER,
            body=form.cleaned_data["body"],
            requester=ticket.requester,
        )
    except ValidationError as error:
        raise ApiProblem(422, " ".join(error.messages)) from None
    ticket.refresh_from_db(fields=["status", "updated_at"])
    return Answer(201, _ticket_out(ticket))
