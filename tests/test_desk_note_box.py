"""The boxes that speak to L2 are never prefilled with the customer draft."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from tests import factories
from tests.desk_helpers import logged_in
from tests.github_factories import REPOSITORY, escalated_ticket
from tickets import escalation
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

DRAFT = "Good news: our engineering team has fixed"


def _textarea(html: str, name: str) -> str:
    found = re.search(rf'<textarea name="{name}"[^>]*>(.*?)</textarea>', html, re.S)
    assert found, name
    return found.group(1)


def _ticket_with_a_customer_draft(agent) -> Ticket:
    ticket, issue = escalated_ticket(agent=agent)
    escalation.issue_filed(
        issue=issue, number=5, url=f"https://github.com/{REPOSITORY}/issues/5", title="t"
    )
    escalation.issue_apply_update(
        escalation.IssueUpdate(REPOSITORY, 5, "closed", state_reason="completed",
                               changed_at=datetime(2030, 1, 1, tzinfo=UTC))
    )  # fmt: skip
    return ticket


def test_the_l2_engineers_note_box_is_empty_while_a_customer_draft_waits_for_l1():
    ticket = _ticket_with_a_customer_draft(factories.l1_agent())
    engineer = factories.l2_engineer()

    html = logged_in(engineer).get(reverse("desk:ticket", args=[ticket.pk])).content.decode()

    assert 'id="reply-heading">Add an internal note' in html
    assert _textarea(html, "body").strip() == ""
    assert DRAFT not in html


def test_l1_finds_the_draft_in_the_reply_box_but_never_in_the_technical_summary_for_l2():
    agent = factories.l1_agent()
    ticket = _ticket_with_a_customer_draft(agent)
    client = logged_in(agent)
    url = reverse("desk:ticket", args=[ticket.pk])

    html = client.get(url).content.decode()
    assert DRAFT in _textarea(html, "body")
    # Marked, so that choosing "Internal note" sets the untouched draft aside (desk.js).
    assert re.search(r'<textarea name="body"[^>]*data-customer-draft', html)
    assert _textarea(html, "technical_summary").strip() == ""

    # A refused reply keeps what the agent typed in the reply box, and only there.
    refused = client.post(
        reverse("desk:reply", args=[ticket.pk]),
        {"version": 999, "kind": "reply", "body": "Dear Amina, my customer draft"},
    )
    page = refused.content.decode()
    assert "my customer draft" in _textarea(page, "body")
    assert _textarea(page, "technical_summary").strip() == ""
