"""A worker killed in the middle of a delivery: the message reaches its receiver once.

Each test runs a real worker process on a Redis of its own; the fake receiver
(Slack's Web API, an SMTP server) kills the worker's whole process group at the
moment the message reaches it, so the worker never hears the answer and never
marks the row delivered. A second worker then takes over from the sweeper.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from integrations.slack.models import SlackPost
from tests.crash_helpers import (
    Killer,
    lease_runs_out,
    private_broker,
    sweep_until,
    wait_until_dead,
    worker,
    worker_env,
)
from tests.fake_github import TOKEN as GITHUB_TOKEN
from tests.fake_github import FakeGitHub
from tests.fake_slack import CHANNEL, TOKEN, json_body, ok_post, requests_to
from tests.github_factories import REPOSITORY, escalated_ticket, github_rows
from tests.polling import LONG_TEST_TIMEOUT, wait_for
from tests.slack_helpers import alert_row, critical_ticket
from tests.test_email_delivery import new_ticket
from tickets.models import IssueState, OutboxMessage, OutboxStatus

# Any database: what is under test is a worker process killed mid-delivery and the one
# that takes over; the rows it reads are ordinary ones. CI runs it once, on PostgreSQL
# (.ci/run).
pytestmark = [
    pytest.mark.database_agnostic,
    pytest.mark.django_db(transaction=True),
    LONG_TEST_TIMEOUT,
]


class SlackChannel:
    """The alert channel as Slack keeps it: what was posted, with its metadata."""

    def __init__(self, on_post: Killer) -> None:
        self.posted: list[dict] = []
        self.on_post = on_post

    def post_message(self, request: Request) -> Response:
        body = json_body(request)
        ts = f"{time.time():.6f}"
        self.posted.append({"ts": ts, "text": body["text"], "metadata": body.get("metadata")})
        self.on_post()  # the message is in the channel; the worker never hears so
        return Response(json.dumps(ok_post(ts=ts)), content_type="application/json")

    def history(self, request: Request) -> Response:
        messages = list(reversed(self.posted))
        return Response(
            json.dumps({"ok": True, "messages": messages, "has_more": False}),
            content_type="application/json",
        )


@pytest.fixture
def slack_channel() -> Iterator[tuple[HTTPServer, SlackChannel, Killer]]:
    killer = Killer()
    channel = SlackChannel(killer)
    server = HTTPServer(host="127.0.0.1", port=0)
    server.expect_request("/chat.postMessage").respond_with_handler(channel.post_message)
    server.expect_request("/conversations.history").respond_with_handler(channel.history)
    server.start()
    yield server, channel, killer
    server.clear()
    server.stop()


def test_a_worker_killed_after_slack_accepted_the_alert_leaves_it_in_the_channel_once(
    slack_channel,
):
    server, channel, killer = slack_channel
    env = worker_env(
        SLACK_API_URL=server.url_for("/"),
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_URGENT_CHANNEL=CHANNEL,
        EMAIL_URL="dummymail://",
    )
    with private_broker() as redis:
        with worker(redis, env) as first:
            killer.worker = first
            row = alert_row(critical_ticket())  # handed to the broker on commit
            wait_until_dead(first)
        row.refresh_from_db()
        assert row.status == OutboxStatus.SENDING  # the worker died before it could say
        assert len(channel.posted) == 1

        with worker(redis, env, name="second") as second:
            lease_runs_out()
            sweep_until(row, OutboxStatus.DELIVERED, OutboxStatus.FAILED)
            assert second.alive()

    assert row.status == OutboxStatus.DELIVERED
    assert (row.attempts, row.lost_attempts) == (2, 1)
    [posted] = channel.posted
    assert len(requests_to(server, "chat.postMessage")) == 1
    assert requests_to(server, "conversations.history")  # the second attempt looked first
    assert posted["metadata"]["event_payload"] == {"outbox_key": row.key}
    post = SlackPost.objects.get(outbox_key=row.key)
    assert (post.channel, post.ts) == (CHANNEL, posted["ts"])
    assert row.result["ts"] == posted["ts"]


class SmtpServer:
    """An SMTP server that takes the whole mail, then lets the worker die before its 250."""

    def __init__(self, on_data: Killer) -> None:
        self.envelopes: list = []
        self.on_data = on_data

    async def handle_DATA(self, server, session, envelope) -> str:
        self.envelopes.append(envelope)
        self.on_data()
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, SmtpServer, Killer]]:
    killer = Killer()
    handler = SmtpServer(killer)
    with socket.socket() as probe:  # a free port: aiosmtpd checks the one it is given
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, handler, killer
    controller.stop()


def test_a_worker_killed_while_sending_a_mail_fails_the_row_with_the_reason_not_a_second_mail(
    smtp_server,
):
    port, smtp, killer = smtp_server
    env = worker_env(EMAIL_URL=f"smtp://127.0.0.1:{port}")
    with private_broker() as redis:
        with worker(redis, env) as first:
            killer.worker = first
            ticket = new_ticket()  # its acknowledgement is handed to the broker on commit
            wait_until_dead(first)
        row = OutboxMessage.objects.get(ticket=ticket, kind="email")
        assert row.status == OutboxStatus.SENDING
        assert row.handover_started_at is not None

        with worker(redis, env, name="second") as second:
            lease_runs_out()
            sweep_until(row, OutboxStatus.DELIVERED, OutboxStatus.FAILED)
            time.sleep(2)  # a second mail, if one were sent, would arrive by now
            assert second.alive()

    assert row.status == OutboxStatus.FAILED
    assert "lost while sending" in row.last_error
    assert "Retry now" in row.last_error
    assert (row.attempts, row.lost_attempts) == (1, 1)
    assert row.handover_started_at is None  # "Retry now" would send it afresh
    [envelope] = smtp.envelopes
    assert envelope.rcpt_tos == ["kofi@partner.example.org"]
    wait_for(lambda: killer.killed == 1, "one kill")


class GitHubThatOutlivesTheWorker(FakeGitHub):
    """Files the issue, then the worker dies before it reads GitHub's answer."""

    def __init__(self, killer: Killer) -> None:
        super().__init__()
        self.killer = killer

    def answer(self, method, path, query, data, headers):
        status, body, extra = super().answer(method, path, query, data, headers)
        if method == "POST" and status == 201:
            self.killer()
        return status, body, extra


