"""Contact Us: a person fills in the form and sends it; support gets a full ticket."""

from __future__ import annotations

import socket

import pytest
from django.core import mail

from portal import services as portal_services
from tests import factories
from tests.portal_helpers import (
    contact_data,
    deliver_all,
    only_mail,
    screenshot,
    send_contact_form,
    submit_review,
)
from tickets.models import Channel, EventKind, MessageKind, OutboxMessage, Ticket
from tickets.templatetags.sla_promises import hub_time

pytestmark = pytest.mark.django_db


def test_the_home_page_leads_to_contact_us(client):
    page = client.get("/").content.decode()
    assert 'href="/contact/"' in page
    assert "Contact Us" in page
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
        client,
        contact_data(
            started=started, product=lumen.pk, subject="Chart is empty", show_product_fields="1"
        ),
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
    response = send_contact_form(client, contact_data(started=started), files=[screenshot()])
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
    send_contact_form(client, contact_data(started=started, name="Win a prize at spam.example"))
    submit_review(client)
    ticket = Ticket.objects.get()
    assert mail.outbox == []  # the request only wrote an outbox row
    deliver_all()

    email = only_mail()
    link = f"{settings.SITE_URL}/t/{ticket.token}/"
    assert email.to == ["amina@partner.example.org"]
    assert email.subject == f"[{ticket.reference}] We received your support request"
    assert ticket.reference in email.body
    ticket.refresh_from_db()
    assert f"answer by {hub_time(ticket.first_response_due_at, ticket.hub)}." in email.body
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
    send_contact_form(client, contact_data(started=started), files=[screenshot()])
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
    send_contact_form(
        client, contact_data(started=started, organisation="  kenya WATER   trust ", hub="")
    )
    submit_review(client)
    ticket = Ticket.objects.get()
    assert ticket.partner == partner
    assert ticket.hub == partner.hub
    assert ticket.organisation_name == ""


def test_an_unknown_organisation_is_recorded_as_written(client, started):
    send_contact_form(client, contact_data(started=started, organisation="Lake Basin Cooperative"))
    submit_review(client)
    ticket = Ticket.objects.get()
    assert ticket.partner is None
    assert ticket.organisation_name == "Lake Basin Cooperative"
