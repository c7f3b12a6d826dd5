"""An integration answers with a screenshot or notes a log: replies and notes with files
through the API, checked as the desk's reply form checks them."""

from __future__ import annotations

import json

import pytest
from django.core import mail

from desk.forms.ticket import ReplyForm
from tests.api_helpers import api_token, bearer
from tests.desk_helpers import deliver_all, mails_to, ticket_from
from tests.portal_helpers import EXE_BYTES, screenshot, upload
from tickets.models import Attachment, Message, MessageKind, OutboxMessage, Status, Ticket

pytestmark = pytest.mark.django_db

REQUESTER = "amina@partner.example.org"
PATHS = {"reply": "replies", "note": "notes"}
LOG = b"2026-05-04 09:12:01 ERROR export job 4411 died at row 5012 (gzip: unexpected end)\n"


@pytest.fixture
def writer():
    return bearer(api_token(("tickets:read", "tickets:write")))


@pytest.fixture
def ticket():
    ticket = ticket_from(REQUESTER, subject="Data export stops at 50%")
    deliver_all()  # the acknowledgement
    mail.outbox.clear()
    return ticket


def version_of(ticket: Ticket) -> str:
    return f'"{Ticket.objects.get(pk=ticket.pk).version}"'


def snapshot(ticket: Ticket) -> tuple:
    fresh = Ticket.objects.get(pk=ticket.pk)
    return (
        fresh.version,
        fresh.status,
        Message.objects.filter(ticket=ticket).count(),
        Attachment.objects.count(),
        OutboxMessage.objects.count(),
    )


def send(client, ticket, what: str, body: dict, files: list, headers: dict, **more):
    """POST …/replies/with-files (what="reply") or …/notes/with-files (what="note")."""
    return client.post(
        f"/api/v1/tickets/{ticket.reference}/{PATHS[what]}/with-files",
        data={what: json.dumps(body), "attachments": files},
        headers=headers | more,
    )


def test_an_agents_integration_answers_with_a_screenshot_the_requester_can_open(
    client, writer, ticket
):
    response = send(
        client,
        ticket,
        "reply",
        {"body": "Here is where the export button moved to."},
        [screenshot("export-button.png")],
        writer,
        **{"If-Match": version_of(ticket)},
    )

    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["kind"] == "reply"
    [listed] = answer["attachments"]
    assert (listed["name"], listed["content_type"]) == ("export-button.png", "image/png")
    assert response["ETag"] == version_of(ticket)
    reply = Message.objects.get(pk=answer["id"])
    assert reply.author_user.username == "flow-bot"
    stored = reply.attachments.get()
    assert (stored.pk, stored.original_name, stored.size) == (
        listed["id"],
        "export-button.png",
        listed["size"],
    )
    assert Ticket.objects.get(pk=ticket.pk).status == Status.WAITING
    # The requester is emailed the reply with their private link, where the file is.
    deliver_all()
    [email] = mails_to(REQUESTER)
    assert "Here is where the export button moved to." in email.body
    assert ticket.token in email.body
    seen = client.get(f"/api/v1/requests/{ticket.token}").json()["messages"][-1]
    assert [a["name"] for a in seen["attachments"]] == ["export-button.png"]
    download = client.get(f"/t/{ticket.token}/files/{stored.pk}")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"\x89PNG")


def test_a_note_with_a_log_file_stays_internal(client, writer, ticket):
    response = send(
        client,
        ticket,
        "note",
        {"body": "Their export log: gzip dies at row 5012."},
        [upload("export.log", LOG, "application/octet-stream")],
        writer,
        **{"If-Match": "*"},
    )

    assert response.status_code == 201, response.content
    note = Message.objects.get(pk=response.json()["id"])
    assert note.kind == MessageKind.NOTE
    log = note.attachments.get()
    # The content decides the type the file is kept and served with, not the client's claim.
    assert (log.original_name, log.content_type) == ("export.log", "text/plain")
    deliver_all()
    assert mails_to(REQUESTER) == []
    thread = client.get(f"/api/v1/requests/{ticket.token}").json()["messages"]
    assert "Their export log" not in json.dumps(thread)
    assert client.get(f"/t/{ticket.token}/files/{log.pk}").status_code == 404
    staff_view = client.get(f"/api/v1/tickets/{ticket.reference}", headers=writer).json()
    assert staff_view["messages"][-1]["attachments"][0]["name"] == "export.log"


