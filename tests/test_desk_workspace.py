"""The ticket workspace: an L1 agent triages, replies, notes, resolves, uses canned responses,
merges duplicates; stale saves are refused without losing anything; the page stays cheap."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.desk_helpers import deliver_all, logged_in, mails_to, png, ticket_from
from tickets import services
from tickets.models import (
    CannedResponse,
    EventKind,
    MessageKind,
    OutboxMessage,
    Status,
    Ticket,
    TicketEvent,
)

pytestmark = pytest.mark.django_db


def url(name: str, ticket: Ticket) -> str:
    return reverse(f"desk:{name}", kwargs={"ticket_id": ticket.pk})


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def triage_data(ticket: Ticket, **changes) -> dict:
    ticket = fresh(ticket)
    data = {
        "version": ticket.version,
        "category": ticket.category_id or "",
        "impact": ticket.impact_id or "",
        "product": ticket.product_id or "",
        "tags": [t.pk for t in ticket.issue_tags.all()],
        "assignee": ticket.assignee_id or "",
        "status": ticket.status,
    }
    data["loaded"] = urlencode(
        [(k, v) for k in ("category", "impact", "product", "tags", "assignee", "status")
         for v in (data[k] if k == "tags" else [data[k]])]
    )  # fmt: skip
    data.update(changes)
    return data


def test_an_l1_agent_triages_a_new_bug_in_one_step_and_history_says_who_did_what():
    agent = factories.l1_agent(first_name="Wanjiru", last_name="Kamau")
    ticket = ticket_from(category=None)
    client = logged_in(agent)

    response = client.post(
        url("triage", ticket),
        triage_data(
            ticket,
            category=factories.category("bug").pk,
            impact=factories.impact("significant").pk,
            tags=[factories.issue_tag("data-export").pk, factories.issue_tag("user-management").pk],
            assignee=agent.pk,
            status=Status.OPEN,
        ),
    )

    assert response.status_code == 302
    ticket = fresh(ticket)
    assert ticket.category.slug == "bug"
    assert ticket.impact.slug == "significant"
    assert sorted(t.slug for t in ticket.issue_tags.all()) == ["data-export", "user-management"]
    assert ticket.assignee == agent
    assert ticket.status == Status.OPEN
    events = TicketEvent.objects.filter(ticket=ticket, actor=agent)
    assert {e.kind for e in events} == {
        EventKind.FIELD,
        EventKind.TAGS,
        EventKind.ASSIGNEE,
        EventKind.STATUS,
    }
    assert all(e.actor_label == "Wanjiru Kamau" for e in events)


def test_the_workspace_shows_the_header_thread_kinds_and_impact_definitions():
    agent = factories.l1_agent()
    ticket = ticket_from(subject="Export stuck", received_at=timezone.now() - timedelta(hours=3))
    services.ticket_add_message(ticket=ticket, kind="reply", body="We are looking.", by=agent)
    services.ticket_add_message(ticket=ticket, kind="note", body="Probably the queue.", by=agent)
    services.ticket_add_message(ticket=ticket, kind="customer", body="Still stuck.")
    response = logged_in(agent).get(url("ticket", ticket))

    html = response.content.decode()
    assert ticket.reference in html
    assert "Export stuck" in html
    assert "amina@partner.example.org" in html
    assert "Akvo Flow" in html
    assert "Contact Us form" in html
    assert 'class="card mb-2 desk-message desk-message-note"' in html  # notes look different
    assert "Internal note" in html
    assert "Public reply" in html
    assert "Customer" in html
    assert "The production application is down" in html  # Critical's definition, from the data
    assert "Status: New → Open" in html  # history events in the thread


def test_a_public_reply_is_emailed_and_the_ticket_waits_on_the_customer():
    agent = factories.l1_agent()
    ticket = ticket_from()
    deliver_all()
    mail.outbox.clear()
    client = logged_in(agent)

    response = client.post(
        url("reply", ticket),
        {
            "version": fresh(ticket).version,
            "kind": "reply",
            "body": "Please try the export again; we fixed the queue.",
            "then_status": "waiting",
            "attachments": [png("how-to.png")],
        },
    )

    assert response.status_code == 302
    ticket = fresh(ticket)
    assert ticket.status == Status.WAITING
    assert ticket.first_responded_at is not None
    reply = ticket.messages.get(kind=MessageKind.REPLY)
    assert reply.attachments.get().original_name == "how-to.png"
    deliver_all()
    [email] = mails_to("amina@partner.example.org")
    assert "Please try the export again" in email.body


def test_an_internal_note_is_never_emailed_and_changes_no_status():
    l2 = factories.l2_engineer()
    ticket = ticket_from()
    rows_before = OutboxMessage.objects.count()
    response = logged_in(l2).post(
        url("reply", ticket),
        {"version": fresh(ticket).version, "kind": "note", "body": "Looks like a known bug."},
    )
    assert response.status_code == 302
    assert fresh(ticket).status == Status.NEW
    assert fresh(ticket).messages.filter(kind=MessageKind.NOTE).count() == 1
    assert OutboxMessage.objects.count() == rows_before


def test_resolve_with_a_reply_is_one_step_and_a_requester_reply_reopens():
    agent = factories.l1_agent()
    ticket = ticket_from()
    response = logged_in(agent).post(
        url("reply", ticket),
        {
            "version": fresh(ticket).version,
            "kind": "reply",
            "body": "Fixed in today's release.",
            "then_status": "waiting",
            "resolve": "1",
        },
    )
    assert response.status_code == 302
    ticket = fresh(ticket)
    assert ticket.status == Status.RESOLVED
    assert ticket.messages.filter(kind=MessageKind.REPLY).count() == 1

    services.ticket_add_message(ticket=ticket, kind="customer", body="It is back again.")
    assert fresh(ticket).status == Status.OPEN


def test_resolve_with_reply_is_all_or_nothing():
    agent = factories.l1_agent()
    ticket = ticket_from()
    services.ticket_change_status(ticket=ticket, status=Status.CLOSED, by=agent)
    outbox_before = OutboxMessage.objects.count()
    with pytest.raises(Exception, match="closed"):
        services.ticket_reply(
            ticket=ticket,
            by=agent,
            kind=MessageKind.REPLY,
            body="Done.",
            expected_version=fresh(ticket).version,
            then_status=Status.RESOLVED,
        )
    assert fresh(ticket).messages.filter(kind=MessageKind.REPLY).count() == 0
    assert OutboxMessage.objects.count() == outbox_before


def test_a_canned_response_fills_placeholders_and_applies_its_field_changes():
    agent = factories.l1_agent(first_name="Wanjiru")
    ticket = ticket_from(name="Amina Odhiambo", category=None)
    canned = CannedResponse.objects.create(
        title="How to export",
        body="Hello {{ requester.first_name }}, about {{ ticket.reference }}: see the guide. "
        "{{ agent.first_name }} {{ requester.__class__ }}",
        set_status=Status.RESOLVED,
        set_category=factories.category("question"),
    )
    rendered = services.canned_render(canned, ticket=ticket, agent=agent)
    # Only the listed placeholders are filled; anything else stays as written.
    assert rendered == (
        f"Hello Amina, about {ticket.reference}: see the guide. "
        "Wanjiru {{ requester.__class__ }}"
    )
    client = logged_in(agent)
    page = client.get(url("ticket", ticket)).content.decode()
    assert "How to export" in page
    assert "Hello Amina" in page

    response = client.post(
        url("reply", ticket),
        {
            "version": fresh(ticket).version,
            "kind": "reply",
            "body": rendered,
            "then_status": "waiting",
            "canned": canned.pk,
        },
    )
    assert response.status_code == 302
    ticket = fresh(ticket)
    assert ticket.status == Status.RESOLVED
    assert ticket.category.slug == "question"


def test_a_duplicate_is_merged_messages_move_and_its_requester_is_told():
    agent = factories.l1_agent()
    survivor = ticket_from("amina@partner.example.org", subject="Export stops at 50%")
    duplicate = ticket_from("amina@partner.example.org", subject="Export broken again")
    services.ticket_add_message(ticket=duplicate, kind="customer", body="Any news?")
    deliver_all()
    mail.outbox.clear()
    client = logged_in(agent)

    response = client.post(
        url("merge", duplicate), {"version": fresh(duplicate).version, "into": survivor.reference}
    )

    assert response.status_code == 302
    assert response["Location"] == url("ticket", survivor)
    duplicate, survivor = fresh(duplicate), fresh(survivor)
    assert duplicate.merged_into == survivor
    assert duplicate.status == Status.CLOSED
    bodies = list(survivor.messages.values_list("body", flat=True))
    assert "Any news?" in bodies
    assert any(duplicate.reference in body for body in bodies)  # the system event says so
    assert TicketEvent.objects.filter(ticket=duplicate, kind=EventKind.MERGED).exists()
    assert TicketEvent.objects.filter(
        ticket=survivor, kind=EventKind.MERGED, new_value=duplicate.reference
    ).exists()
    deliver_all()
    [email] = mails_to("amina@partner.example.org")
    assert survivor.reference in email.subject
    assert survivor.token in email.body  # same requester: the link to follow it


def test_a_merge_into_a_missing_or_the_same_ticket_is_refused_and_nothing_changes():
    agent = factories.l1_agent()
    ticket = ticket_from()
    client = logged_in(agent)
    for into in ("HD-999999", ticket.reference, "not a ticket"):
        response = client.post(
            url("merge", ticket), {"version": fresh(ticket).version, "into": into}
        )
        assert response.status_code == 400
        assert fresh(ticket).merged_into is None
        assert fresh(ticket).status == Status.NEW


def test_another_agents_stale_triage_is_refused_with_a_clear_message():
    first, second = factories.l1_agent(first_name="Aisha"), factories.l1_agent()
    ticket = ticket_from()
    loaded = triage_data(ticket)  # both agents open the ticket
    logged_in(first).post(
        url("triage", ticket), {**loaded, "impact": factories.impact("critical").pk}
    )

    response = logged_in(second).post(
        url("triage", ticket), {**loaded, "impact": factories.impact("low").pk}
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert "was changed by Aisha" in html
    assert "not saved" in html
    assert response.context["tried"] == ["Impact: Low"]  # only what this agent changed
    assert "What you tried to set: Impact: Low" in html
    assert fresh(ticket).impact.slug == "critical"  # the earlier save stands


def test_a_stale_reply_is_refused_but_its_text_is_kept_and_can_be_sent_again():
    first, second = factories.l1_agent(), factories.l1_agent()
    ticket = ticket_from()
    version = fresh(ticket).version
    services.ticket_assign(ticket=ticket, assignee=first, by=first)  # meanwhile
    client = logged_in(second)

    response = client.post(
        url("reply", ticket),
        {"version": version, "kind": "reply", "body": "My careful answer.", "then_status": "open"},
    )

    assert response.status_code == 409
    assert "My careful answer." in response.content.decode()
    assert fresh(ticket).messages.filter(kind=MessageKind.REPLY).count() == 0
    form = response.context["reply_form"]
    assert int(form["version"].value()) == fresh(ticket).version
    again = client.post(
        url("reply", ticket),
        {"version": form["version"].value(), "kind": "reply", "body": "My careful answer."},
    )
    assert again.status_code == 302
    assert fresh(ticket).messages.filter(kind=MessageKind.REPLY).count() == 1


def test_every_service_change_moves_the_version_on():
    agent = factories.l1_agent()
    ticket = ticket_from()
    versions = [fresh(ticket).version]
    services.ticket_assign(ticket=ticket, assignee=agent, by=agent)
    versions.append(fresh(ticket).version)
    services.ticket_set_issue_tags(ticket=ticket, tags=[factories.issue_tag()], by=agent)
    versions.append(fresh(ticket).version)
    services.ticket_add_message(ticket=ticket, kind="note", body="hm", by=agent)
    versions.append(fresh(ticket).version)
    assert versions == sorted(set(versions))


def test_assign_to_me_and_escalate_from_the_workspace():
    agent = factories.l1_agent()
    ticket = ticket_from()
    client = logged_in(agent)
    client.post(url("assign_me", ticket), {"version": fresh(ticket).version})
    assert fresh(ticket).assignee == agent
    data = {"version": fresh(ticket).version, "technical_summary": "Needs a server change."}
    preview = client.post(url("escalate", ticket), {**data, "preview": "1"})
    assert fresh(ticket).status != Status.ESCALATED  # a preview files nothing
    form = preview.context["escalate_form"]
    client.post(
        url("escalate", ticket),
        {**data, "title": form["title"].value(), "body": form["body"].value()},
    )
    assert fresh(ticket).status == Status.ESCALATED
    assert fresh(ticket).escalation_status == "escalated"


def test_next_and_previous_follow_the_queue_the_ticket_was_opened_from():
    agent = factories.l1_agent()
    first, second, third = (ticket_from(subject=f"T{n}") for n in range(3))
    client = logged_in(agent)
    response = client.get(url("ticket", second) + "?from=all%3Fsort%3Dcreated")
    assert response.context["previous_id"] == first.pk
    assert response.context["next_id"] == third.pk
