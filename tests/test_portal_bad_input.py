"""Bad input on Contact Us: a clear message next to the field, and nothing typed is lost."""

from __future__ import annotations

import html

import pytest
from django.core import mail

from portal import services as portal_services
from tests import factories
from tests.portal_helpers import (
    EXE_BYTES,
    HTML_BYTES,
    SVG_BYTES,
    contact_data,
    deliver_all,
    docx_bytes,
    only_mail,
    png_bytes,
    screenshot,
    send_contact_form,
    submit_review,
    upload,
)
from tickets import services
from tickets.models import MessageKind, Ticket

pytestmark = pytest.mark.django_db

TYPED_SUBJECT = "Sync fails on the Kisumu tablets"


@pytest.fixture(autouse=True)
def _defaults(settings):
    settings.PORTAL_MIN_FILL_SECONDS = 0


@pytest.fixture
def started(client):
    return client.get("/contact/").context["form"].initial["started"]


def refused(client, started, files=None, **overrides):
    """Send the form with one thing wrong; return the re-rendered page's text and form."""
    response = send_contact_form(
        client, contact_data(started=started, subject=TYPED_SUBJECT) | overrides, files=files
    )
    assert response.status_code == 200, "a refused form is shown again, not redirected"
    assert not Ticket.objects.exists()
    return response.content.decode(), response.context["form"]


def assert_typed_values_kept(page: str) -> None:
    assert "A spreadsheet with all 2,300 submissions to download." in page
    assert 'value="356938035643809"' in page
    assert 'value="Amina Odhiambo"' in page


def test_missing_required_fields_are_each_named(client, started):
    page, form = refused(client, started, name="", email="", product="", category="")
    assert set(form.errors) >= {"name", "email", "product", "category"}
    assert "This field is required." in page
    # Errors sit next to their field and are announced with it.
    assert 'id="id_email_error"' in page
    assert 'aria-describedby="id_email_helptext id_email_error"' in page
    assert 'aria-invalid="true"' in page
    assert "Please check the fields marked below. Everything you typed is kept." in page
    assert "A spreadsheet with all 2,300 submissions to download." in page


def test_an_invalid_email_address_is_refused_with_the_value_kept(client, started):
    page, form = refused(client, started, email="amina@@partner")
    assert form.errors["email"] == ["Enter a valid email address."]
    assert 'value="amina@@partner"' in page
    assert_typed_values_kept(page)


def test_a_line_break_in_the_subject_is_refused(client, started):
    page, form = refused(client, started, subject="Export fails\r\nBcc: victim@example.org")
    assert form.errors["subject"] == ["Keep this to one line: it contains a line break."]
    assert_typed_values_kept(page)


def test_a_ten_thousand_character_subject_is_refused_with_its_length(client, started):
    page, form = refused(client, started, subject="x" * 10_000)
    assert form.errors["subject"] == [
        "Ensure this value has at most 200 characters (it has 10000)."
    ]
    assert "x" * 10_000 in page  # still there to shorten, not cut off
    assert_typed_values_kept(page)


def test_a_nul_byte_is_refused_with_a_clear_message(client, started):
    page, form = refused(client, started, actual="It stops\x00 at 50%")
    assert form.errors["actual"] == [
        "This text contains an invisible null character (\\0); please remove it and try again."
    ]
    assert_typed_values_kept(page)


def test_a_file_over_the_size_limit_is_refused_by_name(client, started, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    big = upload("export.csv", b"a,b\n" * 1000, "text/csv")
    page, form = refused(client, started, files=[big])
    [error] = form.errors["attachments"]
    assert error.startswith("“export.csv” is ")
    assert "a file can be at most" in error
    assert "a file can be at most" in page
    assert_typed_values_kept(page)


def test_too_many_files_are_refused_and_the_first_ones_kept(client, started, settings):
    settings.ATTACHMENT_MAX_FILES = 2
    files = [screenshot(f"shot{n}.png") for n in range(1, 4)]
    page, form = refused(client, started, files=files)
    assert form.errors["attachments"] == [
        "Too many files: a message can carry at most 2 files. Not attached: shot3.png."
    ]
    held = portal_services.draft_get(client.session).files
    assert [f.name for f in held] == ["shot1.png", "shot2.png"]
    assert "shot1.png" in page
    assert "shot2.png" in page


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (EXE_BYTES, "“invoice.png” is a program, which we do not accept."),
        (HTML_BYTES, "“invoice.png” is a web page, which we do not accept."),
        (
            SVG_BYTES,
            "“invoice.png” is an SVG drawing (it can carry scripts), which we do not accept.",
        ),
    ],
    ids=["exe", "html", "svg"],
)
def test_files_renamed_to_png_are_judged_by_their_content(client, started, content, message):
    page, form = refused(client, started, files=[upload("invoice.png", content)])
    [error] = form.errors["attachments"]
    assert error.startswith(message)
    assert "We accept screenshots (PNG, JPEG, GIF, WebP)" in error
    assert html.escape(message, quote=False) in page or message in page
    assert portal_services.draft_get(client.session).files == []
    assert_typed_values_kept(page)


