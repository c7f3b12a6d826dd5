"""Settings of the Celery workers: a queue per kind of work, and the worker's own broker options.

Read from the environment like the rest (every variable is in README.md with its
default); ``helpdesk.settings`` takes them all. The producer side (the broker
URL, the web process's short timeouts, beat's schedule) stays there.
"""

from __future__ import annotations

import environ
from kombu import Exchange, Queue

env = environ.Env()

# --- Queues -------------------------------------------------------------------
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="helpdesk")
# One queue per kind of work, so workers can be split by what they talk to (-Q);
# a worker started without -Q consumes them all. Each queue has its own direct
# exchange and routing key: with a shared one a message would reach every queue.
CELERY_TASK_QUEUES = [
    Queue(name, Exchange(name, type="direct"), routing_key=name)
    for name in dict.fromkeys([CELERY_TASK_DEFAULT_QUEUE, "email", "slack", "github", "sla"])
]
CELERY_TASK_ROUTES = {
    "tickets.tasks.sla_check": {"queue": "sla"},
    "integrations.email.tasks.mail_process": {"queue": "email"},
}
# The queue of an outbox row's kind family (the kind's first word); others: the default.
OUTBOX_QUEUES = {"email": "email", "slack": "slack", "github": "github"}

# --- The worker's broker connection -------------------------------------------
# Only the worker process takes these (helpdesk.worker_broker, at worker start),
# over the producer's options (same key prefix and visibility timeout): it waits
# out a hung broker, checks idle connections before using them, retries a
# timed-out command and reconnects for as long as it takes.
REDIS_WORKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": env.float("CELERY_WORKER_BROKER_TIMEOUT", default=10.0),
    "socket_timeout": env.float("CELERY_WORKER_BROKER_TIMEOUT", default=10.0),
    "socket_keepalive": True,
    "health_check_interval": env.int("CELERY_WORKER_HEALTH_CHECK_SECONDS", default=10),
    "retry_on_timeout": True,
    "max_retries": 3,
    "interval_start": 0.5,
}
