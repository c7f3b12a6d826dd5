"""The outside world of the rehearsal, on 127.0.0.1, counting what it receives.

Each fake counts receipts by the key that makes a delivery unique, so a second
receipt of one key is a duplicate the table shows:

* Slack: ``chat.postMessage`` by the outbox key in the message's metadata (and it
  answers ``conversations.history``/``replies`` with what it holds, which is how
  a retried alert finds the message an earlier attempt posted);
* SMTP (aiosmtpd, a dev dependency already): mail by ``Message-ID``, which the
  email handler derives from the outbox key;
* GitHub: the fake of the test suite, issues counted by the hidden marker that
  names the outbox row that filed them.
"""

from __future__ import annotations

import email
import email.policy
import itertools
import json
import re
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from aiosmtpd.controller import Controller

from bench.loadtest.server import free_port
from tests.fake_github import TOKEN as GITHUB_TOKEN
from tests.fake_github import FakeGitHub

SLACK_TOKEN = "xoxb-rehearsal-token"  # noqa: S105 - the local fake's, nothing else's
SLACK_CHANNEL = "C0REHEARSAL"
REPOSITORY = "akvo/akvo-flow"  # the seeded Akvo Flow product files its escalations here
MARKER = re.compile(r"<!-- helpdesk-escalation \S+ (\S+) -->")
DIGEST = re.compile(r"([0-9a-f]{32})@")

__all__ = ["GITHUB_TOKEN", "CountingGitHub", "CountingSlack", "CountingSmtp"]


class CountingSlack:
    """Slack's Web API as the app's WebClient uses it; posts counted by outbox key.

    With ``rate_limit_every`` it answers that share of posts 429 with a short
    ``Retry-After``, as Slack does under load: the worker then holds a message with
    a countdown, the case in which a broker restart used to stop workers.
    """

    def __init__(self, rate_limit_every: int = 0, retry_after: int = 3) -> None:
        self.rate_limit_every, self.retry_after = rate_limit_every, retry_after
        self.rate_limited = 0
        self._posts = itertools.count(1)
        self.messages: list[dict[str, Any]] = []
        self.keys: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._ts = itertools.count(1)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"

    def start(self) -> CountingSlack:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def limited(self, method: str) -> bool:
        """Whether this call is answered 429 (every ``rate_limit_every``-th post)."""
        if method != "chat.postMessage" or not self.rate_limit_every:
            return False
        with self._lock:
            if next(self._posts) % self.rate_limit_every:
                return False
            self.rate_limited += 1
            return True

    def answer(self, method: str, data: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            if method == "chat.postMessage":
                ts = f"1800000000.{next(self._ts):06d}"
                message = {"ts": ts, "text": data.get("text", ""), "type": "message",
                           "metadata": data.get("metadata") or {}}  # fmt: skip
                self.messages.append(message)
                key = (message["metadata"].get("event_payload") or {}).get("outbox_key", "")
                self.keys[str(key)] += 1
                return {"ok": True, "channel": SLACK_CHANNEL, "ts": ts, "message": message}
            if method in ("conversations.history", "conversations.replies"):
                return {"ok": True, "channel": SLACK_CHANNEL, "messages": list(self.messages),
                        "has_more": False}  # fmt: skip
            return {"ok": True}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                is_json = "json" in (self.headers.get("Content-Type") or "")
                data = json.loads(raw) if raw and is_json else {}
                method, status = urlsplit(self.path).path.strip("/"), 200
                if self.headers.get("Authorization") != f"Bearer {SLACK_TOKEN}":
                    body = {"ok": False, "error": "invalid_auth"}
                elif fake.limited(method):
                    body, status = {"ok": False, "error": "ratelimited"}, 429
                else:
                    body = fake.answer(method, data)
                payload = json.dumps(body).encode()
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", str(fake.retry_after))
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _serve

        return Handler


class _Inbox:
    """aiosmtpd's handler: every mail's Message-ID digest, counted."""

    def __init__(self) -> None:
        self.digests: Counter[str] = Counter()
        self.messages = 0
        self.other: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        found = DIGEST.search(str(message.get("Message-ID", "")))
        self.messages += 1
        if found:
            self.digests[found.group(1)] += 1
        else:
            self.other.append(str(message.get("Message-ID", "")))
        return "250 OK"


class CountingSmtp:
    """An SMTP server on a free loopback port; mail counted by Message-ID."""

    def __init__(self) -> None:
        self.inbox = _Inbox()
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> CountingSmtp:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


class CountingGitHub:
    """The test suite's fake GitHub with the product's repository; issues counted by marker."""

    def __init__(self) -> None:
        self.fake = FakeGitHub()
        self.fake.add_repo(REPOSITORY)
        self.url = self.fake.url

    def start(self) -> CountingGitHub:
        self.fake.start()
        return self

    def stop(self) -> None:
        self.fake.stop()

    def filed(self) -> Counter[str]:
        """Issues filed, by the outbox key in their hidden marker."""
        found: Counter[str] = Counter()
        for issue in list(self.fake.issues(REPOSITORY)):
            marker = MARKER.search(issue.get("body") or "")
            found[marker.group(1) if marker else ""] += 1
        return found
