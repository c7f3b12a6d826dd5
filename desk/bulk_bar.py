"""The options of the queue's bulk-action selects, built in Python and kept per process.

Assignees, categories, impacts and issue tags change only with the desk lists and
the language, so their escaped options are kept under the desk lists' version
(tickets.queues.lists), as the filter bar's are; a page only leaves its reader out
of "Assign to" (they are offered as "Me"). The markup is what the template's loops
wrote.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from tickets.queues import DeskLists, desk_lists
from tickets.queues.lists import Choice, lists_memo


@dataclass(frozen=True)
class BulkOptions:
    assignees: SafeString  # the optgroups of "Assign to…", without the reader
    categories: SafeString
    impacts: SafeString
    tags: SafeString


@dataclass(frozen=True)
class _Kept:
    groups: list[tuple[str, list[tuple[int, str]]]]  # (escaped label, [(staff id, option)])
    categories: str
    impacts: str
    tags: str


def bulk_options(reader_id: int) -> BulkOptions:
    kept = lists_memo.get(("bulk-bar", get_language()), lambda: _keep(desk_lists(None)))
    assignees = "".join(
        f'<optgroup label="{label}">\n              '
        + "".join(option for pk, option in options if pk != reader_id)
        + "\n            </optgroup>"
        for label, options in kept.groups
    )
    return BulkOptions(
        mark_safe(assignees),  # noqa: S308 - escaped in _keep
        mark_safe(kept.categories),  # noqa: S308
        mark_safe(kept.impacts),  # noqa: S308
        mark_safe(kept.tags),  # noqa: S308
    )


def _option(choice: Choice) -> str:
    return f'<option value="{choice.id}">{escape(choice.label)}</option>'


def _active(choices: list[Choice]) -> str:
    return "".join(_option(c) for c in choices if c.active)


def _keep(lists: DeskLists) -> _Kept:
    return _Kept(
        groups=[
            (escape(label), [(c.id, _option(c)) for c in choices])
            for label, choices in lists.assignee_groups()
        ],
        categories=_active(lists.categories),
        impacts=_active(lists.impacts),
        tags=_active(lists.tags),
    )
