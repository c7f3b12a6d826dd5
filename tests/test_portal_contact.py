"""Contact Us: a person fills in the form, reviews and sends it; support gets a full ticket."""

from __future__ import annotations

import socket

import pytest
from django.core import mail
from django.test import Client

from kb.models import ArticleVote, SuggestionEvent, SuggestionKind
from portal import services as portal_services
from tests import factories, kb_factories
from tests.portal_helpers import (
    contact_data,
    deliver_all,
    jpeg_bytes,
    only_mail,
    screenshot,
    send_contact_form,
    submit_review,
    upload,
)
from tickets.models import Channel, EventKind, MessageKind, OutboxMessage, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_minimum_fill_time(settings):
    settings.PORTAL_MIN_FILL_SECONDS = 0


@pytest.fixture
def started(client):
    """The signed start time the form hands out (as a browser would send it back)."""
    return client.get("/contact/").context["form"].initial["started"]


def fill(started: str, **overrides: object) -> dict[str, object]:
    return contact_data(started=started, **overrides)


def test_the_home_page_leads_to_contact_support(client):
    page = client.get("/").content.decode()
    assert 'href="/contact/"' in page
    assert "Contact support" in page
    assert 'href="/contact/?product=akvo-flow"' in page


def test_choosing_akvo_flow_shows_the_flow_fields_from_its_configuration(client):
    page = client.get("/contact/?product=akvo-flow").content.decode()
    for label in ("Dashboard", "Folder", "Survey", "Assignment", "Device ID", "IMEI"):
        assert f"{label}\n" in page or f">{label}<" in page or label in page
    assert 'name="pd_imei"' in page
    assert "Dial *#06# on the phone to see it" in page
    assert 'name="pd_rsr_page"' not in page


def test_switching_product_fetches_that_products_fields_as_a_fragment(client):
    rsr = factories.product("akvo-rsr")
    response = client.get(f"/contact/product-fields?product={rsr.pk}", HTTP_HX_REQUEST="true")
    fragment = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in fragment
    for name in ("pd_user_role", "pd_project", "pd_organisation", "pd_rsr_page"):
        assert f'name="{name}"' in fragment
    assert "pd_imei" not in fragment


def test_product_fields_follow_the_admins_configuration_not_a_template(client):
    lumen = factories.product("akvo-lumen")
    lumen.report_fields = [
        {"name": "api_key_hint", "label": "Which API client", "help": "<b>x</b>"}
    ]
    lumen.save()
    fragment = client.get(f"/contact/product-fields?product={lumen.pk}").content.decode()
    assert 'name="pd_api_key_hint"' in fragment
    assert "Which API client" in fragment
    assert "&lt;b&gt;x&lt;/b&gt;" in fragment  # configuration text is shown, never as markup


