"""Cheaper drop-in versions of Django middleware that did work on every request.

Profiling a trivial view through the whole stack (bench/middleware.py) showed the
same answers being rebuilt on each request: the Content-Security-Policy header
string, and message storage that most requests never read. These classes give the
same responses and headers as Django's, doing that work once per process or only
when a request needs it. Under gunicorn (issue 17) small middlewares are merged
into one layer each, and the request layer (desk.middleware.RequestAttributesMiddleware,
which also carries the desk's staff time zone) leaves no reference cycle behind.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any, cast

from django.conf import settings
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.messages.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import ContentSecurityPolicyMiddleware, get_nonce
from django.utils.csp import CSP, build_policy
from django.utils.functional import SimpleLazyObject, empty
from whitenoise.middleware import WhiteNoiseMiddleware

from helpdesk.network_budget import request_budget

# Stands in for the nonce in a policy built once; a nonce is URL-safe base64, so it
# can never contain this marker.
_NONCE_MARK = "\x00nonce\x00"


class CachedPolicy:
    """A policy header built once per configuration: with a nonce mark, and without."""

    def __init__(self) -> None:
        self._config: Any = None
        self._with_nonce = ""
        self._without_nonce = ""

    def header(self, config: Any, nonce: Any) -> str:
        if config is not self._config:
            # Settings are read once; override_settings (tests) swaps the dict itself.
            self._with_nonce = build_policy(config, _NONCE_MARK)
            self._without_nonce = build_policy(config, None)
            self._config = config
        if nonce:  # a LazyNonce is true only once a page has asked for it
            return self._with_nonce.replace(_NONCE_MARK, str(nonce))
        return self._without_nonce


class CachedContentSecurityPolicyMiddleware(ContentSecurityPolicyMiddleware):
    """Django's CSP middleware, with the site-wide policies' text built once per process.

    A view's own policy (``@csp_override`` and friends) is built per response as before.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._enforced = CachedPolicy()
        self._report_only = CachedPolicy()

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if hasattr(response, "_csp_config") or hasattr(response, "_csp_ro_config"):
            return super().process_response(request, response)
        nonce = get_nonce(request)
        for header, config, cached in (
            (CSP.HEADER_ENFORCE, settings.SECURE_CSP, self._enforced),
            (CSP.HEADER_REPORT_ONLY, settings.SECURE_CSP_REPORT_ONLY, self._report_only),
        ):
            if config and header not in response:
                response.headers[str(header)] = cached.header(config, nonce)
        return response


class StaticFilesAndPolicyMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise's static files, then the Content-Security-Policy middleware above for
    every other request, as one middleware layer.

    They were next to each other in MIDDLEWARE, and under gunicorn a layer cost about
    as much as its work (bench/README.md). Static files are answered before the
    policy, so, as before, they carry no policy header.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self._policy = CachedContentSecurityPolicyMiddleware(get_response)
        super().__init__(self._with_policy)

    def _with_policy(self, request: HttpRequest) -> HttpResponse:
        self._policy.process_request(request)
        # Every layer below (sessions, views, the outbox's hand-over after commit) waits
        # on the cache and the broker out of one budget: helpdesk/network_budget.py.
        with request_budget(settings.NETWORK_WAIT_BUDGET_SECONDS):
            response = cast(HttpResponse, self._policy.get_response(request))  # sync: WSGI
        return self._policy.process_response(request, response)


class LazyMessageMiddleware(MessageMiddleware):
    """Django's message middleware, opening the message storage only when it is used.

    Storage that was never read nor written stores nothing (``BaseStorage.update``),
    so skipping it for requests that never touch messages changes no response.
    """

    def process_request(self, request: HttpRequest) -> None:
        this = weakref.ref(request)  # no cycle through the request: see below
        request._messages = SimpleLazyObject(lambda: default_storage(request_alive(this)))  # type: ignore[attr-defined]

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        messages = getattr(request, "_messages", None)
        if isinstance(messages, SimpleLazyObject) and messages._wrapped is empty:
            return response
        return super().process_response(request, response)


def request_alive(this: weakref.ref[HttpRequest]) -> HttpRequest:
    request = this()
    if request is None:  # a lazy attribute kept and read after its request was gone
        raise RuntimeError("The request this attribute belonged to no longer exists.")
    return request
