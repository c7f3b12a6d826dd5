"""API tokens: a manager makes one in the back office, sees it once, and can revoke it."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken
from api.tokens import token_authenticate, token_create, token_revoke
from tests import factories
from tests.api_helpers import api_token

pytestmark = pytest.mark.django_db


def test_a_manager_creates_a_token_in_the_back_office_and_sees_it_only_once(client):
    manager = factories.support_manager()
    bot = factories.l1_agent(username="flow-bot")
    client.force_login(manager)

    response = client.post(
        reverse("admin:api_apitoken_add"),
        {
            "name": "Akvo Flow help widget",
            "owner": bot.pk,
            "scopes": ["kb:read", "tickets:create"],
            "expires_at_0": (timezone.now() + timedelta(days=30)).strftime("%Y-%m-%d"),
            "expires_at_1": "12:00:00",
        },
    )

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get()
    plaintext = response.context["plaintext"]
    assert plaintext.startswith(token.prefix)
    assert plaintext.startswith("hd_")
    assert plaintext in response.content.decode()
    # Stored hashed, never in plain.
    assert token.secret_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert plaintext not in str(ApiToken.objects.values().get())
    assert token.scopes == ["tickets:create", "kb:read"]
    assert (token.owner, token.created_by) == (bot, manager)

    listing = client.get(reverse("admin:api_apitoken_changelist")).content.decode()
    page = client.get(reverse("admin:api_apitoken_change", args=[token.pk])).content.decode()
    assert token.prefix in listing
    assert "Akvo Flow help widget" in listing
    assert plaintext not in listing
    assert plaintext not in page


def test_the_token_form_says_the_token_acts_with_its_owners_role_on_the_record(client):
    client.force_login(factories.support_manager())

    page = client.get(reverse("admin:api_apitoken_add")).content.decode()

    assert "The token acts as this person, with their role" in page
    assert "via API token" in page


def test_a_manager_revokes_a_token_and_it_stops_working(client):
    plaintext = api_token()
    client.force_login(factories.support_manager())

    client.post(
        reverse("admin:api_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [ApiToken.objects.get().pk]},
    )

    assert ApiToken.objects.get().revoked_at is not None
    assert token_authenticate(plaintext) is None


@pytest.mark.parametrize("make", [factories.l1_agent, factories.l2_engineer])
def test_agents_and_engineers_do_not_see_api_tokens_in_the_back_office(client, make):
    client.force_login(make())
    assert client.get(reverse("admin:api_apitoken_changelist")).status_code == 403
    assert client.get(reverse("admin:api_apitoken_add")).status_code == 403


def test_a_token_cannot_hold_a_scope_its_owners_role_lacks():
    engineer = factories.l2_engineer()  # reads tickets and adds notes, but may not log them
    with pytest.raises(ValidationError) as refused:
        token_create(name="x", owner=engineer, scopes=["tickets:create"], by=engineer)
    assert "tickets:create" in str(refused.value)
    assert not ApiToken.objects.exists()


def test_a_token_expires_in_ninety_days_unless_told_and_never_beyond_the_maximum(settings):
    manager = factories.support_manager()
    made = token_create(name="x", owner=manager, scopes=["kb:read"], by=manager)
    lifetime = made.token.expires_at - timezone.now()
    assert timedelta(days=89) < lifetime <= timedelta(days=90)

    settings.API_TOKEN_MAX_DAYS = 30
    with pytest.raises(ValidationError):
        token_create(
            name="y",
            owner=manager,
            scopes=["kb:read"],
            by=manager,
            expires_at=timezone.now() + timedelta(days=31),
        )


def test_last_used_is_written_at_most_once_a_minute(django_assert_num_queries):
    plaintext = api_token()
    token = token_authenticate(plaintext)
    first_use = token.last_used_at
    assert first_use is not None

    with django_assert_num_queries(1):  # the look-up only: no write within the minute
        again = token_authenticate(plaintext)
    assert again.last_used_at == first_use

    ApiToken.objects.update(last_used_at=timezone.now() - timedelta(minutes=2))
    with django_assert_num_queries(2):
        token_authenticate(plaintext)
    assert ApiToken.objects.get().last_used_at > first_use


def test_an_expired_revoked_or_wrong_token_authenticates_no_one():
    manager = factories.support_manager()
    plaintext = api_token()
    assert token_authenticate(plaintext) is not None
    assert token_authenticate(plaintext[:-1] + ("A" if plaintext[-1] != "A" else "B")) is None
    assert token_authenticate("hd_nothing") is None
    assert token_authenticate("") is None

    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert token_authenticate(plaintext) is None

    ApiToken.objects.update(expires_at=timezone.now() + timedelta(days=1))
    token_revoke(token=ApiToken.objects.get(), by=manager)
    assert token_authenticate(plaintext) is None


def test_a_deactivated_owners_tokens_stop_working():
    plaintext = api_token()
    ApiToken.objects.get().owner.__class__.objects.filter(username="flow-bot").update(
        is_active=False
    )
    assert token_authenticate(plaintext) is None
