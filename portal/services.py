"""The portal's own rules: drafts and their held files, spam checks, rate limits, links.

Ticket creation itself stays in :func:`tickets.services.ticket_create`; this
module prepares what the Contact Us form collected and hands it over.

A *draft* is what a person has typed so far, kept in their session between the
form and its review step, with the files they attached held under
``MEDIA_ROOT/drafts/<draft id>/<file id>`` (random names, never served). The
session only refers to the draft by its opaque id. Drafts nobody submits are
removed by :func:`drafts_purge` (Celery beat, hourly) once they are older than
``PORTAL_DRAFT_MAX_AGE_HOURS``. A draft left idle for ``PORTAL_DRAFT_IDLE_MINUTES``
is not offered again: the next person in the same browser starts empty.
"""

from __future__ import annotations

import logging
import secrets
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import IO, Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from catalog.models import Category, Hub, Partner, Product
from kb import services as kb_services
from kb.models import Article
from portal.abuse import (  # re-exported (redundant aliases): the views call them from here
    filled_too_fast as filled_too_fast,
)
from portal.abuse import (
    form_started_token as form_started_token,
)
from portal.abuse import (
    honeypot_filled as honeypot_filled,
)
from portal.abuse import (
    rate_limit_exceeded as rate_limit_exceeded,
)
from tickets import notifications, services
from tickets.filetypes import FileKind
from tickets.models import Channel, Requester, Ticket
from tickets.uploads import CheckedUpload

logger = logging.getLogger(__name__)

SESSION_DRAFT = "portal_contact_draft"
SESSION_SUBMITTED = "portal_contact_submitted"
DRAFTS_DIR = "drafts"
# How many tickets a re-sent links email lists at most (the newest).
LINKS_MAX_TICKETS = 20


# --- Drafts and held files -----------------------------------------------------------


@dataclass
class HeldFile:
    """A file attached to a draft, checked and stored, waiting for the final submit."""

    id: str
    name: str
    size: int
    content_type: str


@dataclass
class Draft:
    id: str
    key: str  # the one-time submission key the review form carries
    data: dict[str, Any] = field(default_factory=dict)
    files: list[HeldFile] = field(default_factory=list)
    saved_at: float = 0.0  # when it was last saved (epoch seconds): idle drafts expire
    # A form sent too fast: its review may not be sent before this (epoch seconds).
    confirm_after: float = 0.0

    @property
    def saved(self) -> datetime:
        return datetime.fromtimestamp(self.saved_at, tz=UTC)

    @property
    def total_bytes(self) -> int:
        return sum(held.size for held in self.files)

    def file(self, file_id: str) -> HeldFile | None:
        return next((held for held in self.files if held.id == file_id), None)


def _draft_path(draft_id: str, file_id: str = "") -> str:
    return f"{DRAFTS_DIR}/{draft_id}/{file_id}" if file_id else f"{DRAFTS_DIR}/{draft_id}"


def now() -> float:
    """The clock drafts are timed by (a function, so tests can move it)."""
    return time.time()


def draft_get(session: SessionBase) -> Draft | None:
    """The session's draft, unless it was left idle for PORTAL_DRAFT_IDLE_MINUTES.

    An idle draft is removed with its files: a shared laptop's next user must
    not find the last person's request (README, "Customer portal").
    """
    raw = session.get(SESSION_DRAFT)
    if not isinstance(raw, dict):
        return None
    try:
        draft = Draft(
            id=raw["id"],
            key=raw["key"],
            data=dict(raw.get("data") or {}),
            files=[HeldFile(**held) for held in raw.get("files") or []],
            saved_at=float(raw.get("saved_at") or 0),
            confirm_after=float(raw.get("confirm_after") or 0),
        )
    except (KeyError, TypeError, ValueError):
        return None
    if now() - draft.saved_at > settings.PORTAL_DRAFT_IDLE_MINUTES * 60:
        draft_discard(session)
        return None
    return draft


def draft_get_or_start(session: SessionBase) -> Draft:
    return draft_get(session) or Draft(id=secrets.token_hex(16), key=submission_key_new())


