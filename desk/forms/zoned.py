"""Date-time inputs read in the reader's own time zone, and saying so.

A desk page runs in the staff member's zone (desk.middleware): the wall-clock
time they type is read in it, and the field's label names it ("in EAT
(Africa/Nairobi)"). A time the zone skips (clocks jumping forward) or passes
twice (clocks going back) is a form error that says which, never a silent guess.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets.time_zones import describe_zone

WALL_CLOCK_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


class LocalDateTimeField(forms.DateTimeField):
    """A date and time typed as the reader's clock showed it, read in the active zone."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        )
        kwargs.setdefault("input_formats", WALL_CLOCK_FORMATS)
        super().__init__(**kwargs)
        self.base_help_text = self.help_text

    def name_zone(self, zone: tzinfo | None = None) -> None:
        """Say in the help text which zone the time is read in (the page's zone)."""
        where = _("In %(zone)s, your time zone.") % {"zone": describe_zone(zone)}
        self.help_text = f"{where} {self.base_help_text}".strip()

    def to_python(self, value: Any) -> datetime | None:
        try:
            return super().to_python(value)
        except ValidationError as error:
            if error.code != "ambiguous_timezone":
                raise
            params = error.params or {}
            raise local_time_error(params["datetime"], params["current_timezone"]) from error


def local_time_error(naive: datetime, zone: tzinfo) -> ValidationError:
    """Why a wall-clock time has no single moment in ``zone``, in words."""
    values = {"time": f"{naive:%Y-%m-%d %H:%M}", "zone": describe_zone(zone)}
    round_trip = naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)
    if round_trip.replace(tzinfo=None) != naive:
        return ValidationError(
            _(
                "%(time)s does not exist in %(zone)s: the clocks jumped forward that night. "
                "Check the time; it was probably an hour later."
            ),
            code="nonexistent_time",
            params=values,
        )
    return ValidationError(
        _(
            "%(time)s happened twice in %(zone)s: the clocks went back that night. "
            "Enter a time just before or after that hour."
        ),
        code="ambiguous_time",
        params=values,
    )


def name_zones(form: forms.BaseForm) -> None:
    """Name the active zone on each of the form's date-time inputs."""
    for field in form.fields.values():
        if isinstance(field, LocalDateTimeField):
            field.name_zone(timezone.get_current_timezone())
