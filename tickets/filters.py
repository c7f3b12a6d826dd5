"""Ticket filters read from a URL: one table of keys, the values each accepts, its condition.

The desk's queues and the manager's reports filter tickets by the same things
(hub, partner, product, category, impact, issue tag, assignee, channel …). Each
key is described once in :data:`FILTERS`: where its values come from (one of
the desk's lists, by slug or by id, or a fixed set of choices, or a date), how
it reads to a person, and the condition it puts on tickets. A value is valid
only if it names a real row or choice; :func:`read_filters` keeps the valid ones
and lists the rest, so each caller decides what a bad value does (the queues
ignore it and say so; the reports show it as an error on their form).

The desk's lists (:class:`tickets.queues.DeskLists`) are loaded once per page,
so checking and labelling a value costs no query.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Literal, Protocol

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tickets.models import Channel, EscalationStatus, Status, Ticket

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

NONE = "none"  # "not set", for the optional fields
ME = "me"  # the agent looking at the list
MAX_VALUES = 20  # values read per key; more are ignored
VALUE_MAX_LENGTH = 100


class Choices(Protocol):
    """What a filter needs of :class:`tickets.queues.DeskLists` (no import: no cycle)."""

    def by_slug(self, kind: str) -> dict[str, Any]: ...

    def by_id(self, kind: str) -> dict[int, Any]: ...


class Urgency(models.TextChoices):
    """The urgent filter's values (``urgent=yes``)."""

    URGENT = "yes", gettext_lazy("Urgent")
    NOT_URGENT = "no", gettext_lazy("Not urgent")


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class TicketFilter:
    key: str
    label: StrOrPromise
    column: str  # the Ticket field it filters on
    listed: str = ""  # the desk list its values come from
    by_slug: bool = True  # a listed value is a slug, else an id
    choices: type[models.TextChoices] | None = None
    dated: Literal["", "from", "to"] = ""
    unset: bool = False  # "none" finds tickets where the field is empty
    me: bool = False  # "me" is the agent looking at the list

    def _listed_item(self, value: str, lists: Choices) -> Any:
        if self.by_slug:
            return lists.by_slug(self.listed).get(value)
        return lists.by_id(self.listed).get(int(value)) if value.isdigit() else None

    def is_valid(self, value: str, lists: Choices) -> bool:
        if (self.unset and value == NONE) or (self.me and value == ME):
            return True
        if self.listed:
            return self._listed_item(value, lists) is not None
        if self.choices is not None:
            return value in self.choices.values
        return bool(self.dated) and _date(value) is not None

    def options(self, lists: Choices) -> list[tuple[str, str]]:
        """Every value a person can choose, with its label (not "none" nor "me")."""
        if self.choices is not None:
            return [(str(value), str(label)) for value, label in self.choices.choices]
        items = getattr(lists, self.listed)
        return [(item.slug if self.by_slug else str(item.id), item.label) for item in items]

    def value_label(self, value: str, lists: Choices) -> str:
        """ "Hub: East Africa", "Assignee: me", "Impact: not set"."""
        if self.unset and value == NONE:
            return _("%(what)s: not set") % {"what": self.label}
        if self.me and value == ME:
            return f"{self.label}: {_('me')}"
        label = value
        if self.listed:
            item = self._listed_item(value, lists)
            label = item.label if item else value
        elif self.choices is not None and value in self.choices.values:
            label = str(self.choices(value).label)
        return f"{self.label}: {label}"

    def resolve(self, value: str, lists: Choices, user_id: int | None = None) -> Any:
        """The value as the condition takes it: a row's id, a choice, a day."""
        if self.me and value == ME:
            return user_id
        if self.listed:
            return self._listed_item(value, lists).id
        if self.dated:
            return date.fromisoformat(value)
        return value

    def condition(self, values: Sequence[Any], *, unset: bool = False, prefix: str = "") -> Q:
        """Tickets matching any of ``values`` (resolved), or with the field empty if ``unset``.

        ``prefix`` leads to the ticket from another model (``"ticket__"``).
        """
        column = prefix + self.column
        if self.dated == "from":
            return Q(**{f"{column}__gte": day_start(values[0])})
        if self.dated == "to":
            return Q(**{f"{column}__lt": day_start(values[0] + timedelta(days=1))})
        if self.key == "tag":
            # EXISTS, not a join: a ticket with two of the tags is still one row.
            through = Ticket.issue_tags.through.objects.filter(
                ticket_id=OuterRef(prefix + "pk"), issuetag_id__in=values
            )
            return Q(Exists(through))
        if self.choices is Urgency:
            values = [value == Urgency.URGENT for value in values]
        lookup = f"{column}_id__in" if self.listed else f"{column}__in"
        condition = Q(**{lookup: list(values)}) if values else Q(pk__in=[])
        return condition | Q(**{f"{column}__isnull": True}) if unset else condition


