"""Run the benchmarks: ``python -m bench.run [--scale N] [--scenario NAME ...] [--repeat K]``.

It needs PostgreSQL, since the figures are meant for production's database:
``DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/helpdesk_bench``)
is created when missing, migrated, and seeded up to ``--scale`` tickets. The
seeded data is kept, so the next run at the same or a smaller scale starts at
once. Each scenario then runs ``--repeat`` times and a table of the median,
minimum and maximum is printed.

Celery publishes to an in-memory broker unless ``CELERY_BROKER_URL`` says
otherwise: the outbox rows are written as in production, no broker is needed.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from bench.scenarios import Scenario

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/helpdesk_bench"
DEFAULT_SCALE = 100_000
DEFAULT_REPEAT = 5
DEFAULT_SEED = 2026
POSTGRES_SCHEMES = ("postgres", "postgresql")
# Known before Django starts (the registry is filled only after django.setup()).
NO_DATABASE_SCENARIOS = {"mail_reply_extraction"}


class BenchError(Exception):
    """A problem the person running the benchmarks can fix; printed without a traceback."""


@dataclass
class Result:
    name: str
    unit: str
    values: list[float]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description="Run the help desk's benchmarks against PostgreSQL.",
    )
    parser.add_argument(
        "--scale",
        type=int,
        default=DEFAULT_SCALE,
        help=f"tickets in the database before the scenarios run (default {DEFAULT_SCALE:,})",
    )
    parser.add_argument(
        "--scenario",
        action="append",
        dest="scenarios",
        metavar="NAME",
        help="run only this scenario (repeatable; default: all)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=DEFAULT_REPEAT,
        help=f"runs per scenario (default {DEFAULT_REPEAT})",
    )
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help="random seed for data and scenarios"
    )
    parser.add_argument("--list", action="store_true", help="list the scenarios and exit")
    args = parser.parse_args(argv)
    if args.scale < 0:
        parser.error("--scale cannot be negative")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def configure_environment(*, database: bool = True) -> str:
    """Environment defaults for a benchmark process; returns the database URL."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    # No broker to run: outbox rows are still written, hand-overs go to memory.
    os.environ.setdefault("CELERY_BROKER_URL", "memory://localhost/")
    debug = os.environ.get("DEBUG", "").lower() in ("1", "true", "yes", "on")
    if not debug and not os.environ.get("SECRET_KEY"):
        # Settings insist on a key when DEBUG is off. This process serves no
        # requests and keeps no sessions, so a throwaway one is enough.
        os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    url = os.environ["DATABASE_URL"]
    if database and urlsplit(url).scheme not in POSTGRES_SCHEMES:
        raise BenchError(
            "The benchmarks run on PostgreSQL only: set DATABASE_URL to a postgres:// "
            f"address (default {DEFAULT_DATABASE_URL})."
        )
    return url


def ensure_database(url: str) -> bool:
    """Create the database named in ``url`` if it is missing; True if it was created."""
    import psycopg
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    if not name:
        raise BenchError(f"DATABASE_URL names no database: {url}")
    try:
        # The maintenance database is the usual place to create others from.
        with psycopg.connect(url, dbname="postgres", autocommit=True, connect_timeout=5) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if exists:
                return False
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return True
    except psycopg.OperationalError as error:
        raise BenchError(f"Cannot reach PostgreSQL at {redact(url)}: {error}") from error


def redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url


def prepare(scale: int, seed: int) -> None:
    """Migrate, then seed up to ``scale`` tickets unless the database already holds them."""
    from django.conf import settings
    from django.core.management import call_command

    from demo import seeding
    from tickets.models import Ticket

    print("Migrating…", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    # Staff, partners and requesters the scenarios pick from; no played demo tickets.
    seeding.seed_demo(tickets=0, debug=settings.DEBUG)
    existing = Ticket.objects.count()
    if existing >= scale:
        print(f"Using the {existing:,} tickets already in the database.", flush=True)
        return
    missing = scale - existing
    print(f"Seeding {missing:,} tickets ({existing:,} already there)…", flush=True)
    last = 0.0

    def progress(done: int, total: int, seconds: float) -> None:
        nonlocal last
        if seconds - last >= 10 or done == total:
            last = seconds
            print(f"  {done:>12,} / {total:,}  ({done / seconds:,.0f} tickets/s)", flush=True)

    report = seeding.bulk_create_tickets(count=missing, seed=seed + existing, progress=progress)
    print(f"Seeded {report.count:,} tickets in {report.seconds:,.1f} s.", flush=True)


def run_scenarios(chosen: Sequence[Scenario], args: argparse.Namespace) -> list[Result]:
    from bench.scenarios import Context

    results = []
    for scenario in chosen:
        values = []
        for run in range(args.repeat):
            ctx = Context(scale=args.scale, rng=random.Random(args.seed + run), run=run)
            started = time.perf_counter()
            value = scenario.function(ctx)
            elapsed = time.perf_counter() - started
            # A scenario in seconds may leave the timing to us; others report their own unit.
            values.append(elapsed if value is None or scenario.timed_by_runner else value)
            print(
                f"  {scenario.name} run {run + 1}/{args.repeat}: {fmt(values[-1])} {scenario.unit}",
                flush=True,
            )
        results.append(Result(name=scenario.name, unit=scenario.unit, values=values))
    return results


def fmt(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 1:
        return f"{value:,.2f}"
    return f"{value:.4f}"


def table(results: Sequence[Result]) -> str:
    header = ("scenario", "unit", "median", "min", "max", "runs")
    rows = [
        (
            r.name,
            r.unit,
            fmt(statistics.median(r.values)),
            fmt(min(r.values)),
            fmt(max(r.values)),
            str(len(r.values)),
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        # Names left, numbers right, as in any table of figures.
        padded = [
            cell.ljust(width) if i < 2 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def start_database(url: str, args: argparse.Namespace) -> None:
    if ensure_database(url):
        print(f"Created the database {urlsplit(url).path.lstrip('/')}.", flush=True)
    prepare(args.scale, args.seed)
    from django.conf import settings
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    debug = "on: Django logs every query, figures are a little slower" if settings.DEBUG else "off"
    print(f"\nPostgreSQL {version} at {redact(url)}", flush=True)
    print(f"Scale {args.scale:,} tickets; DEBUG {debug}.", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        # Scenarios on pure code (e.g. mail_reply_extraction) run without PostgreSQL.
        no_database = set(args.scenarios or ()) <= NO_DATABASE_SCENARIOS and bool(args.scenarios)
        url = configure_environment(database=not no_database)
        import django

        django.setup()
        from bench.scenarios import load_all

        registry = load_all()
        if args.list:
            for scenario in registry.values():
                print(f"{scenario.name:<20} {scenario.unit:<10} {scenario.description}")
            return 0
        names = args.scenarios or list(registry)
        unknown = [name for name in names if name not in registry]
        if unknown:
            raise BenchError(
                f"Unknown scenario {', '.join(unknown)}; choose from: {', '.join(registry)}."
            )
        if any(registry[name].database for name in names):
            start_database(url, args)
        results = run_scenarios([registry[name] for name in names], args)
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    print()
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
