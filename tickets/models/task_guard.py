"""A task message that came back without its earlier delivery finishing.

With late acknowledgement and ``task_reject_on_worker_lost`` a task whose worker
dies is put back in the queue; one that kills its worker every time (a crash in
a C library, memory exhaustion, a bug that calls ``os._exit``) would loop for
ever. :mod:`tickets.task_guard` counts such starts here and gives the task up
after ``TASK_MAX_DELIVERIES``; the rows left are the ones an operator should see.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RedeliveredTask(models.Model):
    task_id = models.CharField(_("task id"), max_length=255, unique=True)
    name = models.CharField(_("task"), max_length=200)
    arguments = models.TextField(_("arguments"), blank=True)
    starts = models.PositiveIntegerField(
        _("starts"), default=1, help_text=_("How many times a worker began running it.")
    )
    hostname = models.CharField(_("last worker"), max_length=200, blank=True)
    first_seen_at = models.DateTimeField(_("first redelivered"), default=timezone.now)
    last_started_at = models.DateTimeField(_("last started"), default=timezone.now)
    given_up_at = models.DateTimeField(_("given up"), null=True, blank=True)

    class Meta:
        ordering = ["-last_started_at", "-id"]
        verbose_name = _("task that lost its worker")
        verbose_name_plural = _("tasks that lost their worker")

    def __str__(self) -> str:
        return f"{self.name} {self.task_id}"
