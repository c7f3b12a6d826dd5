"""Contact Us never claims what did not happen, and never hands one person's draft to the next.

A form sent back faster than a person types (browser autofill plus paste) goes
to the review step with a neutral "please confirm", everything kept; only the
honeypot gets the silent page. A draft is never restored silently: the page
asks "Continue your draft from …?", *Start over* removes it with its files, and
an idle draft expires.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from portal import services as portal_services
from tests.portal_helpers import contact_data, screenshot, send_contact_form
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

THANK_YOU = "Thank you, we have received your request"


class Clock:
    """portal.services.now, moved by hand."""

    def __init__(self, monkeypatch, start: float = 1_800_000_000.0) -> None:
        self.at = start
        monkeypatch.setattr(portal_services, "now", lambda: self.at)

    def advance(self, seconds: float) -> None:
        self.at += seconds


def held_paths(client) -> list[str]:
    draft = portal_services.draft_get(client.session)
    assert draft is not None
    return [f"drafts/{draft.id}/{held.id}" for held in draft.files]


def test_a_too_fast_valid_form_goes_to_the_review_asking_to_confirm_with_everything_kept(
    client, settings
):
    settings.PORTAL_MIN_FILL_SECONDS = 60
    started = client.get("/contact/").context["form"].initial["started"]
    response = send_contact_form(client, contact_data(started=started), files=[screenshot("a.png")])
    assert response.status_code == 302
    assert response["Location"] == "/contact/review/"
    review = client.get("/contact/review/").content.decode()
    assert 'id="please-confirm"' in review
    assert THANK_YOU not in review
    assert "Data export of the household survey stops at 50%" in review
    assert "a.png" in review
    assert all(default_storage.exists(path) for path in held_paths(client))
    assert not Ticket.objects.exists()


def test_a_forged_or_missing_start_time_is_asked_to_confirm_too_never_thanked(client):
    for started in ("forged", ""):
        response = send_contact_form(client, contact_data(started=started))
        assert response["Location"] == "/contact/review/"
        assert THANK_YOU not in client.get("/contact/review/").content.decode()
    assert not Ticket.objects.exists()


def test_a_too_fast_form_with_errors_shows_its_errors(client, settings):
    settings.PORTAL_MIN_FILL_SECONDS = 60
    started = client.get("/contact/").context["form"].initial["started"]
    response = send_contact_form(client, contact_data(started=started, email="not-an-address"))
    page = response.content.decode()
    assert response.status_code == 200
    assert THANK_YOU not in page
    assert "Enter a valid email address." in page
    assert not Ticket.objects.exists()


def test_the_review_of_a_too_fast_form_is_only_sent_once_a_person_could_have_read_it(
    client, settings, monkeypatch
):
    clock = Clock(monkeypatch)
    settings.PORTAL_MIN_FILL_SECONDS = 5
    started = client.get("/contact/").context["form"].initial["started"]
    send_contact_form(client, contact_data(started=started))
    key = client.get("/contact/review/").context["submission_key"]

    at_once = client.post("/contact/review/", {"submission_key": key})
    assert at_once.status_code == 200
    assert 'id="please-confirm"' in at_once.content.decode()
    assert THANK_YOU not in at_once.content.decode()
    assert not Ticket.objects.exists()

    clock.advance(6)
    sent = client.post("/contact/review/", {"submission_key": key})
    assert sent["Location"] == "/contact/received/"
    assert Ticket.objects.get().subject == "Data export of the household survey stops at 50%"


def test_a_live_draft_is_offered_not_restored_and_continue_brings_it_back(client, started):
    send_contact_form(client, contact_data(started=started), files=[screenshot("kept.png")])
    page = client.get("/contact/").content.decode()
    assert "Continue your draft from" in page
    assert 'id="start-over"' in page
    assert "Data export of the household survey" not in page
    assert "kept.png" not in page
    resumed = client.get("/contact/?resume=1").content.decode()
    assert 'value="Data export of the household survey stops at 50%"' in resumed
    assert "kept.png" in resumed


def test_start_over_removes_the_fields_and_the_held_files(client, started):
    send_contact_form(client, contact_data(started=started), files=[screenshot("gone.png")])
    paths = held_paths(client)
    assert "Start over" in client.get("/contact/?resume=1").content.decode()
    assert client.post("/contact/discard")["Location"] == "/contact/"
    assert portal_services.draft_get(client.session) is None
    assert not any(default_storage.exists(path) for path in paths)
    page = client.get("/contact/")
    assert page.context["form"]["subject"].value() in (None, "")
    assert "gone.png" not in page.content.decode()


def test_an_idle_draft_expires_with_its_files_and_the_next_person_starts_empty(
    client, started, settings, monkeypatch
):
    clock = Clock(monkeypatch)
    settings.PORTAL_DRAFT_IDLE_MINUTES = 120
    send_contact_form(client, contact_data(started=started), files=[screenshot("old.png")])
    paths = held_paths(client)
    clock.advance(119 * 60)
    assert "Continue your draft from" in client.get("/contact/").content.decode()
    clock.advance(2 * 60)  # untouched: reading the prompt is not typing
    page = client.get("/contact/")
    assert "Continue your draft from" not in page.content.decode()
    assert page.context["form"]["subject"].value() in (None, "")
    assert not any(default_storage.exists(path) for path in paths)
    assert client.get("/contact/review/")["Location"] == "/contact/"


def test_the_hourly_purge_removes_files_of_drafts_idle_longer_than_the_idle_time(
    client, started, settings
):
    settings.PORTAL_DRAFT_IDLE_MINUTES = 120
    settings.PORTAL_DRAFT_MAX_AGE_HOURS = 24
    send_contact_form(client, contact_data(started=started), files=[screenshot("idle.png")])
    paths = held_paths(client)
    assert portal_services.drafts_purge(now=timezone.now() + timedelta(minutes=119)) == 0
    assert portal_services.drafts_purge(now=timezone.now() + timedelta(minutes=121)) == 1
    assert not any(default_storage.exists(path) for path in paths)
