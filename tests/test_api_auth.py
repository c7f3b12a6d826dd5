"""Who gets into the API: tokens within their scopes, staff sessions, and nobody else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from api.auth import BearerToken, StaffSession
from api.models import ApiToken
from api.problems import ApiProblem
from api.scopes import KB_READ, TICKETS_READ, TICKETS_WRITE, scopes_of
from api.tokens import token_revoke
from tests import factories
from tests.api_helpers import api_token, bearer

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/taxonomy/products"


def _request(rf, token: str):
    return rf.get(PRODUCTS, headers=bearer(token))


def test_a_kb_read_token_is_refused_a_tickets_scope_with_403(rf):
    token = api_token(("kb:read",))

    assert BearerToken(KB_READ)(_request(rf, token)) is not None
    with pytest.raises(ApiProblem) as refused:
        BearerToken(TICKETS_READ)(_request(rf, token))
    assert refused.value.status_code == 403
    assert 'error="insufficient_scope"' in refused.value.headers["WWW-Authenticate"]
    with pytest.raises(ApiProblem):
        BearerToken(TICKETS_WRITE)(_request(rf, token))


def test_a_token_whose_owner_lost_the_role_loses_the_scope(rf):
    agent = factories.l1_agent(username="flow-bot")
    token = api_token(("tickets:write",), owner=agent)
    assert BearerToken(TICKETS_WRITE)(_request(rf, token)) is not None

    agent.groups.clear()
    agent = type(agent).objects.get(pk=agent.pk)  # permissions are cached on the user
    with pytest.raises(ApiProblem) as refused:
        BearerToken(TICKETS_WRITE)(_request(rf, token))
    assert refused.value.status_code == 403


def test_each_role_has_its_scopes_in_a_session():
    assert scopes_of(factories.l1_agent()) == [
        "tickets:create",
        "tickets:read",
        "tickets:write",
        "kb:read",
    ]
    assert scopes_of(factories.l2_engineer()) == ["tickets:read", "tickets:write", "kb:read"]
    assert "tickets:write" in scopes_of(factories.support_manager())


def test_a_ticket_reading_token_reads_the_taxonomy_too(client):
    token = api_token(("tickets:read",))
    assert client.get(PRODUCTS, headers=bearer(token)).status_code == 200


@pytest.mark.parametrize("state", ["expired", "revoked", "unknown", "missing"])
def test_an_expired_revoked_unknown_or_missing_token_gets_401_with_www_authenticate(client, state):
    token = api_token()
    if state == "expired":
        ApiToken.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    elif state == "revoked":
        token_revoke(token=ApiToken.objects.get(), by=factories.support_manager())
    elif state == "unknown":
        token = "hd_" + "x" * 43
    headers = {} if state == "missing" else bearer(token)

    response = client.get(PRODUCTS, headers=headers)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith('Bearer realm="api"')
    assert response.json()["type"] == "/api/v1/problems/unauthenticated"


def test_a_partner_account_without_staff_rights_gets_401(client):
    client.force_login(factories.UserFactory(is_staff=False))
    assert client.get(PRODUCTS).status_code == 401


def test_a_staff_session_must_pass_the_csrf_check_on_unsafe_methods(rf, settings):
    agent = factories.l1_agent()
    secret = "a" * 32

    def request(method: str, *, with_token: bool):
        made = getattr(rf, method)(PRODUCTS, headers={"X-CSRFToken": secret} if with_token else {})
        made.COOKIES[settings.CSRF_COOKIE_NAME] = secret
        made.user = agent
        return made

    assert StaffSession(KB_READ)(request("get", with_token=False)) == agent
    assert StaffSession(KB_READ)(request("post", with_token=True)) == agent
    with pytest.raises(ApiProblem) as refused:
        StaffSession(KB_READ)(request("post", with_token=False))
    assert refused.value.status_code == 403


def test_over_the_rate_limit_a_token_gets_429_with_retry_after(client, settings):
    settings.API_RATE_LIMIT = "3/minute"
    token = bearer(api_token())
    other = bearer(api_token(name="Another integration"))

    answers = [client.get(PRODUCTS, headers=token) for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["status"] == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert client.get(PRODUCTS, headers=other).status_code == 200  # counted per token


def test_a_cache_outage_lets_api_requests_through(client, settings, monkeypatch):
    settings.API_RATE_LIMIT = "1/minute"
    token = bearer(api_token())

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "incr", down)
    monkeypatch.setattr(cache, "add", down)
    assert [client.get(PRODUCTS, headers=token).status_code for _ in range(3)] == [200] * 3


def test_requests_without_valid_credentials_are_limited_per_address(client, settings):
    settings.API_RATE_LIMIT = "2/minute"
    wrong = bearer("hd_" + "y" * 43)

    answers = [
        client.get(PRODUCTS).status_code,
        client.get(PRODUCTS, headers=wrong).status_code,
        client.get(PRODUCTS, headers=wrong).status_code,
    ]

    assert answers == [401, 401, 429]
    other_address = client.get(PRODUCTS, REMOTE_ADDR="192.0.2.9")
    assert other_address.status_code == 401


def test_a_french_speaking_client_gets_json_not_a_redirect_to_a_french_address(client):
    token = bearer(api_token())

    response = client.get(PRODUCTS, headers={**token, "Accept-Language": "fr"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
