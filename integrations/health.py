"""How each integration is doing, read from the outbox: configured, last success, waiting, failed.

And how the workers are doing (:func:`workers_health`): when each last consumed a
task (their heartbeats, integrations.workers) and whether outbox rows are backing
up, i.e. have been due for a while with nobody delivering them.

Generic over outbox kinds: an integration is a name, a test on its kinds (email is
``email``; GitHub's kinds start with ``github``, Slack's with ``slack``) and a
check of its settings. The queries use the outbox's status index: pending and
failed rows are few, and the last success is read from the newest delivered rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, F, Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from integrations.models import WorkerHeartbeat
from tickets.models import OutboxMessage, OutboxStatus

# Email backends that keep mail on this machine: configured for development only.
_LOCAL_EMAIL_BACKENDS = ("console", "filebased", "locmem", "dummy")
# Delivered rows looked at for the last success (newest first, by the status index).
_RECENT_DELIVERED = 200
# Workers listed: those heard from within this long (a replaced container's name
# stays in the table, not on the page), at most this many.
_WORKERS_SINCE = timedelta(days=1)
_WORKERS_SHOWN = 50


@dataclass(frozen=True)
class Integration:
    name: str
    kind_prefix: str  # rows whose kind starts with this belong to it
    exact: bool  # True: the kind is exactly the prefix
    check: Callable[[], tuple[bool, str]]  # configured?, and what that means

    def kinds(self) -> Q:
        return Q(kind=self.kind_prefix) if self.exact else Q(kind__startswith=self.kind_prefix)

    def admin_filter(self) -> str:
        lookup = "kind__exact" if self.exact else "kind__startswith"
        return f"{lookup}={self.kind_prefix}"


@dataclass(frozen=True)
class Health:
    integration: Integration
    configured: bool
    configuration: str
    last_success: datetime | None
    waiting: int  # pending or being sent
    oldest_waiting: datetime | None
    failed: int
    last_error: str

    @property
    def name(self) -> str:
        return self.integration.name

    @property
    def ok(self) -> bool:
        return self.configured and self.failed == 0 and not self.last_error


def _email_backend() -> str:
    mailers = getattr(settings, "MAILERS", None)
    if mailers:  # Django 6.1's MAILERS replaces EMAIL_BACKEND
        return str(mailers["default"]["BACKEND"])
    return str(settings.EMAIL_BACKEND)


def _email() -> tuple[bool, str]:
    backend = _email_backend()
    module = backend.rsplit(".", 1)[0].rsplit(".", 1)[-1]
    if module in _LOCAL_EMAIL_BACKENDS:
        return False, _("Mail stays on this machine (%(backend)s); set EMAIL_URL to send it.") % {
            "backend": backend
        }
    return True, _("Sent with %(backend)s.") % {"backend": backend}


def _github() -> tuple[bool, str]:
    if not settings.GITHUB_TOKEN:
        return False, _("GITHUB_TOKEN is empty: escalations wait in the outbox.")
    if not settings.GITHUB_WEBHOOK_SECRET:
        return True, _("Token set; GITHUB_WEBHOOK_SECRET is empty, so L2 updates cannot come back.")
    return True, _("Token and webhook secret set (%(url)s).") % {"url": settings.GITHUB_API_URL}


def _slack() -> tuple[bool, str]:
    missing = [
        name
        for name in ("SLACK_BOT_TOKEN", "SLACK_URGENT_CHANNEL", "SLACK_SIGNING_SECRET")
        if not getattr(settings, name)
    ]
    if "SLACK_BOT_TOKEN" in missing or "SLACK_URGENT_CHANNEL" in missing:
        return False, _("%(names)s empty: alerts wait in the outbox.") % {
            "names": ", ".join(missing)
        }
    if missing:
        return True, _(
            "Alerts are sent; SLACK_SIGNING_SECRET is empty, so buttons and /helpdesk are refused."
        )
    return True, _("Alerts to %(channel)s; buttons and /helpdesk verified.") % {
        "channel": settings.SLACK_URGENT_CHANNEL
    }


INTEGRATIONS = (
    Integration("Email", "email", exact=True, check=_email),
    Integration("GitHub", "github", exact=False, check=_github),
    Integration("Slack", "slack", exact=False, check=_slack),
)


def integration_health(integration: Integration) -> Health:
    rows = OutboxMessage.objects.filter(integration.kinds())
    open_rows = rows.filter(
        status__in=(OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.FAILED)
    )
    counts = open_rows.aggregate(
        waiting=Count("pk", filter=~Q(status=OutboxStatus.FAILED)),
        failed=Count("pk", filter=Q(status=OutboxStatus.FAILED)),
        oldest_waiting=Min("created_at", filter=~Q(status=OutboxStatus.FAILED)),
    )
    recent = rows.filter(status=OutboxStatus.DELIVERED).order_by("-created_at")
    last_success = OutboxMessage.objects.filter(
        pk__in=recent.values("pk")[:_RECENT_DELIVERED]
    ).aggregate(last=Max("delivered_at"))["last"]
    last_error = (
        open_rows.exclude(last_error="")
        .order_by("-created_at")
        .values_list("last_error", flat=True)
        .first()
    )
    configured, configuration = integration.check()
    return Health(
        integration=integration,
        configured=configured,
        configuration=configuration,
        last_success=last_success,
        waiting=counts["waiting"],
        oldest_waiting=counts["oldest_waiting"],
        failed=counts["failed"],
        last_error=last_error or "",
    )


def integrations_health() -> list[Health]:
    return [integration_health(integration) for integration in INTEGRATIONS]


@dataclass(frozen=True)
class WorkersHealth:
    workers: list[WorkerHeartbeat]  # heard from lately, the last to consume first
    last_consumed: datetime | None  # by any of them
    silent_minutes: int  # WORKER_SILENT_MINUTES
    heartbeat_seconds: int  # WORKER_HEARTBEAT_SECONDS: how fresh "last consumed" is
    backlog: int  # outbox rows due (or lease expired) for longer than backlog_minutes
    backlog_since: datetime | None  # the oldest of them has been due since then
    backlog_minutes: int  # OUTBOX_BACKLOG_MINUTES

    @property
    def silent(self) -> bool:
        """No worker consumed anything lately: tasks are not being taken at all."""
        now = timezone.now()
        silent_after = timedelta(minutes=self.silent_minutes)
        return self.last_consumed is None or now - self.last_consumed > silent_after

    @property
    def backing_up(self) -> bool:
        return self.backlog > 0


def outbox_backlog(older_than: timedelta) -> tuple[int, datetime | None]:
    """Rows nobody delivered although due for ``older_than``: count and oldest due time.

    Pending rows past their next attempt, and rows being sent whose lease ran out
    (their worker died): each side is served by its partial index (outbox_due,
    outbox_leased), so the query reads only those rows, not the delivered history.
    """
    cutoff = timezone.now() - older_than
    pending = Q(status=OutboxStatus.PENDING)
    sending = Q(status=OutboxStatus.SENDING)
    stuck = OutboxMessage.objects.filter(
        (pending & Q(next_attempt_at__lt=cutoff)) | (sending & Q(lease_expires_at__lt=cutoff))
    ).aggregate(
        count=Count("pk"),
        due=Min("next_attempt_at", filter=pending),
        lease=Min("lease_expires_at", filter=sending),
    )
    since = min((moment for moment in (stuck["due"], stuck["lease"]) if moment), default=None)
    return stuck["count"], since


def workers_health() -> WorkersHealth:
    """The workers' heartbeats and the outbox's backlog: two queries, whatever the rows.

    The heartbeat table holds one row per worker name ever seen, a handful: it is
    read whole, without an index.
    """
    recent = timezone.now() - _WORKERS_SINCE
    workers = list(
        WorkerHeartbeat.objects.filter(Q(consumed_at__gte=recent) | Q(started_at__gte=recent))
        .order_by(F("consumed_at").desc(nulls_last=True), "hostname")
        .only("hostname", "queues", "started_at", "consumed_at")[:_WORKERS_SHOWN]
    )
    consumed = [worker.consumed_at for worker in workers if worker.consumed_at]
    backlog, since = outbox_backlog(timedelta(minutes=settings.OUTBOX_BACKLOG_MINUTES))
    return WorkersHealth(
        workers=workers,
        last_consumed=max(consumed, default=None),
        silent_minutes=settings.WORKER_SILENT_MINUTES,
        heartbeat_seconds=settings.WORKER_HEARTBEAT_SECONDS,
        backlog=backlog,
        backlog_since=since,
        backlog_minutes=settings.OUTBOX_BACKLOG_MINUTES,
    )
