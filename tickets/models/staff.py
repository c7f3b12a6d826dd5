"""What the help desk knows about a staff member beyond their account: where they work, when.

A profile is optional: without one (or with its fields empty) a person reads
times in their hub's zone, else in ``DESK_DEFAULT_TIME_ZONE`` (see tickets.time_zones).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import Hub, validate_time_zone


class StaffProfile(models.Model):
    """A staff member's time zone, language and the hub they work for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_profile",
        verbose_name=_("user"),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=_(
            "IANA name such as Africa/Nairobi. Empty: the hub's time zone, "
            "else the help desk's default."
        ),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        default="",
        db_default="",
        help_text=_("The desk's language for you. Empty: the help desk's default."),
    )
    hub = models.ForeignKey(
        Hub,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("works for hub"),
    )

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return str(self.user)
