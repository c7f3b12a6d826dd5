"""One check for every file people send us, with the same words wherever it came in."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from desk.forms import ReplyForm as DeskReplyForm
from portal.forms import ReplyForm as PortalReplyForm
from tests import factories
from tests.portal_helpers import (
    EXE_BYTES,
    contact_data,
    png_bytes,
    screenshot,
    send_contact_form,
    upload,
)
from tickets import services
from tickets.models import Attachment, Channel, Ticket
from tickets.uploads import AttachmentsField, check_uploads, limits_text, validate_uploads

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.ATTACHMENT_MAX_BYTES = 10 * MB
    settings.ATTACHMENT_MAX_FILES = 5
    settings.ATTACHMENT_MAX_TOTAL_BYTES = 25 * MB
    settings.PORTAL_MIN_FILL_SECONDS = 0


def video(name: str = "holiday.mp4", size: int = 30 * MB) -> ContentFile:
    return ContentFile(b"\0" * size, name=name)


def test_a_requester_attaching_a_30_mb_video_is_told_the_limit_and_what_they_typed_is_kept(
    client,
):
    started = client.get("/contact/").context["form"].initial["started"]
    data = contact_data(started=started, subject="Sync fails on the Kisumu tablets")
    big = upload("holiday.mp4", b"\0" * (30 * MB), "video/mp4")

    response = send_contact_form(client, data, files=[big])

    assert response.status_code == 200
    assert response.context["form"].errors["attachments"] == [
        "“holiday.mp4” is 30.0 MB; a file can be at most 10.0 MB."
    ]
    page = response.content.decode()
    assert "a file can be at most 10.0 MB" in page
    assert "Sync fails on the Kisumu tablets" in page
    assert not Ticket.objects.exists()


def test_the_same_oversized_file_gets_the_same_words_on_every_door():
    expected = "“holiday.mp4” is 30.0 MB; a file can be at most 10.0 MB."
    ticket = factories.TicketFactory()
    desk = DeskReplyForm(
        data={"version": 1, "kind": "reply", "body": "See attached.", "then_status": "waiting"},
        files={"attachments": [video()]},
    )
    portal = PortalReplyForm(data={"body": "See attached."}, files={"attachments": [video()]})
    assert not desk.is_valid()
    assert not portal.is_valid()
    with pytest.raises(ValidationError) as refused:
        services.ticket_add_message(
            ticket=ticket, kind="customer", body="See attached.", attachments=[video()]
        )

    assert desk.errors["attachments"] == [expected]
    assert portal.errors["attachments"] == [expected]
    assert refused.value.message_dict["attachments"] == [expected]
    assert check_uploads([video()]).errors == [expected]


def test_the_good_files_of_a_batch_are_kept_and_the_refused_ones_named():
    check = check_uploads(
        [
            upload("before.png", png_bytes()),
            upload("setup.exe", EXE_BYTES, "application/octet-stream"),
            video("screen-recording.mov"),
            upload("after.png", png_bytes(color="blue")),
        ]
    )

    assert [checked.name for checked in check.accepted] == ["before.png", "after.png"]
    assert [refusal.names for refusal in check.refusals] == [
        ["setup.exe"],
        ["screen-recording.mov"],
    ]
    assert check.errors[0].startswith("“setup.exe” is a program, which we do not accept.")


def test_a_file_is_typed_by_what_it_contains_not_by_what_the_browser_claimed():
    shot = upload("screenshot.png", png_bytes(), "application/x-msdownload")
    [checked] = check_uploads([shot]).accepted
    assert checked.kind.content_type == "image/png"
    assert shot.content_type == "image/png"


def test_a_picture_named_like_a_picture_but_holding_a_program_is_refused():
    with pytest.raises(ValidationError, match=r"“cat\.png” is a program"):
        validate_uploads([upload("cat.png", EXE_BYTES)])


def test_files_together_over_the_total_are_refused_by_name(settings):
    settings.ATTACHMENT_MAX_TOTAL_BYTES = 10 * 1024
    logs = [upload(f"log{n}.txt", b"line\n" * 900, "text/plain") for n in range(1, 4)]

    check = check_uploads(logs)

    assert [checked.name for checked in check.accepted] == ["log1.txt", "log2.txt"]
    assert check.errors == [
        "Together the files would be over 10 KB, the most one message can carry. "
        "Not attached: log3.txt."
    ]


def test_too_many_files_keep_the_first_ones_and_the_rest_are_not_even_opened(settings):
    settings.ATTACHMENT_MAX_FILES = 2

    class Unreadable(io.BytesIO):
        name = "third.png"

        def read(self, *args):
            raise AssertionError("a file past the count is not read")

    check = check_uploads([screenshot("first.png"), screenshot("second.png"), Unreadable()])

    assert [checked.name for checked in check.accepted] == ["first.png", "second.png"]
    assert check.errors == [
        "Too many files: a message can carry at most 2 files. Not attached: third.png."
    ]


def test_files_a_draft_already_holds_count_towards_the_limits(settings):
    settings.ATTACHMENT_MAX_FILES = 3
    check = check_uploads([screenshot("a.png"), screenshot("b.png")], held=2)
    assert [checked.name for checked in check.accepted] == ["a.png"]
    assert check.refusals[0].names == ["b.png"]


def test_the_email_intake_may_keep_more_files_than_a_form_but_sizes_hold_everywhere():
    files = [upload(f"s{n}.png", png_bytes()) for n in range(8)]
    assert len(check_uploads(files, max_count=10).accepted) == 8
    assert check_uploads([video()], max_count="any").errors


def test_a_request_with_one_refused_file_opens_no_ticket_and_stores_nothing():
    with pytest.raises(ValidationError, match=r"holiday\.mp4"):
        services.ticket_create(
            requester_email="amina@partner.example.org",
            subject="Export stops at 50%",
            channel=Channel.EMAIL,
            description="The export stops; log and recording attached.",
            attachments=[upload("log.txt", b"fine\n", "text/plain"), video()],
        )
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()


def test_the_file_input_says_what_may_be_attached_and_follows_the_settings(settings):
    settings.ATTACHMENT_MAX_FILES = 3
    settings.ATTACHMENT_MAX_BYTES = 2 * MB
    field = AttachmentsField()
    assert str(field.help_text) == limits_text()
    assert "up to 3 files of at most 2.0 MB each" in str(field.help_text)
    assert field.widget.allow_multiple_selected
    assert ".png" in field.widget.attrs["accept"]
