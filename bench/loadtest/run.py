"""``python -m bench.loadtest``: the app under gunicorn, a bounded load, a table of medians.

Steps: create and seed the database if needed (``bench.run``'s seeding, kept between
runs), collect the static files, start the app (2 sync workers, DEBUG off) and, when
asked for, the references (bare Django, Django's ``startproject`` stack), then run
every scenario ``--repeat`` times in rounds (one run of each scenario per round, so
slow drifts of a shared machine touch all of them alike) and print the medians with
their ratios to the trivial view of the same run. The table is also written to
``var/loadtest/``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import signal
import sys
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from bench.loadtest import flows, stats
from bench.loadtest.generator import run_bounded
from bench.loadtest.server import HOST, ServerError, Servers

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = BASE_DIR / "var" / "loadtest"
DEFAULT_TICKETS = 100_000
DEFAULT_DURATION = 10.0
DEFAULT_CONNECTIONS = 2
DEFAULT_REPEAT = 3
WARM_UP = 1.0


def database_url(tickets: int) -> str:
    """One database per size (the seeder keeps what a database holds)."""
    if "LOADTEST_DATABASE_URL" in os.environ:
        return os.environ["LOADTEST_DATABASE_URL"]
    size = (
        f"{tickets // 1_000_000}m"
        if tickets % 1_000_000 == 0 and tickets
        else f"{tickets // 1000}k"
    )
    return f"postgres://postgres@127.0.0.1:5432/helpdesk_load_{size}"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    env = os.environ
    parser = argparse.ArgumentParser(
        prog="python -m bench.loadtest",
        description="Load the help desk under gunicorn on PostgreSQL; print medians and ratios.",
    )
    parser.add_argument(
        "--tickets", type=int, default=int(env.get("LOADTEST_TICKETS", DEFAULT_TICKETS))
    )
    parser.add_argument(
        "--scenario",
        action="append",
        dest="scenarios",
        metavar="NAME",
        default=(env.get("SCENARIOS") or "").replace(",", " ").split() or None,
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=float(env.get("DURATION", DEFAULT_DURATION)),
        help="seconds per run (default %(default)s)",
    )
    parser.add_argument(
        "--connections", type=int, default=int(env.get("CONNECTIONS", DEFAULT_CONNECTIONS))
    )
    parser.add_argument("--repeat", type=int, default=int(env.get("REPEAT", DEFAULT_REPEAT)))
    parser.add_argument("--list", action="store_true", help="list the scenarios and exit")
    args = parser.parse_args(argv)  # fmt: skip
    if args.duration <= 0 or args.connections < 1 or args.repeat < 1 or args.tickets < 0:
        parser.error("duration, connections and repeat must be positive")
    return args


def configure(tickets: int, secret: str) -> dict[str, str]:
    """The environment of the harness and of the app's gunicorn: production settings."""
    values = {
        "DJANGO_SETTINGS_MODULE": "bench.loadtest.settings",
        "DATABASE_URL": database_url(tickets),
        "DEBUG": "false",
        "SECRET_KEY": secret,  # new each run: sessions live as long as the run
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback; no TLS proxy in front
        "CELERY_BROKER_URL": "memory://localhost/",  # outbox rows written, nothing sent
        "HELPDESK_VAR_DIR": str(VAR_DIR),
    }
    os.environ.update(values)
    return values


def prepare(tickets: int) -> flows.Fixtures:
    import django
    from django.core.management import call_command

    from bench import run as bench_run

    bench_run.ensure_database(os.environ["DATABASE_URL"])
    django.setup()
    bench_run.prepare(tickets, bench_run.DEFAULT_SEED)
    print("Collecting static files…", flush=True)
    call_command("collectstatic", interactive=False, verbosity=0)
    from bench.loadtest.fixtures import read_fixtures

    return read_fixtures()


def last_ticket() -> int:
    from tickets.models import Ticket

    return Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def remove_tickets_after(pk: int) -> None:
    """Remove the tickets the submission scenario added, so the database keeps its size."""
    from tickets.models import Ticket

    deleted, _ = Ticket.objects.filter(pk__gt=pk).delete()
    if deleted:
        print(f"Removed the {deleted:,} rows the submissions added.", flush=True)


