"""The production environment passes Django's deployment checks; keys are handled safely.

Each test runs ``manage.py`` in a fresh interpreter with the real settings
(``helpdesk.settings``), because the settings are read once, at import, from the
environment. No database, broker or cache is needed.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

# Any database: each test runs manage.py with a SQLite file of its own, whatever the run
# uses. CI runs it once, on PostgreSQL (.ci/run).
pytestmark = pytest.mark.database_agnostic

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = PROJECT_ROOT / "deploy" / "production.env.example"
# The settings modules (helpdesk.settings takes in the others), whatever their number.
SETTINGS = [
    path
    for path in sorted((PROJECT_ROOT / "helpdesk").glob("settings*.py"))
    if path.name != "settings_test.py"
]

# Read by docker-compose.yml or the image, not by the settings.
NOT_SETTINGS = {"POSTGRES_PASSWORD", "WEB_CONCURRENCY", "COMPOSE_PROFILES"}


def parse_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines; blank lines and comments are ignored."""
    values = {}
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep, f"not a KEY=VALUE line in {path.name}: {raw!r}"
        values[key.strip()] = value.strip()
    return values


def _environment(tmp_path: Path, settings: dict[str, str]) -> dict[str, str]:
    """This process's environment with ``settings`` on top, needing no services."""
    env = os.environ.copy()
    # pytest-django's test settings put a key in this process's environment.
    env.pop("SECRET_KEY", None)
    env.update(settings)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "CELERY_BROKER_URL": "memory://localhost/",
            "CACHE_URL": "locmemcache://",
            "HELPDESK_VAR_DIR": str(tmp_path / "var"),
        }
    )
    return env


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_environment_passes_deploy_checks(tmp_path):
    production = parse_env_file(PRODUCTION_ENV)
    # The example ships no key (each site generates its own), so make one as it advises.
    production["SECRET_KEY"] = production["SECRET_KEY"] or secrets.token_urlsafe(64)
    env = _environment(tmp_path, production)

    result = _manage(env, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_example_ships_no_secrets():
    production = parse_env_file(PRODUCTION_ENV)

    assert production["DEBUG"] == "false"
    assert production["SECRET_KEY"] == ""
    assert production["POSTGRES_PASSWORD"] == ""


def test_production_example_names_only_real_settings():
    """A misspelt name in the example would be silently ignored in production."""
    source = "\n".join(path.read_text() for path in SETTINGS)
    read_by_settings = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z0-9_]+)"', source))
    documented = set(parse_env_file(PRODUCTION_ENV))
    documented |= set(re.findall(r"^#\s*([A-Z0-9_]+)=", PRODUCTION_ENV.read_text(), re.MULTILINE))

    assert documented - NOT_SETTINGS - read_by_settings == set()


@pytest.mark.parametrize("debug", [None, "false"], ids=["DEBUG unset", "DEBUG=false"])
def test_secret_key_is_required_without_debug(tmp_path, debug):
    env = _environment(tmp_path, {} if debug is None else {"DEBUG": debug})
    if debug is None:
        env.pop("DEBUG", None)

    result = _manage(env, "check")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY is required" in result.stderr
    assert not (tmp_path / "var" / "secret_key").exists()


def test_debug_generates_a_secret_key_once_and_reuses_it(tmp_path):
    env = _environment(tmp_path, {"DEBUG": "true"})
    key_file = tmp_path / "var" / "secret_key"

    first = _manage(env, "check")
    assert first.returncode == 0, first.stdout + first.stderr
    key = key_file.read_text()
    assert len(key.strip()) >= 50
    assert key_file.stat().st_mode & 0o777 == 0o600

    second = _manage(env, "check")
    assert second.returncode == 0, second.stdout + second.stderr
    assert key_file.read_text() == key
