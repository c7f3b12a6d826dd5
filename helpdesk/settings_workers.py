"""Settings of the Celery workers: queues per kind of work, the worker's broker options, the outbox.

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
# Every name here needs a consumer: docker-compose.yml, Procfile.dev, the rehearsal
# (bench/scaleout) and README's -Q examples (tests/test_supervise_compose.py checks).
CELERY_TASK_QUEUES = [
    Queue(name, Exchange(name, type="direct"), routing_key=name)
    for name in dict.fromkeys(
        [CELERY_TASK_DEFAULT_QUEUE, "email", "slack", "github", "webhooks", "sla"]
    )
]
CELERY_TASK_ROUTES = {
    "tickets.tasks.sla_check": {"queue": "sla"},
    "integrations.email.tasks.mail_process": {"queue": "email"},
}
# The queue of an outbox row's kind family (the kind's first word); others: the default.
# Outgoing webhooks have their own: a subscriber's receiver may take up to
# WEBHOOK_TIMEOUT_SECONDS, and acknowledgements and alerts must not wait behind it.
OUTBOX_QUEUES = {"email": "email", "slack": "slack", "github": "github", "webhook": "webhooks"}

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

# --- Outbox -------------------------------------------------------------------
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
OUTBOX_BACKOFF_BASE_SECONDS = env.int("OUTBOX_BACKOFF_BASE_SECONDS", default=30)
OUTBOX_BACKOFF_MAX_SECONDS = env.int("OUTBOX_BACKOFF_MAX_SECONDS", default=6 * 3600)
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=300)
# A delivery is killed before its lease runs out, so no two workers hold one row.
CELERY_TASK_TIME_LIMIT = max(30, OUTBOX_LEASE_SECONDS - 30)
CELERY_TASK_SOFT_TIME_LIMIT = max(20, OUTBOX_LEASE_SECONDS - 60)
# The sweeper leaves rows due for less than this to their own dispatch.
OUTBOX_SWEEP_GRACE_SECONDS = env.int("OUTBOX_SWEEP_GRACE_SECONDS", default=30)
# After a failed hand-over to the broker, this process stops trying for a while
# (the sweeper delivers), so a hung broker costs one request a short wait, not all.
OUTBOX_DISPATCH_PAUSE_SECONDS = env.int("OUTBOX_DISPATCH_PAUSE_SECONDS", default=30)
# Longer waits (a Retry-After, a backoff) stay in the database, for the sweeper; 20 s
# still hands the Slack thread wait (15 s) to the broker, so follow-ups stay prompt.
OUTBOX_MAX_COUNTDOWN_SECONDS = env.int("OUTBOX_MAX_COUNTDOWN_SECONDS", default=20)
# How long the sweeper trusts a hand-over before handing a pending row over again.
OUTBOX_DISPATCH_LEASE_SECONDS = env.int("OUTBOX_DISPATCH_LEASE_SECONDS", default=300)
OUTBOX_KEEP_DELIVERED_DAYS = env.int("OUTBOX_KEEP_DELIVERED_DAYS", default=90)

# --- Worker health (integrations.workers, Admin → Integration health) ----------
# A worker records that it consumed a task at most this often (one small UPDATE).
WORKER_HEARTBEAT_SECONDS = env.int("WORKER_HEARTBEAT_SECONDS", default=30)
# The health page warns when no worker consumed anything for this long (beat sends
# a sweep every minute, so a consuming worker is never silent for minutes)...
WORKER_SILENT_MINUTES = env.int("WORKER_SILENT_MINUTES", default=5)
# ...and when outbox rows have been due (or their lease expired) for this long.
OUTBOX_BACKLOG_MINUTES = env.int("OUTBOX_BACKLOG_MINUTES", default=10)
