"""A private PgBouncer in transaction mode between the rehearsal's app processes and PostgreSQL.

``--pgbouncer`` puts every web replica, worker and beat behind it with
``DATABASE_POOLER=transaction`` and a server pool smaller than the number of
clients, so consecutive transactions of one Django connection really do run on
different server connections: anything that kept state on a server connection
(a cursor, a prepared statement, a session setting) would fail or go wrong under
the load. Needs ``pgbouncer`` on PATH (Debian: ``apt install pgbouncer``). Run as
root, it drops to ``nobody``, as PgBouncer refuses to run as root.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.loadtest.server import free_port

SERVER_POOL_SIZE = 6  # server connections per database, for about twenty clients


class PgBouncerMissing(RuntimeError):
    """``pgbouncer`` is not on PATH."""


class PgBouncer:
    """One pgbouncer process; :meth:`url` is a database URL that goes through it."""

    def __init__(self, folder: Path, server_url: str) -> None:
        if shutil.which("pgbouncer") is None:
            raise PgBouncerMissing("--pgbouncer needs pgbouncer on PATH (apt install pgbouncer)")
        self.folder, self.port = folder, free_port()
        self.server = urlsplit(server_url)
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, database_url: str) -> str:
        parts = urlsplit(database_url)
        user = parts.username or "postgres"
        return urlunsplit(parts._replace(netloc=f"{user}@127.0.0.1:{self.port}"))

    def _config(self) -> Path:
        server = self.server
        login = f"user={server.username or 'postgres'}"
        if server.password:
            login += f" password={server.password}"
        users = self.folder / "users.txt"
        users.write_text(f'"{server.username or "postgres"}" ""\n')
        config = self.folder / "pgbouncer.ini"
        config.write_text(
            "[databases]\n"
            f"* = host={server.hostname or '127.0.0.1'} port={server.port or 5432} {login}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {users}\n"
            f"pool_mode = transaction\ndefault_pool_size = {SERVER_POOL_SIZE}\n"
            "max_client_conn = 500\nignore_startup_parameters = extra_float_digits,options\n"
        )
        for path in (self.folder, users, config):  # readable by the user it drops to
            path.chmod(0o755 if path.is_dir() else 0o644)
        return config

    def start(self, timeout: float = 10.0) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        command = ["pgbouncer", str(self._config())]
        if os.geteuid() == 0:
            command[1:1] = ["-u", "nobody"]
        log = (self.folder / "pgbouncer.log").open("wb")
        self.process = subprocess.Popen(  # noqa: S603 - pgbouncer, fixed arguments
            command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"pgbouncer exited; see {self.folder / 'pgbouncer.log'}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"pgbouncer did not listen; see {self.folder / 'pgbouncer.log'}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # the app processes are stopped already
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
