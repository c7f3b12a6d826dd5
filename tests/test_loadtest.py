"""The load test harness's own parts: figures, the table, choosing scenarios, the bounded run.

No timings are asserted here: the load test itself runs with ``make loadtest``.
"""

from __future__ import annotations

import http.server
import math
import threading

import pytest

from bench.loadtest import flows, stats
from bench.loadtest.generator import run_bounded
from bench.loadtest.http import CSRF_INPUT, Visitor
from bench.loadtest.run import database_url, parse_args


def run(scenario: str, rate_requests: int, seconds: float, latencies: list[float]):
    return stats.RunResult(
        scenario=scenario,
        requests=rate_requests,
        errors=0,
        seconds=seconds,
        latencies_ms=tuple(latencies),
    )


def test_percentiles_are_measured_values_by_nearest_rank():
    values = [float(v) for v in range(1, 101)]

    assert stats.percentile(values, 50) == 50.0
    assert stats.percentile(values, 95) == 95.0
    assert stats.percentile([7.0], 95) == 7.0
    assert stats.percentile(list(reversed(values)), 50) == 50.0
    assert math.isnan(stats.percentile([], 50))


def test_a_scenarios_figures_are_the_medians_of_its_runs_each_taken_separately():
    runs = [
        run("desk_queue", 100, 10.0, [10.0, 20.0, 90.0]),
        run("desk_queue", 300, 10.0, [30.0, 40.0, 50.0]),
        run("desk_queue", 200, 10.0, [5.0, 60.0, 70.0]),
    ]

    summary = stats.summarise(runs)

    assert summary.rate == 20.0
    assert summary.p50 == 40.0
    assert summary.p95 == 70.0
    assert summary.runs == 3


def test_the_table_shows_each_figure_beside_its_ratio_to_the_trivial_view():
    trivial = stats.Summary("trivial", rate=2000.0, p50=1.0, p95=2.0, errors=0, runs=3)
    queue = stats.Summary("desk_queue", rate=100.0, p50=20.0, p95=40.0, errors=1, runs=3)

    lines = stats.table([trivial, queue]).splitlines()

    assert lines[0].startswith("| scenario | req/s | / trivial | p50 ms")
    assert lines[2] == "| trivial | 2,000 | 1.0x | 1.00 | 1.0x | 2.00 | 1.0x | 0 |"
    assert lines[3] == "| desk_queue | 100 | 0.05x | 20.0 | 20x | 40.0 | 20x | 1 |"


def test_without_the_trivial_view_the_ratios_are_left_blank():
    queue = stats.Summary("desk_queue", rate=100.0, p50=20.0, p95=40.0, errors=0, runs=1)

    assert (
        stats.table([queue]).splitlines()[2] == "| desk_queue | 100 | - | 20.0 | - | 40.0 | - | 0 |"
    )


def test_a_subset_of_scenarios_always_runs_with_the_trivial_view_first():
    chosen = flows.select(["search_common", "desk_queue"])

    assert [s.name for s in chosen] == ["trivial", "desk_queue", "search_common"]
    assert [s.name for s in flows.select(None)] == [s.name for s in flows.SCENARIOS]


def test_an_unknown_scenario_is_refused_with_the_known_names():
    with pytest.raises(ValueError, match=r"Unknown scenario\(s\): desk_queu\. Known: trivial"):
        flows.select(["desk_queu"])


def test_every_scenario_the_issue_asks_for_is_there():
    names = {s.name for s in flows.SCENARIOS}

    assert {
        "trivial", "bare_trivial", "contact_get", "contact_submit", "contact_submit_nojs",
        "desk_queue", "desk_queue_filters", "search_selective", "search_common", "search_reference",
        "workspace", "workspace_worst", "kb_search", "reports", "reports_csv_month",
    } <= names  # fmt: skip
    assert {s.name for s in flows.SCENARIOS if s.login} >= {"desk_queue", "reports"}


