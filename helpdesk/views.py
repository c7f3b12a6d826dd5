"""Operational endpoints that belong to the project rather than to an app."""

import logging

from django.db import connection
from django.http import HttpRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer 200 when the database answers; used by container health checks."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any database failure means "not healthy"
        # The details go to the log, not to whoever can reach the endpoint.
        logger.exception("Health check: the database did not answer")
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def signed_in(request: HttpRequest) -> HttpResponseRedirect:
    """Where a login lands when ``next`` is missing or off-site (LOGIN_REDIRECT_URL).

    Staff go to the desk, everyone else to the portal home; Django's default,
    ``/accounts/profile/``, is a page this project does not have.
    """
    user = request.user
    if user.is_authenticated and user.is_active and user.is_staff:
        return redirect("desk:home")
    return redirect("portal:home")
