"""Desk and report pages show times in the reading staff member's own time zone.

The zone is activated for the view (so ``{{ value }}``, ``|date`` and ``|zoned``
render in it, and date-time inputs are read in it) and dropped after the
response. The profile is read with the user (see desk.backends) or, failing
that, in one query kept for the request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils import timezone

from tickets.time_zones import staff_zone

# URL namespaces whose pages are read by staff in their own zone.
STAFF_NAMESPACES = frozenset({"desk", "reports"})


class StaffTimeZoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        try:
            return self.get_response(request)
        finally:
            # Only pages that activated a zone drop it (most requests never do).
            if getattr(request, "_staff_zone_active", False):
                timezone.deactivate()

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> None:
        match = request.resolver_match
        user = getattr(request, "user", None)
        if (
            match is not None
            and STAFF_NAMESPACES.intersection(match.namespaces)
            and user is not None
            and user.is_authenticated
            and user.is_staff
        ):
            timezone.activate(staff_zone(user))
            request._staff_zone_active = True  # type: ignore[attr-defined]
