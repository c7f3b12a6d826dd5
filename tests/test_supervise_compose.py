"""docker-compose.yml runs the shapes the README promises, each worker watched and restarted.

No Docker daemon here: the file is read as Compose reads it (YAML merge keys, and
a service without ``profiles`` in every profile) and each profile's services are
counted: one machine (``single``) or the scale-out rehearsal (``scale``): two web
replicas, two workers that split the queues between them, and one beat. Every
other way of starting workers (``make run``'s Procfile.dev, the rehearsal, the
README's split) also consumes every queue, so no task waits on a queue nobody reads.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from bench.scaleout.topology import WORKER_QUEUES

yaml = pytest.importorskip("yaml", reason="PyYAML reads docker-compose.yml (the dev extras)")

ROOT = Path(__file__).resolve().parent.parent
QUEUES = {"helpdesk", "email", "slack", "github", "webhooks", "sla"}  # issue 18, and webhooks
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600}


def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def services(profile: str) -> dict[str, dict[str, Any]]:
    """What ``docker compose --profile <profile> up`` starts."""
    return {
        name: service
        for name, service in compose()["services"].items()
        if "profiles" not in service or profile in service["profiles"]
    }


def app_command(service: dict[str, Any]) -> list[str]:
    return list(service.get("command") or [])


def role(service: dict[str, Any]) -> str:
    """web (the image's gunicorn), worker, beat, or another container."""
    if "helpdesk" not in str(service.get("image", "")):
        return "other"
    command = app_command(service)
    if command[:3] == ["celery", "-A", "helpdesk"]:
        return command[3]
    return "web" if not command else "other"


def by_role(profile: str, wanted: str) -> dict[str, dict[str, Any]]:
    return {name: s for name, s in services(profile).items() if role(s) == wanted}


def queues_of(worker: dict[str, Any]) -> set[str]:
    return queues_of_command(app_command(worker))


def queues_of_command(command: list[str]) -> set[str]:
    if "-Q" not in command:
        return set(QUEUES)  # no -Q: every declared queue
    return set(command[command.index("-Q") + 1].split(","))


def seconds(duration: str) -> int:
    return sum(int(n) * UNIT_SECONDS[unit] for n, unit in re.findall(r"(\d+)([smh])", duration))


def test_the_queue_names_are_the_ones_the_settings_declare():
    declared = getattr(settings, "CELERY_TASK_QUEUES", None)
    if declared is None:
        pytest.skip("the settings do not declare their queues yet")
    assert {getattr(queue, "name", queue) for queue in declared} == QUEUES


@pytest.mark.parametrize(
    ("profile", "web", "workers"),
    [("single", 1, 1), ("scale", 2, 2)],
)
def test_each_profile_runs_its_web_replicas_its_workers_and_exactly_one_beat(profile, web, workers):
    assert len(by_role(profile, "web")) == web
    assert len(by_role(profile, "worker")) == workers
    assert len(by_role(profile, "beat")) == 1
    covered = set().union(*(queues_of(w) for w in by_role(profile, "worker").values()))
    assert covered == QUEUES, "every queue has a worker"


def test_the_scale_workers_split_the_queues_by_kind():
    workers = by_role("scale", "worker")
    split = [queues_of(worker) for worker in workers.values()]
    assert sorted(map(sorted, split)) == [
        ["email", "helpdesk", "sla"],
        ["github", "slack", "webhooks"],
    ]


def test_the_make_run_worker_consumes_every_queue():
    procfile = (ROOT / "Procfile.dev").read_text()
    (line,) = re.findall(r"^worker:(.*)$", procfile, re.MULTILINE)
    command = shlex.split(line)
    worker = command[command.index("--") + 1 :]
    assert worker[1:4] == ["-A", "helpdesk", "worker"]
    assert queues_of_command(worker) == QUEUES


def test_the_rehearsal_and_the_readme_split_workers_consume_every_queue_between_them():
    rehearsal = [set(queues.split(",")) for queues in WORKER_QUEUES]
    assert set().union(*rehearsal) == QUEUES
    readme = (ROOT / "README.md").read_text()
    hosts = re.findall(r"^\s*celery -A helpdesk worker .*-Q (\S+)", readme, re.MULTILINE)
    assert len(hosts) == 2, "the two hosts of Scaling out"
    assert set().union(*(set(queues.split(",")) for queues in hosts)) == QUEUES


@pytest.mark.parametrize("profile", ["single", "scale"])
def test_every_worker_restarts_and_is_checked_by_a_ping_through_its_own_queue(profile):
    for name, worker in by_role(profile, "worker").items():
        assert worker["restart"] == "unless-stopped", name
        check = worker["healthcheck"]
        test = " ".join(check["test"])
        assert "manage.py worker_health" in test, name
        assert "--hostname celery@$$HOSTNAME" in test, name  # Celery's default node name
        ping_timeout = int(re.search(r"--timeout (\d+)", test).group(1))
        assert ping_timeout < seconds(check["timeout"]) <= seconds(check["interval"]), name
        assert check["retries"] >= 2, name
        assert "-n" not in app_command(worker), "the check assumes the default node name"


@pytest.mark.parametrize("profile", ["single", "scale"])
def test_beat_restarts_and_its_schedule_file_is_checked(profile):
    (beat,) = by_role(profile, "beat").values()
    assert beat["restart"] == "unless-stopped"
    command = app_command(beat)
    schedule = command[command.index("-s") + 1]
    test = beat["healthcheck"]["test"]
    assert "beat_health" in test
    assert test[test.index("--schedule") + 1] == schedule


def test_the_scale_app_reaches_postgresql_through_pgbouncer_in_transaction_mode():
    scale = services("scale")
    pooler = scale["pgbouncer"]
    assert pooler["environment"]["POOL_MODE"] == "transaction"
    assert pooler["restart"] == "unless-stopped"
    for name, service in scale.items():
        if role(service) in ("web", "worker"):
            environment = service["environment"]
            assert "@pgbouncer:" in environment["DATABASE_URL"], name
            assert environment["DATABASE_POOLER"] == "transaction", name
    # Migrations go straight to PostgreSQL.
    assert "@postgres:" in scale["migrate"]["environment"]["DATABASE_URL"]


def test_the_balancer_spreads_requests_over_both_web_replicas():
    scale = services("scale")
    (mount,) = scale["balancer"]["volumes"]
    source, target, _ = mount.split(":")
    assert target == "/etc/nginx/conf.d/default.conf"
    balancer = (ROOT / source).read_text()
    for name in by_role("scale", "web"):
        assert f"server {name}:8000" in balancer
        assert scale[name].get("ports") is None, "only the balancer is published"
    assert scale["balancer"]["ports"] == ["${WEB_PORT:-8000}:8000"]
    assert "X-Forwarded-Proto $http_x_forwarded_proto" in balancer


def test_the_example_environment_chooses_the_single_machine_shape():
    example = (ROOT / "deploy" / "production.env.example").read_text()
    assert re.search(r"^COMPOSE_PROFILES=single$", example, re.MULTILINE)
