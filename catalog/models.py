"""The taxonomy support tags tickets and articles with, managed as data in the admin.

Hubs carry the calendar that working-day SLAs are computed on (with the days a
hub is closed); products carry the GitHub repository escalations go to and the
extra fields their reports need.

The models were born in the tickets app and kept their tables (``tickets_hub`` …):
catalog/0001 took them over in the migration state only, nothing was copied.
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import time

import holidays
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from catalog.report_fields import validate_report_fields
from helpdesk.translated import translated, translations_field

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]
GITHUB_REPOSITORY_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(value)s is not a known time zone (use an IANA name such as Africa/Nairobi)."),
            params={"value": value},
        )


def validate_holiday_country(value: str) -> None:
    if value and value not in holidays.list_supported_countries():
        raise ValidationError(
            _("%(value)s is not a country the holidays calendar knows (use an ISO code, e.g. KE)."),
            params={"value": value},
        )


def validate_working_days(value: object) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Choose at least one working day."))
    if any(not isinstance(day, int) or not 0 <= day <= 6 for day in value):
        raise ValidationError(_("Working days are numbers from 0 (Monday) to 6 (Sunday)."))
    if len(set(value)) != len(value):
        raise ValidationError(_("A working day is listed twice."))


def validate_github_repository(value: str) -> None:
    if value and not GITHUB_REPOSITORY_RE.match(value):
        raise ValidationError(
            _("Write the repository as owner/name, e.g. akvo/akvo-flow."),
        )


def default_working_days() -> list[int]:
    return [0, 1, 2, 3, 4]


class Translatable:
    """A row whose text is also kept in the site's other languages (``translations``).

    ``display_<field>`` is the text in the reader's language (the active one), English
    when untranslated: what pages, forms and mails show. ``__str__`` stays English (the
    admin, history and logs).
    """

    # The fields kept in other languages (the admin shows an input for each, per language).
    translatable: tuple[str, ...] = ()

    @property
    def display_name(self) -> str:
        return translated(self, "name")

    @property
    def display_description(self) -> str:
        """For the rows that have a description (all but Impact, which has a definition)."""
        return translated(self, "description")


class NamedQuerySet(models.QuerySet):
    def active(self) -> NamedQuerySet:
        return self.filter(is_active=True)


class Hub(models.Model):
    """Where a partner is managed from; its calendar drives working-day SLAs."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, validators=[validate_time_zone], default="UTC"
    )
    working_days = models.JSONField(
        _("working days"),
        default=default_working_days,
        validators=[validate_working_days],
        help_text=_("Numbers of the working weekdays: 0 is Monday, 6 is Sunday."),
    )
    work_starts = models.TimeField(_("working day starts"), default=time(9, 0))
    work_ends = models.TimeField(_("working day ends"), default=time(17, 0))
    holiday_country = models.CharField(
        _("public holidays of"),
        max_length=3,
        blank=True,
        validators=[validate_holiday_country],
        help_text=_("ISO country code whose public holidays close this hub, e.g. KE."),
    )
    holiday_subdivision = models.CharField(_("holiday subdivision"), max_length=10, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = NamedQuerySet.as_manager()

    class Meta:
        db_table = "tickets_hub"
        ordering = ["name"]
        verbose_name = _("hub")
        verbose_name_plural = _("hubs")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.work_starts and self.work_ends and self.work_starts >= self.work_ends:
            raise ValidationError({"work_ends": _("The working day must end after it starts.")})


class Partner(models.Model):
    """An organisation we support, managed from one hub."""

    name = models.CharField(_("name"), max_length=200)
    hub = models.ForeignKey(
        Hub, on_delete=models.PROTECT, related_name="partners", verbose_name=_("hub")
    )
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = NamedQuerySet.as_manager()

    class Meta:
        db_table = "tickets_partner"
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [
            models.UniqueConstraint(Lower("name"), name="partner_name_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.name


class Product(Translatable, models.Model):
    """A product we support: where its bugs go on GitHub and what its reports must say.

    Its name is a brand and is normally left untranslated; a generic one ("Other") is not.
    """

    translatable = ("name", "description")

    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    github_repository = models.CharField(
        _("GitHub repository"),
        max_length=140,
        blank=True,
        validators=[validate_github_repository],
        help_text=_("owner/name of the repository that L2 escalations are filed in."),
    )
    report_fields = models.JSONField(
        _("report fields"),
        default=list,
        blank=True,
        validators=[validate_report_fields],
        help_text=_(
            "Extra details a report about this product needs, as a list of "
            '{"name": "dashboard", "label": "Dashboard", "help": "…"}; each may add its '
            'label and help in other languages: "translations": {"fr": {"label": "Tableau '
            'de bord", "help": "…"}} (English is shown where one is missing).'
        ),
    )
    description = models.TextField(_("description"), blank=True)
    translations = translations_field()
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    objects = NamedQuerySet.as_manager()

    class Meta:
        db_table = "tickets_product"
        ordering = ["position", "name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return self.name


class Category(Translatable, models.Model):
    """Bug, question or feature request."""

    translatable = ("name", "description")

    BUG = "bug"
    QUESTION = "question"
    FEATURE_REQUEST = "feature-request"

    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    translations = translations_field()

    objects = NamedQuerySet.as_manager()

    class Meta:
        db_table = "tickets_category"
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name

    @property
    def is_bug(self) -> bool:
        return self.slug == self.BUG


class Impact(Translatable, models.Model):
    """How badly a request hurts the partner; level 1 is the most severe."""

    translatable = ("name", "definition")

    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    level = models.PositiveSmallIntegerField(
        _("level"), unique=True, help_text=_("1 is the most severe.")
    )
    definition = models.TextField(
        _("definition"), help_text=_("What a triager reads to choose it.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    translations = translations_field()

    objects = NamedQuerySet.as_manager()

    class Meta:
        db_table = "tickets_impact"
        ordering = ["level"]
        verbose_name = _("impact")
        verbose_name_plural = _("impacts")

    def __str__(self) -> str:
        return self.name

    @property
    def display_definition(self) -> str:
        return translated(self, "definition")


class IssueTag(Translatable, models.Model):
    """A short tag for what the request is about, e.g. data export."""

    translatable = ("name", "description")

    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    translations = translations_field()

    objects = NamedQuerySet.as_manager()

    class Meta:
        db_table = "tickets_issuetag"
        ordering = ["name"]
        verbose_name = _("issue tag")
        verbose_name_plural = _("issue tags")

    def __str__(self) -> str:
        return self.name


class HubClosure(models.Model):
    """A day a hub is closed beyond its public holidays (an office event, a local holiday)."""

    hub = models.ForeignKey(
        Hub, on_delete=models.CASCADE, related_name="closures", verbose_name=_("hub")
    )
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        db_table = "tickets_hubclosure"
        ordering = ["hub", "date"]
        verbose_name = _("hub closure")
        verbose_name_plural = _("hub closures")
        constraints = [
            models.UniqueConstraint(fields=["hub", "date"], name="hub_closure_once_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.hub}: {self.date:%Y-%m-%d}"
