"""The mixed load of the rehearsal, in threads, until told to stop.

* requesters send the Contact Us form (with JavaScript's one reviewed post), each
  visit to the other web replica, and note the reference the confirmation shows;
* an agent reads the desk's queues and tickets through both replicas, and acts on
  new tickets (:func:`bench.scaleout.desk.act_on`);
* GitHub posts signed webhooks (comments on the issues the run filed, or labels on
  an issue nobody follows), and now and then redelivers one;
* time passes for some SLA clocks (:func:`bench.scaleout.desk.move_clocks`).

Errors are counted (with the first one kept), never retried: a lost answer is
the client's business; the tally checks that no confirmed ticket is missing.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import itertools
import json
import random
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.loadtest.flows import _page_controls
from bench.loadtest.http import EMPTY_FILE, HttpError, Visitor
from bench.loadtest.server import HOST
from bench.scaleout import desk
from bench.scaleout.fakes import REPOSITORY
from bench.scaleout.topology import WEBHOOK_SECRET

REFERENCE = re.compile(r'id="ticket-reference">\s*([A-Z]+-\d+)\s*<')
GITHUB_FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "github"
UNFOLLOWED_ISSUE = 999_999


@dataclass
class Tally:
    """What one kind of client did; ``first_error`` says what went wrong first."""

    done: int = 0
    errors: int = 0
    first_error: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def ok(self) -> None:
        with self._lock:
            self.done += 1

    def failed(self, error: Exception) -> None:
        with self._lock:
            self.errors += 1
            self.first_error = self.first_error or f"{type(error).__name__}: {error}"[:300]


@dataclass
class Load:
    ports: list[int]
    contact_form: dict[str, object]
    login: tuple[str, str]
    stop: threading.Event = field(default_factory=threading.Event)
    references: list[str] = field(default_factory=list)
    submits: Tally = field(default_factory=Tally)
    reads: Tally = field(default_factory=Tally)
    actions: Tally = field(default_factory=Tally)
    webhooks: Tally = field(default_factory=Tally)
    replays: int = 0
    clocks_moved: int = 0
    _turn: itertools.count = field(default_factory=itertools.count)
    _last: tuple[bytes, str, str] = (b"", "", "")

    def port(self) -> int:
        return self.ports[next(self._turn) % len(self.ports)]

    def _loop(self, step: Callable[[int], None], tally: Tally, pause: float) -> None:
        turn = 0
        while not self.stop.is_set():
            try:
                step(turn)
            except Exception as error:
                tally.failed(error)
            turn += 1
            self.stop.wait(pause)
        desk.done_with_thread()

    def threads(self, requesters: int) -> list[threading.Thread]:
        loops = [(f"requester-{n}", self.submit, self.submits, 0.0) for n in range(requesters)]
        loops += [
            ("desk-reads", self.read_desk(), self.reads, 0.2),
            ("desk-actions", self.act, self.actions, 0.3),
            ("github", self.webhook, self.webhooks, 0.4),
            ("time", self.move_time, Tally(), 1.5),
        ]
        return [
            threading.Thread(target=self._loop, args=(step, tally, pause), name=name, daemon=True)
            for name, step, tally, pause in loops
        ]

    # -- the portal --------------------------------------------------------------

    def submit(self, turn: int) -> None:
        visitor = Visitor(HOST, self.port())
        try:
            reference = contact_submit(visitor, self.contact_form, random.Random(turn))
        finally:
            visitor.close()
        self.references.append(reference)
        self.submits.ok()

    # -- the desk ----------------------------------------------------------------

    def read_desk(self) -> Callable[[int], None]:
        visitors: dict[int, Visitor] = {}

        def step(turn: int) -> None:
            port = self.ports[turn % len(self.ports)]
            if port not in visitors:
                visitor = Visitor(HOST, port)
                visitor.log_in(*self.login)
                visitors[port] = visitor
            visitor = visitors[port]
            pages = ["/desk/queues/new/", "/desk/queues/all/"]
            if self.references:
                pages.append(f"/desk/tickets/{desk.ticket_id(self.references[-1])}/?from=all")
            for page in pages:
                visitor.get(page).expect(200)
            self.reads.ok()

        return step

    def act(self, turn: int) -> None:
        if self.actions.done + self.actions.errors >= len(self.references):
            return  # nothing new to act on yet
        reference = self.references[self.actions.done + self.actions.errors]
        desk.act_on(reference, self.actions.done + self.actions.errors)
        self.actions.ok()

    def move_time(self, turn: int) -> None:
        self.clocks_moved += desk.move_clocks(2, turn)

    # -- GitHub ------------------------------------------------------------------

    def webhook(self, turn: int) -> None:
        if turn % 5 == 4 and self.webhooks.done:
            body, delivery, event = self._last
            status = post_webhook(self.port(), event, body, delivery)
            if status != 200:
                raise HttpError(f"a redelivered webhook was answered {status}, not 200")
            self.replays += 1
            return
        numbers = desk.filed_issue_numbers()
        event, body = webhook_body(random.choice(numbers) if numbers else None, turn)
        delivery = str(uuid.uuid4())
        status = post_webhook(self.port(), event, body, delivery)
        if status != 202:
            raise HttpError(f"a webhook was answered {status}, not 202")
        self._last = (body, delivery, event)
        self.webhooks.ok()


def contact_submit(visitor: Visitor, form: dict[str, object], rng: random.Random) -> str:
    """A Contact Us visit with JavaScript (as the load test's); the confirmed reference."""
    page = visitor.get("/contact/").expect(200)
    typed = {**form, "email": f"requester-{uuid.uuid4().hex[:12]}@partner.example.org"}
    fields: list[tuple[str, str]] = []
    for name, kind, value in _page_controls(page):
        if kind == "file":
            fields.append((name, EMPTY_FILE))
        elif name == "reviewed":
            fields.append((name, "1"))
        elif name in typed:
            fields.append((name, str(typed.pop(name))))
        elif kind not in ("radio", "checkbox"):
            fields.append((name, value))
    fields.extend((name, str(value)) for name, value in typed.items())
    answer = visitor.post_multipart("/contact/", fields)
    found = REFERENCE.search(answer.body)
    if answer.status != 200 or found is None:
        raise HttpError(f"the post was not answered with the confirmation ({answer.status})")
    return found.group(1)


def webhook_body(number: int | None, turn: int) -> tuple[str, bytes]:
    """A real payload: an L2 comment on a filed issue, or a label on one nobody follows."""
    if number is None:
        payload = json.loads((GITHUB_FIXTURES / "issues.labeled.json").read_bytes())
        payload["issue"]["number"] = UNFOLLOWED_ISSUE
        event = "issues"
    else:
        payload = json.loads((GITHUB_FIXTURES / "issue_comment.created.json").read_bytes())
        payload["issue"]["number"] = number
        payload["comment"]["id"] = 5_000_000 + turn
        payload["comment"]["body"] = f"Found the cause of the stalled export ({turn})."
        payload["comment"]["author_association"] = "MEMBER"
        payload["comment"]["user"]["type"] = "User"
        event = "issue_comment"
    payload["repository"]["full_name"] = REPOSITORY
    payload["issue"]["html_url"] = (
        f"https://github.com/{REPOSITORY}/issues/{payload['issue']['number']}"
    )
    return event, json.dumps(payload).encode()


def post_webhook(port: int, event: str, body: bytes, delivery: str) -> int:
    signature = "sha256=" + hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request("POST", "/integrations/github/webhook/", body=body, headers={
            "Content-Type": "application/json", "X-GitHub-Event": event,
            "X-GitHub-Delivery": delivery, "X-Hub-Signature-256": signature,
        })  # fmt: skip
        answer = connection.getresponse()
        answer.read()
        return answer.status
    finally:
        connection.close()
