"""The queue's filter bar, built in Python: one select per filter key, options ready.

The bar has eleven selects and some hold every partner or agent; rendering them in
the template (an include per select, two tags and a lookup per option) took more
time than the queue's rows. Here each select's options are one escaped string.
The escaped options change only with the lists and the language: they are kept per
process under the desk lists' version (tickets.queues.lists), and a page only marks
its query's values as selected.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tickets.filters import Urgency
from tickets.models import Channel, EscalationStatus, Status
from tickets.queues import DeskLists, desk_lists
from tickets.queues.lists import lists_memo
from tickets.queues.query import QueueQuery

# A select's options: each option's value, and its markup before and after " selected".
Options = list[tuple[str, str, str]]


@dataclass(frozen=True)
class FilterSelect:
    key: str
    label: str
    options: SafeString  # every <option> after "Any"


def filter_selects(query: QueueQuery, lists: DeskLists) -> list[FilterSelect]:
    """The filter bar's selects, in the bar's order, with the query's values selected.

    ``lists`` is the page's; the options are built from the kept lists (the same
    rows, read no earlier than the version they are kept under).
    """
    bar = lists_memo.get(("filter-bar", get_language()), lambda: _bar(desk_lists(None)))
    return [
        FilterSelect(key, label, _with_chosen(options, query.filters.get(key, [])))
        for key, label, options in bar
    ]


def _bar(lists: DeskLists) -> list[tuple[str, str, Options]]:
    choices: list[tuple[str, str, Sequence[tuple[Any, Any]], bool]] = [
        ("status", _("Status"), Status.choices, False),
        ("hub", _("Hub"), _rows(lists.hubs, "slug"), True),
        ("partner", _("Partner"), _rows(lists.partners, "id"), True),
        ("product", _("Product"), _rows(lists.products, "slug"), True),
        ("category", _("Category"), _rows(lists.categories, "slug"), True),
        ("impact", _("Impact"), _rows(lists.impacts, "slug"), True),
        ("tag", _("Issue tag"), _rows(lists.tags, "slug"), False),
        ("escalation", _("Escalation"), EscalationStatus.choices, False),
        ("assignee", _("Assignee"), _rows(lists.staff, "id"), True),
        ("channel", _("Channel"), Channel.choices, False),
        ("urgent", _("Urgent"), Urgency.choices, False),
    ]
    return [
        (key, label, _options(key, options, optional)) for key, label, options, optional in choices
    ]


def _with_chosen(options: Options, chosen: list[str]) -> SafeString:
    return mark_safe(  # noqa: S308 - values and labels were escaped in _options
        "\n".join(
            f"{before} selected{after}" if value in chosen else before + after
            for value, before, after in options
        )
    )


def _rows(rows: Iterable[Any], attribute: str) -> list[tuple[str, str]]:
    return [
        (
            str(getattr(row, attribute)),
            str(row.label) if row.active else _("%(label)s (inactive)") % {"label": row.label},
        )
        for row in rows
    ]


def _options(key: str, options: Sequence[tuple[Any, Any]], optional: bool) -> Options:
    special: list[tuple[str, str]] = []
    if key == "assignee":
        special.append(("me", _("Me")))
    if optional:
        special.append(("none", _("Nobody") if key == "assignee" else _("Not set")))
    every = [*special, *((str(value), str(label)) for value, label in options)]
    return [
        (value, f'<option value="{escape(value)}"', f">{escape(label)}</option>")
        for value, label in every
    ]