def test_options_come_from_the_make_variables(monkeypatch):
    monkeypatch.setenv("SCENARIOS", "desk_queue,search_common")
    monkeypatch.setenv("LOADTEST_TICKETS", "1000000")
    monkeypatch.setenv("DURATION", "5")
    monkeypatch.delenv("LOADTEST_DATABASE_URL", raising=False)

    args = parse_args([])

    assert args.scenarios == ["desk_queue", "search_common"]
    assert (args.tickets, args.duration, args.connections, args.repeat) == (1_000_000, 5.0, 2, 3)
    assert database_url(1_000_000).endswith("/helpdesk_load_1m")
    assert database_url(100_000).endswith("/helpdesk_load_100k")


class FakeClock:
    """Time that moves only when a worker makes a request: one second each."""

    def __init__(self) -> None:
        self.now = 0.0
        self.lock = threading.Lock()

    def __call__(self) -> float:
        with self.lock:
            return self.now

    def advance(self) -> None:
        with self.lock:
            self.now += 1.0


class Worker:
    def __init__(self, clock: FakeClock, fail_every: int = 0) -> None:
        self.clock, self.fail_every, self.calls = clock, fail_every, 0

    def step(self) -> None:
        self.calls += 1
        self.clock.advance()
        if self.fail_every and self.calls % self.fail_every == 0:
            raise RuntimeError("500 from the server")


def test_the_generator_stops_starting_requests_at_its_duration():
    clock = FakeClock()
    worker = Worker(clock)

    result, error = run_bounded("trivial", lambda i: worker, connections=1, duration=5, clock=clock)

    assert worker.calls == 5
    assert result.requests == 5
    assert result.seconds == 5.0
    assert result.latencies_ms == (1000.0,) * 5
    assert error == ""


def test_failed_requests_are_counted_as_errors_not_as_timings():
    clock = FakeClock()
    worker = Worker(clock, fail_every=2)

    result, error = run_bounded("trivial", lambda i: worker, connections=1, duration=6, clock=clock)

    assert (result.requests, result.errors) == (3, 3)
    assert error == "RuntimeError: 500 from the server"


def test_a_stop_request_ends_the_run_before_its_duration():
    clock = FakeClock()
    stop = threading.Event()

    class Stopping(Worker):
        def step(self) -> None:
            super().step()
            if self.calls == 2:
                stop.set()

    worker = Stopping(clock)
    result, _ = run_bounded(
        "trivial", lambda i: worker, connections=1, duration=1000, clock=clock, stop=stop
    )

    assert result.requests == 2


def test_each_connection_gets_its_own_worker():
    clock = FakeClock()
    made: list[int] = []

    def make(index: int) -> Worker:
        made.append(index)
        return Worker(clock)

    run_bounded("trivial", make, connections=3, duration=4, clock=clock)

    assert made == [0, 1, 2]


class OneSite(http.server.BaseHTTPRequestHandler):
    """Sets a cookie, redirects, and closes the connection after each answer (as gunicorn's
    sync workers do)."""

    protocol_version = "HTTP/1.0"
    seen_cookies: list[str] = []

    def do_GET(self) -> None:
        OneSite.seen_cookies.append(self.headers.get("Cookie", ""))
        if self.path == "/login":
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1/desk/")
            self.send_header("Set-Cookie", "sessionid=abc123; HttpOnly; Path=/; Secure")
            self.end_headers()
            return
        body = b'<input name="csrfmiddlewaretoken" value="tok3n">'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_a_visitor_keeps_its_cookies_follows_redirects_and_reconnects():
    server = http.server.HTTPServer(("127.0.0.1", 0), OneSite)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    OneSite.seen_cookies = []
    try:
        visitor = Visitor("127.0.0.1", server.server_address[1])
        landed = visitor.follow(visitor.get("/login"))
        again = visitor.get("/desk/")
        visitor.close()
    finally:
        server.shutdown()
        server.server_close()

    assert landed.status == 200
    assert visitor.last_path == "/desk/"
    assert landed.field(CSRF_INPUT) == "tok3n"
    assert again.status == 200
    assert OneSite.seen_cookies == ["", "sessionid=abc123", "sessionid=abc123"]
