"""What a report covers: a period of whole days and the ticket filters, read from the URL.

The filters are an explicit list, read with the desk's rules (:mod:`tickets.filters`:
the same keys name the same rows); a value that names nothing is an error shown on
the form and left out, never a 500. Every figure reads the
same :class:`ReportFilters`, so a shared address always shows the same view.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from django import forms
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tickets.filters import FILTERS
from tickets.queues import DeskLists, desk_lists
from tickets.time_zones import describe_zone

Grain = Literal["day", "week", "month"]
DEFAULT_DAYS = 28
MAX_DAYS = 3 * 366
EARLIEST = date(2000, 1, 1)
# The filters a report understands (described in tickets.filters), in the form's order.
FILTER_KEYS = ("hub", "partner", "product", "category", "impact", "tag", "agent", "channel")


@dataclass(frozen=True)
class Period:
    """Whole local days, ``start`` to ``end`` inclusive."""

    start: date
    end: date

    @property
    def starts_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def ends_at(self) -> datetime:
        """The first instant after the period."""
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def grain(self) -> Grain:
        if self.days <= 62:
            return "day"
        if self.days <= 366:
            return "week"
        return "month"

    def bucket_of(self, day: date) -> date:
        if self.grain == "week":
            return day - timedelta(days=day.weekday())
        if self.grain == "month":
            return day.replace(day=1)
        return day

    def buckets(self) -> list[date]:
        """Every bucket's first day, so a bucket with no tickets still shows as zero."""
        found: list[date] = []
        day = self.start
        while day <= self.end:
            bucket = self.bucket_of(day)
            if not found or found[-1] != bucket:
                found.append(bucket)
            day += timedelta(days=1)
        return found

    def label(self, bucket: date) -> str:
        if self.grain == "month":
            return bucket.strftime("%Y-%m")
        return bucket.isoformat()


@dataclass(frozen=True)
class ReportFilters:
    period: Period
    values: dict[str, Any] = field(default_factory=dict)  # filter key → id or value

    def tickets(self, prefix: str = "") -> Q:
        """The tickets the filters allow, for a query on tickets or (with a prefix) beside them."""
        q = Q()
        for key, value in self.values.items():
            q &= FILTERS[key].condition([value], prefix=prefix)
        return q

    def query_string(self) -> str:
        return self.as_query().urlencode()

    def as_query(self) -> QueryDict:
        query = QueryDict(mutable=True)
        query["start"] = self.period.start.isoformat()
        query["end"] = self.period.end.isoformat()
        for key, value in self.raw.items():
            query[key] = value
        return query

    @property
    def raw(self) -> dict[str, str]:
        """The filters as they appear in the URL (slugs where the list has them)."""
        return dict(self._raw)

    _raw: tuple[tuple[str, str], ...] = ()


def _within_reason(day: date | None) -> date | None:
    """Support began this century and plans a year ahead; other years are typing slips."""
    if day is not None and not EARLIEST <= day <= timezone.localdate() + timedelta(days=366):
        raise forms.ValidationError(_("Choose a date between 2000 and next year."))
    return day


class ReportFilterForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    end = forms.DateField(label=gettext_lazy("To"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip

    def __init__(self, data: QueryDict, *, lists: DeskLists) -> None:
        super().__init__(data)
        self.lists = lists
        # Days begin and end at the reader's midnight (the zone the middleware activated).
        days_in = _("Days in %(zone)s") % {"zone": describe_zone()}
        self.fields["start"].help_text = self.fields["end"].help_text = days_in
        for key in FILTER_KEYS:
            spec = FILTERS[key]
            self.fields[key] = forms.ChoiceField(
                label=spec.label, required=False, choices=[("", _("All")), *spec.options(lists)]
            )

    def clean_start(self) -> date | None:
        return _within_reason(self.cleaned_data.get("start"))

    def clean_end(self) -> date | None:
        return _within_reason(self.cleaned_data.get("end"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end date is before the start date."))
        elif start and end and (end - start).days + 1 > MAX_DAYS:
            self.add_error("end", _("A report covers at most three years."))
        return data

    def report_filters(self, today: date | None = None) -> ReportFilters:
        """The filters to report on: the valid ones; the default period where dates are wrong."""
        today = today or timezone.localdate()
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        start, end = data.get("start"), data.get("end")
        if not start or not end or "end" in self.errors or "start" in self.errors:
            end = end if end and "end" not in self.errors else today
            start = start if start and not self.errors.get("start") and start <= end else None
            start = start or end - timedelta(days=DEFAULT_DAYS - 1)
            if (end - start).days + 1 > MAX_DAYS:
                start = end - timedelta(days=DEFAULT_DAYS - 1)
        values: dict[str, Any] = {}
        raw: list[tuple[str, str]] = []
        for key in FILTER_KEYS:
            value = data.get(key) or ""
            if not value or key in self.errors:
                continue
            raw.append((key, value))
            values[key] = self._resolve(key, value)
        return ReportFilters(Period(start, end), values, tuple(raw))

    def _resolve(self, key: str, value: str) -> Any:
        return FILTERS[key].resolve(value, self.lists)


def read_filters(
    query: QueryDict, user: User | AnonymousUser
) -> tuple[ReportFilterForm, ReportFilters]:
    form = ReportFilterForm(query, lists=desk_lists(user))
    form.is_valid()
    filters = form.report_filters()
    # Empty date fields show the period the figures cover (typed values stay as typed).
    shown = query.copy()
    for name, day in (("start", filters.period.start), ("end", filters.period.end)):
        if not shown.get(name):
            shown[name] = day.isoformat()
    form.data = shown
    return form, filters
