"""Every write to the knowledge base: one keyword-only, typed function per action.

The admin, the public views, ``seed_demo`` and the tests call these, so the
rules hold whichever door a change comes through: HTML is rendered and
sanitised on save, every change leaves a revision with its editor, votes are
one per visitor, view counts never lose an increment.
"""

from __future__ import annotations

import difflib
import hashlib
import hmac
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kb.html import ARTICLE_POLICY, html_to_text
from kb.models import (
    IMAGE_FORMATS,
    QUERY_MAX_LENGTH,
    Article,
    ArticleImage,
    ArticleRevision,
    ArticleVote,
    RevisionKind,
    Status,
    SuggestionEvent,
    SuggestionKind,
    SuggestionSource,
    image_format,
)
from kb.placement import check_place, translations_follow, unique_slug
from kb.rendering import render_markdown

if TYPE_CHECKING:
    from django.contrib.auth.models import User

COMMENT_MAX_LENGTH = 1000
TAGS_MAX_LENGTH = 300


def visitor_key(token: str) -> str:
    """The stored identity of an anonymous visitor: a keyed hash of their cookie's token.

    The raw token never reaches the database, so a leaked table cannot be used
    to impersonate a visitor's cookie.
    """
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"kb-visitor:{token}".encode(), hashlib.sha256).hexdigest()


def normalise_tags(value: str) -> str:
    """Lower case, trimmed, without duplicates, in the order written."""
    seen: list[str] = []
    for tag in value.split(","):
        tag = " ".join(tag.split()).lower()
        if tag and tag not in seen:
            seen.append(tag)
    return ", ".join(seen)[:TAGS_MAX_LENGTH]


def _diff(before: Article | None, after: Article) -> str:
    lines: list[str] = []
    for label, old, new in (
        (_("title"), before.title if before else "", after.title),
        (_("summary"), before.summary if before else "", after.summary),
        (_("body"), before.body if before else "", after.body),
    ):
        if old == new:
            continue
        lines.extend(
            difflib.unified_diff(
                old.splitlines(),
                new.splitlines(),
                fromfile=f"{label} ({_('before')})",
                tofile=f"{label} ({_('after')})",
                lineterm="",
            )
        )
    return "\n".join(lines)


def _revision(
    article: Article,
    *,
    kind: str,
    by: User | None,
    before: Article | None = None,
    change_note: str = "",
    diff: str = "",
) -> ArticleRevision:
    return ArticleRevision.objects.create(
        article=article,
        editor=by,
        kind=kind,
        change_note=change_note.strip()[:300],
        title=before.title if before else "",
        summary=before.summary if before else "",
        body=before.body if before else "",
        diff=diff,
    )


def _render(article: Article) -> None:
    """The stored HTML and text of the article's Markdown, by today's article policy."""
    article.body_html = render_markdown(article.body)
    article.body_text = html_to_text(article.body_html)
    article.html_policy = ARTICLE_POLICY.fingerprint


def articles_refresh_html(*, batch_size: int = 200) -> int:
    """Render again every article a different (older) policy cleaned; returns how many.

    Not an edit: no revision, ``updated_at`` and authorship stay as they were.
    Each article is locked and checked again, so running this twice, or beside
    an author's save, does no harm.
    """
    refreshed = 0
    stale = Article.objects.exclude(html_policy=ARTICLE_POLICY.fingerprint)
    for pk in stale.values_list("pk", flat=True).iterator(chunk_size=batch_size):
        with transaction.atomic():
            article = Article.objects.select_for_update().filter(pk=pk).first()
            if article is None or article.html_is_current:
                continue
            _render(article)
            article.save(update_fields=["body_html", "body_text", "html_policy"])
            refreshed += 1
    return refreshed


def _status_kind(old: str | None, new: str) -> str | None:
    if old == new:
        return None
    return {
        Status.PUBLISHED: RevisionKind.PUBLISHED,
        Status.ARCHIVED: RevisionKind.ARCHIVED,
        Status.DRAFT: RevisionKind.UNPUBLISHED,
    }[Status(new)]


@transaction.atomic
def article_save(*, article: Article, by: User | None, change_note: str = "") -> Article:
    """Create or change an article: render and sanitise its body, keep a revision.

    ``article`` carries the new values (from a form or code); what is in the
    database is the "before". A save that changes nothing records nothing.
    """
    before = None
    if article.pk:
        before = Article.objects.select_for_update().filter(pk=article.pk).first()
    check_place(article, before)
    article.tags = normalise_tags(article.tags)
    article.slug = unique_slug(article)
    _render(article)
    now = timezone.now()
    content_changed = before is None or any(
        getattr(before, f) != getattr(article, f) for f in ("title", "summary", "body", "tags")
    )
    status_kind = _status_kind(before.status if before else None, article.status)
    other_changed = before is not None and any(
        getattr(before, f) != getattr(article, f)
        for f in ("slug", "product_id", "section_id", "visibility", "position")
    )
    if not (content_changed or status_kind or other_changed):
        return before or article
    if content_changed:
        article.updated_at = now
    if article.status == Status.PUBLISHED and article.published_at is None:
        article.published_at = now
    if before is None:
        article.created_at = now
        article.created_by = by
    article.updated_by = by
    article.save()
    if before is None:
        _revision(article, kind=RevisionKind.CREATED, by=by, change_note=change_note)
        if article.status != Status.DRAFT:
            _revision(article, kind=status_kind or RevisionKind.PUBLISHED, by=by)
    else:
        if content_changed or other_changed:
            _revision(
                article,
                kind=RevisionKind.EDITED,
                by=by,
                before=before,
                change_note=change_note,
                diff=_diff(before, article),
            )
        if status_kind:
            _revision(article, kind=status_kind, by=by, before=before)
        translations_follow(article, before, by=by)
    return article


