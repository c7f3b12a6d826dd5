"""Escalation on the desk: the forms, who may use them, what the workspace and queues show."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from tests import factories
from tests.desk_helpers import logged_in, ticket_from
from tests.github_factories import REPOSITORY, escalated_ticket, github_rows
from tickets import escalation, services
from tickets.models import EscalationIssue, EscalationStatus, Status, Ticket

pytestmark = pytest.mark.django_db


def url(name: str, ticket: Ticket) -> str:
    return reverse(f"desk:{name}", kwargs={"ticket_id": ticket.pk})


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def test_l1_escalates_from_the_workspace_with_a_technical_summary():
    agent = factories.l1_agent()
    ticket = ticket_from()
    client = logged_in(agent)
    page = client.get(url("ticket", ticket)).content.decode()
    assert 'id="escalate-form"' in page
    assert 'id="link-issue-form"' in page

    data = {"version": fresh(ticket).version, "technical_summary": "Needs a server fix.",
            "include_contact": "on"}  # fmt: skip
    # First the preview of what will be published; nothing is filed yet.
    response = client.post(url("escalate", ticket), {**data, "preview": "1"})
    assert response.status_code == 200
    assert 'id="escalate-preview"' in response.content.decode()
    assert github_rows() == []
    draft = escalation.issue_draft(
        ticket=ticket, summary="Needs a server fix.", include_contact=True
    )
    response = client.post(
        url("escalate", ticket), {**data, "title": draft.title, "body": draft.body}
    )
    assert response.status_code == 302
    ticket = fresh(ticket)
    assert (ticket.status, ticket.escalation_status) == (
        Status.ESCALATED,
        EscalationStatus.ESCALATED,
    )
    [row] = github_rows()
    assert "## Contact" in row.payload["body"]
    page = client.get(url("ticket", ticket)).content.decode()
    assert "Escalation pending" in page
    assert f"being filed in {REPOSITORY}" in page


def test_escalating_without_a_summary_says_so_and_changes_nothing():
    agent = factories.l1_agent()
    ticket = ticket_from()
    version = fresh(ticket).version
    response = logged_in(agent).post(
        url("escalate", ticket), {"version": version, "technical_summary": ""}
    )
    assert response.status_code == 400
    assert "Write a technical summary for L2." in response.content.decode()
    assert fresh(ticket).version == version
    assert github_rows() == []


def test_l2_engineers_see_the_escalation_but_cannot_escalate():
    ticket, issue = escalated_ticket()
    escalation.issue_filed(
        issue=issue, number=7, url=f"https://github.com/{REPOSITORY}/issues/7", title="t"
    )
    other = ticket_from(subject="Another")
    client = logged_in(factories.l2_engineer())
    page = client.get(url("ticket", ticket)).content.decode()
    assert f"{REPOSITORY}#7" in page
    assert 'id="escalate-form"' not in page
    version = fresh(other).version
    assert (
        client.post(
            url("escalate", other), {"version": version, "technical_summary": "x"}
        ).status_code
        == 403
    )
    assert (
        client.post(url("link_issue", other), {"version": version, "issue": "#7"}).status_code
        == 403
    )
    assert fresh(other).escalation_status == EscalationStatus.NONE


def test_link_to_an_existing_issue_from_the_workspace():
    agent = factories.l1_agent()
    ticket = ticket_from()
    client = logged_in(agent)
    bad = client.post(
        url("link_issue", ticket), {"version": fresh(ticket).version, "issue": "nope"}
    )
    assert bad.status_code == 400
    assert "Paste the issue" in bad.content.decode()
    good = client.post(
        url("link_issue", ticket),
        {"version": fresh(ticket).version, "issue": f"https://github.com/{REPOSITORY}/issues/3812"},
    )
    assert good.status_code == 302
    assert EscalationIssue.objects.get().label == f"{REPOSITORY}#3812"
    assert fresh(ticket).escalation_status == EscalationStatus.ESCALATED


def test_queues_show_the_issue_and_what_needs_attention():
    agent = factories.l1_agent()
    _filed, issue = escalated_ticket(agent=agent, subject="Filed one")
    escalation.issue_filed(
        issue=issue, number=12, url=f"https://github.com/{REPOSITORY}/issues/12", title="t"
    )
    _broken, broken_issue = escalated_ticket(agent=agent, subject="Broken one")
    escalation.issue_failed(issue=broken_issue, error="GitHub refused the token")
    page = (
        logged_in(agent).get(reverse("desk:queue", kwargs={"queue": "escalated"})).content.decode()
    )
    assert f"{REPOSITORY}#12" in page
    assert page.count("Escalation pending — needs attention") == 1


def test_after_l2_closes_the_agent_finds_a_draft_update_in_the_reply_box():
    agent = factories.l1_agent()
    ticket, issue = escalated_ticket(agent=agent)
    escalation.issue_filed(
        issue=issue, number=5, url=f"https://github.com/{REPOSITORY}/issues/5", title="t"
    )
    escalation.issue_apply_update(
        escalation.IssueUpdate(REPOSITORY, 5, "closed", state_reason="completed",
                               changed_at=datetime(2030, 1, 1, tzinfo=UTC))
    )  # fmt: skip
    client = logged_in(agent)
    page = client.get(url("ticket", ticket)).content.decode()
    assert 'id="l2-draft-notice"' in page
    assert "Good news: our engineering team has fixed" in page
    assert "L2 resolved — inform the partner" in page
    services.ticket_add_message(ticket=ticket, kind="reply", body="Fixed, please retry.", by=agent)
    page = client.get(url("ticket", ticket)).content.decode()
    assert 'id="l2-draft-notice"' not in page  # sent: the draft is not offered again


def test_the_workspace_of_an_escalated_ticket_stays_within_20_queries(
    django_assert_max_num_queries,
):
    agent = factories.l1_agent()
    ticket, issue = escalated_ticket(agent=agent)
    escalation.issue_filed(
        issue=issue, number=5, url=f"https://github.com/{REPOSITORY}/issues/5", title="t"
    )
    client = logged_in(agent)
    client.get(url("ticket", ticket))
    with django_assert_max_num_queries(20):
        response = client.get(url("ticket", ticket))
    assert response.status_code == 200
    page = response.content.decode()
    assert ticket.reference in page
    assert f"{REPOSITORY}#5" in page


def test_a_queue_of_escalated_tickets_stays_within_12_queries(django_assert_max_num_queries):
    agent = factories.l1_agent()
    for n in range(6):
        _ticket, issue = escalated_ticket(agent=agent, subject=f"Bug {n}")
        escalation.issue_filed(
            issue=issue,
            number=n + 1,
            url=f"https://github.com/{REPOSITORY}/issues/{n + 1}",
            title="t",
        )
    client = logged_in(agent)
    queue = reverse("desk:queue", kwargs={"queue": "escalated"})
    client.get(queue)
    with django_assert_max_num_queries(12):
        response = client.get(queue)
    assert response.content.decode().count(f"{REPOSITORY}#") == 6