def draft_save(session: SessionBase, draft: Draft) -> None:
    draft.saved_at = now()
    session[SESSION_DRAFT] = {
        "id": draft.id,
        "key": draft.key,
        "data": draft.data,
        "files": [asdict(held) for held in draft.files],
        "saved_at": draft.saved_at,
        "confirm_after": draft.confirm_after,
    }


def draft_hold_files(
    session: SessionBase, draft: Draft, uploads: Sequence[tuple[IO[bytes], str, FileKind]]
) -> list[HeldFile]:
    """Store checked uploads with the draft; returns what was added."""
    added = []
    for upload, name, kind in uploads:
        file_id = secrets.token_hex(16)
        upload.seek(0)
        default_storage.save(_draft_path(draft.id, file_id), File(upload))
        held = HeldFile(
            id=file_id,
            name=name[:255],
            size=default_storage.size(_draft_path(draft.id, file_id)),
            content_type=kind.content_type,
        )
        draft.files.append(held)
        added.append(held)
    draft_save(session, draft)
    return added


def draft_remove_file(session: SessionBase, draft: Draft, file_id: str) -> bool:
    held = draft.file(file_id)
    if held is None:
        return False
    draft.files.remove(held)
    default_storage.delete(_draft_path(draft.id, held.id))
    draft_save(session, draft)
    return True


def draft_missing_files(draft: Draft) -> list[HeldFile]:
    """Held files that are gone (purged while the person was away)."""
    return [
        held for held in draft.files if not default_storage.exists(_draft_path(draft.id, held.id))
    ]


def draft_discard(session: SessionBase) -> None:
    """Start over: the typed values and the held files are gone (also an idle draft's)."""
    raw = session.pop(SESSION_DRAFT, None)
    draft_id = raw.get("id") if isinstance(raw, dict) else None
    if isinstance(draft_id, str) and draft_id.isalnum():
        _delete_draft_files(draft_id)


def _delete_draft_files(draft_id: str) -> None:
    folder = _draft_path(draft_id)
    try:
        _, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        default_storage.delete(f"{folder}/{name}")
    default_storage.delete(folder)


def drafts_purge(*, now: datetime | None = None) -> int:
    """Remove held files of drafts untouched for PORTAL_DRAFT_MAX_AGE_HOURS; returns drafts.

    Or for PORTAL_DRAFT_IDLE_MINUTES if shorter: such a draft is never offered again.
    """
    age = min(
        timedelta(hours=settings.PORTAL_DRAFT_MAX_AGE_HOURS),
        timedelta(minutes=settings.PORTAL_DRAFT_IDLE_MINUTES),
    )
    cutoff = (now or timezone.now()) - age
    try:
        folders, _ = default_storage.listdir(DRAFTS_DIR)
    except FileNotFoundError:
        return 0
    removed = 0
    for draft_id in folders:
        folder = _draft_path(draft_id)
        _, files = default_storage.listdir(folder)
        times = [default_storage.get_modified_time(f"{folder}/{name}") for name in files]
        if not times:
            times = [default_storage.get_modified_time(folder)]
        if max(times) < cutoff:
            _delete_draft_files(draft_id)
            removed += 1
    return removed


def _typed_file(handle: IO[bytes], name: str, content_type: str) -> File:
    upload = File(handle, name=name)
    upload.content_type = content_type  # type: ignore[attr-defined]
    return upload


@contextmanager
def _open_held_files(draft: Draft) -> Iterator[list[File]]:
    """The held files, opened, named and typed as the uploader's originals."""
    with ExitStack() as stack:
        opened = []
        for held in draft.files:
            handle = stack.enter_context(default_storage.open(_draft_path(draft.id, held.id), "rb"))
            opened.append(_typed_file(handle, held.name, held.content_type))
        yield opened


# --- Submitting -----------------------------------------------------------------------


@dataclass(frozen=True)
class ContactRequest:
    """What the Contact Us form collected, checked and ready for the ticket service."""

    name: str
    email: str
    organisation: str
    hub: Hub | None
    product: Product | None
    category: Category | None
    subject: str
    description: str = ""
    what_doing: str = ""
    expected: str = ""
    actual: str = ""
    steps: str = ""
    product_details: Mapping[str, str] = field(default_factory=dict)
    environment: Mapping[str, str] = field(default_factory=dict)


