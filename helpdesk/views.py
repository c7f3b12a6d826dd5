"""Operational endpoints that belong to the project rather than to an app, the
error page shown while the database is away, the branded 500 page and the favicon.

The 404 and 403 pages are Django's own views rendering our templates (404.html,
403.html) with the request; CSRF failures have a view here (CSRF_FAILURE_VIEW).
"""

import logging
import sys

from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.middleware.csp import get_nonce
from django.middleware.csrf import REASON_NO_CSRF_COOKIE, REASON_NO_REFERER
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from helpdesk.theme import current_theme

logger = logging.getLogger(__name__)

# What a browser, a webhook sender or a proxy is told to wait before trying again:
# a PostgreSQL restart or fail-over takes seconds to a minute.
RETRY_AFTER_SECONDS = 30
# Callers that speak JSON: webhooks (Slack, GitHub, inbound mail) and the health check.
JSON_PATHS = ("/integrations/", "/healthz")


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


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the database being unreachable is an outage, told as one (503).

    Django calls this from inside its ``except`` block (for an exception in any
    view or middleware), so the exception is still at hand. Every other error
    gets the branded 500 page, rendered as Django renders its own: without the
    request, so that no context processor (the user, hence the session and the
    database) runs. The theme comes from settings only.
    """
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return database_unavailable(request)
    context = {
        "theme": current_theme(),
        "LANGUAGE_CODE": get_language(),
        # The theme's style element needs the page's nonce (Content-Security-Policy).
        "csp_nonce": get_nonce(request),
    }
    return HttpResponse(render_to_string("500.html", context), status=500)


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """The friendly 503 page (or JSON), made without the database, the session or the cache.

    The template is rendered without the request, so no context processor runs
    (they read the user, hence the session and the database). Django has already
    logged the error with its traceback; this page shows none.
    """
    if request.path.startswith(JSON_PATHS) or _prefers_json(request):
        response: HttpResponse = JsonResponse(
            {"status": "unavailable", "retry_after": RETRY_AFTER_SECONDS}, status=503
        )
    else:
        html = render_to_string("503.html", {"retry_after": RETRY_AFTER_SECONDS})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: the site's page, saying what to do about the likely cause.

    Django's own view renders a custom ``403_csrf.html`` without telling it why.
    """
    context = {
        "no_cookie": reason == REASON_NO_CSRF_COOKIE,
        "no_referer": reason == REASON_NO_REFERER,
    }
    return render(request, "403_csrf.html", context, status=403)


@require_GET
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """``/favicon.ico``, asked for by pages without an icon link (the admin) and by
    browsers on their own: the SVG icon, rather than a 404 page each time."""
    response = HttpResponseRedirect(static("favicon.svg"))
    # Not permanent: the static name carries a hash that changes with the file.
    patch_cache_control(response, public=True, max_age=86_400)
    return response


def _prefers_json(request: HttpRequest) -> bool:
    return request.accepts("application/json") and not request.accepts("text/html")
