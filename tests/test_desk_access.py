"""Who reaches the desk, and bad input: every refusal is clear and changes nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import factories
from tests.desk_helpers import logged_in, png, ticket_from
from tickets.models import Attachment, MessageKind, OutboxMessage, Status, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def url(name: str, ticket: Ticket) -> str:
    return reverse(f"desk:{name}", kwargs={"ticket_id": ticket.pk})


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def snapshot(ticket: Ticket) -> tuple:
    ticket = fresh(ticket)
    return (
        ticket.version,
        ticket.status,
        ticket.category_id,
        ticket.impact_id,
        ticket.assignee_id,
        sorted(ticket.issue_tags.values_list("pk", flat=True)),
        ticket.messages.count(),
        TicketEvent.objects.filter(ticket=ticket).count(),
        OutboxMessage.objects.count(),
    )


def desk_urls(ticket: Ticket) -> list[str]:
    return [
        reverse("desk:home"),
        reverse("desk:queue", kwargs={"queue": "all"}),
        url("ticket", ticket),
        reverse("desk:log_ticket"),
    ]


def test_an_anonymous_visitor_is_sent_to_the_login_page_and_sees_no_data(client):
    ticket = ticket_from(subject="Secret subject")
    for address in desk_urls(ticket):
        response = client.get(address)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
        assert "Secret subject" not in response.content.decode()
    response = client.post(url("reply", ticket), {"kind": "note", "body": "hi", "version": 1})
    assert response.status_code == 302
    assert fresh(ticket).messages.count() == 1


def test_a_requester_logged_in_gets_a_404_never_data():
    ticket = ticket_from(subject="Secret subject")
    requester_login = factories.UserFactory(is_staff=False)
    client = logged_in(requester_login)
    for address in desk_urls(ticket):
        response = client.get(address)
        assert response.status_code == 404
        assert b"Secret subject" not in response.content
    before = snapshot(ticket)
    assert client.post(url("triage", ticket), {"status": "closed"}).status_code == 404
    assert snapshot(ticket) == before


def test_staff_without_a_role_are_told_they_have_no_desk_role():
    response = logged_in(factories.UserFactory()).get(
        reverse("desk:queue", kwargs={"queue": "new"})
    )
    assert response.status_code == 403
    assert b"no role on the desk" in response.content


def test_an_l2_engineer_reads_and_adds_notes_but_cannot_triage_or_reply_publicly():
    l2 = factories.l2_engineer()
    ticket = ticket_from()
    client = logged_in(l2)

    page = client.get(url("ticket", ticket))
    assert page.status_code == 200
    assert b'id="triage-form"' not in page.content
    assert b"Public reply" not in page.content.split(b'id="reply-form"')[1]

    before = snapshot(ticket)
    response = client.post(
        url("triage", ticket),
        {"version": fresh(ticket).version, "impact": factories.impact("critical").pk,
         "status": "open"},
    )  # fmt: skip
    assert response.status_code == 403
    assert b"cannot change a ticket&#x27;s triage fields" in response.content
    response = client.post(
        url("reply", ticket),
        {"version": fresh(ticket).version, "kind": "reply", "body": "Hello customer"},
    )
    assert response.status_code == 403
    for action in ("assign_me", "merge", "escalate"):
        assert (
            client.post(url(action, ticket), {"version": fresh(ticket).version}).status_code == 403
        )
    bulk = client.post(reverse("desk:bulk"), {"action": "close", "selected": [f"{ticket.pk}:1"]})
    assert bulk.status_code == 403
    assert snapshot(ticket) == before

    note = client.post(
        url("reply", ticket), {"version": fresh(ticket).version, "kind": "note", "body": "Seen."}
    )
    assert note.status_code == 302
    assert fresh(ticket).messages.filter(kind=MessageKind.NOTE, author_user=l2).exists()


def test_a_manager_can_do_what_l1_does():
    manager = factories.support_manager()
    ticket = ticket_from()
    client = logged_in(manager)
    response = client.post(
        url("reply", ticket),
        {"version": fresh(ticket).version, "kind": "reply", "body": "Hello", "resolve": "1"},
    )
    assert response.status_code == 302
    assert fresh(ticket).status == Status.RESOLVED


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing():
    agent = factories.l1_agent()
    ticket = ticket_from()
    client = logged_in(agent, enforce_csrf_checks=True)
    before = snapshot(ticket)
    for name, data in (
        ("reply", {"version": fresh(ticket).version, "kind": "reply", "body": "Hi"}),
        ("triage", {"version": fresh(ticket).version, "status": "closed"}),
        ("assign_me", {"version": fresh(ticket).version}),
    ):
        assert client.post(url(name, ticket), data).status_code == 403
    assert snapshot(ticket) == before


def test_an_oversized_attachment_is_refused_the_text_is_kept_and_nothing_is_stored(settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    agent = factories.l1_agent()
    ticket = ticket_from()
    before = snapshot(ticket)
    big = SimpleUploadedFile("export.csv", b"a,b\n" * 1000, content_type="text/csv")

    response = logged_in(agent).post(
        url("reply", ticket),
        {"version": fresh(ticket).version, "kind": "reply", "body": "See the attached file.",
         "attachments": [big]},
    )  # fmt: skip

    assert response.status_code == 400
    html = response.content.decode()
    assert "export.csv" in html
    assert "at most" in html
    assert "See the attached file." in html
    assert snapshot(ticket) == before
    assert not Attachment.objects.exists()


def test_a_program_disguised_as_a_screenshot_is_refused():
    agent = factories.l1_agent()
    ticket = ticket_from()
    fake = SimpleUploadedFile(
        "screenshot.png", b"MZ\x90\x00" + b"\x00" * 64, content_type="image/png"
    )
    response = logged_in(agent).post(
        url("reply", ticket),
        {"version": fresh(ticket).version, "kind": "note", "body": "x", "attachments": [fake]},
    )
    assert response.status_code == 400
    assert not Attachment.objects.exists()


def test_forged_ids_are_refused_clearly():
    agent = factories.l1_agent()
    ticket = ticket_from()
    client = logged_in(agent)
    assert client.get("/desk/tickets/999999/").status_code == 404
    assert client.get(f"/desk/tickets/{ticket.pk}/attachments/999999/").status_code == 404
    before = snapshot(ticket)
    base = {
        "version": fresh(ticket).version,
        "status": ticket.status,
        "category": "",
        "impact": "",
        "product": "",
        "assignee": "",
    }
    for forged in (
        {"impact": "999999"},
        {"category": "bug"},
        {"tags": ["999999"]},
        {"assignee": str(factories.UserFactory(is_staff=False).pk)},
        {"status": "escalated"},  # escalation has its own button
        {"version": "not-a-number"},
    ):
        response = client.post(url("triage", ticket), {**base, **forged})
        assert response.status_code == 400, forged
        assert b'id="triage-errors"' in response.content
    response = client.post(
        url("reply", ticket),
        {"version": fresh(ticket).version, "kind": "reply", "body": "x", "canned": "424242"},
    )
    assert response.status_code == 400
    assert b"canned response does not exist" in response.content
    response = client.post(
        reverse("desk:bulk"),
        {"action": "assign", "assignee": "777777", "selected": [f"{ticket.pk}:1"]},
    )
    assert response.status_code == 302
    assert snapshot(ticket) == before


def test_a_reply_with_nothing_in_it_is_refused():
    agent = factories.l1_agent()
    ticket = ticket_from()
    before = snapshot(ticket)
    response = logged_in(agent).post(
        url("reply", ticket), {"version": fresh(ticket).version, "kind": "reply", "body": "  "}
    )
    assert response.status_code == 400
    assert b"Write a message or attach a file." in response.content
    assert snapshot(ticket) == before


def test_attachments_are_served_to_staff_only_as_downloads():
    agent = factories.l1_agent()
    ticket = ticket_from(attachments=[png("shot.png")])
    attachment = Attachment.objects.get()
    address = reverse(
        "desk:attachment", kwargs={"ticket_id": ticket.pk, "attachment_id": attachment.pk}
    )
    assert address == f"/desk/tickets/{ticket.pk}/attachments/{attachment.pk}/"
    response = logged_in(agent).get(address)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert logged_in(factories.UserFactory(is_staff=False)).get(address).status_code == 404


def test_an_attachment_is_served_only_through_the_ticket_it_belongs_to():
    agent = factories.l1_agent()
    ticket = ticket_from(attachments=[png("shot.png")])
    other = ticket_from()
    attachment = Attachment.objects.get()
    client = logged_in(agent)

    assert client.get(f"/desk/tickets/{other.pk}/attachments/{attachment.pk}/").status_code == 404
    assert client.get(f"/desk/tickets/999999/attachments/{attachment.pk}/").status_code == 404
    assert client.get(f"/desk/attachments/{attachment.pk}/").status_code == 404
    assert client.get(f"/desk/tickets/{ticket.pk}/attachments/{attachment.pk}/").status_code == 200


def test_the_workspace_links_attachments_through_their_ticket():
    agent = factories.l1_agent()
    ticket = ticket_from(attachments=[png("shot.png")])
    attachment = Attachment.objects.get()

    page = logged_in(agent).get(f"/desk/tickets/{ticket.pk}/").content.decode()

    assert f'href="/desk/tickets/{ticket.pk}/attachments/{attachment.pk}/"' in page
