"""Only the worker process is patient with its broker; web processes keep the short hand-over."""

import pytest
from celery import Celery
from celery.signals import celeryd_init
from django.conf import settings

from helpdesk import worker_broker


@pytest.fixture
def app_on(monkeypatch):
    """A Celery app on a broker URL, with the web process's transport options."""

    def make(broker_url: str) -> Celery:
        monkeypatch.setenv("CELERY_BROKER_URL", broker_url)  # Celery reads it over the conf
        app = Celery("options-test", set_as_current=False)
        app.conf.update(
            broker_url=broker_url,
            broker_transport_options=dict(settings.REDIS_BROKER_TRANSPORT_OPTIONS),
            broker_connection_timeout=1.0,
        )
        return app

    return make


def test_the_worker_waits_out_a_hung_redis_and_reconnects_forever(app_on):
    app = app_on("redis://127.0.0.1:6390/0")
    worker_broker.worker_broker_options(app.conf)
    options = app.conf.broker_transport_options
    assert options["socket_timeout"] == options["socket_connect_timeout"] == 10.0
    assert options["health_check_interval"] == 10
    assert options["retry_on_timeout"] is True
    # The same queues as the producers see (same visibility timeout, same keys).
    visibility = settings.REDIS_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert options["visibility_timeout"] == visibility
    assert app.conf.broker_connection_retry is True
    assert app.conf.broker_connection_max_retries is None
    assert app.conf.broker_connection_timeout == 10.0
    # A running delivery finishes and records its outcome rather than being killed.
    assert app.conf.worker_cancel_long_running_tasks_on_connection_loss is False


def test_the_worker_program_takes_its_options_when_it_starts(app_on):
    app = app_on("memory://localhost/")
    celeryd_init.send(sender="worker@test", instance=None, conf=app.conf, options={})
    assert app.conf.broker_connection_max_retries is None


def test_web_processes_keep_the_short_bounded_hand_over():
    """This process never starts a worker program, so nothing made it patient."""
    options = settings.REDIS_BROKER_TRANSPORT_OPTIONS
    assert options["socket_timeout"] == options["socket_connect_timeout"] == 1.0
    assert options["max_retries"] == 1


def test_the_embedded_filesystem_broker_keeps_its_own_options(app_on):
    app = app_on("filesystem://localhost/")
    app.conf.broker_transport_options = {"data_folder_in": "/x", "data_folder_out": "/x"}
    worker_broker.worker_broker_options(app.conf)
    assert app.conf.broker_transport_options == {"data_folder_in": "/x", "data_folder_out": "/x"}
    assert app.conf.broker_connection_max_retries is None


def test_the_kombu_workarounds_are_reviewed_when_kombu_changes():
    """helpdesk.worker_broker patches two kombu 5.7.0 methods. On an upgrade, run
    tests/test_worker_broker_outages.py without each patch and drop the fixed ones."""
    import kombu
    from kombu.transport import redis as kombu_redis

    assert kombu.__version__ == "5.7.0"
    assert callable(kombu_redis.Channel._brpop_read)
