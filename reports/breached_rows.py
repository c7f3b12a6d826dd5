"""The breached tickets' rows on the dashboard, rendered in Python: the template's markup.

A hundred rows through the template engine (a ``{% url %}``, two ``zoned`` filters
and a dozen lookups each) cost about 40 ms of CPU on a busy machine, as much as the
rest of the page's template. Here each row is one f-string with every value escaped,
as autoescape did (the desk's queue rows do the same: ``desk.queue_table``).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from tickets.models import SlaClock
from tickets.time_zones import format_zoned


def _e(value: Any) -> str:
    return html.escape(str(value))


def _name(related: Any) -> str:
    """``{{ related.name|default:"" }}``."""
    return _e(related.name) if related and related.name else ""


def breached_row_html(clock: SlaClock) -> str:
    ticket = clock.ticket
    assignee = ticket.assignee
    who = _e(assignee.get_full_name() or assignee.get_username()) if assignee else ""
    href = _e(reverse("desk:ticket", args=[clock.ticket_id]))
    link = f'<a href="{href}">{_e(ticket.reference)}</a>'
    due = _e(format_zoned(clock.due_at)) if clock.due_at else ""
    breached = _e(format_zoned(clock.breached_at)) if clock.breached_at else ""
    return (
        "<tr>\n"
        f'        <th scope="row" class="fw-normal">{link}</th>\n'
        f"        <td>{_e(ticket.subject)}</td><td>{_name(ticket.hub)}</td>"
        f"<td>{_name(ticket.impact)}</td>\n"
        f"        <td>{who}</td>\n"
        f"        <td>{due}</td><td>{breached}</td></tr>\n      "
    )


def breached_rows_html(clocks: Sequence[SlaClock]) -> SafeString:
    return mark_safe("".join(breached_row_html(clock) for clock in clocks))  # noqa: S308 - escaped above
