"""`make run`'s worker (a process of its own on the embedded filesystem broker) serves all queues.

The web process and the worker share nothing but the broker's folder: each
declares the queues it uses, so a Slack alert published to the ``slack`` queue,
an outgoing webhook to ``webhooks`` and an SLA check to ``sla`` must still reach
a worker started without -Q (Procfile.dev's).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpdesk.celery import app as celery_app
from integrations.webhooks.services import subscription_send_test
from tests.brokers import use_broker
from tests.celery_process import celery_worker_process
from tests.polling import LONG_TEST_TIMEOUT, wait_for
from tests.webhook_receiver import (
    received,
    subscribe,
    webhook_rows,
)
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


def test_a_worker_without_q_on_the_embedded_broker_consumes_every_queue(receiver_server):
    [row] = slack_alerts(1)
    receiver_server.clear()
    receiver_server.expect_request("/helpdesk-events", method="POST").respond_with_data("thanks")
    subscription_send_test(subscription=subscribe(receiver_server.url_for("/helpdesk-events"), []))
    [webhook] = webhook_rows()
    # The receiver is on 127.0.0.1 over plain http, which only development allows.
    receiver_allowed = {"WEBHOOK_REQUIRE_HTTPS": "false", "WEBHOOK_ALLOW_PRIVATE_TARGETS": "true"}
    with (
        counting_slack() as slack,
        celery_worker_process(
            "filesystem://localhost/", extra_env=worker_env(slack, **receiver_allowed)
        ) as worker,
        use_broker("filesystem://localhost/", filesystem_options(worker.env["HELPDESK_VAR_DIR"])),
    ):
        assert outbox.outbox_dispatch(row.pk, kind=row.kind)  # to the slack queue
        assert outbox.outbox_dispatch(webhook.pk, kind=webhook.kind)  # to the webhooks queue
        celery_app.send_task("tickets.tasks.sla_check")  # to the sla queue
        wait_for(lambda: delivered(row, webhook), "the Slack alert and the webhook to be delivered")
        sla_check_ran = re.compile(r"tickets\.tasks\.sla_check\[[^\]]+\] succeeded")
        wait_for(lambda: sla_check_ran.search(worker.log()), "the SLA check to run")
    assert slack.accepted() == {row.key: 1}
    assert len(received(receiver_server)) == 1
