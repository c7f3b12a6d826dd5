"""The production shape as local processes: Redis, 2 web, 2 workers, 1 beat (and a mistake).

Every process gets the environment production would set (``helpdesk.settings``,
DEBUG off), pointed at the rehearsal's own database, its private redis-server
(broker on database 0 with append-only persistence, cache on database 1) and the
counting fakes; only the schedules, lease and back-off are shortened so a
minute's run sees many sweeps and SLA checks. Each app process has its own
``HELPDESK_VAR_DIR`` (its log, beat's schedule file); uploads are shared.

The two workers consume the queues split by kind (``email``/``sla`` and
``slack``/``github``/``webhooks``), both also ``helpdesk``: before the routing exists every
task is on ``helpdesk`` and both take it; after, each kind has its worker and
the sweeps go on while one worker is down. :meth:`Topology.supervise` plays
the supervisor (compose's ``restart: unless-stopped``): a worker or beat that
exits on its own is started again, and counted.
"""

from __future__ import annotations

import os
import secrets
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.loadtest.server import HOST, Servers
from bench.scaleout.fakes import (
    GITHUB_TOKEN,
    SLACK_CHANNEL,
    SLACK_TOKEN,
    CountingGitHub,
    CountingSlack,
    CountingSmtp,
)
from tests.celery_process import CeleryProcess
from tests.redis_server import RedisServer

WORKER_QUEUES = ("helpdesk,email,sla", "helpdesk,slack,github,webhooks")
WEBHOOK_SECRET = "rehearsal-webhook-secret"  # noqa: S105 - shared with the load only
SUPPORT_TEAM_EMAIL = "team@support.example.org"
# Short cycles, so a short run sees the sweeper and the SLA check many times.
SCHEDULES = {
    "OUTBOX_SWEEP_SECONDS": "3",
    "OUTBOX_SWEEP_GRACE_SECONDS": "3",
    "SLA_CHECK_SECONDS": "2",
    # A killed worker's rows come back after this; every fake answers at once.
    "OUTBOX_LEASE_SECONDS": "15",
    "OUTBOX_BACKOFF_BASE_SECONDS": "2",
    "OUTBOX_DISPATCH_PAUSE_SECONDS": "5",
    "SLACK_TIMEOUT": "5",
    "GITHUB_TIMEOUT": "5",
    "EMAIL_TIMEOUT": "5",
}


@dataclass
class Fakes:
    slack: CountingSlack
    smtp: CountingSmtp
    github: CountingGitHub

    @classmethod
    def start(cls, slack_retry_after: int) -> Fakes:
        slack = CountingSlack(rate_limit_every=8, retry_after=slack_retry_after).start()
        return cls(slack, CountingSmtp().start(), CountingGitHub().start())

    def stop(self) -> None:
        self.slack.stop()
        self.smtp.stop()
        self.github.stop()


def app_environment(folder: Path, database_url: str, redis: RedisServer, fakes: Fakes,
                    secret: str) -> dict[str, str]:  # fmt: skip
    """What production sets, pointed at the rehearsal's own services."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CELERY_", "DATABASE_", "PYTEST_", "TEST_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="helpdesk.settings",
        DEBUG="false",
        SECRET_KEY=secret,
        ALLOWED_HOSTS=HOST,
        SECURE_SSL_REDIRECT="false",
        SITE_URL="http://127.0.0.1:8000",
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=redis.url(0),
        CACHE_URL=redis.url(1),
        MEDIA_ROOT=str(folder / "media"),
        EMAIL_URL=fakes.smtp.url,
        SUPPORT_TEAM_EMAIL=SUPPORT_TEAM_EMAIL,
        SLACK_BOT_TOKEN=SLACK_TOKEN,
        SLACK_API_URL=fakes.slack.url,
        SLACK_URGENT_CHANNEL=SLACK_CHANNEL,
        SLACK_SIGNING_SECRET=secrets.token_hex(16),
        GITHUB_TOKEN=GITHUB_TOKEN,
        GITHUB_API_URL=fakes.github.url,
        GITHUB_WEBHOOK_SECRET=WEBHOOK_SECRET,
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
        **SCHEDULES,
    )
    return env


def under_way(log: str) -> int:
    """Tasks a worker's log shows received and not (yet) finished."""
    finished = log.count(" succeeded in ") + log.count(" raised ") + log.count(" retry: ")
    return max(0, log.count(" received\n") - finished)


