"""The cheaper middleware gives the same headers, messages and sessions as Django's,
and the merged layers still do each merged middleware's job."""

from __future__ import annotations

import gc
import weakref

import pytest
from django.contrib import messages
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.contrib.sessions.models import Session
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import ContentSecurityPolicyMiddleware
from django.test import RequestFactory, override_settings
from django.utils.csp import CSP

from desk.middleware import RequestAttributesMiddleware
from helpdesk.middleware import (
    CachedContentSecurityPolicyMiddleware,
    LazyMessageMiddleware,
    StaticFilesAndPolicyMiddleware,
)


def _page_using_the_nonce(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f'<script nonce="{request._csp_nonce}"></script>')  # type: ignore[attr-defined]


def _page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


def _policies(view, middleware_class) -> list[str]:
    middleware = middleware_class(view)
    policies = []
    for _ in range(2):
        request = RequestFactory().get("/")
        policies.append(middleware(request)["Content-Security-Policy"])
    return policies


@pytest.mark.parametrize("view", [_page, _page_using_the_nonce])
def test_the_cached_policy_is_the_one_django_builds(view):
    cached = _policies(view, CachedContentSecurityPolicyMiddleware)
    django = _policies(view, ContentSecurityPolicyMiddleware)
    strip = [policy.split("'nonce-")[0] for policy in (*cached, *django)]
    assert len(set(strip)) == 1
    assert "unsafe-inline" not in cached[0]


def test_a_page_that_uses_the_nonce_gets_a_fresh_one_in_its_header_each_time():
    middleware = CachedContentSecurityPolicyMiddleware(_page_using_the_nonce)
    nonces = []
    for _ in range(2):
        response = middleware(RequestFactory().get("/"))
        nonce = response.content.decode().split('nonce="')[1].split('"')[0]
        assert f"script-src 'self' 'nonce-{nonce}'" in response["Content-Security-Policy"]
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


def test_a_page_without_the_nonce_has_no_nonce_in_its_policy():
    response = CachedContentSecurityPolicyMiddleware(_page)(RequestFactory().get("/"))
    assert "nonce" not in response["Content-Security-Policy"]


def test_a_changed_policy_setting_is_followed():
    middleware = CachedContentSecurityPolicyMiddleware(_page)
    middleware(RequestFactory().get("/"))
    with override_settings(SECURE_CSP={"default-src": [CSP.NONE]}):
        assert middleware(RequestFactory().get("/"))["Content-Security-Policy"] == (
            "default-src 'none'"
        )


def test_the_static_files_layer_gives_pages_the_cached_policy():
    merged = StaticFilesAndPolicyMiddleware(_page_using_the_nonce)(RequestFactory().get("/"))
    nonce = merged.content.decode().split('nonce="')[1].split('"')[0]
    assert f"script-src 'self' 'nonce-{nonce}'" in merged["Content-Security-Policy"]
    alone = CachedContentSecurityPolicyMiddleware(_page)(RequestFactory().get("/"))
    page = StaticFilesAndPolicyMiddleware(_page)(RequestFactory().get("/"))
    assert page["Content-Security-Policy"] == alone["Content-Security-Policy"]


def test_a_static_file_is_served_without_reaching_the_policy_or_the_view(tmp_path):
    (tmp_path / "site.css").write_text("body {}")
    with override_settings(STATIC_ROOT=tmp_path):
        middleware = StaticFilesAndPolicyMiddleware(_page)
    response = middleware(RequestFactory().get("/static/site.css"))
    assert response.status_code == 200
    assert b"".join(response) == b"body {}"
    assert "Content-Security-Policy" not in response


def test_the_request_layer_sets_the_user_the_messages_and_htmx():
    seen = {}

    def view(request):
        seen.update(user=request.user, htmx=bool(request.htmx), messages=request._messages)
        return HttpResponse("ok")

    request = RequestFactory().get("/", headers={"HX-Request": "true"})
    SessionMiddleware(RequestAttributesMiddleware(view))(request)
    assert seen["user"].is_anonymous
    assert seen["htmx"] is True
    assert list(seen["messages"]) == []
    assert issubclass(RequestAttributesMiddleware, AuthenticationMiddleware)
    assert issubclass(RequestAttributesMiddleware, MessageMiddleware)  # the admin checks


@pytest.mark.django_db
def test_a_request_through_the_request_layer_leaves_no_cycle_for_the_collector():
    def view(request):
        return HttpResponse(f"{request.user.is_anonymous} {bool(request.htmx)}")

    middleware = SessionMiddleware(RequestAttributesMiddleware(view))
    middleware(RequestFactory().get("/"))  # first use: imports, caches
    request = RequestFactory().get("/")
    gc.collect()
    gc.disable()  # only reference counting may free the request now
    try:
        response = middleware(request)
        assert response.content == b"True False"
        request_left = weakref.ref(request)
        del request, response
        # Not gc.collect() == 0: other threads of the test run may leave cycles meanwhile.
        assert request_left() is None
    finally:
        gc.enable()


@pytest.mark.django_db
@pytest.mark.parametrize("layer", [LazyMessageMiddleware, RequestAttributesMiddleware])
def test_a_message_added_before_a_redirect_is_shown_on_the_next_page(layer):
    def add_and_redirect(request):
        messages.success(request, "Reply sent.")
        return HttpResponse(status=302, headers={"Location": "/"})

    def show(request):
        return HttpResponse(" ".join(str(message) for message in messages.get_messages(request)))

    first = RequestFactory().get("/")
    response = SessionMiddleware(layer(add_and_redirect))(first)
    second = RequestFactory().get("/")
    second.COOKIES = {"messages": response.cookies["messages"].value}
    assert SessionMiddleware(layer(show))(second).content == b"Reply sent."


@pytest.mark.django_db
def test_an_anonymous_page_writes_no_session_and_sets_no_cookie(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
    assert "messages" not in response.cookies
    assert not Session.objects.exists()
