"""Desk and report pages show times in the reading staff member's own time zone, and
speak their language (their profile's; the back office too).

The zone is activated for the view (so ``{{ value }}``, ``|date`` and ``|zoned``
render in it, and date-time inputs are read in it) and dropped after the
response. The profile is read with the user (see desk.backends) or, failing
that, in one query kept for the request.

They run in :class:`RequestAttributesMiddleware`, one middleware layer for several
small jobs (auth, messages, django-htmx, this zone), since under gunicorn a layer
cost about as much as its work (bench/README.md, issue 17).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from functools import partial
from typing import Any, cast

from django.contrib.auth.middleware import AuthenticationMiddleware, auser, get_user
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.functional import SimpleLazyObject
from django_htmx.middleware import HtmxDetails

from helpdesk.middleware import LazyMessageMiddleware, request_alive
from tickets.time_zones import staff_profile_of, staff_zone

# URL namespaces whose pages are read by staff in their own zone.
STAFF_NAMESPACES = frozenset({"desk", "reports"})
# ... and in their own language: those and the back office.
LANGUAGE_NAMESPACES = STAFF_NAMESPACES | {"admin"}


def activate_staff_zone(request: HttpRequest) -> None:
    """Before the view: a staff member reading a desk or report page gets their zone
    (and, there and in the back office, their language)."""
    match = request.resolver_match
    user = getattr(request, "user", None)
    if match is None or user is None or not LANGUAGE_NAMESPACES.intersection(match.namespaces):
        return
    if not (user.is_authenticated and user.is_staff):
        return
    activate_staff_language(request, user)
    if STAFF_NAMESPACES.intersection(match.namespaces):
        timezone.activate(staff_zone(user))
        request._staff_zone_active = True  # type: ignore[attr-defined]


def activate_staff_language(request: HttpRequest, user: Any) -> None:
    """The profile's language, when chosen; else the default (these pages have no prefix).

    The profile came with the user (desk.backends), so this costs no query. The
    locale middleware (helpdesk.language) puts the default back after the response.
    """
    profile = staff_profile_of(user)
    if profile is not None and profile.language:
        translation.activate(profile.language)
        request.LANGUAGE_CODE = translation.get_language()


def release_staff_zone(request: HttpRequest) -> None:
    """After the response: only pages that activated a zone drop it (most never do)."""
    if getattr(request, "_staff_zone_active", False):
        timezone.deactivate()


async def _auser(this: weakref.ref[HttpRequest]) -> Any:
    return await auser(request_alive(this))


class _HtmxDetails(HtmxDetails):
    """django-htmx's request details, holding the request weakly (see below)."""

    def __init__(self, request: HttpRequest) -> None:
        self._request = weakref.ref(request)

    @property
    def request(self) -> HttpRequest:  # type: ignore[override]
        return request_alive(self._request)


class RequestAttributesMiddleware(AuthenticationMiddleware, LazyMessageMiddleware):
    """Django's authentication and (lazy) message middleware, django-htmx's and the
    desk's staff time zone, as one middleware layer.

    Each was a layer of its own that only put a lazy attribute on the request (or,
    for the zone, acted around the view), and under gunicorn a layer cost about as
    much as its work (bench/README.md). They run here in the order they had.
    Still a subclass of both Django classes, as the admin's checks ask.

    Django's versions put on the request lazy objects that hold the request itself
    (``lambda: get_user(request)``, ``partial(auser, request)``, the htmx details):
    a reference cycle per request, which only the cyclic garbage collector frees.
    That collector then ran every few dozen requests and took about a fifth of a
    trivial request's time (bench/README.md). Holding the request weakly gives the
    same attributes without the cycle; they are only used while the request lives.
    """

    async_capable = False  # a plain __call__ below; Django adapts it under ASGI

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not hasattr(request, "session"):
            AuthenticationMiddleware.process_request(self, request)  # Django's error
        this = weakref.ref(request)
        request.user = SimpleLazyObject(lambda: get_user(request_alive(this)))  # type: ignore[assignment]
        request.auser = partial(_auser, this)
        LazyMessageMiddleware.process_request(self, request)
        request.htmx = _HtmxDetails(request)  # type: ignore[attr-defined]
        try:
            response = cast(HttpResponse, self.get_response(request))  # sync: see above
        finally:
            release_staff_zone(request)
        return self.process_response(request, response)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> None:
        activate_staff_zone(request)
