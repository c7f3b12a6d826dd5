"""Anonymous visitors and suggestion click-throughs: cookies and signed tokens.

A visitor is a random token in the ``kb_visitor`` cookie, set only when they
vote or when a suggestion is recorded for them; the database keeps a keyed hash
of it (:func:`kb.services.visitor_key`). A click-through address carries a
signed token naming the article, the query, where it was suggested and at
which position, so a click is recorded without any state kept per impression.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from kb import services
from kb.services import visitor_key

if TYPE_CHECKING:
    from kb.search import SearchResult

VISITOR_COOKIE = "kb_visitor"
VISITOR_COOKIE_AGE = 365 * 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
CLICK_SALT = "kb.suggestion.click"
CLICK_QUERY_CHARS = 100  # enough for reports, short enough for an address
IMPRESSION_QUIET_SECONDS = 30 * 60
# A click-through address is counted for a day; later (a bookmark, a shared
# link) it still leads to the article but is no longer a suggestion's click.
CLICK_MAX_AGE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Click:
    article_id: int
    source: str
    query: str
    position: int
    fresh: bool = True  # followed soon after it was suggested, so it counts


class Visitor:
    """The visitor behind a request; makes a cookie only when asked for a key."""

    def __init__(self, request: HttpRequest) -> None:
        token = request.COOKIES.get(VISITOR_COOKIE, "")
        self._token = token if _TOKEN.match(token) else ""
        self._new = False

    @property
    def known_key(self) -> str:
        """The hashed key if the visitor already has a cookie, else ""."""
        return visitor_key(self._token) if self._token else ""

    def key(self) -> str:
        """The hashed key, creating the visitor's cookie if they have none."""
        if not self._token:
            self._token = secrets.token_urlsafe(24)
            self._new = True
        return visitor_key(self._token)

    def remember(self, response: HttpResponse) -> HttpResponse:
        if self._new:
            response.set_cookie(
                VISITOR_COOKIE,
                self._token,
                max_age=VISITOR_COOKIE_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


def click_url(*, article_id: int, source: str, query: str, position: int) -> str:
    token = signing.dumps(
        [article_id, source, query[:CLICK_QUERY_CHARS], position], salt=CLICK_SALT, compress=True
    )
    return reverse("kb:go", args=[token])


def read_click(token: str) -> Click | None:
    fresh = True
    try:
        try:
            values = signing.loads(token[:1000], salt=CLICK_SALT, max_age=CLICK_MAX_AGE_SECONDS)
        except signing.SignatureExpired:
            values, fresh = signing.loads(token[:1000], salt=CLICK_SALT), False
        article_id, source, query, position = values
        return Click(int(article_id), str(source), str(query), int(position), fresh)
    except (signing.BadSignature, ValueError, TypeError):
        return None


def first_click(*, visitor: str, source: str, article_id: int) -> bool:
    """Whether this visitor's click on this suggestion is the first in a while.

    Reloading the article, or going back and following the same suggestion
    again, must not inflate deflection figures.
    """
    try:
        return bool(
            cache.add(f"kb:clicked:{source}:{visitor}:{article_id}", 1, IMPRESSION_QUIET_SECONDS)
        )
    except Exception:  # a cache failure: count it rather than fail the request
        return True


def first_sightings(*, visitor: str, source: str, article_ids: list[int]) -> set[int]:
    """The articles not suggested to this visitor from this source in the last half hour.

    Suggestions are fetched on every pause in typing; counting each fetch
    would turn one person writing a subject into dozens of impressions. The
    cache remembers what was already counted; if the cache is down, everything
    counts (a few extra rows beat an error).
    """
    keys = {f"kb:seen:{source}:{visitor}:{pk}": pk for pk in article_ids}
    try:
        seen = cache.get_many(list(keys))
        fresh = {pk for key, pk in keys.items() if key not in seen}
        cache.set_many(
            {key: 1 for key, pk in keys.items() if pk in fresh}, IMPRESSION_QUIET_SECONDS
        )
    except Exception:  # any cache failure: count them rather than fail the request
        return set(article_ids)
    return fresh


def record_suggestions_shown(*, visitor: str, source: str, result: SearchResult) -> None:
    """Record as impressions the suggested articles this visitor had not seen lately."""
    if not result.hits:
        return
    fresh = first_sightings(
        visitor=visitor, source=source, article_ids=[a.pk for a in result.articles]
    )
    services.suggestion_record_impressions(
        articles=[a for a in result.articles if a.pk in fresh],
        query=result.query,
        source=source,
        visitor=visitor,
    )
