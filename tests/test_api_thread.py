"""The staff tickets API, a ticket's whole thread and its files: an integration walks a long
thread page by page, and downloads the files it lists, as an agent would on the desk."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api.models import ApiToken
from tests import factories
from tests.api_helpers import api_token, bearer
from tests.desk_helpers import png, ticket_from
from tickets import services
from tickets.models import Attachment, EventKind, Message, MessageKind, TicketEvent
from tickets.workspace import ticket_thread

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader():
    return bearer(api_token(("tickets:read",)))


def grow_thread(ticket, total: int) -> None:
    """Messages and history until the thread has ``total`` items. A third of them share one
    instant, as a batch of mails fetched at once and the changes they caused would."""
    have = Message.objects.filter(ticket=ticket).count()
    have += TicketEvent.objects.filter(ticket=ticket).exclude(kind=EventKind.MESSAGE).count()
    start, burst = timezone.now() + timedelta(minutes=1), timezone.now() + timedelta(hours=1)
    for n in range(total - have):
        at = burst if n % 3 == 0 else start + timedelta(seconds=n)
        if n % 2:
            TicketEvent.objects.create(
                ticket=ticket, kind=EventKind.STATUS, field="status", old_value="open",
                new_value="waiting", actor_label="Amina", created_at=at,
            )  # fmt: skip
        else:
            kind = (MessageKind.CUSTOMER, MessageKind.REPLY, MessageKind.NOTE)[n % 3]
            factories.MessageFactory(ticket=ticket, kind=kind, body=f"Message {n}", created_at=at)


def thread_order(ticket) -> list[tuple[str, int]]:
    """The thread's order, spelled out: by time, a message before an event of the same
    instant, then by id; the "message added" events are not items (the message is)."""
    messages = [(m.created_at, 0, m.pk, "message") for m in Message.objects.filter(ticket=ticket)]
    events = [
        (e.created_at, 1, e.pk, "event")
        for e in TicketEvent.objects.filter(ticket=ticket).exclude(kind=EventKind.MESSAGE)
    ]
    return [(kind, pk) for _at, _rank, pk, kind in sorted(messages + events)]


def walk(client, url: str, headers) -> tuple[list[dict], int]:
    items, pages = [], 0
    while url:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.content
        items += response.json()["items"]
        url, pages = response.json()["next"], pages + 1
    return items, pages


def keys(items: list[dict]) -> list[tuple[str, int]]:
    return [(item["type"], item[item["type"]]["id"]) for item in items]


def test_an_integration_pages_through_a_120_item_thread_and_gets_every_item_once_in_order(
    client, reader
):
    ticket = ticket_from(subject="Export stops at 50%")
    grow_thread(ticket, 120)
    expected = thread_order(ticket)
    assert len(expected) == 120
    assert expected == [(item["type"], item["id"]) for item in ticket_thread(ticket)[0]]

    items, pages = walk(client, f"/api/v1/tickets/{ticket.reference}/thread?limit=7", reader)
    assert keys(items) == expected
    assert pages == 18  # 17 pages of 7, one of 1

    newest_first, _pages = walk(
        client, f"/api/v1/tickets/{ticket.reference}/thread?order=newest&limit=11", reader
    )
    assert keys(newest_first) == expected[::-1]


def test_the_ticket_read_says_its_thread_is_cut_and_where_the_whole_of_it_is(client, reader):
    ticket = ticket_from(subject="Export stops at 50%")
    grow_thread(ticket, 120)

    read = client.get(f"/api/v1/tickets/{ticket.reference}", headers=reader).json()

    assert read["thread_truncated"] is True
    assert len(read["messages"]) + len(read["events"]) == 100
    assert read["thread_url"] == f"http://testserver/api/v1/tickets/{ticket.reference}/thread"
    items, _pages = walk(client, read["thread_url"] + "?limit=200", reader)
    assert len(items) == 120


def test_thread_items_are_the_messages_and_events_the_ticket_read_shows(client, reader):
    agent = factories.l1_agent()
    ticket = ticket_from(subject="Export stops at 50%")
    services.ticket_reply(ticket=ticket, by=agent, kind=MessageKind.NOTE, body="Looks like #412")

    read = client.get(f"/api/v1/tickets/{ticket.reference}", headers=reader).json()
    page = client.get(f"/api/v1/tickets/{ticket.reference}/thread", headers=reader).json()

    assert [i["message"] for i in page["items"] if i["type"] == "message"] == read["messages"]
    assert [i["event"] for i in page["items"] if i["type"] == "event"] == read["events"]
    assert page["next"] is None
    assert read["thread_truncated"] is False


def test_a_thread_page_costs_the_same_number_of_queries_whatever_its_size(
    client, reader, django_assert_num_queries
):
    ticket = ticket_from(subject="Export stops at 50%", attachments=[png("first.png")])
    grow_thread(ticket, 60)
    for message in Message.objects.filter(ticket=ticket, body__in=["Message 2", "Message 4"]):
        services.attachment_add(message=message, upload=png(f"{message.pk}.png"))
    address = f"/api/v1/tickets/{ticket.reference}/thread"
    client.get(f"{address}?limit=5", headers=reader)  # the token's last use, noted once

    with CaptureQueriesContext(connection) as small:
        assert len(client.get(f"{address}?limit=5", headers=reader).json()["items"]) == 5
    with django_assert_num_queries(len(small)):
        page = client.get(f"{address}?limit=50", headers=reader).json()
    assert len(page["items"]) == 50
    assert sum(len(i["message"]["attachments"]) for i in page["items"] if "message" in i) == 3


@pytest.mark.parametrize("cursor", ["not-a-cursor", "WyJ5ZXN0ZXJkYXkiLDAsMV0", "WzEsMiwzXQ"])
def test_a_forged_thread_cursor_is_a_400(client, reader, cursor):
    ticket = ticket_from()

    response = client.get(
        f"/api/v1/tickets/{ticket.reference}/thread?cursor={cursor}", headers=reader
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "cursor"


def test_a_note_file_downloads_byte_exact_with_its_name_and_safe_headers(client, reader):
    agent = factories.l1_agent()
    ticket = ticket_from(subject="Export stops at 50%")
    content = "2026-03-02 10:14 Export hängt bei Zeile 5000\n".encode() * 200
    services.ticket_reply(
        ticket=ticket, by=agent, kind=MessageKind.NOTE, body="Server log attached",
        attachments=[SimpleUploadedFile("Protokoll März.txt", content, "text/plain")],
    )  # fmt: skip

    read = client.get(f"/api/v1/tickets/{ticket.reference}", headers=reader).json()
    [listed] = read["messages"][-1]["attachments"]
    response = client.get(listed["url"], headers=reader)

    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body == content
    assert hashlib.sha256(body).hexdigest() == listed["sha256"]
    assert response["Content-Type"] == "text/plain"
    assert response["Content-Length"] == str(len(content)) == str(listed["size"])
    assert response["Content-Disposition"] == (
        "attachment; filename=\"Protokoll Marz.txt\"; filename*=UTF-8''Protokoll%20M%C3%A4rz.txt"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert listed["url"] == (
        f"http://testserver/api/v1/tickets/{ticket.reference}/attachments/{listed['id']}"
    )


def test_the_requesters_screenshot_downloads_as_the_desk_serves_it(client, reader):
    ticket = ticket_from(attachments=[png("shot.png")])
    attachment = Attachment.objects.get()
    with attachment.file.open("rb") as stored:
        stored_bytes = stored.read()
    client.force_login(factories.l1_agent())
    on_desk = client.get(f"/desk/tickets/{ticket.pk}/attachments/{attachment.pk}/")
    client.logout()

    response = client.get(
        f"/api/v1/tickets/{ticket.reference}/attachments/{attachment.pk}", headers=reader
    )

    assert b"".join(response.streaming_content) == stored_bytes
    for header in ("Content-Type", "Content-Length", "Content-Disposition",
                   "X-Content-Type-Options", "Content-Security-Policy"):  # fmt: skip
        assert response[header] == on_desk[header]
    assert response["Content-Disposition"] == (
        "attachment; filename=\"shot.png\"; filename*=UTF-8''shot.png"
    )


def test_another_tickets_file_is_the_same_404_problem_as_a_missing_one(client, reader):
    ticket = ticket_from(subject="Export stops at 50%")
    other = ticket_from(subject="Someone else's export", attachments=[png("theirs.png")])
    theirs = Attachment.objects.get(message__ticket=other)
    address = f"/api/v1/tickets/{ticket.reference}/attachments"

    through_another = client.get(f"{address}/{theirs.pk}", headers=reader)
    missing = client.get(f"{address}/{theirs.pk + 1000}", headers=reader)

    assert through_another.status_code == missing.status_code == 404
    assert through_another["Content-Type"] == missing["Content-Type"] == "application/problem+json"
    assert through_another.json()["detail"] == f"{ticket.reference} has no file {theirs.pk}."
    assert through_another.json()["type"] == missing.json()["type"]
    assert (
        client.get(
            f"/api/v1/tickets/{other.reference}/attachments/{theirs.pk}", headers=reader
        ).status_code
        == 200
    )


def test_a_file_gone_from_storage_is_a_404_not_a_server_error(client, reader):
    ticket = ticket_from(attachments=[png("shot.png")])
    attachment = Attachment.objects.get()
    attachment.file.storage.delete(attachment.file.name)

    response = client.get(
        f"/api/v1/tickets/{ticket.reference}/attachments/{attachment.pk}", headers=reader
    )

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("what", ["thread", "attachment"])
def test_a_knowledge_base_token_may_not_read_threads_or_files(client, what):
    ticket = ticket_from(attachments=[png("shot.png")])
    attachment = Attachment.objects.get()
    kb_only = bearer(api_token(("kb:read",)))
    address = f"/api/v1/tickets/{ticket.reference}/" + (
        "thread" if what == "thread" else f"attachments/{attachment.pk}"
    )

    response = client.get(address, headers=kb_only)

    assert response.status_code == 403
    assert response.json()["type"] == "/api/v1/problems/forbidden"


@pytest.mark.parametrize("what", ["thread", "attachment"])
def test_an_expired_token_reads_no_thread_and_no_file(client, what):
    ticket = ticket_from(attachments=[png("shot.png")])
    attachment = Attachment.objects.get()
    token = bearer(api_token(("tickets:read",)))
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    address = f"/api/v1/tickets/{ticket.reference}/" + (
        "thread" if what == "thread" else f"attachments/{attachment.pk}"
    )

    response = client.get(address, headers=token)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith('Bearer realm="api"')
