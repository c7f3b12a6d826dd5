"""The GitHub webhook: real payloads (tests/fixtures/github/), signatures, replays."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from integrations.github.models import WebhookDelivery
from integrations.github.webhooks import signature_is_valid
from tests import factories
from tests.github_factories import (
    WEBHOOK_SECRET,
    about_issue,
    deliver_kind,
    escalated_ticket,
    fixture,
    fixture_bytes,
    post_webhook,
    sign,
)
from tests.unchanged import nothing_changes
from tickets import escalation
from tickets.models import EscalationStatus, Message, OutboxMessage, Status, Ticket
from tickets.outbox_kinds import OutboxKind

pytestmark = pytest.mark.django_db
HELLO = "Codertocat/Hello-World"  # the repository of the octokit example payloads


@pytest.fixture(autouse=True)
def secret(settings):
    settings.GITHUB_WEBHOOK_SECRET = WEBHOOK_SECRET


@pytest.fixture
def hello_ticket():
    """A ticket following Codertocat/Hello-World#1, the issue the example payloads are about."""
    product = factories.product("akvo-flow")
    product.github_repository = HELLO
    product.save()
    ticket, issue = escalated_ticket()
    escalation.issue_filed(
        issue=issue, number=1, url=f"https://github.com/{HELLO}/issues/1", title="Spelling error"
    )
    return Ticket.objects.get(pk=ticket.pk)


def stored() -> int:
    return WebhookDelivery.objects.count()


def test_githubs_own_hmac_test_vector_verifies():
    vector = fixture("hmac-test-vector.json")
    payload = vector["payload"].encode()
    assert signature_is_valid(vector["secret"], payload, vector["x_hub_signature_256"])
    assert not signature_is_valid(vector["secret"], payload + b" ", vector["x_hub_signature_256"])
    assert not signature_is_valid("another secret", payload, vector["x_hub_signature_256"])
    assert not signature_is_valid(vector["secret"], payload, vector["signature"])  # no sha256=


def test_the_endpoint_checks_the_test_vector_before_reading_the_body(client: Client, settings):
    vector = fixture("hmac-test-vector.json")
    settings.GITHUB_WEBHOOK_SECRET = vector["secret"]
    body = vector["payload"].encode()
    # Signed right: past the signature check, then refused as not JSON (a 400, not a 403).
    good = post_webhook(client, "issues", body, signature=vector["x_hub_signature_256"])
    assert good.status_code == 400
    assert good.json()["error"] == "The body is not JSON."
    with nothing_changes():
        bad = post_webhook(client, "issues", body, signature="sha256=" + "0" * 64)
    assert bad.status_code == 403


def test_a_signed_l2_comment_is_queued_then_becomes_an_internal_note(client, hello_ticket):
    body = fixture_bytes("issue_comment.created.json")
    response = post_webhook(client, "issue_comment", body, delivery="d-comment-1")

    assert response.status_code == 202
    assert response.json() == {"queued": "d-comment-1"}
    # Fast answer: the work waits in the outbox, nothing was applied yet.
    assert not Message.objects.filter(ticket=hello_ticket, body__contains="You are totally right!")
    [row] = OutboxMessage.objects.filter(kind=OutboxKind.GITHUB_WEBHOOK)
    assert row.key == f"{OutboxKind.GITHUB_WEBHOOK}:d-comment-1"

    deliver_kind(OutboxKind.GITHUB_WEBHOOK)
    note = Message.objects.get(ticket=hello_ticket, body__contains="You are totally right!")
    assert note.kind == "note"
    assert note.body.startswith(f"L2 comment by @Codertocat on {HELLO.lower()}#1")
    delivery = WebhookDelivery.objects.get(delivery_id="d-comment-1")
    assert delivery.processed_at is not None
    assert delivery.outcome == "comment: 1 ticket(s) noted"


def test_a_comment_from_outside_the_repository_team_is_not_taken_for_l2(client, hello_ticket):
    payload = json.loads(fixture_bytes("issue_comment.created.json"))
    payload["comment"]["author_association"] = "NONE"  # anyone, on a public repository
    post_webhook(client, "issue_comment", json.dumps(payload).encode(), delivery="d-outsider")

    deliver_kind(OutboxKind.GITHUB_WEBHOOK)

    assert not Message.objects.filter(ticket=hello_ticket, body__contains="totally right")
    assert not OutboxMessage.objects.filter(kind="slack_alert").exists()
    outcome = WebhookDelivery.objects.get(delivery_id="d-outsider").outcome
    assert outcome == "comment from outside the team (NONE): ignored"


def test_a_replayed_delivery_is_processed_once(client, hello_ticket):
    body = fixture_bytes("issue_comment.created.with-installation.json")
    first = post_webhook(client, "issue_comment", body, delivery="d-replayed")
    again = post_webhook(client, "issue_comment", body, delivery="d-replayed")

    assert (first.status_code, again.status_code) == (202, 200)
    assert again.json() == {"duplicate": "d-replayed"}
    assert stored() == 1
    deliver_kind(OutboxKind.GITHUB_WEBHOOK)
    assert Message.objects.filter(ticket=hello_ticket, body__contains="totally right").count() == 1
    # The same comment under a new delivery id (GitHub's redelivery) is not copied again either.
    post_webhook(client, "issue_comment", body, delivery="d-redelivered")
    deliver_kind(OutboxKind.GITHUB_WEBHOOK)
    assert Message.objects.filter(ticket=hello_ticket, body__contains="totally right").count() == 1