def test_a_worker_killed_after_github_filed_the_issue_leaves_one_issue_found_by_its_marker():
    killer = Killer()
    github = GitHubThatOutlivesTheWorker(killer).start()
    github.add_repo(REPOSITORY)
    env = worker_env(
        GITHUB_TOKEN=GITHUB_TOKEN,
        GITHUB_API_URL=github.url,
        GITHUB_TIMEOUT="5",
        EMAIL_URL="dummymail://",
    )
    try:
        with private_broker() as redis:
            with worker(redis, env) as first:
                killer.worker = first
                _ticket, issue = escalated_ticket()  # the issue row is handed over on commit
                wait_until_dead(first)
            [row] = github_rows()
            assert row.status == OutboxStatus.SENDING

            with worker(redis, env, name="second"):
                lease_runs_out()
                sweep_until(row, OutboxStatus.DELIVERED, OutboxStatus.FAILED)
    finally:
        github.stop()

    assert row.status == OutboxStatus.DELIVERED
    assert (row.attempts, row.lost_attempts) == (2, 1)
    assert [(r.method, r.path) for r in github.requests()] == [
        ("POST", f"/repos/{REPOSITORY}/issues"),
        ("GET", f"/repos/{REPOSITORY}/issues"),  # looked for the marker, filed nothing
    ]
    assert len(github.issues(REPOSITORY)) == 1
    issue.refresh_from_db()
    assert (issue.state, issue.number) == (IssueState.OPEN, 1)
