"""Every error the API gives, in one shape: RFC 9457 problem details.

``application/problem+json`` with ``type``, ``title``, ``status``, ``detail``,
``instance`` (the path asked for) and, for invalid input, ``errors``: a list of
``{field, message}``. The exception handlers here turn ninja's validation and
authentication errors, Django's 404, a refused permission, a body too large or
unreadable, and any unexpected exception into that shape; :mod:`api.urls` does
the same for a path or method the API does not have.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "/api/v1/problems/"

# The title of each status the API answers with, and the ``type`` naming it. The type is
# the stable name a client matches on; the title is read in the client's language.
KINDS: dict[int, tuple[str, str | Promise]] = {
    400: ("bad-request", pgettext_lazy("api problem", "Bad request")),
    401: ("unauthenticated", pgettext_lazy("api problem", "Authentication required")),
    403: ("forbidden", pgettext_lazy("api problem", "Forbidden")),
    404: ("not-found", pgettext_lazy("api problem", "Not found")),
    405: ("method-not-allowed", pgettext_lazy("api problem", "Method not allowed")),
    409: ("conflict", pgettext_lazy("api problem", "Conflict")),
    412: ("precondition-failed", pgettext_lazy("api problem", "Precondition failed")),
    413: ("too-large", pgettext_lazy("api problem", "Request too large")),
    415: ("unsupported-media-type", pgettext_lazy("api problem", "Unsupported media type")),
    422: ("invalid", pgettext_lazy("api problem", "Invalid request")),
    428: ("precondition-required", pgettext_lazy("api problem", "Precondition required")),
    429: ("rate-limited", pgettext_lazy("api problem", "Too many requests")),
    500: ("server-error", pgettext_lazy("api problem", "Server error")),
}


class FieldError(Schema):
    field: str
    message: str


class Problem(Schema):
    """An error (RFC 9457)."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[FieldError] | None = None


class ApiProblem(HttpError):
    """Raise to answer with a problem: ``ApiProblem(409, detail)``."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(status, detail)
        self.errors = errors
        self.headers = headers or {}


def problem_response(
    request: HttpRequest,
    status: int,
    detail: str,
    *,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    slug, title = KINDS.get(status, KINDS[500] if status >= 500 else KINDS[400])
    body: dict[str, Any] = {
        "type": TYPE_BASE + slug,
        "title": str(title),
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    if errors is not None:
        body["errors"] = errors
    response = HttpResponse(json.dumps(body), status=status, content_type=MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    if status == 401 and "WWW-Authenticate" not in response:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def field_errors(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    """ninja's validation errors as ``{field, message}``: ``query.limit`` → ``limit``."""
    found = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ())]
        # ninja puts where the value came from first and, for a parameters model, its name.
        if location[:1] and location[0] in {"query", "path", "header", "cookie", "body", "form"}:
            location = location[1:]
        found.append({"field": ".".join(location) or "", "message": str(error.get("msg", ""))})
    return found


def _on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return problem_response(
        request,
        422,
        _("The request has invalid fields."),
        errors=field_errors(list(exc.errors)),
    )


def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, ApiProblem):
        return problem_response(
            request, exc.status_code, exc.message, errors=exc.errors, headers=exc.headers
        )
    if isinstance(exc, Throttled):
        return problem_response(request, 429, _("Too many requests; try again later."))
    if isinstance(exc, AuthenticationError):
        return problem_response(request, 401, _("A valid API token or staff session is needed."))
    if exc.status_code == 403 and "CSRF" in exc.message:
        return problem_response(request, 403, _("The CSRF token is missing or wrong."))
    return problem_response(request, exc.status_code, exc.message)


def _on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem_response(request, 404, _("There is nothing here."))


def _on_permission_denied(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem_response(request, 403, str(exc) or _("You may not do this."))


def _on_too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem_response(request, 413, _("The request body is too large."))


def _on_too_many_parts(request: HttpRequest, exc: Exception) -> HttpResponse:
    # More files or fields than DATA_UPLOAD_MAX_NUMBER_FILES / _FIELDS: too large, as
    # Django counts it, not a failure of ours.
    return problem_response(request, 413, _("The request has too many parts."))


def _on_unreadable(request: HttpRequest, exc: Exception) -> HttpResponse:
    # A multipart body without its boundary, or one Django finds suspect (as it answers
    # outside the API: 400).
    logger.warning("Unreadable request body on %s %s: %s", request.method, request.path, exc)
    return problem_response(request, 400, _("The request body could not be read."))


def _on_anything_else(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return problem_response(request, 500, _("Something went wrong on our side."))


def install_handlers(api: NinjaAPI) -> None:
    """Replace ninja's error answers with problem details."""
    handlers: list[tuple[type[Exception], Callable[..., HttpResponse]]] = [
        (ValidationError, _on_validation),
        (HttpError, _on_http_error),
        (Http404, _on_not_found),
        (PermissionDenied, _on_permission_denied),
        (RequestDataTooBig, _on_too_big),
        (TooManyFilesSent, _on_too_many_parts),
        (TooManyFieldsSent, _on_too_many_parts),
        (MultiPartParserError, _on_unreadable),
        (SuspiciousOperation, _on_unreadable),
        (Exception, _on_anything_else),
    ]
    for kind, handler in handlers:
        api.add_exception_handler(kind, handler)
