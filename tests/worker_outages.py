"""What the worker outage tests share: a Slack that counts posts per outbox row, and the hand-overs.

The Slack is a local server on 127.0.0.1 that the worker process reaches through
SLACK_API_URL; it records the outbox key of every ``chat.postMessage`` (from the
message metadata), so a test can say "posted exactly once". Rows are handed to
the test's own redis-server as the web process would (the short producer
options), and sweeps are published the way beat publishes them.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from helpdesk.celery import app as celery_app
from tests import factories
from tests.brokers import use_broker
from tests.fake_slack import CHANNEL, TOKEN, ok_post
from tests.slack_helpers import alert_row
from tickets import outbox, services
from tickets.models import Channel, OutboxMessage, OutboxStatus


class CountingSlack:
    """Answers chat.postMessage (429 first for the keys told to), counts posts per outbox key."""

    def __init__(self, server: HTTPServer, *, delay: float = 0.0) -> None:
        self.server = server
        self.delay = delay
        self.posts: list[tuple[str, int]] = []  # (outbox key, HTTP status answered)
        self.arrived = 0  # posts received, answered or not yet
        self.rate_limit_first: dict[str, int] = {}  # key -> Retry-After seconds
        self._ts = itertools.count(100)
        self._lock = threading.Lock()
        server.expect_request("/chat.postMessage").respond_with_handler(self._post)
        server.expect_request("/conversations.history").respond_with_json(
            {"ok": True, "messages": [], "has_more": False}
        )

    def _post(self, request: Request) -> Response:
        body = json.loads(request.get_data(as_text=True))
        key = body["metadata"]["event_payload"]["outbox_key"]
        with self._lock:
            self.arrived += 1
        time.sleep(self.delay)
        with self._lock:
            retry_after = self.rate_limit_first.pop(key, None)
            status = 429 if retry_after is not None else 200
            self.posts.append((key, status))
            ts = f"1700000000.{next(self._ts):06d}"
        if retry_after is not None:
            payload: dict[str, Any] = {"ok": False, "error": "ratelimited"}
            headers = {"Retry-After": str(retry_after)}
            return Response(json.dumps(payload), 429, headers, content_type="application/json")
        return Response(json.dumps(ok_post(ts=ts)), 200, content_type="application/json")

    def accepted(self) -> Counter[str]:
        with self._lock:
            return Counter(key for key, status in self.posts if status == 200)

    def answered(self, key: str) -> list[int]:
        with self._lock:
            return [status for posted, status in self.posts if posted == key]


@contextlib.contextmanager
def counting_slack(*, delay: float = 0.0) -> Iterator[CountingSlack]:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    try:
        yield CountingSlack(server, delay=delay)
    finally:
        server.clear()
        server.stop()


def worker_env(slack: CountingSlack, **extra: str) -> dict[str, str]:
    """The worker's environment: Slack pointed at the fake, anything else the test says."""
    return {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_API_URL": slack.server.url_for("/"),
        "SLACK_URGENT_CHANNEL": CHANNEL,
        **extra,
    }


def slack_alerts(count: int) -> list[OutboxMessage]:
    """Critical tickets of one partner, each with its Slack alert row (not handed over yet)."""
    partner = factories.PartnerFactory(hub=factories.hub("east-africa"))
    rows = [
        alert_row(
            services.ticket_create(
                requester_email="wanjiku@partner.example.org",
                subject=f"Flow sync is failing for {partner.name}, site {n}",
                channel=Channel.WEB,
                partner=partner,
                product=factories.product("akvo-flow"),
                impact=factories.impact("critical"),
            )
        )
        for n in range(count)
    ]
    # The requesters' acknowledgements are not what these tests are about.
    OutboxMessage.objects.exclude(kind="slack_alert").update(status=OutboxStatus.DELIVERED)
    return rows


def on_the_broker(redis_url: str) -> contextlib.AbstractContextManager[None]:
    """This test process publishes to the test's redis-server as a web process does."""
    return use_broker(redis_url, settings.REDIS_BROKER_TRANSPORT_OPTIONS)


def hand_over(redis_url: str, *rows: OutboxMessage) -> None:
    with on_the_broker(redis_url):
        for row in rows:
            assert outbox.outbox_dispatch(row.pk, kind=row.kind)


def publish_sweep(redis_url: str) -> bool:
    """What beat does every minute; False when the broker is not there to take it."""
    with on_the_broker(redis_url):
        try:
            celery_app.send_task("tickets.tasks.outbox_sweep", retry=False)
        except Exception:  # the broker is down or hung: beat would try again next time
            return False
    return True


def delivered(*rows: OutboxMessage) -> bool:
    ids = [row.pk for row in rows]
    done = OutboxMessage.objects.filter(pk__in=ids, status=OutboxStatus.DELIVERED).count()
    return done == len(ids)
