"""The cheaper middleware gives the same headers, messages and sessions as Django's."""

from __future__ import annotations

import pytest
from django.contrib import messages
from django.contrib.sessions.middleware import SessionMiddleware
from django.contrib.sessions.models import Session
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import ContentSecurityPolicyMiddleware
from django.test import RequestFactory, override_settings
from django.utils.csp import CSP

from helpdesk.middleware import CachedContentSecurityPolicyMiddleware, LazyMessageMiddleware


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


@pytest.mark.django_db
def test_a_message_added_before_a_redirect_is_shown_on_the_next_page():
    def add_and_redirect(request):
        messages.success(request, "Reply sent.")
        return HttpResponse(status=302, headers={"Location": "/"})

    def show(request):
        return HttpResponse(" ".join(str(message) for message in messages.get_messages(request)))

    first = RequestFactory().get("/")
    response = SessionMiddleware(LazyMessageMiddleware(add_and_redirect))(first)
    second = RequestFactory().get("/")
    second.COOKIES = {"messages": response.cookies["messages"].value}
    assert SessionMiddleware(LazyMessageMiddleware(show))(second).content == b"Reply sent."


@pytest.mark.django_db
def test_an_anonymous_page_writes_no_session_and_sets_no_cookie(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
    assert "messages" not in response.cookies
    assert not Session.objects.exists()
