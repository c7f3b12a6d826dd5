"""The Celery application (the official Django recipe): settings prefixed CELERY_.

The worker process takes its own, patient broker options when it starts
(:mod:`helpdesk.worker_broker`); every other process keeps the short ones.
"""

import os

from celery import Celery

from helpdesk import worker_broker  # noqa: F401 - connects the worker's start-up signal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

app = Celery("helpdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
