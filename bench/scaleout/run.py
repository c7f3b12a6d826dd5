"""``python -m bench.scaleout``: the scale-out rehearsal, with a worker killed and Redis restarted.

Steps: create a database of its own on the PostgreSQL server (dropped at the end)
and migrate it, start a private redis-server with append-only persistence, the
counting fakes (Slack, SMTP, GitHub), 2 web replicas, 2 workers with the queues
split by kind and 1 beat; drive the mixed load (:mod:`bench.scaleout.load`) for
``--duration`` seconds while, on a fixed plan, a second beat runs by mistake, one
worker is SIGKILLed and started again and Redis is restarted; then wait (at most
``--drain`` seconds) for the outbox to empty and print the counts. Exit status 1
when anything was lost or duplicated, 2 when the run could not be set up.
Logs stay in ``var/rehearsal/run-<time>/``.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.loadtest.server import ServerError, Servers
from bench.scaleout.pooler import PgBouncer
from bench.scaleout.topology import Fakes, Topology, app_environment
from tests.redis_server import RedisServer

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = BASE_DIR / "var" / "rehearsal"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
SETTLE_SECONDS = 6.0  # after the outbox is empty: two sweeps, for any late duplicate


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    env = os.environ
    parser = argparse.ArgumentParser(
        prog="python -m bench.scaleout",
        description="Rehearse the scale-out topology under load with a worker killed and "
        "Redis restarted; count tickets, deliveries, duplicates and losses.",
    )
    parser.add_argument("--duration", type=float, default=float(env.get("DURATION", 60)),
                        help="seconds of load (default %(default)s)")  # fmt: skip
    parser.add_argument("--requesters", type=int, default=int(env.get("REQUESTERS", 2)),
                        help="threads sending the Contact Us form")  # fmt: skip
    parser.add_argument("--drain", type=float, default=float(env.get("DRAIN", 180)),
                        help="most seconds to wait for the outbox to empty")  # fmt: skip
    parser.add_argument("--pool", default="prefork", help="the workers' pool (default prefork)")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--no-second-beat", dest="second_beat", action="store_false",
                        help="leave out the second beat started by mistake")  # fmt: skip
    parser.add_argument("--server", default=env.get("REHEARSAL_DATABASE_SERVER", DEFAULT_SERVER),
                        help="PostgreSQL to create the rehearsal's database on")  # fmt: skip
    parser.add_argument("--slack-retry-after", type=int, default=15,
                        help="the Retry-After of the fake Slack's 429s (one post in 8); long "
                        "enough that the Redis restart finds a worker holding one")  # fmt: skip
    parser.add_argument("--pgbouncer", action="store_true",
                        help="put the app's processes behind a private PgBouncer in "
                        "transaction mode (needs pgbouncer on PATH)")  # fmt: skip
    parser.add_argument("--json", type=Path, help="also write the counts to this file")
    args = parser.parse_args(argv)
    if args.duration <= 0 or args.requesters < 1 or args.drain <= 0:
        parser.error("duration, requesters and drain must be positive")
    return args


def _maintenance(server: str) -> str:
    return urlunsplit(urlsplit(server)._replace(path="/postgres"))


def create_database(server: str) -> str:
    """A new, empty database on ``server``; its URL."""
    import psycopg
    from psycopg import sql

    name = f"helpdesk_rehearsal_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(_maintenance(server), autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return urlunsplit(urlsplit(server)._replace(path=f"/{name}"))


def drop_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(_maintenance(url), autocommit=True, connect_timeout=5) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def migrate(env: dict[str, str], log: Path) -> None:
    with log.open("wb") as out:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT, check=True, timeout=300,
        )  # fmt: skip


Step = tuple[float, str, Callable[[], object]]


def plan(topology: Topology, redis: RedisServer, second_beat: bool) -> list[Step]:
    """What goes wrong, and when (as a fraction of the load's duration)."""
    steps: list[Step] = [
        (0.30, "worker-1 SIGKILLed", lambda: topology.kill_worker(0)),
        (0.45, "worker-1 started again", lambda: topology.revive(0)),
        (0.60, "Redis restarted", lambda: (redis.stop(), time.sleep(1.0), redis.start())),
    ]
    if second_beat:
        holder: list = []
        steps += [
            (0.15, "a second beat started", lambda: holder.append(topology.start_beat(wait=False))),
            (0.80, "the second beat stopped", lambda: topology.stop_beat(holder[0])),
        ]
    return sorted(steps, key=lambda step: step[0])


def rehearse(load, topology: Topology, redis: RedisServer, args: argparse.Namespace) -> list[str]:
    """The load, with the plan's accidents on time; what happened, with the second it did."""
    threads = load.threads(args.requesters)
    for thread in threads:
        thread.start()
    started = time.monotonic()
    happened = []
    for fraction, what, action in plan(topology, redis, args.second_beat):
        while time.monotonic() < started + fraction * args.duration:
            topology.supervise()
            time.sleep(0.5)
        action()
        happened.append(f"{time.monotonic() - started:5.1f} s  {what}")
        print(f"  {happened[-1]}", flush=True)
    while time.monotonic() < started + args.duration:
        topology.supervise()
        time.sleep(0.5)
    load.stop.set()
    for thread in threads:
        thread.join(timeout=60)
    return happened


def drain(topology: Topology, seconds: float) -> float:
    """Wait until no outbox row is left to deliver (then a little longer); seconds waited."""
    from bench.scaleout.tally import pending_rows

    started = time.monotonic()
    while time.monotonic() < started + seconds:
        topology.supervise()
        if pending_rows() == 0:
            time.sleep(SETTLE_SECONDS)
            if pending_rows() == 0:
                break
        time.sleep(1.0)
    return time.monotonic() - started


def _run(args: argparse.Namespace, folder: Path, database_url: str) -> int:
    bouncer = PgBouncer(folder / "pgbouncer", database_url) if args.pgbouncer else None
    redis = RedisServer(folder / "redis", persist=True)
    (folder / "redis").mkdir()
    redis.start()
    fakes = Fakes.start(args.slack_retry_after)
    env = app_environment(folder, database_url, redis, fakes, secrets.token_urlsafe(50))
    # Migrations and the harness (the operator) go straight to PostgreSQL.
    direct = {**env, "DATABASE_URL": database_url}
    topology = Topology(folder, env, Servers(folder))
    try:
        if bouncer is not None:
            bouncer.start()
            env.update(DATABASE_URL=bouncer.url(database_url), DATABASE_POOLER="transaction")
        print("Migrating the rehearsal's database…", flush=True)
        migrate(direct, folder / "migrate.log")
        # The harness logs only errors: the app's warnings while Redis is away are expected.
        os.environ.update(
            {**direct, "HELPDESK_VAR_DIR": str(folder / "harness"), "LOG_LEVEL": "ERROR"}
        )
        return _rehearse(args, folder, topology, redis, fakes)
    finally:
        topology.stop()
        fakes.stop()
        redis.stop()
        if bouncer is not None:
            bouncer.stop()


def _rehearse(args: argparse.Namespace, folder: Path, topology: Topology, redis: RedisServer,
              fakes: Fakes) -> int:  # fmt: skip
    import logging

    import django

    django.setup()
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd: one line per command
    from django.db import connections

    from bench.scaleout import desk, tally
    from bench.scaleout.load import Load

    login, form = desk.agent_login(), desk.contact_form()
    print("Starting 2 web replicas, 2 workers and 1 beat…", flush=True)
    topology.start_workers(args.pool, args.concurrency)
    topology.start_web(2)
    topology.wait_for_workers()
    topology.start_beat()
    load = Load(ports=topology.web_ports, contact_form=form, login=login)
    print(f"Load for {args.duration:g} s:", flush=True)
    happened = rehearse(load, topology, redis, args)
    print(f"Waiting (at most {args.drain:g} s) for the outbox to empty…", flush=True)
    waited = drain(topology, args.drain)
    counts = tally.Counts()
    tally.count_load(counts, load)
    tally.count_deliveries(counts, fakes.slack, fakes.smtp, fakes.github)
    counts.events = {
        "tasks held or under way in the SIGKILLed worker": topology.killed_under_way,
        "exits restarted by the supervisor": topology.restarts,
        f"Slack 429s (Retry-After {fakes.slack.retry_after} s)": fakes.slack.rate_limited,
        "copies skipped by the workers (row already taken)": tally.skipped(topology.logs()),
        "drain seconds": round(waited, 1),
    }
    text = tally.table(counts)
    head = f"Scale-out rehearsal · {datetime.now(UTC):%Y-%m-%d %H:%M UTC} · {args.duration:g} s"
    if args.pgbouncer:
        head += " · behind PgBouncer (transaction mode)"
    report = f"{head}\n\n" + "".join(f"  {line}\n" for line in happened) + f"\n{text}"
    (folder / "results.md").write_text(report)
    print("\n" + report + f"\n(logs in {folder.relative_to(BASE_DIR)}/)", flush=True)
    if args.json:
        args.json.write_text(json.dumps({**counts.as_dict(), "happened": happened}, indent=2))
    connections.close_all()
    return 0 if counts.ok else 1


def _interrupt(signum: int, frame: object) -> None:
    """Stopped from outside (kill): the same clean-up as Ctrl-C."""
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    folder = VAR_DIR / f"run-{datetime.now(UTC):%Y%m%d-%H%M%S}-{os.getpid()}"
    folder.mkdir(parents=True)
    try:
        database_url = create_database(args.server)
    except Exception as error:
        print(f"Cannot create the rehearsal's database on {args.server}: {error}", file=sys.stderr)
        return 2
    try:
        return _run(args, folder, database_url)
    except (ServerError, subprocess.CalledProcessError, AssertionError, RuntimeError) as error:
        print(f"The rehearsal could not run: {error} (logs in {folder})", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nInterrupted: processes stopped, database dropped.", file=sys.stderr)
        return 130
    finally:
        drop_database(database_url)
