"""The load test's scenarios: what one connection asks for, again and again.

Each scenario names the server it loads (the app, the bare Django reference, or
Django's ``startproject`` stack), who is logged in (nobody, an L1 agent, a support
manager: one login per connection, the session cookie reused as a browser does)
and one ``step``: a request, or for ``contact_submit`` and ``contact_submit_nojs``
the whole visit of a person sending the form, counted as one: with JavaScript (page,
then the post the review shown in the page sends, answered with the confirmation)
or without it (page, form post, the server's review page, its submit, the
confirmation).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from bench.loadtest.http import CSRF_INPUT, EMPTY_FILE, HttpError, Response, Visitor

STARTED_INPUT = re.compile(r'name="started" value="([^"]+)"')
SUBMISSION_KEY_INPUT = re.compile(r'name="submission_key" value="([^"]+)"')
CONTROL = re.compile(r"<(input|textarea|select)\b([^>]*)>")
ATTRIBUTE = re.compile(r'(?:^|\s)(name|type|value)="([^"]*)"')
CONFIRMATION = 'id="ticket-reference"'
APP, BARE, STARTPROJECT = "app", "bare", "startproject"
AGENT, MANAGER = "agent", "manager"


@dataclass
class Fixtures:
    """What the scenarios need from the database, read once before the load starts."""

    agent: tuple[str, str] = ("", "")  # username, password
    manager: tuple[str, str] = ("", "")
    random_tickets: list[int] = field(default_factory=list)
    heavy_tickets: list[int] = field(default_factory=list)  # heavy senders, long threads
    three_filters: str = ""  # query string: hub, category, impact
    selective_word: str = "quokkasaurus"
    common_word: str = "export"
    reference: list[str] = field(default_factory=list)  # "HD-<id>" of random tickets
    contact_form: dict[str, object] = field(default_factory=dict)
    month: tuple[str, str] = ("", "")  # ISO dates: the CSV export's period


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    step: Callable[[Visitor, Fixtures, random.Random], None]
    server: str = APP
    login: str | None = None


def _page(path: str) -> Callable[[Visitor, Fixtures, random.Random], None]:
    def step(visitor: Visitor, fixtures: Fixtures, rng: random.Random) -> None:
        visitor.get(path).expect(200)

    return step


def _queue(query: Callable[[Fixtures, random.Random], str], queue: str = "all") -> Callable:
    def step(visitor: Visitor, fixtures: Fixtures, rng: random.Random) -> None:
        visitor.get(f"/desk/queues/{queue}/?{query(fixtures, rng)}").expect(200)

    return step


def _workspace(pick: Callable[[Fixtures], Sequence[int]]) -> Callable:
    def step(visitor: Visitor, fixtures: Fixtures, rng: random.Random) -> None:
        ticket_id = rng.choice(pick(fixtures))
        visitor.get(f"/desk/tickets/{ticket_id}/?from=all").expect(200)

    return step


def _page_controls(page: Response) -> list[tuple[str, str, str]]:
    """(name, type, value) of the Contact Us form's controls, in page order."""
    start = page.body.find('id="contact-form"')
    end = page.body.find("</form>", start)
    if start < 0 or end < 0:
        raise HttpError("no Contact Us form in the page")
    controls, seen = [], set()
    for tag, attributes in CONTROL.findall(page.body[start:end]):
        found = dict(ATTRIBUTE.findall(attributes))
        name = found.get("name", "")
        if name and name not in seen:
            seen.add(name)
            controls.append((name, found.get("type", tag), found.get("value", "")))
    return controls


def contact_submit(visitor: Visitor, fixtures: Fixtures, rng: random.Random) -> None:
    """A person with JavaScript sending the Contact Us form: the page, then one post.

    The post is what ``static/js/contact.js`` makes the browser send after the review
    shown in the page: every control of the form in page order (``multipart/form-data``,
    the empty file input too, the hidden one-time key and start time as the page gave
    them), ``reviewed=1``, and no button (``form.submit()`` names no submitter). The
    product's own fields, which htmx swapped in when the product was chosen, come
    after the page's. The server answers with the confirmation itself.
    """
    page = visitor.get("/contact/").expect(200)
    typed = {**fixtures.contact_form, "email": f"load{rng.randrange(200)}@partner.example.org"}
    fields: list[tuple[str, str]] = []
    for name, kind, value in _page_controls(page):
        if kind == "file":
            fields.append((name, EMPTY_FILE))
        elif name == "reviewed":
            fields.append((name, "1"))
        elif name in typed:
            fields.append((name, str(typed.pop(name))))
        elif kind not in ("radio", "checkbox"):  # unchecked boxes are not sent
            fields.append((name, value))
    fields.extend((name, str(value)) for name, value in typed.items())
    answer = visitor.post_multipart("/contact/", fields)
    if answer.status != 200 or CONFIRMATION not in answer.body:
        raise HttpError(f"the post was not answered with the confirmation ({answer.status})")


