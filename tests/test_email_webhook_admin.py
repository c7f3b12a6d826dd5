"""Mail posted by a provider (anymail's inbound webhooks), and the back office's held mail."""

from __future__ import annotations

import base64
import json

import pytest
from django.urls import reverse

from integrations.email import webhooks
from integrations.email.addresses import reply_address
from integrations.email.models import InboundEmail, InboundStatus
from tests import factories
from tests.email_helpers import ingest, readdress, sample
from tests.unchanged import nothing_changes
from tickets import services as ticket_services
from tickets.models import Channel, Ticket

pytestmark = pytest.mark.django_db

URL = "/integrations/email/inbound/postmark/inbound/"


def basic(secret: str) -> str:
    return "Basic " + base64.b64encode(secret.encode()).decode()


@pytest.fixture
def queued(monkeypatch):
    """Processing hand-overs, run at once (as the worker would) and recorded."""
    from integrations.email import services

    calls: list[int] = []

    def hand_over(inbound_id: int) -> None:
        calls.append(inbound_id)
        services.inbound_process(inbound_id=inbound_id)

    monkeypatch.setattr(webhooks, "hand_over", hand_over)
    return calls


def post_raw(client, raw: bytes, secret: str = "mail:s3cret", **extra):  # noqa: S107 - the test secret
    payload = {"RawEmail": raw.decode("utf-8"), **extra}
    return client.post(
        URL,
        data=json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=basic(secret),
    )


def test_the_webhook_urls_are_off_until_a_secret_is_set(client, settings, queued):
    settings.ANYMAIL = {"WEBHOOK_SECRET": ""}
    assert post_raw(client, sample("reply-gmail.eml")).status_code == 404
    assert not InboundEmail.objects.exists()


def test_a_post_with_the_wrong_secret_is_refused(client, settings, queued):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "mail:s3cret"}
    response = post_raw(client, sample("reply-gmail.eml"), secret="mail:guess")
    assert response.status_code in (400, 401, 403)
    assert not InboundEmail.objects.exists()


def test_a_posted_mail_is_stored_then_processed_after_commit_and_a_repost_is_ignored(
    client, settings, queued, django_capture_on_commit_callbacks
):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "mail:s3cret"}
    ticket = ticket_services.ticket_create(
        requester_email="kofi@partner.example.org",
        subject="Export fails",
        channel=Channel.WEB,
        description="It spins.",
    )
    raw = readdress(
        sample("reply-gmail.eml"), To="support@helpdesk.localhost", From="kofi@partner.example.org"
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = post_raw(client, raw, OriginalRecipient=reply_address(ticket))
    with django_capture_on_commit_callbacks(execute=True):
        again = post_raw(client, raw, OriginalRecipient=reply_address(ticket))

    assert (response.status_code, again.status_code) == (200, 200)
    inbound = InboundEmail.objects.get()
    assert inbound.source == "webhook"
    assert inbound.envelope_recipient == reply_address(ticket)
    assert len(queued) == 1
    inbound.refresh_from_db()
    assert inbound.status == InboundStatus.PROCESSED
    assert inbound.ticket == ticket  # matched by the envelope recipient alone
    assert ticket.messages.count() == 2


def test_a_posted_mail_larger_than_djangos_form_limit_is_taken_up_to_the_mail_limit(
    client, settings, queued, django_capture_on_commit_callbacks
):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "mail:s3cret"}
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    settings.INBOUND_EMAIL_MAX_BYTES = 1_000_000
    raw = sample("reply-gmail.eml") + b"\n" + b"A long log line of the failing export.\n" * 5000

    with django_capture_on_commit_callbacks(execute=True):
        response = post_raw(client, raw)

    assert response.status_code == 200
    inbound = InboundEmail.objects.get()
    assert inbound.size > settings.DATA_UPLOAD_MAX_MEMORY_SIZE  # anymail re-serialises it
    assert inbound.status == InboundStatus.PROCESSED


def test_held_mail_is_listed_in_the_admin_and_confirmed_there(admin_client):
    ticket = factories.TicketFactory(requester__email="kofi@partner.example.org")
    held = ingest(
        readdress(sample("reply-gmail.eml"), To=reply_address(ticket), From="eve@else.example")
    )
    ignored = ingest(sample("autoreply-auto-submitted.eml"))

    listing = admin_client.get(reverse("admin:mail_inboundemail_changelist") + "?status=held")
    assert listing.status_code == 200
    assert "eve@else.example" in listing.content.decode()
    page = admin_client.get(reverse("admin:mail_inboundemail_change", args=[ignored.pk]))
    assert "Auto-Submitted" in page.content.decode()

    response = admin_client.post(
        reverse("admin:mail_inboundemail_changelist"),
        {"action": "confirm_append", "_selected_action": [held.pk]},
        follow=True,
    )

    assert response.status_code == 200
    held.refresh_from_db()
    assert held.status == InboundStatus.PROCESSED
    assert ticket.messages.get().author_requester.email == "eve@else.example"


def test_the_admin_creates_a_ticket_from_held_mail_and_cannot_delete_mail(admin_client):
    held = ingest(sample("malformed-missing-body.eml"))
    assert held.status == InboundStatus.HELD
    response = admin_client.post(
        reverse("admin:mail_inboundemail_changelist"),
        {"action": "create_ticket", "_selected_action": [held.pk]},
        follow=True,
    )
    # No text and no file: refused with the reason, and the mail stays held.
    assert "no text" in response.content.decode()
    held.refresh_from_db()
    assert held.status == InboundStatus.HELD
    assert not Ticket.objects.exists()
    delete = reverse("admin:mail_inboundemail_delete", args=[held.pk])
    with nothing_changes():
        assert admin_client.get(delete).status_code == 403
        assert admin_client.post(delete, {"post": "yes"}).status_code == 403