def test_a_file_over_the_size_limit_is_a_422_naming_the_part_and_nothing_is_written(
    client, writer, ticket, settings
):
    settings.ATTACHMENT_MAX_BYTES = 1024
    before = snapshot(ticket)

    response = send(
        client,
        ticket,
        "reply",
        {"body": "The full export log is attached."},
        [upload("export.log", LOG * 20, "text/plain")],
        writer,
        **{"If-Match": version_of(ticket)},
    )

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["field"] == "attachments"
    assert "“export.log” is" in error["message"]
    assert "at most 1 KB" in error["message"]
    assert snapshot(ticket) == before


def test_a_program_is_refused_with_the_words_the_desk_uses(client, writer, ticket):
    before = snapshot(ticket)

    response = send(
        client,
        ticket,
        "note",
        {"body": "The partner's tool."},
        [upload("invoice.png", EXE_BYTES)],
        writer,
        **{"If-Match": "*"},
    )

    assert response.status_code == 422
    desk = ReplyForm(
        {"version": 1, "kind": "note", "body": "The partner's tool."},
        {"attachments": [upload("invoice.png", EXE_BYTES)]},
    )
    assert not desk.is_valid()
    assert response.json()["errors"] == [
        {"field": "attachments", "message": message} for message in desk.errors["attachments"]
    ]
    assert snapshot(ticket) == before


def test_more_files_than_the_desk_takes_on_one_message_are_refused(
    client, writer, ticket, settings
):
    settings.ATTACHMENT_MAX_FILES = 2
    before = snapshot(ticket)

    response = send(
        client,
        ticket,
        "reply",
        {"body": "Three screenshots."},
        [screenshot("one.png"), screenshot("two.png"), screenshot("three.png")],
        writer,
        **{"If-Match": version_of(ticket)},
    )

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "attachments"
    assert "at most 2 files" in error["message"]
    assert "three.png" in error["message"]
    assert snapshot(ticket) == before


def test_a_reply_part_that_is_not_a_reply_is_a_422_naming_its_field(client, writer, ticket):
    response = send(
        client, ticket, "reply", {"body": ""}, [screenshot()], writer, **{"If-Match": "*"}
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "reply.body"


def test_a_read_only_token_cannot_reply_with_files(client, ticket):
    reader = bearer(api_token(("tickets:read",)))
    before = snapshot(ticket)

    response = send(
        client,
        ticket,
        "reply",
        {"body": "Hello"},
        [screenshot()],
        reader,
        **{"If-Match": version_of(ticket)},
    )

    assert response.status_code == 403
    assert snapshot(ticket) == before


def test_a_stale_if_match_is_412_and_no_file_is_kept(client, writer, ticket):
    stale = version_of(ticket)
    Ticket.objects.get(pk=ticket.pk).save()  # a colleague changed it meanwhile
    before = snapshot(ticket)

    response = send(
        client,
        ticket,
        "reply",
        {"body": "See the screenshot."},
        [screenshot()],
        writer,
        **{"If-Match": stale},
    )

    assert response.status_code == 412
    assert response["ETag"] == version_of(ticket)
    assert snapshot(ticket) == before


def test_without_if_match_it_is_428_before_the_files_are_looked_at(client, writer, ticket):
    before = snapshot(ticket)

    response = send(client, ticket, "note", {"body": "A program"}, [upload("x.exe", EXE_BYTES)],
                    writer)  # fmt: skip

    assert response.status_code == 428
    assert snapshot(ticket) == before


def test_the_readmes_curl_form_with_a_json_typed_part_is_understood(client, writer, ticket):
    # curl -F 'reply={…};type=application/json' -F attachments=@shot.png sends the JSON part
    # with its own Content-Type, which Django's test client never does.
    boundary = "----curl7f3c2a"
    png = screenshot("shot.png").read()
    body = b"".join(
        [
            f"--{boundary}\r\n".encode(),
            b'Content-Disposition: form-data; name="reply"\r\n',
            b"Content-Type: application/json\r\n\r\n",
            '{"body": "Fixed: the export finishes now 🎉", "then_status": "resolved"}'.encode(),
            f"\r\n--{boundary}\r\n".encode(),
            b'Content-Disposition: form-data; name="attachments"; filename="shot.png"\r\n',
            b"Content-Type: image/png\r\n\r\n",
            png,
            f"\r\n--{boundary}--\r\n".encode(),
        ]
    )

    response = client.post(
        f"/api/v1/tickets/{ticket.reference}/replies/with-files",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers={**writer, "If-Match": version_of(ticket)},
    )

    assert response.status_code == 201, response.content
    assert response.json()["body"] == "Fixed: the export finishes now 🎉"
    assert response.json()["attachments"][0]["name"] == "shot.png"
    assert Ticket.objects.get(pk=ticket.pk).status == Status.RESOLVED