@dataclass
class Topology:
    """The app's processes of one rehearsal; :meth:`stop` ends them all."""

    folder: Path
    env: dict[str, str]
    servers: Servers
    web_ports: list[int] = field(default_factory=list)
    workers: list[CeleryProcess] = field(default_factory=list)
    beats: list[CeleryProcess] = field(default_factory=list)
    restarts: int = 0  # processes that exited on their own and were started again
    killed_under_way: int = 0  # tasks a SIGKILLed worker had received and not finished
    _planned_down: set[int] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _process(self, name: str, args: list[str]) -> CeleryProcess:
        var = self.folder / name
        var.mkdir(exist_ok=True)
        return CeleryProcess(args, {**self.env, "HELPDESK_VAR_DIR": str(var)})

    def start_web(self, count: int) -> None:
        """``count`` gunicorn replicas (2 sync workers each, as the load test runs them)."""
        env = {**self.env, "DJANGO_SETTINGS_MODULE": "bench.scaleout.settings",
               "HELPDESK_VAR_DIR": str(self.folder / "web"), "LOG_LEVEL": "WARNING"}  # fmt: skip
        for index in range(count):
            self.web_ports.append(
                self.servers.start(f"web-{index + 1}", "helpdesk.wsgi:application", env, "/healthz")
            )

    def start_workers(self, pool: str, concurrency: int) -> None:
        """Both workers, started at once (:meth:`wait_for_workers` waits until they consume)."""
        for index, queues in enumerate(WORKER_QUEUES, start=1):
            name = f"worker-{index}"
            worker = self._process(name, [
                "worker", "-l", "INFO", "-P", pool, "-c", str(concurrency), "-n", f"{name}@%h",
                "-Q", queues, "--without-gossip", "--without-mingle",
            ])  # fmt: skip
            worker.start()
            self.workers.append(worker)

    def wait_for_workers(self) -> None:
        for worker in self.workers:
            worker.wait_ready()

    def start_beat(self, *, wait: bool = True) -> CeleryProcess:
        """One beat (a second call is the mistake: another beat with its own schedule file)."""
        name = f"beat-{len(self.beats) + 1}"
        schedule = self.folder / name / "celerybeat-schedule"
        beat = self._process(name, ["beat", "-l", "INFO", "-s", str(schedule), "--pidfile="])
        beat.start()
        if wait:
            beat.wait_ready("beat: Starting...")
        self.beats.append(beat)
        return beat

    def kill_worker(self, index: int, *, wait_busy: float = 5.0) -> None:
        """SIGKILL a worker and its pool, as a lost host does, preferably while it is
        delivering (waits up to ``wait_busy`` seconds for a task under way);
        :meth:`revive` starts it again."""
        worker = self.workers[index]
        deadline = time.monotonic() + wait_busy
        while under_way(worker.log()) == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        with self._lock:
            self._planned_down.add(id(worker))
        worker.kill(signal.SIGKILL)
        self.killed_under_way += under_way(worker.log())
        assert worker.process is not None
        worker.process.wait(timeout=10)

    def revive(self, index: int) -> None:
        worker = self.workers[index]
        worker.start()
        with self._lock:
            self._planned_down.discard(id(worker))

    def stop_beat(self, beat: CeleryProcess) -> None:
        with self._lock:
            self._planned_down.add(id(beat))
        beat.stop()

    def supervise(self) -> None:
        """Start again any worker or beat that exited without being told to."""
        with self._lock:
            for process in [*self.workers, *self.beats]:
                if id(process) not in self._planned_down and not process.alive():
                    self.restarts += 1
                    process.start()

    def logs(self) -> dict[str, str]:
        return {p.log_path.parent.name: p.log() for p in [*self.workers, *self.beats]}

    def stop(self) -> None:
        for process in [*self.beats, *self.workers]:
            with self._lock:
                self._planned_down.add(id(process))
            process.stop()
        self.servers.stop()
