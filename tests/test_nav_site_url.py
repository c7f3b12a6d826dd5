"""`make run PORT=8100`: every link in emails points to port 8100 unless SITE_URL is set.

The emails are sent by the worker, and honcho gives each process of the Procfile
its own PORT (the worker's is PORT+100), so the Makefile sets SITE_URL for all of
them. These tests run the real `make run` and the real honcho, with the set-up
steps stubbed out and a Procfile whose web and worker report the SITE_URL their
Django settings hold.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, os, sys, time
from pathlib import Path

import django
from django.conf import settings

django.setup()
name, out = sys.argv[1], Path(sys.argv[2])
report = {"PORT": os.environ.get("PORT"), "SITE_URL": settings.SITE_URL}
(out / (name + ".json")).write_text(json.dumps(report))
# The worker ends the run once the web has reported (honcho then stops the web).
deadline = time.monotonic() + 50
while time.monotonic() < deadline:
    if name == "worker" and (out / "web.json").exists():
        break
    time.sleep(0.1)
"""

# Any database: `make run` here has a SQLite file of its own, whatever the run uses. CI
# runs it once, on PostgreSQL (.ci/run).
pytestmark = [
    pytest.mark.database_agnostic,
    pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed"),
    pytest.mark.timeout(120),
]


def make_run(tmp_path: Path, port: str, **environment: str) -> dict[str, dict[str, str]]:
    """`make run PORT=<port>` with install, migrate and seed stubbed; what each process saw."""
    out = tmp_path / "reports"
    out.mkdir()
    (tmp_path / "probe.py").write_text(PROBE)
    python = sys.executable
    (tmp_path / "Procfile").write_text(
        f"web: {python} {tmp_path / 'probe.py'} web {out}\n"
        f"worker: {python} {tmp_path / 'probe.py'} worker {out}\n"
    )
    (tmp_path / "no.env").write_text("")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    honcho = bin_dir / "honcho"
    real_honcho = Path(sys.executable).parent / "honcho"
    # The Makefile's own honcho line, pointed at the probing Procfile (and at no .env).
    honcho.write_text(
        f"#!/bin/sh\nexec {real_honcho} -f {tmp_path / 'Procfile'} -e {tmp_path / 'no.env'} start\n"
    )
    honcho.chmod(0o755)
    installed = [tmp_path / "stamp", tmp_path / "vendor"]
    for done in installed:
        done.touch()  # newer than the lock files: nothing to install

    env = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "PORT")}
    env.update(
        DJANGO_SETTINGS_MODULE="helpdesk.settings",
        PYTHONPATH=str(PROJECT_ROOT),  # the probe runs from tmp_path
        HELPDESK_VAR_DIR=str(tmp_path / "var"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CELERY_BROKER_URL="memory://localhost/",
        **environment,
    )
    result = subprocess.run(  # noqa: S603 - make, with our own Makefile
        ["make", "-s", "run", f"PORT={port}", "PY=true", f"BIN={bin_dir}",  # noqa: S607 - make from PATH
         f"STAMP={installed[0]}", f"VENDOR={installed[1]}"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=90, check=False,
    )  # fmt: skip
    reports = {path.stem: json.loads(path.read_text()) for path in out.glob("*.json")}
    assert set(reports) == {"web", "worker"}, result.stdout + result.stderr
    return reports


def test_make_run_on_port_8100_links_emails_to_port_8100(tmp_path):
    seen = make_run(tmp_path, "8100")

    assert seen["web"]["PORT"] == "8100"
    assert seen["worker"]["PORT"] == "8200"  # honcho's own numbering: not the site's port
    assert seen["web"]["SITE_URL"] == "http://127.0.0.1:8100"
    assert seen["worker"]["SITE_URL"] == "http://127.0.0.1:8100"  # the worker sends the emails


def test_a_site_url_that_is_set_is_kept(tmp_path):
    seen = make_run(tmp_path, "8100", SITE_URL="https://support.example.org")

    assert seen["web"]["SITE_URL"] == "https://support.example.org"
    assert seen["worker"]["SITE_URL"] == "https://support.example.org"
