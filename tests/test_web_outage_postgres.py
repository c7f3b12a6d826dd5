"""PostgreSQL stops under a running web server: people get the friendly 503 page, and
the next request after it is back is served again, with nobody restarting anything.

The cluster is the test's own (tests/private_postgres.py), loaded with the schema of
the test database; the web server is gunicorn with the app's settings (the test
settings only serve static files without collectstatic) in a process of its own.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from tests.celery_process import CHECKOUT, app_environment, database_url
from tests.polling import LONG_TEST_TIMEOUT
from tests.private_postgres import PostgresCluster, own_postgres_cluster
from tests.redis_server import free_port

pytestmark = [pytest.mark.django_db, LONG_TEST_TIMEOUT]

FRIENDLY = "We will be right back"
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
ONE_WORKER = ["--workers", "1", "--worker-class", "sync", "--chdir", str(CHECKOUT)]


@pytest.fixture
def cluster() -> Iterator[PostgresCluster]:
    if connection.vendor != "postgresql":
        pytest.skip("the schema is copied from the PostgreSQL test database (CI runs both)")
    with own_postgres_cluster() as cluster:
        cluster.create_database("helpdesk")
        cluster.copy_schema(database_url(), "helpdesk")
        yield cluster


@contextlib.contextmanager
def web_server(database: str) -> Iterator[str]:
    """gunicorn (one sync worker) on a free port, on ``database``; its base URL."""
    port = free_port()
    env = app_environment(
        "memory://localhost/",
        {"DATABASE_URL": database, "DJANGO_SETTINGS_MODULE": "helpdesk.settings_test"},
    )
    log_path = Path(env["HELPDESK_VAR_DIR"]) / "gunicorn.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
            [GUNICORN, "helpdesk.wsgi:application", "--bind", f"127.0.0.1:{port}", *ONE_WORKER],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while fetch(f"{base}/healthz")[0] != 200:
            assert server.poll() is None, log_path.read_text(errors="replace")
            assert time.monotonic() < deadline, log_path.read_text(errors="replace")
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(env["HELPDESK_VAR_DIR"], ignore_errors=True)


def fetch(url: str) -> tuple[int, dict[str, str], str]:
    """GET as a browser: status, headers and page (0 when nothing answers yet)."""
    request = urllib.request.Request(url, headers={"Accept": "text/html"})  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310 - loopback
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()
    except OSError:
        return 0, {}, ""


def test_postgresql_stopped_then_started_gives_the_friendly_page_then_the_portal_again(cluster):
    with web_server(cluster.url("helpdesk")) as site:
        assert fetch(f"{site}/")[0] == 200

        cluster.stop()
        status, headers, page = fetch(f"{site}/")
        assert status == 503, page
        assert FRIENDLY in page
        assert headers["Retry-After"] == "30"
        assert "Traceback" not in page
        assert fetch(f"{site}/healthz")[0] == 503

        cluster.start()
        status, _, page = fetch(f"{site}/")
        assert status == 200, page
        assert FRIENDLY not in page