def _filter(key: str, label: StrOrPromise, column: str, **kwargs: Any) -> TicketFilter:
    return TicketFilter(key, label, column, **kwargs)


FILTERS: dict[str, TicketFilter] = {
    f.key: f
    for f in (
        _filter("hub", gettext_lazy("Hub"), "hub", listed="hubs", unset=True),
        _filter("partner", gettext_lazy("Partner"), "partner", listed="partners", by_slug=False,
                unset=True),
        _filter("product", gettext_lazy("Product"), "product", listed="products", unset=True),
        _filter("category", gettext_lazy("Category"), "category", listed="categories",
                unset=True),
        _filter("impact", gettext_lazy("Impact"), "impact", listed="impacts", unset=True),
        _filter("tag", gettext_lazy("Issue tag"), "issue_tags", listed="tags"),
        _filter("status", gettext_lazy("Status"), "status", choices=Status),
        _filter("escalation", gettext_lazy("Escalation"), "escalation_status",
                choices=EscalationStatus),
        _filter("assignee", gettext_lazy("Assignee"), "assignee", listed="staff", by_slug=False,
                unset=True, me=True),
        # The reports' name for the assignee: one agent's tickets, no "me" nor "nobody".
        _filter("agent", gettext_lazy("Agent"), "assignee", listed="staff", by_slug=False),
        _filter("channel", gettext_lazy("Channel"), "channel", choices=Channel),
        _filter("urgent", gettext_lazy("Urgent"), "is_urgent", choices=Urgency),
        _filter("created_from", gettext_lazy("Created from"), "created_at", dated="from"),
        _filter("created_to", gettext_lazy("Created until"), "created_at", dated="to"),
    )
}  # fmt: skip


@dataclass
class FilterValues:
    """The valid values of each key, in the order given, and what was not understood."""

    values: dict[str, list[str]] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)  # "key=value"

    def condition(self, lists: Choices, *, user_id: int | None = None, prefix: str = "") -> Q:
        """Tickets matching every key (any of a key's values)."""
        q = Q()
        for key, values in self.values.items():
            spec = FILTERS[key]
            resolved = [spec.resolve(v, lists, user_id) for v in values if v != NONE]
            q &= spec.condition(resolved, unset=NONE in values, prefix=prefix)
        return q


def read_filters(
    params: Mapping[str, Any], keys: Sequence[str], lists: Choices, *, single: bool = False
) -> FilterValues:
    """The values of ``keys`` in ``params`` (a QueryDict or a dict of lists) that name something.

    Values are trimmed, repeated ones read once, at most :data:`MAX_VALUES` per key;
    with ``single`` (and always for dates) only the first valid value of a key counts.
    """
    result = FilterValues()
    for key in keys:
        spec = FILTERS[key]
        getlist = getattr(params, "getlist", None)
        raw = getlist(key) if getlist else params.get(key, [])
        seen: list[str] = []
        for item in (raw if isinstance(raw, list | tuple) else [raw])[:MAX_VALUES]:
            value = str(item).strip()[:VALUE_MAX_LENGTH]
            if not value:
                continue
            if not spec.is_valid(value, lists):
                result.ignored.append(f"{key}={value}")
            elif value not in seen:
                seen.append(value)
        if seen:
            result.values[key] = seen[:1] if (single or spec.dated) else seen
    return result
