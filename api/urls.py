"""/api/v1/: ninja's operations, and a problem answer for a path or method it lacks.

ninja answers a method an operation lacks with a bare 405, and Django a path
the API lacks with the site's HTML 404; both become problem details here, the
same shape as every other error of the API.

Every answer is in the client's language (``Accept-Language``, else English),
named in ``Content-Language``. The site's locale middleware keeps an address
without a language prefix in English, as the portal's prefixed pages need; the
API has one address for every language.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, re_path
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from api.main import api
from api.problems import problem_response

app_name = "api"


def _in_clients_language(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        language = translation.get_language_from_request(request, check_path=False)
        with translation.override(language):
            response = view(request, *args, **kwargs)
        response["Content-Language"] = language
        return response

    return wrapped


def _problem_405(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            return problem_response(
                request,
                405,
                _("This address does not take %s.") % request.method,
                headers={"Allow": response["Allow"]},
            )
        return response

    return wrapped


@csrf_exempt
@_in_clients_language
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return problem_response(request, 404, _("There is nothing here."))


def _patterns() -> list[URLPattern | URLResolver]:
    found: list[URLPattern | URLResolver] = []
    for pattern in api.urls[0]:
        if isinstance(pattern, URLPattern):
            pattern = URLPattern(
                pattern.pattern,
                _in_clients_language(_problem_405(pattern.callback)),
                pattern.default_args,
                pattern.name,
            )
        found.append(pattern)
    return found


# Any character after /api/v1/, a newline too (.* would stop there and leave the site's HTML 404).
urlpatterns = [*_patterns(), re_path(r"^(?P<rest>[\s\S]*)\Z", not_found, name="not_found")]
