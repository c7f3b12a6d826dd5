"""SLA policies, each ticket's clocks and the events that explain them."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Impact
from tickets.models.indexes import SLA_CLOCK_REPORT_INDEXES
from tickets.models.ticket import Ticket


class SlaTarget(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    RESOLUTION = "resolution", _("Resolution")
    NEXT_RESPONSE = "next_response", _("Next response")


class SlaPolicy(models.Model):
    """Targets in working days; the policy without an impact applies to every other ticket.

    The one *urgent* policy (no impact) applies instead while a ticket is marked urgent.
    """

    impact = models.OneToOneField(
        Impact,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sla_policy",
        verbose_name=_("impact"),
        help_text=_("Leave empty for the default policy that applies to every impact."),
    )
    urgent = models.BooleanField(
        _("urgent policy"),
        default=False,
        db_default=False,
        help_text=_(
            "The targets of tickets marked urgent, whatever their impact. At most one, "
            "without an impact."
        ),
    )
    first_response_days = models.DecimalField(
        _("first response within (working days)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.05"))],
    )
    next_response_days = models.DecimalField(
        _("next response within (working days)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.05"))],
        help_text=_(
            "From a customer message that follows our public reply to our next public reply."
        ),
    )
    resolution_days = models.DecimalField(
        _("resolution within (working days)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.05"))],
        help_text=_("Optional. Time waiting on the customer does not count."),
    )

    class Meta:
        ordering = [models.F("impact__level").asc(nulls_first=True)]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.UniqueConstraint(
                fields=["urgent"], condition=models.Q(urgent=True), name="sla_policy_one_urgent"
            ),
            models.CheckConstraint(
                condition=models.Q(urgent=False) | models.Q(impact__isnull=True),
                name="sla_policy_urgent_without_impact",
            ),
        ]

    def __str__(self) -> str:
        scope: str = str(_("urgent tickets"))
        if not self.urgent:
            scope = self.impact.name if self.impact else str(_("every impact"))
        return _("%(scope)s: first response within %(days)s working day(s)") % {
            "scope": scope,
            "days": self.first_response_days.normalize(),
        }

    def clean(self) -> None:
        others = SlaPolicy.objects.exclude(pk=self.pk)
        if self.urgent:
            if self.impact_id is not None:
                raise ValidationError(
                    {"impact": _("The urgent policy applies to every impact; leave it empty.")}
                )
            if others.filter(urgent=True).exists():
                raise ValidationError({"urgent": _("There is already an urgent policy.")})
            return
        defaults = others.filter(impact__isnull=True, urgent=False)
        if self.impact_id is None and defaults.exists():
            raise ValidationError(
                {"impact": _("There is already a default policy; choose an impact.")}
            )


class SlaClock(models.Model):
    """One running target of one ticket: when it started, is due, paused, warned, breached, met.

    While paused, ``due_at`` and ``warn_at`` are empty and ``remaining`` holds the
    working time left; ``met_at`` stops the clock (it may run again on reopening)
    and a first-response clock met by a reply keeps in ``remaining`` what was left
    at that moment (negative when late), so ``window - remaining`` is the working
    time to the first response, in the database.
    """

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="sla_clocks", verbose_name=_("ticket")
    )
    target = models.CharField(_("target"), max_length=20, choices=SlaTarget.choices)
    window = models.DurationField(_("window (working time)"))
    started_at = models.DateTimeField(_("clock started"))
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    warn_at = models.DateTimeField(_("warn at"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused"), null=True, blank=True)
    remaining = models.DurationField(_("remaining (working time)"), null=True, blank=True)
    warned_at = models.DateTimeField(_("warned"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached"), null=True, blank=True)
    met_at = models.DateTimeField(_("met"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "target"], name="sla_clock_one_per_target")
        ]
        indexes = [
            # What the beat check reads every minute: one range scan each.
            models.Index(
                fields=["warn_at"],
                name="sla_clock_to_warn",
                condition=models.Q(met_at__isnull=True, warned_at__isnull=True),
            ),
            models.Index(
                fields=["due_at"],
                name="sla_clock_to_breach",
                condition=models.Q(met_at__isnull=True, breached_at__isnull=True),
            ),
            *SLA_CLOCK_REPORT_INDEXES,
        ]

    def __str__(self) -> str:
        return f"{self.ticket.reference} {self.get_target_display()}"


class SlaEventKind(models.TextChoices):
    STARTED = "started", _("Started")
    PAUSED = "paused", _("Paused")
    RESUMED = "resumed", _("Resumed")
    RECOMPUTED = "recomputed", _("Recomputed")
    WARNED = "warned", _("Warned")
    BREACHED = "breached", _("Breached")
    MET = "met", _("Met")
    REOPENED = "reopened", _("Reopened")


class SlaEvent(models.Model):
    """Every step of a ticket's SLA clocks, so a report can explain each figure."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="sla_events", verbose_name=_("ticket")
    )
    target = models.CharField(_("target"), max_length=20, choices=SlaTarget.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=SlaEventKind.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("SLA event")
        verbose_name_plural = _("SLA events")
        indexes = [
            models.Index(fields=["ticket", "at"], name="sla_event_ticket"),
            models.Index(fields=["kind", "at"], name="sla_event_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.target} {self.kind}"
