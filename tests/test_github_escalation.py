"""Escalation rules (tickets.escalation): what goes to L2, and what L2's news does to tickets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import factories
from tests.desk_helpers import ticket_from
from tests.github_factories import REPOSITORY, escalated_ticket, github_rows
from tickets import escalation, services
from tickets.models import (
    EscalationIssue,
    EscalationLink,
    EscalationStatus,
    IssueState,
    Message,
    MessageKind,
    OutboxMessage,
    Status,
    Ticket,
)
from tickets.outbox_kinds import OutboxKind

pytestmark = pytest.mark.django_db


def snapshot(ticket: Ticket) -> tuple:
    ticket = Ticket.objects.get(pk=ticket.pk)
    return (
        ticket.status,
        ticket.escalation_status,
        ticket.version,
        Message.objects.filter(ticket=ticket).count(),
        OutboxMessage.objects.filter(kind__startswith="github").count(),
        EscalationIssue.objects.count(),
    )


def test_escalating_needs_a_technical_summary_and_changes_nothing_without_one():
    ticket = ticket_from()
    before = snapshot(ticket)
    with pytest.raises(ValidationError) as refused:
        services.ticket_escalate(ticket=ticket, by=factories.l1_agent(), technical_summary="  ")
    assert "technical summary" in str(refused.value)
    assert snapshot(ticket) == before


def test_l2_engineers_may_read_but_not_escalate_or_link():
    ticket = ticket_from()
    before = snapshot(ticket)
    engineer = factories.l2_engineer()
    with pytest.raises(PermissionDenied):
        services.ticket_escalate(ticket=ticket, by=engineer, technical_summary="Needs a fix.")
    with pytest.raises(PermissionDenied):
        services.ticket_link_issue(ticket=ticket, by=engineer, reference="#12")
    assert snapshot(ticket) == before


def test_a_product_without_a_repository_cannot_be_filed_but_can_be_linked():
    other = factories.product("akvo-flow")
    other.github_repository = ""
    other.save()
    ticket = ticket_from()
    with pytest.raises(ValidationError) as refused:
        services.ticket_escalate(ticket=ticket, by=factories.l1_agent(), technical_summary="x")
    assert "no GitHub repository" in str(refused.value)
    issue = services.ticket_link_issue(
        ticket=ticket, by=factories.l1_agent(), reference="akvo/akvo-rsr#77"
    )
    assert issue.label == "akvo/akvo-rsr#77"


def test_escalation_hands_the_ticket_to_l2_and_writes_one_issue_row_built_from_the_report():
    agent = factories.l1_agent()
    ticket = ticket_from(
        email="amina@partner.example.org",
        name="Amina Odhiambo",
        subject="Data export stops at 50%",
        what_doing=(
            "Exporting the household survey; Amina Odhiambo here, write to "
            "amina@partner.example.org"
        ),
        expected="A CSV file",
        actual="The progress bar stops at 50% @l2-team ```",
        steps="1. Open the survey\n2. Export",
        impact=factories.impact("significant"),
        product_details={"instance": "akvoflow-42"},
        environment={"computer_browser": "Firefox 120"},
        attachments=[SimpleUploadedFile("log.txt", b"stack trace", content_type="text/plain")],
    )
    issue = services.ticket_escalate(
        ticket=ticket, by=agent, technical_summary="Export worker dies on **large** surveys."
    )

    ticket.refresh_from_db()
    assert (ticket.status, ticket.escalation_status) == (
        Status.ESCALATED,
        EscalationStatus.ESCALATED,
    )
    assert (issue.state, issue.repository, issue.number) == (IssueState.PENDING, REPOSITORY, None)
    assert EscalationLink.objects.get(ticket=ticket).issue == issue
    [row] = github_rows()
    assert row.key == f"github_issue:{issue.pk}"
    payload = row.payload
    assert payload["title"] == f"{ticket.reference}: Data export stops at 50%"
    assert payload["labels"] == ["support", "bug", "impact:significant", "hub:east-africa"]
    body = payload["body"]
    assert f"[{ticket.reference}](http://127.0.0.1:8000/desk/tickets/{ticket.pk}/)" in body
    assert "## Technical summary\n\nExport worker dies on **large** surveys." in body
    assert "### What they were doing" in body
    assert "### What they expected" in body
    assert "### What actually happened" in body
    assert "### Steps to reproduce" in body
    assert "Instance: akvoflow-42" in body or "instance: akvoflow-42" in body
    assert "Computer and browser: Firefox 120" in body
    assert "log.txt (text/plain, 11 bytes)" in body
    # No contact details: neither the address nor the name, even where the requester typed them.
    assert "amina@partner.example.org" not in body
    assert "Amina Odhiambo" not in body
    assert "[name]" in body
    assert "[email]" in body
    # What the requester typed is quoted as code, with a fence longer than any inside it.
    assert "````text\nThe progress bar stops at 50% @l2-team ```\n````" in body
    note = Message.objects.filter(ticket=ticket, kind=MessageKind.NOTE).last()
    assert note is not None
    assert "Export worker dies" in note.body


def test_contact_details_go_in_only_when_the_agent_ticks_the_box():
    ticket = ticket_from(email="amina@partner.example.org", name="Amina Odhiambo")
    services.ticket_escalate(
        ticket=ticket, by=factories.l1_agent(), technical_summary="x", include_contact=True
    )
    body = github_rows()[0].payload["body"]
    assert "## Contact\n\n```text\nAmina Odhiambo <amina@partner.example.org>" in body


def test_contact_details_pasted_into_the_technical_summary_stay_out_without_the_box():
    ticket = ticket_from(email="amina@partner.example.org", name="Amina Odhiambo")
    services.ticket_escalate(
        ticket=ticket,
        by=factories.l1_agent(),
        technical_summary="Amina Odhiambo (amina@partner.example.org) sees it daily. @l2-lead",
    )
    body = github_rows()[0].payload["body"]
    assert "## Technical summary\n\n[name] ([email]) sees it daily. @l2-lead" in body
    assert "amina@partner.example.org" not in body
    assert "Odhiambo" not in body


def test_an_escalated_ticket_is_not_escalated_twice_while_its_issue_is_fine():
    ticket, _issue = escalated_ticket()
    before = snapshot(ticket)
    with pytest.raises(ValidationError):
        services.ticket_escalate(ticket=ticket, by=factories.l1_agent(), technical_summary="again")
    assert snapshot(ticket) == before


def test_a_stale_form_is_refused():
    from tickets.services import StaleTicket

    ticket = ticket_from()
    with pytest.raises(StaleTicket):
        services.ticket_escalate(
            ticket=ticket,
            by=factories.l1_agent(),
            technical_summary="x",
            expected_version=ticket.version - 1 if ticket.version > 1 else 999,
        )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://github.com/akvo/akvo-flow/issues/3812", ("akvo/akvo-flow", 3812)),
        ("https://github.com/Akvo/Akvo-Flow/issues/3812#issuecomment-1", ("akvo/akvo-flow", 3812)),
        ("akvo/akvo-rsr#12", ("akvo/akvo-rsr", 12)),
        ("#12", (REPOSITORY, 12)),
        ("12", (REPOSITORY, 12)),
    ],
)
def test_issue_references_as_agents_paste_them(text, expected):
    assert escalation.parse_issue_reference(text, REPOSITORY) == expected


@pytest.mark.parametrize("text", ["", "issue twelve", "https://example.org/x", "a/b#0", "#12#"])
def test_what_is_not_an_issue_reference_is_refused_with_a_message(text):
    with pytest.raises(ValidationError) as refused:
        escalation.parse_issue_reference(text, REPOSITORY)
    assert refused.value.message_dict


def test_many_tickets_follow_one_issue_and_an_unknown_one_is_read_from_github():
    agent = factories.l1_agent()
    first, second = ticket_from(subject="A"), ticket_from(subject="B")
    issue = services.ticket_link_issue(ticket=first, by=agent, reference="#3812")
    same = services.ticket_link_issue(ticket=second, by=agent, reference=f"{REPOSITORY}#3812")
    assert same == issue
    assert set(issue.links.values_list("ticket_id", flat=True)) == {first.pk, second.pk}
    assert Ticket.objects.get(pk=second.pk).escalation_status == EscalationStatus.ESCALATED
    # The issue was unknown: one read-back row (from the first link only).
    assert len(github_rows(OutboxKind.GITHUB_ISSUE_SYNC)) == 1


def _filed(issue: EscalationIssue, number: int = 41) -> EscalationIssue:
    return escalation.issue_filed(
        issue=issue,
        number=number,
        url=f"https://github.com/{REPOSITORY}/issues/{number}",
        title="t",
    )


def test_an_l2_comment_becomes_an_internal_note_on_every_linked_ticket_once():
    agent = factories.l1_agent()
    ticket, issue = escalated_ticket(agent=agent)
    issue = _filed(issue)
    other = ticket_from(subject="Same bug")
    services.ticket_link_issue(ticket=other, by=agent, reference="#41")
    comment = escalation.L2Comment(
        repository="Akvo/Akvo-Flow", number=41, comment_id=555, author="dev", body="Found it."
    )

    assert escalation.issue_apply_comment(comment) == 2
    assert escalation.issue_apply_comment(comment) == 0  # replay or reconcile: nothing more
    for each in (ticket, other):
        notes = Message.objects.filter(
            ticket=each, kind=MessageKind.NOTE, body__contains="Found it."
        )
        assert notes.count() == 1
        assert "L2 comment by @dev on akvo/akvo-flow#41" in notes.get().body
    alerts = OutboxMessage.objects.filter(kind="slack_alert", payload__event="l2_update")
    assert alerts.count() == 2


def test_closing_the_issue_hands_every_ticket_back_to_l1_tells_the_agent_and_drafts_an_update():
    agent = factories.l1_agent(email="ruth@support.example.org")
    ticket, issue = escalated_ticket(agent=agent)
    services.ticket_assign(ticket=ticket, assignee=agent, by=agent)
    _filed(issue)
    closed_at = datetime(2030, 1, 2, 3, 4, tzinfo=UTC)
    update = escalation.IssueUpdate(
        repository=REPOSITORY, number=41, state="closed", state_reason="completed",
        changed_at=closed_at, actor="dev",
    )  # fmt: skip

    [_moved] = escalation.issue_apply_update(update)
    assert escalation.issue_apply_update(update) == []  # the same news twice changes nothing

    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.escalation_status == EscalationStatus.L2_RESOLVED
    assert ticket.get_escalation_status_display() == "L2 resolved — inform the partner"
    issue.refresh_from_db()
    assert (issue.state, issue.state_changed_at) == (IssueState.CLOSED, closed_at)
    [email] = OutboxMessage.objects.filter(kind="email", payload__template="l2_update")
    assert email.payload["to"] == ["ruth@support.example.org"]
    link = EscalationLink.objects.get(ticket=ticket)
    assert link.draft_reply.startswith("Hello Amina,")
    assert "fixed" in link.draft_reply
    assert "github" not in link.draft_reply.lower()
    assert OutboxMessage.objects.filter(kind="slack_alert", payload__event="l2_update").count() == 1


def test_older_news_does_not_undo_newer_and_a_reopen_puts_the_ticket_back_with_l2():
    ticket, issue = escalated_ticket()
    _filed(issue)
    closed = datetime(2030, 1, 2, tzinfo=UTC)
    escalation.issue_apply_update(
        escalation.IssueUpdate(REPOSITORY, 41, "closed", changed_at=closed)
    )
    stale = escalation.IssueUpdate(REPOSITORY, 41, "open", changed_at=closed - timedelta(hours=1))
    assert escalation.issue_apply_update(stale) == []
    assert Ticket.objects.get(pk=ticket.pk).escalation_status == EscalationStatus.L2_RESOLVED

    reopened = escalation.IssueUpdate(REPOSITORY, 41, "open", changed_at=closed + timedelta(days=1))
    [_moved] = escalation.issue_apply_update(reopened)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.escalation_status) == (
        Status.ESCALATED,
        EscalationStatus.ESCALATED,
    )


def test_a_reopen_delivered_before_the_close_it_follows_keeps_the_tickets_with_l2():
    """GitHub does not promise order: "reopened" (newer) may arrive before "closed" (older)."""
    ticket, issue = escalated_ticket()
    _filed(issue)
    closed = datetime(2030, 1, 2, tzinfo=UTC)
    reopened = escalation.IssueUpdate(
        REPOSITORY, 41, "open", changed_at=closed + timedelta(minutes=5)
    )
    late_close = escalation.IssueUpdate(REPOSITORY, 41, "closed", changed_at=closed)

    assert escalation.issue_apply_update(reopened) == []  # still open here: nothing moves
    assert escalation.issue_apply_update(late_close) == []  # older than the reopen: ignored

    ticket.refresh_from_db()
    assert (ticket.status, ticket.escalation_status) == (
        Status.ESCALATED,
        EscalationStatus.ESCALATED,
    )
    issue.refresh_from_db()
    assert issue.state == IssueState.OPEN
    assert not OutboxMessage.objects.filter(payload__event="l2_update").exists()
    assert not OutboxMessage.objects.filter(kind="email", payload__template="l2_update").exists()


def test_news_about_an_issue_nobody_follows_is_ignored():
    assert escalation.issue_apply_update(escalation.IssueUpdate(REPOSITORY, 999, "closed")) == []
    comment = escalation.L2Comment(REPOSITORY, 999, 1, "dev", "hi")
    assert escalation.issue_apply_comment(comment) == 0


def test_linking_to_an_issue_l2_already_closed_hands_the_ticket_straight_back():
    _first, issue = escalated_ticket()
    _filed(issue)
    escalation.issue_apply_update(escalation.IssueUpdate(REPOSITORY, 41, "closed"))
    late = ticket_from(subject="Me too")
    services.ticket_link_issue(ticket=late, by=factories.l1_agent(), reference="#41")
    late.refresh_from_db()
    assert (late.status, late.escalation_status) == (Status.OPEN, EscalationStatus.L2_RESOLVED)


def test_a_failed_escalation_needs_attention_and_may_be_filed_again():
    agent = factories.l1_agent()
    ticket, issue = escalated_ticket(agent=agent)
    escalation.issue_failed(issue=issue, error="GitHub refused the token")
    issue.refresh_from_db()
    assert issue.needs_attention
    assert issue.get_state_display() == "Escalation pending — needs attention"
    again = services.ticket_escalate(ticket=ticket, by=agent, technical_summary="Second try")
    assert again != issue
    assert EscalationLink.objects.get(ticket=ticket).issue == again
    assert Ticket.objects.get(pk=ticket.pk).escalation_status == EscalationStatus.ESCALATED
