"""The ticket page as the data grows: its query budget, a long thread's newest part,
catalog names as they are now, and L2's draft judged on the whole thread."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.desk_helpers import logged_in, png, ticket_from
from tests.github_factories import escalated_ticket
from tickets import services
from tickets.models import CannedResponse, EscalationLink, Ticket

pytestmark = pytest.mark.django_db


def url(name: str, ticket: Ticket) -> str:
    return reverse(f"desk:{name}", kwargs={"ticket_id": ticket.pk})


@pytest.mark.parametrize("messages", [2, 40])
def test_the_workspace_costs_at_most_20_queries_whatever_the_thread(
    messages, django_assert_max_num_queries
):
    agent = factories.l1_agent()
    ticket = ticket_from(subject="Long story")
    ticket_from(subject="Another from the same requester")
    for n in range(messages):
        services.ticket_add_message(
            ticket=ticket,
            kind="reply" if n % 2 else "note",
            body=f"Message {n}",
            by=agent,
            attachments=[png(f"shot{n}.png")],
        )
        services.ticket_add_message(ticket=ticket, kind="customer", body=f"Answer {n}")
    CannedResponse.objects.create(title="Thanks", body="Thanks {{ requester.first_name }}")
    client = logged_in(agent)
    client.get(url("ticket", ticket))

    with django_assert_max_num_queries(20):
        response = client.get(url("ticket", ticket) + "?from=all%3Fq%3Dstory%26sort%3Dimpact")
    assert response.status_code == 200
    page = response.content.decode()
    thread = ticket.messages.all()
    assert len(thread) == 1 + 2 * messages
    for message in thread:
        assert f'id="message-{message.pk}"' in page
    assert f"shot{messages - 1}.png" in page


def test_a_long_thread_shows_its_newest_part_and_links_to_the_whole(monkeypatch):
    monkeypatch.setattr("tickets.workspace.THREAD_LIMIT", 4)
    monkeypatch.setattr("desk.views.ticket.THREAD_LIMIT", 4)
    agent = factories.l1_agent()
    ticket = ticket_from(subject="Long story")
    for n in range(5):
        services.ticket_add_message(ticket=ticket, kind="customer", body=f"Answer {n}")
    client = logged_in(agent)
    thread = list(ticket.messages.order_by("created_at", "id"))

    page = client.get(url("ticket", ticket) + "?from=all").content.decode()
    assert page.count('id="message-') + page.count('id="event-') == 4
    assert f'id="message-{thread[0].pk}"' not in page
    assert f'id="message-{thread[-1].pk}"' in page
    assert "Only the newest 4 messages and events are shown." in page
    assert 'href="?thread=all&amp;from=all" id="thread-all"' in page

    whole = client.get(url("ticket", ticket) + "?thread=all&from=all").content.decode()
    assert all(f'id="message-{m.pk}"' in whole for m in thread)
    assert 'id="thread-earlier"' not in whole


def test_the_header_shows_catalog_names_changed_a_moment_ago_and_retired_ones():
    agent = factories.l1_agent()
    ticket = ticket_from(subject="Renamed", impact=factories.impact("significant"))
    client = logged_in(agent)
    client.get(url("ticket", ticket))  # the catalog is now kept by this process
    impact, product = factories.impact("significant"), factories.product("akvo-flow")
    impact.name, impact.is_active = "Serious", False
    impact.save()
    product.name = "Akvo Flow (classic)"
    product.save()

    page = client.get(url("ticket", ticket)).content.decode()
    assert f'<span class="badge impact-{impact.level}">Serious</span>' in page
    assert "Akvo Flow (classic)" in page


def test_a_public_reply_before_the_shown_part_of_a_long_thread_still_retires_l2s_draft(
    monkeypatch,
):
    monkeypatch.setattr("tickets.workspace.THREAD_LIMIT", 2)
    agent = factories.l1_agent()
    ticket, _issue = escalated_ticket(agent=agent)
    link = EscalationLink.objects.get(ticket=ticket)
    link.draft_reply, link.draft_created_at = "Dear Amina, L2 fixed it.", timezone.now()
    link.save()
    client = logged_in(agent)
    assert "L2 fixed it" in client.get(url("ticket", ticket)).content.decode()

    services.ticket_add_message(ticket=ticket, kind="reply", body="Fixed, see above.", by=agent)
    for n in range(3):  # the reply is no longer among the thread's shown part
        services.ticket_add_message(ticket=ticket, kind="customer", body=f"Thanks {n}")
    page = client.get(url("ticket", ticket)).content.decode()
    assert 'id="thread-earlier"' in page
    assert "L2 fixed it" not in page
