"""The requester's private ticket page: token only, public thread, replies, solved, reopen."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import timezone

from tests import factories
from tests.portal_helpers import EXE_BYTES, deliver_all, screenshot, upload
from tickets import access, services
from tickets.models import Channel, EventKind, MessageKind, OutboxMessage, Status, Ticket
from tickets.queues.definitions import QUEUES

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket() -> Ticket:
    return services.ticket_create(
        requester_email="kofi@partner.example.org",
        requester_name="Kofi Mensah",
        subject="Indicator results missing on the project page",
        channel=Channel.WEB,
        actual="The results tab is empty since Monday.",
        product=factories.product("akvo-rsr"),
        category=factories.category("bug"),
    )


def page_of(client, ticket: Ticket):
    return client.get(f"/t/{ticket.token}/")


def test_the_requester_sees_status_and_the_public_thread_but_never_internal_notes(
    client, ticket, django_assert_max_num_queries
):
    agent = factories.l1_agent(first_name="Wanjiru", last_name="K")
    services.ticket_add_message(
        ticket=ticket, kind=MessageKind.NOTE, body="Partner is on the old plan", by=agent
    )
    services.ticket_add_message(
        ticket=ticket,
        kind=MessageKind.REPLY,
        body="Could you send a screenshot of the results tab?",
        by=agent,
        attachments=[screenshot("how-to.png")],
    )
    with django_assert_max_num_queries(12):
        response = page_of(client, ticket)
    page = response.content.decode()
    assert response.status_code == 200
    assert ticket.reference in page
    assert "Open" in page
    assert "The results tab is empty since Monday." in page
    assert "Could you send a screenshot of the results tab?" in page
    assert "Wanjiru K, support team" in page
    assert "how-to.png" in page
    assert "Partner is on the old plan" not in page
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_the_page_needs_a_bounded_number_of_queries_however_long_the_thread(
    client, ticket, django_assert_max_num_queries
):
    agent = factories.l1_agent()
    for n in range(15):
        services.ticket_add_message(
            ticket=ticket,
            kind=MessageKind.REPLY,
            body=f"Reply {n}",
            by=agent,
            attachments=[screenshot(f"s{n}.png")],
        )
    with django_assert_max_num_queries(12):
        response = page_of(client, ticket)
    assert response.status_code == 200
    page = response.content.decode()
    for n in range(15):
        assert f"Reply {n}<" in page or f"Reply {n}\n" in page
        assert f"s{n}.png" in page


def test_another_requesters_token_a_number_or_a_near_miss_is_not_found(client, ticket):
    other = factories.TicketFactory()
    assert page_of(client, other).status_code == 200  # their own link works for them
    assert other.reference not in page_of(client, ticket).content.decode()
    for address in (
        f"/t/{ticket.pk}/",
        f"/t/{ticket.reference}/",
        f"/t/{ticket.token[:-1]}/",
        f"/t/{ticket.token[:-1]}{'A' if ticket.token[-1] != 'A' else 'B'}/",
        f"/t/{ticket.token.swapcase()}/",
        f"/t/{ticket.token}x/",
    ):
        assert client.get(address).status_code == 404, address
    assert client.post(f"/t/{ticket.pk}/solved").status_code == 404


def test_token_lookup_compares_the_whole_token_in_constant_time(ticket, monkeypatch):
    import secrets

    compared = []
    real = secrets.compare_digest

    def spy(a, b):
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(access.secrets, "compare_digest", spy)
    assert access.ticket_for_requester(ticket.token) == ticket
    assert compared == [(ticket.token.encode(), ticket.token.encode())]
    assert access.ticket_for_requester(ticket.token[:16] + "A" * 16) is None
    assert access.ticket_for_requester(str(ticket.pk)) is None


def test_the_requester_replies_with_a_file_and_a_waiting_ticket_comes_back_to_the_team(
    client, ticket
):
    services.ticket_change_status(ticket=ticket, status=Status.WAITING, by=factories.l1_agent())
    response = client.post(
        f"/t/{ticket.token}/",
        {"body": "Here is the screenshot 📎", "attachments": [screenshot("results.png")]},
    )
    assert response.status_code == 302
    message = ticket.messages.filter(kind=MessageKind.CUSTOMER).latest("created_at")
    assert message.body == "Here is the screenshot 📎"
    assert message.author_requester == ticket.requester
    [attachment] = message.attachments.all()
    assert attachment.content_type == "image/png"
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    page = page_of(client, ticket).content.decode()
    assert "Thank you, your message was added." in page
    assert "results.png" in page


def test_a_reply_with_a_refused_file_keeps_the_message_typed(client, ticket):
    response = client.post(
        f"/t/{ticket.token}/",
        {"body": "See attached", "attachments": [upload("shot.png", EXE_BYTES)]},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "“shot.png” is a program" in page
    assert "See attached</textarea>" in page
    assert ticket.messages.count() == 1


def test_an_empty_reply_says_what_is_missing(client, ticket):
    response = client.post(f"/t/{ticket.token}/", {"body": "  "})
    assert "Write a message or attach a file." in response.content.decode()


def test_this_is_solved_then_reopen_go_through_the_workflow_and_the_history(client, ticket):
    assert client.post(f"/t/{ticket.token}/solved")["Location"] == f"/t/{ticket.token}/"
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    assert ticket.resolved_at is not None
    page = page_of(client, ticket).content.decode()
    assert "marked your request as solved" in page
    assert "It is not solved: reopen" in page

    client.post(f"/t/{ticket.token}/reopen")
    ticket.refresh_from_db()
    # Never triaged: back to New, where the desk's "New — to triage" finds it.
    assert ticket.status == Status.NEW
    assert ticket.resolved_at is None
    moves = list(
        ticket.events.filter(kind=EventKind.STATUS).values_list(
            "old_value", "new_value", "actor_label"
        )
    )
    requester = str(ticket.requester)
    assert moves == [("New", "Resolved", requester), ("Resolved", "New", requester)]
    assert Ticket.objects.filter(status=Status.NEW, pk=ticket.pk).exists()


def test_a_reopened_untriaged_ticket_keeps_impact_and_assignee_and_no_email_is_sent(ticket):
    agent = factories.l1_agent()
    high = factories.impact()
    services.ticket_change_fields(ticket=ticket, by=agent, changes={"impact": high})
    services.ticket_assign(ticket=ticket, assignee=agent, by=agent)
    services.ticket_requester_mark_solved(ticket=ticket, requester=ticket.requester)
    before = OutboxMessage.objects.count()
    services.ticket_requester_reopen(ticket=ticket, requester=ticket.requester)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.impact, ticket.assignee) == (Status.NEW, high, agent)
    assert ticket in QUEUES["new"].tickets(agent, timezone.now())  # "New — to triage"
    # README ("Email"): reopening from the page sends nothing; the page says it.
    assert OutboxMessage.objects.count() == before


def test_a_triaged_ticket_reopens_to_open_from_the_page_and_by_a_reply(ticket):
    agent = factories.l1_agent()
    services.ticket_change_status(ticket=ticket, status=Status.OPEN, by=agent)
    services.ticket_requester_mark_solved(ticket=ticket, requester=ticket.requester)
    services.ticket_requester_reopen(ticket=ticket, requester=ticket.requester)
    assert Ticket.objects.get(pk=ticket.pk).status == Status.OPEN
    services.ticket_requester_mark_solved(ticket=ticket, requester=ticket.requester)
    services.ticket_add_message(
        ticket=ticket, kind=MessageKind.CUSTOMER, body="Back again.", requester=ticket.requester
    )
    assert Ticket.objects.get(pk=ticket.pk).status == Status.OPEN


def test_a_reply_to_an_untriaged_resolved_ticket_puts_it_back_to_triage_and_says_reopened(
    ticket,
):
    services.ticket_requester_mark_solved(ticket=ticket, requester=ticket.requester)
    services.ticket_add_message(
        ticket=ticket, kind=MessageKind.CUSTOMER, body="Not fixed.", requester=ticket.requester
    )
    assert Ticket.objects.get(pk=ticket.pk).status == Status.NEW
    assert OutboxMessage.objects.filter(payload__template="status_reopened").count() == 1


def test_this_is_solved_is_a_quiet_action_until_staff_have_replied(client, ticket):
    page = page_of(client, ticket).content.decode()
    assert 'class="btn btn-link btn-sm px-0" id="mark-solved"' in page
    services.ticket_add_message(
        ticket=ticket, kind=MessageKind.REPLY, body="Fixed on our side.", by=factories.l1_agent()
    )
    page = page_of(client, ticket).content.decode()
    assert 'class="btn btn-success w-100" id="mark-solved"' in page


def test_solved_and_reopen_are_idempotent_and_only_for_the_requester(ticket):
    other = factories.RequesterFactory()
    with pytest.raises(Exception, match="Only the requester"):
        services.ticket_requester_mark_solved(ticket=ticket, requester=other)
    services.ticket_requester_mark_solved(ticket=ticket, requester=ticket.requester)
    services.ticket_requester_mark_solved(ticket=ticket, requester=ticket.requester)
    assert ticket.events.filter(kind=EventKind.STATUS).count() == 1
    services.ticket_requester_reopen(ticket=ticket, requester=ticket.requester)
    services.ticket_requester_reopen(ticket=ticket, requester=ticket.requester)
    assert ticket.events.filter(kind=EventKind.STATUS).count() == 2


def test_a_closed_ticket_cannot_be_reopened_or_answered_from_the_page(client, ticket):
    services.ticket_change_status(ticket=ticket, status=Status.CLOSED, by=factories.l1_agent())
    page = page_of(client, ticket).content.decode()
    assert "This request is closed." in page
    assert 'id="reply-form"' not in page
    client.post(f"/t/{ticket.token}/reopen")
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert "send a new request" in page_of(client, ticket).content.decode()


def test_attachments_download_only_through_the_token_as_files(client, ticket):
    agent = factories.l1_agent()
    services.ticket_add_message(
        ticket=ticket,
        kind=MessageKind.REPLY,
        body="Guide",
        by=agent,
        attachments=[screenshot("guide.png")],
    )
    note = services.ticket_add_message(
        ticket=ticket,
        kind=MessageKind.NOTE,
        body="internal",
        by=agent,
        attachments=[screenshot("internal.png")],
    )
    public = ticket.messages.get(kind=MessageKind.REPLY).attachments.get()
    response = client.get(f"/t/{ticket.token}/files/{public.pk}")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="guide.png"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "image/png"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")

    hidden = note.attachments.get()
    assert client.get(f"/t/{ticket.token}/files/{hidden.pk}").status_code == 404
    other = factories.TicketFactory()
    assert client.get(f"/t/{other.token}/files/{public.pk}").status_code == 404


def test_a_file_of_an_unexpected_type_is_served_as_an_opaque_download(client, ticket):
    message = ticket.messages.get()
    attachment = services.attachment_add(
        message=message, upload=upload("x.html", b"<p>x</p>", "text/html")
    )
    response = client.get(f"/t/{ticket.token}/files/{attachment.pk}")
    assert response["Content-Type"] == "application/octet-stream"


def test_a_lost_link_is_sent_by_email_without_telling_whether_the_address_has_tickets(
    client, ticket, settings
):
    known = client.post("/t/lost/", {"email": "KOFI@partner.example.org"})
    unknown = client.post("/t/lost/", {"email": "nobody@partner.example.org"})
    assert known.status_code == unknown.status_code == 200
    message = "If we have requests from this address, we have emailed their private links to it."
    assert message in known.content.decode()
    assert message in unknown.content.decode()

    [row] = OutboxMessage.objects.filter(payload__template="ticket_links")
    assert row.payload["to"] == ["kofi@partner.example.org"]
    deliver_all()
    email = next(m for m in mail.outbox if m.subject == "Your support requests")
    assert f"{settings.SITE_URL}/t/{ticket.token}/" in email.body
    # The subject and product tell requests apart; only the requester's own address gets it.
    assert email.to == ["kofi@partner.example.org"]
    assert f"{ticket.reference}: {ticket.subject} (Akvo RSR)" in email.body


def test_the_lost_link_email_escapes_and_shortens_each_subject(client, ticket):
    long_subject = "<script>alert(1)</script> & " + "export " * 30
    other = services.ticket_create(
        requester_email="kofi@partner.example.org",
        requester_name="Kofi Mensah",
        subject=long_subject,
        channel=Channel.WEB,
        description="Second request.",
    )
    someone_else = services.ticket_create(
        requester_email="ama@other.example.org",
        requester_name="Ama",
        subject="Not Kofi's request",
        channel=Channel.WEB,
        description="Elsewhere.",
    )
    mail.outbox.clear()
    OutboxMessage.objects.all().delete()
    client.post("/t/lost/", {"email": "kofi@partner.example.org"})
    deliver_all()
    [email] = mail.outbox
    html_part = email.alternatives[0][0]
    assert email.to == ["kofi@partner.example.org"]
    assert "<script>" not in html_part
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; export" in html_part
    assert long_subject not in email.body
    assert "…" in email.body
    assert other.reference in email.body
    assert ticket.reference in email.body
    assert someone_else.reference not in email.body
    assert "Not Kofi's request" not in email.body


def test_lost_link_requests_are_rate_limited(client, ticket, settings):
    settings.PORTAL_LINK_REQUESTS_PER_HOUR = 1
    client.post("/t/lost/", {"email": "kofi@partner.example.org"})
    response = client.post("/t/lost/", {"email": "kofi@partner.example.org"})
    assert response.status_code == 429
    assert "try again later" in response.content.decode()
    assert OutboxMessage.objects.filter(payload__template="ticket_links").count() == 1


def test_replies_are_rate_limited_per_ticket(client, ticket, settings):
    settings.PORTAL_REPLIES_PER_TICKET_PER_HOUR = 1
    client.post(f"/t/{ticket.token}/", {"body": "first"})
    response = client.post(f"/t/{ticket.token}/", {"body": "second, kept"})
    assert response.status_code == 429
    assert "second, kept</textarea>" in response.content.decode()
    assert ticket.messages.count() == 2


def test_an_empty_reply_does_not_use_up_the_tickets_hourly_replies(client, ticket, settings):
    settings.PORTAL_REPLIES_PER_TICKET_PER_HOUR = 1
    empty = client.post(f"/t/{ticket.token}/", {"body": "  "})
    sent = client.post(f"/t/{ticket.token}/", {"body": "The results are back, thanks."})
    over = client.post(f"/t/{ticket.token}/", {"body": "One more"})

    assert (empty.status_code, sent.status_code, over.status_code) == (200, 302, 429)
    assert "Write a message or attach a file." in empty.content.decode()
    assert ticket.messages.count() == 2


def test_the_acknowledgement_link_opens_this_page(client, ticket, settings):
    deliver_all()
    [ack] = mail.outbox
    link = next(line for line in ack.body.splitlines() if line.startswith(settings.SITE_URL))
    assert client.get(link.removeprefix(settings.SITE_URL)).status_code == 200
