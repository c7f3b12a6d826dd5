"""`make run`'s worker (a process of its own on the embedded filesystem broker) serves all queues.

The web process and the worker share nothing but the broker's folder: each
declares the queues it uses, so a Slack alert published to the ``slack`` queue
and an SLA check to ``sla`` must still reach a worker started without -Q.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpdesk.celery import app as celery_app
from tests.brokers import use_broker
from tests.celery_process import celery_worker_process
from tests.polling import LONG_TEST_TIMEOUT, wait_for
from tests.worker_outages import counting_slack, delivered, slack_alerts, worker_env
from tickets import outbox

pytestmark = [pytest.mark.django_db(transaction=True), LONG_TEST_TIMEOUT]


def filesystem_options(var_dir: str) -> dict[str, object]:
    """The transport options settings.py gives the worker for its HELPDESK_VAR_DIR."""
    broker = Path(var_dir) / "broker"
    return {
        "data_folder_in": str(broker / "queue"),
        "data_folder_out": str(broker / "queue"),
        "processed_folder": str(broker / "processed"),
        "control_folder": str(broker / "control"),
        "store_processed": False,
    }


def test_a_worker_without_q_on_the_embedded_broker_consumes_every_queue():
    [row] = slack_alerts(1)
    with (
        counting_slack() as slack,
        celery_worker_process("filesystem://localhost/", extra_env=worker_env(slack)) as worker,
        use_broker("filesystem://localhost/", filesystem_options(worker.env["HELPDESK_VAR_DIR"])),
    ):
        assert outbox.outbox_dispatch(row.pk, kind=row.kind)  # to the slack queue
        celery_app.send_task("tickets.tasks.sla_check")  # to the sla queue
        wait_for(lambda: delivered(row), "the Slack alert to be delivered")
        sla_check_ran = re.compile(r"tickets\.tasks\.sla_check\[[^\]]+\] succeeded")
        wait_for(lambda: sla_check_ran.search(worker.log()), "the SLA check to run")
    assert slack.accepted() == {row.key: 1}