def _set_status(*, article: Article, status: str, by: User | None) -> Article:
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.status == status:
        return article  # idempotent: nothing to record
    kind = _status_kind(article.status, status)
    article.status = status
    fields = ["status", "updated_by"]
    if status == Status.PUBLISHED and article.published_at is None:
        article.published_at = timezone.now()
        fields.append("published_at")
    article.updated_by = by
    article.save(update_fields=fields)
    _revision(article, kind=kind or RevisionKind.EDITED, by=by, before=article)
    return article


@transaction.atomic
def article_publish(*, article: Article, by: User | None) -> Article:
    return _set_status(article=article, status=Status.PUBLISHED, by=by)


@transaction.atomic
def article_unpublish(*, article: Article, by: User | None) -> Article:
    """Back to draft: the public stops seeing it, staff can still preview and edit it."""
    return _set_status(article=article, status=Status.DRAFT, by=by)


@transaction.atomic
def article_archive(*, article: Article, by: User | None) -> Article:
    return _set_status(article=article, status=Status.ARCHIVED, by=by)


@transaction.atomic
def article_mark_reviewed(*, article: Article, by: User | None, note: str = "") -> Article:
    """Someone checked the article is still right: its "updated on" date moves, content stays."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    now = timezone.now()
    article.reviewed_at = now
    article.updated_at = now
    article.updated_by = by
    article.save(update_fields=["reviewed_at", "updated_at", "updated_by"])
    _revision(article, kind=RevisionKind.REVIEWED, by=by, before=article, change_note=note)
    return article


def article_record_view(*, article: Article) -> None:
    """One more view, counted in the database so that concurrent views all count."""
    Article.objects.filter(pk=article.pk).update(view_count=F("view_count") + 1)


@transaction.atomic
def vote_record(
    *, article: Article, visitor: str, helpful: bool, comment: str = ""
) -> tuple[ArticleVote, bool]:
    """A visitor's "did this help?"; a second vote by the same visitor replaces the first.

    Returns the vote and whether it is new. ``visitor`` is the hashed key from
    :func:`visitor_key`, never the cookie itself.
    """
    if not visitor:
        raise ValueError("A vote needs a visitor key.")
    comment = comment.strip()[:COMMENT_MAX_LENGTH]
    vote, created = ArticleVote.objects.select_for_update().get_or_create(
        article=article,
        visitor_key=visitor,
        defaults={"helpful": helpful, "comment": comment},
    )
    if not created:
        vote.helpful = helpful
        # A later vote without a comment keeps what the visitor wrote before.
        vote.comment = comment or vote.comment
        vote.updated_at = timezone.now()
        vote.save(update_fields=["helpful", "comment", "updated_at"])
    return vote, created


def suggestion_record_impressions(
    *,
    articles: Sequence[Article],
    query: str,
    source: str,
    visitor: str = "",
) -> list[SuggestionEvent]:
    """The articles a person was shown, in order, in one insert."""
    if not articles:
        return []
    SuggestionSource(source)  # refuses an unknown source
    now = timezone.now()
    return SuggestionEvent.objects.bulk_create(
        [
            SuggestionEvent(
                kind=SuggestionKind.IMPRESSION,
                source=source,
                article=article,
                query=query[:QUERY_MAX_LENGTH],
                position=position,
                visitor_key=visitor,
                created_at=now,
            )
            for position, article in enumerate(articles, start=1)
        ]
    )


def suggestion_record_click(
    *, article: Article, query: str, source: str, position: int = 0, visitor: str = ""
) -> SuggestionEvent:
    """A person followed a suggested article."""
    SuggestionSource(source)
    return SuggestionEvent.objects.create(
        kind=SuggestionKind.CLICK,
        source=source,
        article=article,
        query=query[:QUERY_MAX_LENGTH],
        position=max(0, min(position, 32767)),
        visitor_key=visitor,
    )


def suggestion_record_answered(*, article: Article, query: str, visitor: str) -> SuggestionEvent:
    """A person left the Contact Us form from a suggested article: a contact deflected."""
    return SuggestionEvent.objects.create(
        kind=SuggestionKind.ANSWERED,
        source=SuggestionSource.CONTACT_FORM,
        article=article,
        query=query[:QUERY_MAX_LENGTH],
        visitor_key=visitor,
    )


@transaction.atomic
def image_save(*, image: ArticleImage, by: User | None) -> ArticleImage:
    """Store an image for articles under a random name, after checking it really is one."""
    if image.pk is None:
        image.content_type = IMAGE_FORMATS[image_format(image.image)]
        image.uploaded_by = by
    image.alt_text = image.alt_text.strip()
    image.full_clean()
    image.save()
    return image


def image_upload(*, file: UploadedFile, alt_text: str, by: User | None) -> ArticleImage:
    return image_save(image=ArticleImage(image=file, alt_text=alt_text), by=by)