def partner_match(organisation: str) -> Partner | None:
    """The active partner whose name is the one written, ignoring case and spacing."""
    name = " ".join(organisation.split())
    if not name:
        return None
    return Partner.objects.active().filter(name__iexact=name).select_related("hub").first()


def submission_key_new() -> str:
    """A one-time key for a form or a review: whatever sends it twice makes one ticket."""
    return secrets.token_urlsafe(24)


def submission_key_valid(key: str) -> bool:
    """A key as :func:`submission_key_new` makes them (a form's own, not any text)."""
    return 32 <= len(key) <= 64 and all(c.isascii() and (c.isalnum() or c in "-_") for c in key)


def ticket_for_submission(key: str) -> Ticket | None:
    return (
        Ticket.objects.filter(submission_key=key).select_related("requester").first()
        if key
        else None
    )


def contact_submit(
    *, request: ContactRequest, draft: Draft, uploads: Sequence[CheckedUpload] = ()
) -> Ticket:
    """Create the ticket (web form channel) with the held files and ``uploads`` (checked in
    this request), the requester's language the page's; the draft is then removed.
    Idempotent on the draft's key (the caller looked for it already; the ticket service
    still finds a resend at the same moment). The ticket service is the one transaction."""
    partner = partner_match(request.organisation)
    fresh = [
        _typed_file(checked.file, checked.name, checked.kind.content_type) for checked in uploads
    ]
    for upload in fresh:
        upload.seek(0)
    try:
        with _open_held_files(draft) as held:
            ticket = services.ticket_create(
                requester_email=request.email,
                requester_name=request.name,
                subject=request.subject,
                channel=Channel.WEB,
                description=request.description,
                what_doing=request.what_doing,
                expected=request.expected,
                actual=request.actual,
                steps=request.steps,
                product=request.product,
                category=request.category,
                partner=partner,
                hub=request.hub or (partner.hub if partner else None),
                product_details={k: v for k, v in request.product_details.items() if v},
                environment={k: v for k, v in request.environment.items() if v},
                attachments=[*held, *fresh],
                organisation_name="" if partner else request.organisation,
                submission_key=draft.key,
                requester_language=translation.get_language(),
            )
    except FileNotFoundError:
        # A concurrent submit of the same draft finished and removed its files.
        existing = ticket_for_submission(draft.key)
        if existing is not None:
            return existing
        raise ValidationError(
            _("The files you attached are no longer held; please attach them again."),
            code="files_gone",
        ) from None
    draft_id = draft.id
    transaction.on_commit(lambda: _delete_draft_files(draft_id))
    return ticket


# --- Lost links ---------------------------------------------------------------------


def requester_links_send(*, email: str) -> bool:
    """Email a requester the private links of their newest tickets; False if none.

    The caller answers the same whatever this returns, so the page never says
    whether an address has tickets.
    """
    address = (email or "").strip().lower()
    requester = Requester.objects.filter(email=address).first()
    if requester is None:
        return False
    tickets = list(
        Ticket.objects.filter(requester=requester, merged_into__isnull=True).order_by(
            "-created_at", "-id"
        )[:LINKS_MAX_TICKETS]
    )
    if not tickets:
        return False
    with transaction.atomic():
        notifications.email_requester_links(
            requester=requester, tickets=tickets, key=f"email:links:{uuid.uuid4().hex}"
        )
    return True


# --- Self-help ---------------------------------------------------------------------------


def contact_answered(*, session: SessionBase, article_id: str, query: str, visitor: str) -> bool:
    """ "My question was answered": the person leaves from a suggested article without writing.

    The draft and its held files are removed. The article gets the visitor's
    "this helped" vote (the knowledge base's own record of an answer), so
    deflection shows in its figures next to the suggestion's impressions and
    clicks. Returns whether a published article was named.
    """
    draft_discard(session)
    try:
        pk = int(article_id)
    except (TypeError, ValueError):
        return False
    article = Article.objects.published().public().filter(pk=pk).first()
    if article is None or not visitor:
        return article is not None
    kb_services.vote_record(article=article, visitor=visitor, helpful=True)
    kb_services.suggestion_record_answered(article=article, query=query, visitor=visitor)
    logger.info("Contact Us deflected by article %s (query %r).", article.pk, query[:100])
    return True
