"""What the back office knows about the Celery workers: when each last consumed a task."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """One row per worker node name ("celery@host"), written by the worker itself.

    ``consumed_at`` moves when the worker runs a task (at most every
    ``WORKER_HEARTBEAT_SECONDS``, see integrations.workers), so it tells a worker
    that takes tasks from one that is alive but stuck. ``ping`` is the token of the
    last health-check ping it ran (``manage.py worker_health``).
    """

    hostname = models.CharField(_("worker"), max_length=200, unique=True)
    queues = models.CharField(_("queues"), max_length=500, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    consumed_at = models.DateTimeField(_("last consumed"), null=True, blank=True)
    ping = models.CharField(_("last ping"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return self.hostname