def test_a_good_file_is_held_even_when_another_field_needs_fixing(client, started):
    page, form = refused(
        client, started, files=[screenshot("proof.png"), upload("evil.png", EXE_BYTES)], email="x"
    )
    assert "email" in form.errors
    assert "attachments" in form.errors
    assert [f.name for f in portal_services.draft_get(client.session).files] == ["proof.png"]
    assert "proof.png" in page


SCRIPT = '<script>alert("x")</script>'


def test_script_tags_in_every_field_are_shown_as_text_on_pages_and_in_emails(client, started):
    text_fields = {
        name: f"{name} {SCRIPT}"
        for name in (
            "name",
            "organisation",
            "subject",
            "description",
            "what_doing",
            "expected",
            "actual",
            "steps",
            "pd_dashboard",
            "pd_survey",
            "pd_imei",
            "env_computer",
            "env_device",
            "env_app_version",
            "env_dashboard",
        )
    }
    response = send_contact_form(
        client, contact_data(started=started, confirm_incomplete="1") | text_fields
    )
    assert response.status_code == 302
    review = client.get("/contact/review/").content.decode()
    form_again = client.get("/contact/?resume=1").content.decode()
    submit_review(client)
    ticket = Ticket.objects.get()
    assert ticket.subject == f"subject {SCRIPT}"  # stored exactly as typed
    ticket_page = client.get(f"/t/{ticket.token}/").content.decode()
    agent = factories.l1_agent()
    services.ticket_add_message(
        ticket=ticket, kind=MessageKind.REPLY, body=f"We see {SCRIPT}", by=agent
    )
    with_reply = client.get(f"/t/{ticket.token}/").content.decode()
    deliver_all()

    escaped = html.escape(SCRIPT)
    for page in (review, form_again, ticket_page, with_reply):
        assert SCRIPT not in page
        assert escaped in page
    ack, reply = mail.outbox
    for email in (ack, reply):
        assert SCRIPT not in email.alternatives[0][0]
    assert SCRIPT not in ack.body  # the acknowledgement carries nothing typed at all
    assert f"We see {SCRIPT}" in reply.body  # plain text is plain text
    assert html.escape(f"We see {SCRIPT}") in reply.alternatives[0][0]


def test_emoji_right_to_left_and_cjk_text_are_kept_intact(client, started):
    typed = {
        "name": "Ngozi 👩🏾‍💻 محمد 李小龙",
        "subject": "Export 📦 فشل التصدير 导出失败",
        "actual": "الرسم البياني فارغ — 图表是空的 🙈",
        "pd_survey": "調査 2026 ✅",
    }
    assert send_contact_form(client, contact_data(started=started) | typed).status_code == 302
    review = client.get("/contact/review/").content.decode()
    submit_review(client)
    ticket = Ticket.objects.get()
    assert ticket.subject == typed["subject"]
    assert ticket.requester.name == typed["name"]
    assert ticket.actual == typed["actual"]
    assert ticket.product_details["survey"] == typed["pd_survey"]
    page = client.get(f"/t/{ticket.token}/").content.decode()
    for value in (typed["subject"], typed["actual"]):
        assert value in review
        assert value in page
    assert '<html lang="en">' in page
    assert 'charset="utf-8"' in page


def test_the_acknowledgement_to_an_unverified_address_relays_nothing(client, started):
    spam = "Cheap pills at http://spam.example"
    send_contact_form(
        client,
        contact_data(started=started, name=spam, subject=spam, actual=spam, description=spam),
    )
    submit_review(client)
    deliver_all()
    email = only_mail()
    for part in (email.subject, email.body, email.alternatives[0][0]):
        assert "spam.example" not in part
        assert "Cheap pills" not in part


def test_allowed_files_of_every_kind_are_accepted(client, started):
    files = [
        screenshot("screen.png"),
        upload("report.docx", docx_bytes(), "application/octet-stream"),
        upload("log.txt", "Ошибка: timeout ⏱\n".encode(), "text/plain"),
        upload(
            "report.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "application/pdf"
        ),
    ]
    assert send_contact_form(client, contact_data(started=started), files=files).status_code == 302
    submit_review(client)
    types = dict(
        Ticket.objects.get().messages.get().attachments.values_list("original_name", "content_type")
    )
    assert types == {
        "screen.png": "image/png",
        "report.docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "log.txt": "text/plain",
        "report.pdf": "application/pdf",
    }


def test_png_bytes_named_jpg_are_a_mismatch(client, started):
    _page, form = refused(client, started, files=[upload("photo.jpg", png_bytes())])
    assert form.errors["attachments"] == [
        "“photo.jpg” is named like a JPG file but it is a PNG image. "
        "Rename it or send the original file."
    ]
