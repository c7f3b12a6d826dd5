"""L2 news: what L2 does on the GitHub issue marks the ticket "L2 update — tell the partner".

The support day: an engineer comments a workaround, labels the issue, links a
fix or closes it; L1 finds the ticket in its own queue with a drafted update for
the partner (summarised, no contact details), sends it or dismisses the news with
a reason. Webhooks go through the real signed endpoint with octokit's payloads.
"""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from integrations.github import sync
from integrations.github.models import WebhookDelivery
from tests import factories
from tests.desk_helpers import logged_in
from tests.github_factories import (
    REPOSITORY,
    WEBHOOK_SECRET,
    about_issue,
    escalated_ticket,
    fixture,
    local_github,
)
from tests.l2_news_helpers import (
    NUMBER,
    REQUESTER,
    WORKAROUND,
    comment_payload,
    escalated_on_seven,
    fresh,
    l2_queue,
    new_comment,
    news_history,
    url,
    webhook,
)
from tests.unchanged import nothing_changes
from tickets import escalation, services
from tickets.models import (
    EscalationIssue,
    EscalationStatus,
    L2News,
    L2NewsKind,
    OutboxMessage,
    Status,
    Ticket,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def secret(settings):
    settings.GITHUB_WEBHOOK_SECRET = WEBHOOK_SECRET


@pytest.fixture
def agent():
    return factories.l1_agent(first_name="Lena")


@pytest.fixture
def escalated(agent) -> Ticket:
    return escalated_on_seven(agent)


def test_an_l2_workaround_by_webhook_reaches_the_l2_queue_with_a_safe_draft_until_a_reply(
    client, agent, escalated
):
    webhook(client, "issue_comment", comment_payload(WORKAROUND), "d-workaround")

    ticket = fresh(escalated)
    assert ticket.l2_news_at is not None
    assert ticket.escalation_status == EscalationStatus.ESCALATED  # still with L2
    desk = logged_in(agent)
    queue = desk.get(l2_queue()).content.decode()
    assert f'id="row-{ticket.pk}"' in queue
    assert 'data-testid="l2-news"' in queue
    page = desk.get(url("ticket", ticket))
    html = page.content.decode()
    assert 'data-testid="l2-news"' in html
    assert 'id="dismiss-l2-news-form"' in html
    draft = page.context["reply_form"].initial["body"]
    assert draft.startswith("Hello Amina,")
    assert "Workaround: untick Include media in Settings &gt; Export" in html
    summary = draft.split("\n\n", 1)[1]
    assert "Workaround: untick Include media in Settings > Export, then export again." in summary
    private = [REQUESTER, "engineer@akvo.example.org", "712 345 678", "+254", "Amina", "Odhiambo"]
    private += ["@codertocat", "github.com", "parse failed", "bar froze"]
    for text in private:
        assert text not in summary, text

    response = desk.post(
        url("reply", ticket),
        {"version": ticket.version, "kind": "reply", "body": draft, "then_status": "waiting"},
    )

    assert response.status_code == 302
    ticket = fresh(ticket)
    assert ticket.l2_news_at is None
    assert f'id="row-{ticket.pk}"' not in desk.get(l2_queue()).content.decode()
    assert [e.new_value for e in news_history(ticket)] == [
        f"comment by @Codertocat on {REPOSITORY}#{NUMBER}",
        "passed on to the partner (public reply)",
    ]
    assert L2News.objects.get(ticket=ticket).cleared_at is not None
    page = desk.get(url("ticket", ticket))
    assert 'data-testid="l2-news"' not in page.content.decode()
    assert page.context["reply_form"].initial["body"] == ""


def test_a_progress_label_marks_the_ticket_and_an_ordinary_label_does_not(client, escalated):
    labeled = fixture("issues.labeled.json")  # "bug": not progress
    webhook(client, "issues", about_issue(labeled, REPOSITORY, NUMBER), "d-bug")
    assert fresh(escalated).l2_news_at is None
    assert (
        WebhookDelivery.objects.get(delivery_id="d-bug").outcome == "issues.labeled: nothing to do"
    )

    labeled["label"]["name"] = "Status: Fix ready"
    webhook(client, "issues", about_issue(labeled, REPOSITORY, NUMBER), "d-fix-ready")

    ticket = fresh(escalated)
    assert ticket.l2_news_at is not None
    [news] = L2News.objects.filter(ticket=ticket)
    assert (news.kind, news.author) == (L2NewsKind.LABEL, "Codertocat")
    assert news.summary == "label “Status: Fix ready” added (@Codertocat)"
    draft = escalation.draft_customer_update(ticket)
    assert "A fix is ready and on its way to a release." in draft
    # Taking a progress label off is news too; the marker keeps the oldest news.
    unlabeled = fixture("issues.unlabeled.json")
    unlabeled["label"]["name"] = "in-progress"
    webhook(client, "issues", about_issue(unlabeled, REPOSITORY, NUMBER), "d-unlabeled")
    assert L2News.objects.filter(ticket=ticket).count() == 2
    assert fresh(ticket).l2_news_at == ticket.l2_news_at


def test_comments_by_bots_or_from_outside_the_team_bring_no_news(client, escalated):
    bot = comment_payload("Deployed to staging.", user={"login": "ci[bot]", "type": "Bot"})
    outsider = comment_payload("Me too!", comment_id=2, author_association="NONE")
    with nothing_changes(ignoring=[WebhookDelivery, OutboxMessage]):
        webhook(client, "issue_comment", bot, "d-bot")
        webhook(client, "issue_comment", outsider, "d-outsider")
    assert fresh(escalated).l2_news_at is None
    outcomes = set(WebhookDelivery.objects.values_list("outcome", flat=True))
    assert outcomes == {
        "comment by a bot: ignored",
        "comment from outside the team (NONE): ignored",
    }


def test_the_same_news_delivered_twice_marks_once(client, escalated):
    comment = comment_payload("Workaround: export without media.")
    webhook(client, "issue_comment", comment, "d-first")
    webhook(client, "issue_comment", comment, "d-github-redelivered")
    label = fixture("issues.labeled.json")
    label["label"]["name"] = "workaround"
    webhook(client, "issues", about_issue(label, REPOSITORY, NUMBER), "d-label")
    webhook(client, "issues", about_issue(label, REPOSITORY, NUMBER), "d-label-again")

    ticket = fresh(escalated)
    assert sorted(L2News.objects.filter(ticket=ticket).values_list("kind", flat=True)) == [
        L2NewsKind.COMMENT,
        L2NewsKind.LABEL,
    ]
    assert len(news_history(ticket)) == 2


def test_reconcile_reading_a_comment_the_webhook_brought_marks_once(client, settings, agent):
    with local_github(settings) as github:
        filed = github.file_issue(REPOSITORY, "Exports time out")
        ticket, issue = escalated_ticket(agent=agent)
        escalation.issue_filed(
            issue=issue, number=filed["number"], url=filed["html_url"], title="Exports time out"
        )
        remote = github.comment(REPOSITORY, filed["number"], "Workaround: export as CSV.")
        payload = new_comment(fixture("issue_comment.created.json"))
        payload["comment"].update(id=remote["id"], body=remote["body"], author_association="MEMBER")
        webhook(client, "issue_comment", about_issue(payload, REPOSITORY, filed["number"]), "d-1")
        assert sync.reconcile() == 1

    assert L2News.objects.filter(ticket=ticket).count() == 1
    assert len(news_history(ticket)) == 1


def test_reconcile_finds_linked_pull_requests_a_webhook_missed_and_marks_each_once(
    client, settings, agent
):
    with local_github(settings) as github:
        filed = github.file_issue(REPOSITORY, "Exports time out")
        ticket, issue = escalated_ticket(agent=agent)
        escalation.issue_filed(
            issue=issue, number=filed["number"], url=filed["html_url"], title="Exports time out"
        )
        github.cross_reference(REPOSITORY, filed["number"], 40, "Me too", association="NONE")
        github.cross_reference(REPOSITORY, filed["number"], 41, "Stream large exports")
        assert sync.reconcile() == 1
        # Merged: the webhook comes, and the next reconcile reads the merge again.
        github.cross_reference(REPOSITORY, filed["number"], 41, "Stream large exports", merged=True)
        closed = fixture("pull_request.closed.json")
        closed["repository"]["full_name"] = REPOSITORY
        closed["pull_request"].update(
            number=41, body=f"Fixes #{filed['number']}", merged=True, merged_at="2030-01-01T10:00Z"
        )
        webhook(client, "pull_request", json.dumps(closed).encode(), "d-merged")
        assert sync.reconcile() == 1

    assert list(L2News.objects.filter(ticket=ticket).values_list("key", flat=True)) == [
        f"pr:{REPOSITORY}#41:linked",
        f"pr:{REPOSITORY}#41:merged",
    ]
    assert len(news_history(ticket)) == 2


def test_a_pull_request_that_fixes_the_issue_marks_it_and_its_merge_again(client, escalated):
    pull = fixture("pull_request.opened.json")
    pull["repository"]["full_name"] = REPOSITORY
    webhook(client, "pull_request", json.dumps(pull).encode(), "d-unrelated-pr")
    assert fresh(escalated).l2_news_at is None  # says nothing about our issue

    pull["pull_request"]["body"] = f"Skips media in large exports.\n\nFixes #{NUMBER}"
    webhook(client, "pull_request", json.dumps(pull).encode(), "d-pr")
    closed = fixture("pull_request.closed.json")
    closed["repository"]["full_name"] = REPOSITORY
    closed["pull_request"].update(
        body=f"Fixes #{NUMBER}", merged=True, merged_at="2030-01-01T10:00:00Z"
    )
    webhook(client, "pull_request", json.dumps(closed).encode(), "d-merged")

    ticket = fresh(escalated)
    assert ticket.l2_news_at is not None
    assert list(L2News.objects.filter(ticket=ticket).values_list("key", flat=True)) == [
        f"pr:{REPOSITORY}#2:linked",
        f"pr:{REPOSITORY}#2:merged",
    ]
    draft = escalation.draft_customer_update(ticket)
    assert "A fix is being prepared." in draft
    assert "The fix is complete and will reach you with the next release." in draft


def test_closing_the_issue_hands_back_to_l1_and_marks_news(client, agent, escalated):
    closed = json.loads(about_issue(fixture("issues.closed.json"), REPOSITORY, NUMBER))
    closed["issue"]["closed_at"] = closed["issue"]["updated_at"] = "2030-01-01T10:00:00Z"
    webhook(client, "issues", json.dumps(closed).encode(), "d-closed")

    ticket = fresh(escalated)
    assert (ticket.status, ticket.escalation_status) == (Status.OPEN, EscalationStatus.L2_RESOLVED)
    assert ticket.l2_news_at is not None
    assert L2News.objects.get(ticket=ticket).kind == L2NewsKind.CLOSED
    assert "our engineering team has" in escalation.draft_customer_update(ticket)
    # Told on the phone: dismissed, the close's draft leaves the reply box too.
    services.ticket_dismiss_l2_news(ticket=ticket, by=agent, reason="Told them on the phone")
    page = logged_in(agent).get(url("ticket", ticket))
    assert page.context["reply_form"].initial["body"] == ""


def test_an_agent_dismisses_the_news_with_a_reason_kept_in_the_history(client, agent, escalated):
    webhook(client, "issue_comment", comment_payload("Looking into it."), "d-looking")
    ticket = fresh(escalated)
    desk = logged_in(agent)

    response = desk.post(
        url("dismiss_l2_news", ticket),
        {"version": ticket.version, "reason": "Nothing new for the partner yet"},
    )

    assert response.status_code == 302
    ticket = fresh(ticket)
    assert ticket.l2_news_at is None
    dismissal = news_history(ticket)[-1]
    assert (dismissal.actor, dismissal.new_value) == (
        agent,
        "dismissed: Nothing new for the partner yet",
    )
    page = desk.get(url("ticket", ticket))
    assert "dismissed: Nothing new for the partner yet" in page.content.decode()
    assert page.context["reply_form"].initial["body"] == ""
    assert f'id="row-{ticket.pk}"' not in desk.get(l2_queue()).content.decode()


def test_dismissing_without_a_reason_or_without_the_reply_role_is_refused_and_changes_nothing(
    client, agent, escalated
):
    webhook(client, "issue_comment", comment_payload("Looking into it."), "d-looking")
    ticket = fresh(escalated)

    desk, engineer_desk = logged_in(agent), logged_in(factories.l2_engineer())

    with nothing_changes():
        blank = desk.post(
            url("dismiss_l2_news", ticket), {"version": ticket.version, "reason": "   "}
        )
        engineer = engineer_desk.post(
            url("dismiss_l2_news", ticket), {"version": ticket.version, "reason": "Told them"}
        )
        with pytest.raises(ValidationError):
            services.ticket_dismiss_l2_news(ticket=ticket, by=agent, reason="")

    assert blank.status_code == 400
    assert "Say why the partner need not be told." in blank.content.decode()
    assert engineer.status_code == 403
    assert fresh(ticket).l2_news_at is not None


def test_the_queue_lists_the_oldest_news_first(client, agent):
    first, first_issue = escalated_ticket(agent=agent, subject="Older news")
    second, second_issue = escalated_ticket(agent=agent, subject="Newer news")
    for issue, number in ((first_issue, 7), (second_issue, 8)):
        escalation.issue_filed(
            issue=issue, number=number, url=f"https://github.com/{REPOSITORY}/issues/{number}",
            title="t",
        )  # fmt: skip
    for number in (7, 8):  # an engineer comments on #7, then on #8
        payload = new_comment(fixture("issue_comment.created.json"))
        payload["comment"]["id"] = number
        webhook(client, "issue_comment", about_issue(payload, REPOSITORY, number), f"d-{number}")
    # News on the older one again does not move it back.
    payload["comment"]["id"] = 9
    webhook(client, "issue_comment", about_issue(payload, REPOSITORY, 7), "d-9")

    page = logged_in(agent).get(l2_queue()).content.decode()
    assert page.index(f'id="row-{first.pk}"') < page.index(f'id="row-{second.pk}"')


def test_an_engineers_note_box_is_never_prefilled_with_the_customer_draft(client, escalated):
    webhook(client, "issue_comment", comment_payload("Workaround: export as CSV."), "d-csv")
    page = logged_in(factories.l2_engineer()).get(url("ticket", escalated))
    assert page.context["reply_form"].initial["body"] == ""
    assert "export as CSV" not in page.content.decode().split('id="reply-form"', 1)[1]


def test_the_requester_never_sees_l2_news_on_their_ticket_page(client, agent, escalated):
    webhook(client, "issue_comment", comment_payload(WORKAROUND), "d-workaround")
    ticket = fresh(escalated)
    assert ticket.l2_news_at is not None

    page = client.get(reverse("portal:ticket", kwargs={"token": ticket.token})).content.decode()

    for internal in ("Workaround", "untick", "L2 update", "Codertocat", "engineer@akvo",
                     EscalationIssue.objects.get().label):  # fmt: skip
        assert internal not in page, internal
