"""Contact Us against abuse: honeypot, CSRF and rate limits that keep what was typed.

The fill time, which must never give a false "thank you": test_honest.py.
"""

from __future__ import annotations

import pytest
from django.test import Client

from portal import services as portal_services
from tests.portal_helpers import (
    contact_data,
    send_contact_form,
    submit_review,
)
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_a_filled_honeypot_is_treated_as_spam_without_a_ticket_or_a_reason(client, started):
    response = send_contact_form(
        client, contact_data(started=started, website="http://spam.example")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Thank you, we have received your request" in page
    for reason in ("honeypot", "robot", "too fast"):
        assert reason not in page.lower()
    assert not Ticket.objects.exists()
    assert portal_services.draft_get(client.session) is None


def test_the_form_refuses_posts_without_the_csrf_token(started):
    strict = Client(enforce_csrf_checks=True)
    assert send_contact_form(strict, contact_data(started=started)).status_code == 403


def test_too_many_submissions_from_one_address_get_a_friendly_429_that_keeps_the_request(
    client, started, settings
):
    settings.PORTAL_SUBMISSIONS_PER_EMAIL_PER_HOUR = 1
    send_contact_form(client, contact_data(started=started))
    submit_review(client)
    send_contact_form(client, contact_data(started=started, subject="Second request today"))
    response = submit_review(client)
    page = response.content.decode()
    assert response.status_code == 429
    assert "please try again in an hour" in page
    assert "Second request today" in page
    assert Ticket.objects.count() == 1
    assert portal_services.draft_get(client.session) is not None  # kept for later


def test_too_many_form_posts_from_one_ip_get_a_429_with_what_was_typed(client, started, settings):
    settings.PORTAL_FORM_POSTS_PER_IP_PER_HOUR = 1
    send_contact_form(client, contact_data(started=started))
    response = send_contact_form(
        client, contact_data(started=started, subject="Typed before the limit")
    )
    assert response.status_code == 429
    assert 'value="Typed before the limit"' in response.content.decode()


def test_too_many_submissions_from_one_ip_are_limited_too(client, started, settings):
    settings.PORTAL_SUBMISSIONS_PER_IP_PER_HOUR = 1
    send_contact_form(client, contact_data(started=started))
    submit_review(client)
    send_contact_form(
        client, contact_data(started=started, email="someone.else@partner.example.org")
    )
    assert submit_review(client).status_code == 429
    assert Ticket.objects.count() == 1


def test_rate_limits_let_requests_through_when_the_cache_is_down(client, started, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    settings.PORTAL_SUBMISSIONS_PER_EMAIL_PER_HOUR = 1
    send_contact_form(client, contact_data(started=started))
    assert submit_review(client).status_code == 302
    send_contact_form(client, contact_data(started=started))
    assert submit_review(client).status_code == 302
    assert Ticket.objects.count() == 2