def _worker(
    scenario: flows.Scenario,
    fixtures: flows.Fixtures,
    address: tuple[str, int],
    round_number: int,
    index: int,
) -> flows.ScenarioWorker:
    return flows.ScenarioWorker(scenario, fixtures, address, seed=round_number * 100 + index)


def measure(
    chosen: list[flows.Scenario],
    fixtures: flows.Fixtures,
    ports: dict[str, int],
    args: argparse.Namespace,
    stop: threading.Event,
) -> dict[str, list[stats.RunResult]]:
    runs: dict[str, list[stats.RunResult]] = {s.name: [] for s in chosen}
    for round_number in range(-1, args.repeat):  # round -1: warm-up, not counted
        for scenario in chosen:
            worker = partial(
                _worker, scenario, fixtures, (HOST, ports[scenario.server]), round_number
            )
            duration = WARM_UP if round_number < 0 else args.duration
            result, error = run_bounded(scenario.name, worker, connections=args.connections,
                                        duration=duration, stop=stop)  # fmt: skip
            if stop.is_set():
                raise KeyboardInterrupt
            if round_number >= 0:
                runs[scenario.name].append(result)
                print(f"  {round_number + 1}/{args.repeat} {scenario.name:<20} "
                      f"{result.rate:8.1f} req/s  p50 {result.p50:7.1f} ms  "
                      f"p95 {result.p95:7.1f} ms  errors {result.errors}", flush=True)  # fmt: skip
            if error:
                print(f"    first error: {error}", flush=True)
    return runs


def save_runs(runs: dict[str, list[stats.RunResult]], path: Path) -> None:
    """Every run's figures, for later comparisons (the latencies are summarised)."""
    path.write_text(json.dumps({
        name: [{"requests": r.requests, "errors": r.errors, "seconds": round(r.seconds, 3),
                "rate": round(r.rate, 2), "p50_ms": round(r.p50, 2), "p95_ms": round(r.p95, 2)}
               for r in results]
        for name, results in runs.items()
    }, indent=2))  # fmt: skip


def report(summaries: list[stats.Summary], args: argparse.Namespace) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    head = (
        f"{args.tickets:,} tickets · {args.connections} connections · {args.duration:g} s x "
        f"{args.repeat} runs (medians) · {when} · {platform.node()}, {os.cpu_count()} CPUs · "
        f"load average after: {load}"
    )
    return head + "\n\n" + stats.table(summaries) + "\n"


def _interrupt(signum: int, frame: object) -> None:
    """Stopped from outside (kill): the same clean-up as Ctrl-C."""
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        chosen = flows.select(args.scenarios)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    if args.list:
        for s in flows.SCENARIOS:
            print(f"  {s.name:<20} {s.description}")
        return 0
    stop = threading.Event()
    signal.signal(signal.SIGTERM, _interrupt)
    env = configure(args.tickets, secrets.token_urlsafe(50))
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    fixtures = prepare(args.tickets)
    log_dir = VAR_DIR / f"run-{datetime.now(UTC):%Y%m%d-%H%M%S}"
    log_dir.mkdir()
    before = last_ticket()
    try:
        with Servers(log_dir) as servers:
            ports = {flows.APP: servers.start("app", "helpdesk.wsgi:application", env, "/healthz")}
            for name in {s.server for s in chosen} - {flows.APP}:  # the references
                ports[name] = servers.start(name, f"bench.loadtest.{name}:application", {},
                                            "/bench/trivial")  # fmt: skip
            print(f"Load: {', '.join(s.name for s in chosen)}", flush=True)
            runs = measure(chosen, fixtures, ports, args, stop)
    except KeyboardInterrupt:
        stop.set()
        print("\nInterrupted: servers stopped.", file=sys.stderr)
        return 130
    except ServerError as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        remove_tickets_after(before)
    save_runs(runs, log_dir / "runs.json")
    text = report([stats.summarise(runs[s.name]) for s in chosen], args)
    (log_dir / "results.md").write_text(text)
    print("\n" + text + f"\n(also in {log_dir.relative_to(BASE_DIR)}/results.md)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
