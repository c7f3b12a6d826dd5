"""Contact Us review: nudges and hints, going back keeps it all, one ticket per submit, drafts."""

from __future__ import annotations

import pytest

from kb.models import ArticleVote, SuggestionEvent, SuggestionKind
from portal import services as portal_services
from tests import factories, kb_factories
from tests.portal_helpers import (
    contact_data,
    jpeg_bytes,
    screenshot,
    send_contact_form,
    submit_review,
    upload,
)
from tickets.models import Channel, OutboxMessage, Ticket

pytestmark = pytest.mark.django_db


def test_a_question_needs_only_a_free_description(client, started):
    question = factories.category("question")
    data = contact_data(
        started=started,
        category=question.pk,
        subject="How do I add a user to a survey group?",
        description="I manage the Kisumu survey group and want a new enumerator to see it.",
        what_doing="",
        expected="",
        actual="",
        steps="",
    )
    assert send_contact_form(client, data).status_code == 302
    submit_review(client)
    ticket = Ticket.objects.get()
    assert ticket.category == question
    assert ticket.description.startswith("I manage the Kisumu survey group")
    assert ticket.expected == ticket.actual == ticket.steps == ""


def test_a_bug_report_without_expected_actual_and_steps_is_nudged_once(client, started):
    data = contact_data(
        started=started,
        description="",
        what_doing="",
        expected="",
        steps="",
        actual="It does not work",
    )
    response = send_contact_form(client, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "A few details would help us fix this sooner" in page
    assert "What you expected to happen" in page
    assert "Steps to reproduce: if we can make it happen ourselves" in page
    assert "Your description is short" in page
    assert "It does not work</textarea>" in page  # what was typed is still there

    response = send_contact_form(client, {**data, "confirm_incomplete": "1"})
    assert response["Location"] == "/contact/review/"


def test_a_vague_question_is_only_a_hint_on_the_review_page(client, started):
    data = contact_data(
        started=started,
        category=factories.category("question").pk,
        description="Help",
        what_doing="",
        expected="",
        actual="",
        steps="",
    )
    assert send_contact_form(client, data)["Location"] == "/contact/review/"
    review = client.get("/contact/review/").content.decode()
    assert "Your description is short" in review
    submit_review(client)
    assert Ticket.objects.count() == 1


def test_going_back_from_the_review_keeps_every_field_and_the_attached_files(client, started):
    send_contact_form(client, contact_data(started=started), files=[screenshot("before.png")])
    form_again = client.get("/contact/?resume=1")  # "Change something" on the review
    page = form_again.content.decode()
    assert 'value="Data export of the household survey stops at 50%"' in page
    assert "A spreadsheet with all 2,300 submissions to download." in page
    assert 'value="356938035643809"' in page
    assert "before.png" in page

    # Change the subject, add a second file: both files are kept.
    send_contact_form(
        client,
        contact_data(started=started, subject="Export stops halfway"),
        files=[upload("after.jpg", jpeg_bytes(), "image/jpeg")],
    )
    review = client.get("/contact/review/").content.decode()
    assert "Export stops halfway" in review
    assert "before.png" in review
    assert "after.jpg" in review
    submit_review(client)
    names = sorted(
        Ticket.objects.get().messages.get().attachments.values_list("original_name", flat=True)
    )
    assert names == ["after.jpg", "before.png"]


def test_a_held_file_can_be_removed_without_losing_what_was_typed(client, started):
    send_contact_form(
        client,
        contact_data(started=started),
        files=[screenshot("keep.png"), screenshot("drop.png")],
    )
    draft = portal_services.draft_get(client.session)
    drop = next(held for held in draft.files if held.name == "drop.png")
    response = send_contact_form(client, contact_data(started=started, remove_file=drop.id))
    page = response.content.decode()
    assert "drop.png" not in page
    assert "keep.png" in page
    assert 'value="Data export of the household survey stops at 50%"' in page
    send_contact_form(client, contact_data(started=started))
    submit_review(client)
    [attachment] = Ticket.objects.get().messages.get().attachments.all()
    assert attachment.original_name == "keep.png"


def test_the_same_review_sent_twice_creates_one_ticket_and_shows_the_same_reference(
    client, started
):
    send_contact_form(client, contact_data(started=started), files=[screenshot()])
    key = client.get("/contact/review/").context["submission_key"]
    first = client.post("/contact/review/", {"submission_key": key})
    second = client.post("/contact/review/", {"submission_key": key})
    assert first["Location"] == second["Location"] == "/contact/received/"
    ticket = Ticket.objects.get()
    assert ticket.reference in client.get("/contact/received/").content.decode()
    assert OutboxMessage.objects.count() == 1
    assert ticket.messages.get().attachments.count() == 1


def test_the_ticket_service_is_idempotent_on_the_submission_key():
    from tickets import services

    fields = {
        "requester_email": "a@partner.example.org",
        "subject": "Export fails",
        "channel": Channel.WEB,
        "submission_key": "k" * 32,
    }
    first = services.ticket_create(**fields)
    second = services.ticket_create(**fields)
    assert first.pk == second.pk
    assert Ticket.objects.count() == 1


def test_the_review_without_a_draft_goes_back_to_the_form(client):
    assert client.get("/contact/review/")["Location"] == "/contact/"
    assert client.post("/contact/review/", {"submission_key": "x"})["Location"] == "/contact/"
    assert not Ticket.objects.exists()


def test_abandoned_drafts_are_removed_after_a_day_and_fresh_ones_kept(client, started):
    from datetime import timedelta

    from django.utils import timezone

    send_contact_form(client, contact_data(started=started), files=[screenshot()])
    assert portal_services.drafts_purge() == 0
    assert portal_services.drafts_purge(now=timezone.now() + timedelta(hours=25)) == 1
    # The person comes back later: the form says the file is gone, nothing breaks.
    review = client.get("/contact/review/")
    assert "no longer held" in review.content.decode()
    submit_review(client)
    assert Ticket.objects.get().messages.get().attachments.count() == 0


def test_the_purge_task_is_scheduled_on_beat(settings):
    from portal.tasks import portal_purge_drafts

    schedule = settings.CELERY_BEAT_SCHEDULE["portal-purge-drafts"]
    assert schedule["task"] == portal_purge_drafts.name
    assert portal_purge_drafts() == 0


def test_leaving_from_a_suggested_article_is_recorded_as_a_contact_answered_without_a_ticket(
    client, started
):
    article = kb_factories.article("Export your survey data")
    send_contact_form(client, contact_data(started=started), files=None)  # a draft is held

    response = client.post(
        "/contact/answered", {"article": str(article.pk), "q": "export stops at 50%"}
    )

    assert response.status_code == 200
    answered = SuggestionEvent.objects.get(kind=SuggestionKind.ANSWERED)
    assert (answered.article, answered.source, answered.query) == (
        article,
        "contact_form",
        "export stops at 50%",
    )
    assert ArticleVote.objects.get(article=article).helpful
    assert not Ticket.objects.exists()
    # The draft is gone: coming back starts an empty form.
    assert client.get("/contact/").context["form"]["subject"].value() in (None, "")
