"""Desk and report pages show times in the reading staff member's own time zone.

The zone is activated for the view (so ``{{ value }}``, ``|date`` and ``|zoned``
render in it, and date-time inputs are read in it) and dropped after the
response. The profile is read with the user (see desk.backends) or, failing
that, in one query kept for the request.

These run in ``helpdesk.middleware.RequestAttributesMiddleware`` (one middleware
layer for several small jobs, since a layer costs as much as the work).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from tickets.time_zones import staff_zone

# URL namespaces whose pages are read by staff in their own zone.
STAFF_NAMESPACES = frozenset({"desk", "reports"})


def activate_staff_zone(request: HttpRequest) -> None:
    """Before the view: a staff member reading a desk or report page gets their zone."""
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


def release_staff_zone(request: HttpRequest) -> None:
    """After the response: only pages that activated a zone drop it (most never do)."""
    if getattr(request, "_staff_zone_active", False):
        timezone.deactivate()