def test_a_wrong_or_missing_signature_is_refused_and_nothing_is_stored(client, hello_ticket):
    body = fixture_bytes("issues.reopened.json")
    with nothing_changes():
        wrong = post_webhook(client, "issues", body, signature="sha256=" + "ab" * 32)
        other_secret = post_webhook(client, "issues", body, signature=sign(body, "nope"))
        missing = post_webhook(client, "issues", body, signature="")

    assert (wrong.status_code, other_secret.status_code, missing.status_code) == (403, 403, 401)


def test_a_signature_over_re_serialised_json_does_not_verify_the_raw_body(client, hello_ticket):
    raw = fixture_bytes("issue_comment.created.json")
    reserialised = json.dumps(json.loads(raw)).encode()
    assert reserialised != raw
    with nothing_changes():
        response = post_webhook(client, "issue_comment", raw, signature=sign(reserialised))
    assert response.status_code == 403


def test_ping_is_answered(client):
    response = post_webhook(client, "ping", fixture_bytes("ping.json"))
    assert response.status_code == 200
    assert response.json()["ok"] == "pong"
    app = post_webhook(client, "ping", fixture_bytes("ping.with-app_id.json"))
    assert app.status_code == 200
    assert stored() == 0


def test_unknown_repositories_and_events_are_acknowledged_and_ignored(client, hello_ticket):
    closed_elsewhere = post_webhook(client, "issues", fixture_bytes("issues.closed.json"))
    assert closed_elsewhere.status_code == 202
    assert closed_elsewhere.json() == {"ignored": "repository C-Saunders/flynn_env_test"}
    push = post_webhook(client, "push", fixture_bytes("issues.opened.json"))
    assert push.status_code == 202
    assert push.json() == {"ignored": "event push"}
    assert stored() == 0
    assert Ticket.objects.get(pk=hello_ticket.pk).escalation_status == EscalationStatus.ESCALATED


def test_actions_that_change_nothing_are_stored_and_done_with(client, hello_ticket):
    for event, name in (
        ("issues", "issues.labeled.json"),
        ("issues", "issues.opened.json"),
        ("issue_comment", "issue_comment.edited.json"),
    ):
        assert post_webhook(client, event, fixture_bytes(name)).status_code == 202
    deliver_kind(OutboxKind.GITHUB_WEBHOOK)
    outcomes = sorted(WebhookDelivery.objects.values_list("outcome", flat=True))
    assert outcomes == [
        "issue_comment.edited: nothing to do",
        "issues.labeled: nothing to do",
        "issues.opened: nothing to do",
    ]
    assert Ticket.objects.get(pk=hello_ticket.pk).status == Status.ESCALATED


def test_closing_hands_back_to_l1_and_reopening_returns_to_l2(client, hello_ticket):
    closed = about_issue(fixture("issues.closed.json"), HELLO, 1)
    closed_payload = json.loads(closed)
    closed_payload["issue"]["closed_at"] = closed_payload["issue"]["updated_at"] = (
        "2030-01-01T10:00:00Z"
    )
    closed = json.dumps(closed_payload).encode()
    assert post_webhook(client, "issues", closed).status_code == 202
    deliver_kind(OutboxKind.GITHUB_WEBHOOK)
    ticket = Ticket.objects.get(pk=hello_ticket.pk)
    assert (ticket.status, ticket.escalation_status) == (Status.OPEN, EscalationStatus.L2_RESOLVED)

    # The octokit reopened example is from 2021: older than the close, so it is ignored ...
    assert post_webhook(client, "issues", fixture_bytes("issues.reopened.json")).status_code == 202
    deliver_kind(OutboxKind.GITHUB_WEBHOOK)
    assert Ticket.objects.get(pk=ticket.pk).escalation_status == EscalationStatus.L2_RESOLVED
    # ... and a reopen after the close puts the ticket back with L2.
    reopened = fixture("issues.reopened.json")
    reopened["issue"]["updated_at"] = "2030-01-02T10:00:00Z"
    assert post_webhook(client, "issues", json.dumps(reopened).encode()).status_code == 202
    deliver_kind(OutboxKind.GITHUB_WEBHOOK)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.escalation_status) == (
        Status.ESCALATED,
        EscalationStatus.ESCALATED,
    )


def test_without_a_secret_configured_webhooks_are_refused_and_change_nothing(
    client, settings, hello_ticket
):
    settings.GITHUB_WEBHOOK_SECRET = ""
    with nothing_changes():
        assert post_webhook(client, "ping", fixture_bytes("ping.json")).status_code == 503
        comment = fixture_bytes("issue_comment.created.json")
        assert post_webhook(client, "issue_comment", comment).status_code == 503


def test_only_post_is_accepted(client):
    assert client.get("/integrations/github/webhook/").status_code == 405


def test_old_processed_deliveries_are_purged_and_unprocessed_ones_kept(settings):
    from datetime import timedelta

    from django.utils import timezone

    from integrations.github import tasks

    settings.OUTBOX_KEEP_DELIVERED_DAYS = 90
    settings.GITHUB_TOKEN = ""  # the reconcile itself has nothing to do
    old = timezone.now() - timedelta(days=91)
    for delivery_id, received, processed in (
        ("old-done", old, old),
        ("old-waiting", old, None),
        ("new-done", timezone.now(), timezone.now()),
    ):
        WebhookDelivery.objects.create(
            delivery_id=delivery_id,
            event="issues",
            received_at=received,
            processed_at=processed,
        )

    tasks.github_reconcile()

    assert sorted(WebhookDelivery.objects.values_list("delivery_id", flat=True)) == [
        "new-done",
        "old-waiting",
    ]