def contact_submit_nojs(visitor: Visitor, fixtures: Fixtures, rng: random.Random) -> None:
    """Every request a person without JavaScript makes to send the Contact Us form.

    The form post leads to the server's review page, whose submit leads to the
    confirmation page.
    """
    page = visitor.get("/contact/").expect(200)
    form = dict(fixtures.contact_form)
    form["csrfmiddlewaretoken"] = page.field(CSRF_INPUT)
    form["started"] = page.field(STARTED_INPUT)
    form["email"] = f"load{rng.randrange(200)}@partner.example.org"
    review = visitor.follow(visitor.post("/contact/", form).expect(302)).expect(200)
    answer = visitor.post(
        "/contact/review/",
        {
            "csrfmiddlewaretoken": review.field(CSRF_INPUT),
            "submission_key": review.field(SUBMISSION_KEY_INPUT),
        },
    ).expect(302)
    landed = visitor.follow(answer)
    if landed.status != 200 or CONFIRMATION not in landed.body:
        raise HttpError(f"the visit ended on {visitor.last_path} ({landed.status})")


def reports_csv_month(visitor: Visitor, fixtures: Fixtures, rng: random.Random) -> None:
    start, end = fixtures.month
    visitor.get(f"/reports/export/volume.csv?start={start}&end={end}").expect(200)


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("trivial", "a view that answers ok, through the whole middleware",
             _page("/bench/trivial")),
    Scenario("bare_trivial", "the same view in a bare Django app (no apps, no middleware)",
             _page("/bench/trivial"), server=BARE),
    Scenario("startproject_trivial", "the same view behind Django's startproject middleware only",
             _page("/bench/trivial"), server=STARTPROJECT),
    Scenario("contact_get", "the Contact Us form", _page("/contact/")),
    Scenario("contact_submit", "a Contact Us visit with JavaScript (page, reviewed post: thanks)",
             contact_submit),
    Scenario("contact_submit_nojs", "a Contact Us visit without JavaScript (page, post, review, "
             "submit, thanks)", contact_submit_nojs),
    Scenario("desk_queue", "the agent's default queue", _page("/desk/queues/new/"), login=AGENT),
    Scenario("desk_queue_filters", "All, filtered by hub, category and impact",
             _queue(lambda f, r: f.three_filters), login=AGENT),
    Scenario("search_selective", "ticket search: a word in a dozen tickets",
             _queue(lambda f, r: urlencode({"q": f.selective_word})), login=AGENT),
    Scenario("search_common", "ticket search: a word in one ticket in five",
             _queue(lambda f, r: urlencode({"q": f.common_word})), login=AGENT),
    Scenario("search_reference", "ticket search: a reference (HD-<id>)",
             _queue(lambda f, r: urlencode({"q": r.choice(f.reference)})), login=AGENT),
    Scenario("workspace", "a random ticket's page", _workspace(lambda f: f.random_tickets),
             login=AGENT),
    Scenario("workspace_worst", "tickets of the heaviest senders and the longest threads",
             _workspace(lambda f: f.heavy_tickets), login=AGENT),
    Scenario("kb_search", "knowledge base search", _page("/kb/search/?q=export+data")),
    Scenario("reports", "the managers' dashboard, default period", _page("/reports/"),
             login=MANAGER),
    Scenario("reports_csv_month", "a month of the volume table as CSV", reports_csv_month,
             login=MANAGER),
)  # fmt: skip
REFERENCE = "trivial"


def select(names: Sequence[str] | None) -> list[Scenario]:
    """The scenarios asked for, in the table's order, always with the trivial view first
    (every ratio is to it). Unknown names raise ValueError listing the known ones."""
    known = {s.name: s for s in SCENARIOS}
    wanted = {n.strip() for n in names or () if n.strip()}
    unknown = sorted(wanted - set(known))
    if unknown:
        raise ValueError(f"Unknown scenario(s): {', '.join(unknown)}. Known: {', '.join(known)}.")
    if not wanted:
        return list(SCENARIOS)
    return [s for s in SCENARIOS if s.name in wanted or s.name == REFERENCE]


class ScenarioWorker:
    """One connection running a scenario: logs in once, then ``step`` per request."""

    def __init__(
        self, scenario: Scenario, fixtures: Fixtures, address: tuple[str, int], seed: int
    ) -> None:
        self.scenario, self.fixtures = scenario, fixtures
        self.rng = random.Random(seed)
        self.visitor = Visitor(*address)
        if scenario.login:
            username, password = fixtures.agent if scenario.login == AGENT else fixtures.manager
            self.visitor.log_in(username, password)

    def step(self) -> None:
        self.scenario.step(self.visitor, self.fixtures, self.rng)
