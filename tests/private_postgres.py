"""A PostgreSQL cluster of the test's own on a free loopback port: the test can stop and start it.

The machine's PostgreSQL on 5432 serves everyone (other checkouts, CI): an outage
test must never stop it. This makes a throw-away cluster with ``initdb`` in a
unique temporary folder and runs it with ``pg_ctl`` (from ``PATH``). ``initdb``
refuses to run as root, so as root every command runs as the ``postgres`` user
(``runuser``), which then owns the folder. Durability is off (``fsync=off``): the
cluster lives for one test.

Without ``initdb`` the test is skipped, except on CI, where it fails.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.redis_server import free_port

OS_USER = "postgres"


def _as_cluster_owner(command: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", OS_USER, "--", *command]
    return command


def _run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(  # noqa: S603 - PostgreSQL's own tools, fixed arguments
        command, check=True, capture_output=True, timeout=120, **kwargs
    )


class PostgresCluster:
    """One cluster; ``url`` stays the same across stop and start."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()

    def url(self, database: str = "postgres") -> str:
        return f"postgres://{OS_USER}@127.0.0.1:{self.port}/{database}"

    def init(self) -> None:
        options = ["-U", OS_USER, "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"]
        _run(_as_cluster_owner(["initdb", "-D", str(self.data), *options]))

    def start(self) -> None:
        """Start (or start again, on the same port) and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.folder / "postgres.log")
        _run(
            _as_cluster_owner(
                ["pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "start"]
            )
        )

    def stop(self) -> None:
        """Stop it as an outage does: sessions are cut, new connections refused."""
        _run(_as_cluster_owner(["pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop"]))

    def running(self) -> bool:
        status = subprocess.run(  # noqa: S603 - pg_ctl, fixed arguments
            _as_cluster_owner(["pg_ctl", "-D", str(self.data), "status"]),
            capture_output=True,
            check=False,
        )
        return status.returncode == 0

    def log(self) -> str:
        path = self.folder / "postgres.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def create_database(self, name: str) -> None:
        _run(["createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", OS_USER, name])

    def copy_schema(self, source_url: str, database: str) -> None:
        """The tables of ``source_url`` (a migrated database) and its migration records,
        loaded into ``database`` here: a second, where migrating afresh takes half a minute."""
        schema = _run(["pg_dump", "--schema-only", "--no-owner", "--no-privileges", source_url])
        applied = _run(["pg_dump", "--data-only", "--table=django_migrations", source_url])
        _run(
            ["psql", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.url(database)],
            input=schema.stdout + applied.stdout,
        )


@contextlib.contextmanager
def own_postgres_cluster() -> Iterator[PostgresCluster]:
    """A started cluster of this test's own; stopped and its folder removed after."""
    if shutil.which("initdb") is None or shutil.which("pg_ctl") is None:
        message = "initdb and pg_ctl are needed on PATH for this outage test"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    folder = Path(tempfile.mkdtemp(prefix="helpdesk-postgres-"))
    try:
        if os.geteuid() == 0:
            shutil.chown(folder, user=OS_USER, group=OS_USER)
        cluster = PostgresCluster(folder)
        cluster.init()
        cluster.start()
        try:
            yield cluster
        finally:
            if cluster.running():
                cluster.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