def test_without_javascript_the_product_fields_come_with_the_form_and_keep_what_was_typed(
    client, started
):
    lumen = factories.product("akvo-lumen")
    response = send_contact_form(
        client, fill(started, product=lumen.pk, subject="Chart is empty", show_product_fields="1")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="pd_visualisation"' in page
    assert 'value="Chart is empty"' in page
    assert "is-invalid" not in page  # not a submit: nothing is complained about yet
    assert not Ticket.objects.exists()


def test_a_complete_bug_report_is_reviewed_then_becomes_a_web_ticket_with_everything(
    client, started
):
    response = send_contact_form(client, fill(started), files=[screenshot()])
    assert response.status_code == 302
    assert response["Location"] == "/contact/review/"
    assert not Ticket.objects.exists()  # nothing is sent before the review

    review = client.get("/contact/review/").content.decode()
    assert "Data export of the household survey stops at 50%" in review
    assert "akvoflow-uat1" in review
    assert "screenshot.png" in review

    response = submit_review(client)
    assert response["Location"] == "/contact/received/"
    ticket = Ticket.objects.get()
    confirmation = client.get("/contact/received/").content.decode()
    assert ticket.reference in confirmation

    assert ticket.channel == Channel.WEB
    assert ticket.requester.email == "amina@partner.example.org"
    assert ticket.requester.name == "Amina Odhiambo"
    assert ticket.product.slug == "akvo-flow"
    assert ticket.category.slug == "bug"
    assert ticket.hub.slug == "east-africa"
    assert ticket.expected == "A spreadsheet with all 2,300 submissions to download."
    assert ticket.steps.startswith("1. Open Data > Export")
    assert ticket.product_details == {
        "dashboard": "akvoflow-uat1",
        "survey": "Household survey 2026",
        "imei": "356938035643809",
    }
    assert ticket.environment == {"computer_browser": "Firefox 140 on Windows 11"}
    [message] = ticket.messages.all()
    assert message.kind == MessageKind.CUSTOMER
    [attachment] = message.attachments.all()
    assert attachment.original_name == "screenshot.png"
    assert attachment.content_type == "image/png"
    assert ticket.events.filter(kind=EventKind.CREATED).exists()
    # The held copy is gone once it became the ticket's attachment.
    assert portal_services.drafts_purge() == 0


def test_the_acknowledgement_gives_reference_commitment_and_private_link_but_no_typed_text(
    client, started, settings
):
    send_contact_form(client, fill(started, name="Win a prize at spam.example"))
    submit_review(client)
    ticket = Ticket.objects.get()
    assert mail.outbox == []  # the request only wrote an outbox row
    deliver_all()

    email = only_mail()
    link = f"{settings.SITE_URL}/t/{ticket.token}/"
    assert email.to == ["amina@partner.example.org"]
    assert email.subject == f"[{ticket.reference}] We received your support request"
    assert ticket.reference in email.body
    assert "within 1 working day" in email.body
    assert link in email.body
    assert "Akvo Flow" in email.body
    assert "Bug" in email.body
    html = email.alternatives[0][0]
    assert f'href="{link}"' in html
    for typed in ("household survey", "Win a prize", "spam.example", "progress bar"):
        assert typed not in email.subject
        assert typed not in email.body
        assert typed not in html


def test_submitting_does_no_network_io_everything_external_waits_in_the_outbox(
    client, started, monkeypatch
):
    send_contact_form(client, fill(started), files=[screenshot()])
    review = client.get("/contact/review/")

    def no_network(*args, **kwargs):
        raise AssertionError(f"network I/O during the request: {args}")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    response = client.post("/contact/review/", {"submission_key": review.context["submission_key"]})
    monkeypatch.undo()

    assert response.status_code == 302
    [row] = OutboxMessage.objects.all()
    assert row.kind == "email"
    assert row.payload["template"] == "ticket_created"
    assert mail.outbox == []


def test_an_organisation_written_like_a_known_partner_is_matched(client, started):
    partner = factories.PartnerFactory(name="Kenya Water Trust", hub=factories.hub("europe"))
    send_contact_form(client, fill(started, organisation="  kenya WATER   trust ", hub=""))
    submit_review(client)
    ticket = Ticket.objects.get()
    assert ticket.partner == partner
    assert ticket.hub == partner.hub
    assert ticket.organisation_name == ""


def test_an_unknown_organisation_is_recorded_as_written(client, started):
    send_contact_form(client, fill(started, organisation="Lake Basin Cooperative"))
    submit_review(client)
    ticket = Ticket.objects.get()
    assert ticket.partner is None
    assert ticket.organisation_name == "Lake Basin Cooperative"


def test_a_question_needs_only_a_free_description(client, started):
    question = factories.category("question")
    data = fill(
        started,
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
    data = fill(
        started,
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
    data = fill(
        started,
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
    send_contact_form(client, fill(started), files=[screenshot("before.png")])
    form_again = client.get("/contact/")
    page = form_again.content.decode()
    assert 'value="Data export of the household survey stops at 50%"' in page
    assert "A spreadsheet with all 2,300 submissions to download." in page
    assert 'value="356938035643809"' in page
    assert "before.png" in page

    # Change the subject, add a second file: both files are kept.
    send_contact_form(
        client,
        fill(started, subject="Export stops halfway"),
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
    send_contact_form(client, fill(started), files=[screenshot("keep.png"), screenshot("drop.png")])
    draft = portal_services.draft_get(client.session)
    drop = next(held for held in draft.files if held.name == "drop.png")
    response = send_contact_form(client, fill(started, remove_file=drop.id))
    page = response.content.decode()
    assert "drop.png" not in page
    assert "keep.png" in page
    assert 'value="Data export of the household survey stops at 50%"' in page
    send_contact_form(client, fill(started))
    submit_review(client)
    [attachment] = Ticket.objects.get().messages.get().attachments.all()
    assert attachment.original_name == "keep.png"


def test_the_same_review_sent_twice_creates_one_ticket_and_shows_the_same_reference(
    client, started
):
    send_contact_form(client, fill(started), files=[screenshot()])
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


def test_a_filled_honeypot_is_treated_as_spam_without_a_ticket_or_a_reason(client, started):
    response = send_contact_form(client, fill(started, website="http://spam.example"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Thank you, we have received your request" in page
    for reason in ("honeypot", "robot", "too fast"):
        assert reason not in page.lower()
    assert not Ticket.objects.exists()
    assert portal_services.draft_get(client.session) is None


def test_a_form_sent_back_faster_than_a_person_can_type_is_spam(client, settings):
    settings.PORTAL_MIN_FILL_SECONDS = 60
    started = client.get("/contact/").context["form"].initial["started"]
    response = send_contact_form(client, fill(started))
    assert response.status_code == 200
    assert "Thank you, we have received your request" in response.content.decode()
    assert portal_services.draft_get(client.session) is None
    # A forged or missing start time is no better.
    assert send_contact_form(client, fill("forged")).status_code == 200
    assert portal_services.draft_get(client.session) is None


def test_the_form_refuses_posts_without_the_csrf_token(started):
    strict = Client(enforce_csrf_checks=True)
    assert send_contact_form(strict, fill(started)).status_code == 403


def test_too_many_submissions_from_one_address_get_a_friendly_429_that_keeps_the_request(
    client, started, settings
):
    settings.PORTAL_SUBMISSIONS_PER_EMAIL_PER_HOUR = 1
    send_contact_form(client, fill(started))
    submit_review(client)
    send_contact_form(client, fill(started, subject="Second request today"))
    response = submit_review(client)
    page = response.content.decode()
    assert response.status_code == 429
    assert "please try again in an hour" in page
    assert "Second request today" in page
    assert Ticket.objects.count() == 1
    assert portal_services.draft_get(client.session) is not None  # kept for later


def test_too_many_form_posts_from_one_ip_get_a_429_with_what_was_typed(client, started, settings):
    settings.PORTAL_FORM_POSTS_PER_IP_PER_HOUR = 1
    send_contact_form(client, fill(started))
    response = send_contact_form(client, fill(started, subject="Typed before the limit"))
    assert response.status_code == 429
    assert 'value="Typed before the limit"' in response.content.decode()


def test_too_many_submissions_from_one_ip_are_limited_too(client, started, settings):
    settings.PORTAL_SUBMISSIONS_PER_IP_PER_HOUR = 1
    send_contact_form(client, fill(started))
    submit_review(client)
    send_contact_form(client, fill(started, email="someone.else@partner.example.org"))
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
    send_contact_form(client, fill(started))
    assert submit_review(client).status_code == 302
    send_contact_form(client, fill(started))
    assert submit_review(client).status_code == 302
    assert Ticket.objects.count() == 2


def test_abandoned_drafts_are_removed_after_a_day_and_fresh_ones_kept(client, started):
    from datetime import timedelta

    from django.utils import timezone

    send_contact_form(client, fill(started), files=[screenshot()])
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
    send_contact_form(client, fill(started), files=None)  # a draft is held

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
