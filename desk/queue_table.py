"""The queue's table rows, rendered in Python: the same markup the template wrote.

Fifty rows through the template engine cost about 33 ms of CPU (a ``{% with %}``, two
or three includes, a dozen filters and translations per row), more than the page's
queries. Here each row is a few f-strings with every value escaped (``_e``, as the
template's autoescape does). The badges only some rows carry (urgent, customer
replied, L2 news, escalation) still come from their templates, shared with the
ticket page, and are rendered only for those rows.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.template import Context
from django.template.loader import get_template
from django.utils import timezone
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import TIME_STRINGS, timesince, timeuntil
from django.utils.translation import gettext as _

from tickets.models import EscalationStatus, Status
from tickets.queues.listing import Row
from tickets.queues.sla_state import SlaState
from tickets.time_zones import zone_abbreviation

DASH = "—"


# What html.escape replaces; most values hold none of it (one search, not five replaces).
_SPECIAL = re.compile("[&<>\"']")


def _e(value: Any) -> str:
    """Escape as the template's autoescape does: safe strings as they are."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    text = str(value)
    return html.escape(text) if _SPECIAL.search(text) else text


class _Unit:
    """One of timesince's unit words ("%(num)d days"), translated once per number a page."""

    def __init__(self, name: str) -> None:
        self.lazy = TIME_STRINGS[name]
        self.said: dict[int, str] = {}

    def __mod__(self, values: dict[str, int]) -> str:
        num = values["num"]
        if num not in self.said:
            self.said[num] = str(self.lazy % values)
        return self.said[num]


class Times:
    """The rows' times as ``format_zoned``, ``|date:'c'``, ``timesince`` and ``timeuntil``
    write them, with the zone, the day and month names and the unit words read once a page.

    Per row those functions look up the active zone and translation and translate each
    name again: about a third of the rows' CPU time, for the same text.
    """

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.zone = timezone.get_current_timezone()
        self.this_year = timezone.now().astimezone(self.zone).year
        self.weekdays = {n: str(name) for n, name in WEEKDAYS_ABBR.items()}
        self.months = {n: str(name).title() for n, name in MONTHS_3.items()}
        self.units = {name: _Unit(name) for name in TIME_STRINGS}

    def iso(self, value: datetime) -> str:
        """``{{ value|date:'c' }}``: the moment in the active zone, ISO 8601."""
        return value.astimezone(self.zone).isoformat()

    def zoned(self, instant: datetime) -> str:
        """``format_zoned(instant)``: "Mon 7 Dec 09:30 EAT" (the year if not this one)."""
        local = instant.astimezone(self.zone)
        year = "" if local.year == self.this_year else f" {local.year:04d}"
        return (
            f"{self.weekdays[local.weekday()]} {local.day} {self.months[local.month]}{year}"
            f" {local.hour:02d}:{local.minute:02d} {zone_abbreviation(instant, self.zone)}"
        )

    def since(self, value: datetime, now: datetime) -> str:
        return timesince(value, now, time_strings=self.units)  # type: ignore[arg-type]

    def until(self, value: datetime, now: datetime) -> str:
        return timeuntil(value, now, time_strings=self.units)  # type: ignore[arg-type]


def _badge(name: str, context: dict[str, Any]) -> str:
    template = get_template(name).template  # type: ignore[attr-defined]
    return str(template.render(Context(context, autoescape=True)))


def _labels() -> dict[str, str]:
    """Labels translated once per page.

    ``get_status_display()`` hashes every choice's lazy label, translating each, on
    every call: about 600 translations for 50 rows.
    """
    return {
        **{f"status:{value}": str(label) for value, label in Status.choices},
        **{f"escalation:{value}": str(label) for value, label in EscalationStatus.choices},
        # desk/_sla.html's badges and title
        "sla:breached": '<span class="badge text-bg-danger">{}</span>'.format(_e(_("Breached"))),
        "sla:at_risk": '<span class="badge text-bg-warning">{}</span>'.format(_e(_("At risk"))),
        "sla:met": '<span class="badge text-bg-light border">{}</span>'.format(_e(_("Responded"))),
        "first_response_due": _e(_("First response due")),
        "nobody": _e(_("nobody")),
        "tick": _("Tick %(ref)s"),
        "due_in": _("due in %(left)s"),
        "overdue_by": _("overdue by %(late)s"),
        "urgent_badge": _badge("desk/_urgent_badge.html", {}),
    }


def sla_cell(sla: SlaState, times: Times, labels: Mapping[str, str]) -> str:
    """What desk/_sla.html writes for one clock."""
    cell = labels.get(f"sla:{sla.state}", "")
    if sla.due_at and sla.state not in ("met", ""):
        now = times.now
        if sla.due_at > now:
            text = labels["due_in"] % {"left": times.until(sla.due_at, now)}
        else:
            text = labels["overdue_by"] % {"late": times.until(now, sla.due_at)}
        iso = times.iso(sla.due_at)
        cell += (
            f' <time class="sla-countdown small text-nowrap" datetime="{iso}" data-due="{iso}"'
            f' title="{labels["first_response_due"]} {_e(times.zoned(sla.due_at))}">'
            f"{_e(text)}</time>"
        )
    return cell


def queue_row_html(
    row: Row,
    *,
    labels: Mapping[str, str],
    href: str,
    issue: Any,
    can_triage: bool,
    times: Times,
) -> SafeString:
    """One ``<tr>`` of the queue table."""
    ticket = row.ticket
    now = times.now
    context = {"ticket": ticket, "sla": row.sla, "now": now, "hide_due": 1, "issue": issue}
    href = _e(href)
    cells: list[str] = []
    if can_triage:
        tick = _e(labels["tick"] % {"ref": ticket.reference})
        cells.append(
            '<td><input class="form-check-input" type="checkbox" name="selected"'
            f' value="{ticket.pk}:{ticket.version}" aria-label="{tick}"></td>'
        )
    cells.append(_subject_cell(row, href, context, labels))
    if ticket.customer_replied_at and ticket.next_response_due_at and ticket.is_open:
        due = _badge("desk/_next_reply_due.html", context)
    elif row.sla.state:
        due = sla_cell(row.sla, times, labels)
    else:
        due = ""
    cells.append(f'<td class="small" data-column="sla">{due}</td>')
    if row.impact:
        impact = f'<span class="badge impact-{_e(row.impact.rank)}">{_e(row.impact.label)}</span>'
    else:
        impact = f'<span class="text-body-secondary small">{DASH}</span>'
    cells.append(f"<td>{impact}</td>")
    cells.append(_status_cell(row, context, labels))
    assignee = (
        _e(row.assignee.label)
        if row.assignee
        else f'<span class="text-body-secondary">{labels["nobody"]}</span>'
    )
    cells.append(f'<td class="small">{assignee}</td>')
    category = _e(row.category.label) if row.category and row.category.label else DASH
    product = (
        f'<div class="text-body-secondary">{_e(row.product.label)}</div>' if row.product else ""
    )
    cells.append(f'<td class="small">{category}{product}</td>')
    cells.append(
        f'<td class="small text-nowrap"><time datetime="{times.iso(ticket.updated_at)}"'
        f' title="{_e(times.zoned(ticket.updated_at))}">'
        f"{_e(times.since(ticket.updated_at, now))}</time></td>"
    )
    urgent = ' class="desk-urgent" data-urgent' if ticket.is_urgent else ""
    body = "\n".join(cells)
    return mark_safe(  # noqa: S308 - every value above went through _e
        f'<tr data-ticket-row data-href="{href}" id="row-{ticket.pk}"{urgent}>\n{body}\n</tr>'
    )


def _subject_cell(row: Row, href: str, context: dict[str, Any], labels: Mapping[str, str]) -> str:
    ticket = row.ticket
    parts: list[str] = ['<td class="desk-subject">']
    if ticket.is_urgent:
        parts.append(labels["urgent_badge"])  # the same for every row
    parts.append(
        f'<a href="{href}" class="fw-semibold text-decoration-none">'
        f'<span class="text-body-secondary">{_e(ticket.reference)}</span>'
        f" {_e(ticket.subject)}</a>"
    )
    if ticket.customer_replied_at:
        parts.append(f"<div>{_badge('desk/_customer_replied.html', context)}</div>")
    if ticket.l2_news_at:
        parts.append(_badge("desk/_l2_news_badge.html", context))
    requester = getattr(ticket, "row_requester_name", "") or getattr(
        ticket, "row_requester_email", ""
    )  # read with the row (tickets.queues.listing.with_row_details)
    partner = _e(row.partner.label) if row.partner and row.partner.label else DASH
    hub = f" · {_e(row.hub.label)}" if row.hub else ""
    parts.append(
        f'<div class="small text-body-secondary desk-who">{_e(requester)} · {partner}{hub}</div>'
    )
    if row.snippet:
        parts.append(
            '<div class="small text-body-secondary desk-snippet" data-testid="search-snippet">'
            f"{_e(row.snippet)}</div>"
        )
    if row.tags:
        tags = ", ".join(_e(tag.label) for tag in row.tags)
        parts.append(f'<div class="small text-body-secondary">{tags}</div>')
    parts.append("</td>")
    return "\n".join(parts)


def _status_cell(row: Row, context: dict[str, Any], labels: Mapping[str, str]) -> str:
    ticket = row.ticket
    status = _e(labels.get(f"status:{ticket.status}", ticket.status))
    if ticket.escalation_status == EscalationStatus.NONE:
        return f'<td class="small">{status}</td>'
    escalation = _e(labels.get(f"escalation:{ticket.escalation_status}", ""))
    badge = _badge("desk/_escalation_badge.html", context)
    return (
        f'<td class="small">{status}<br><span class="text-body-secondary">{escalation}</span>'
        f"<br>{badge}</td>"
    )


def queue_rows_html(
    rows: Sequence[Row],
    *,
    links: Mapping[int, str],
    issues: Mapping[int, Any],
    can_triage: bool,
    now: datetime,
) -> SafeString:
    """The table's rows, indented as the template's loop over them wrote them ("" if none)."""
    labels = _labels()
    times = Times(now)
    return mark_safe(  # noqa: S308 - each row escaped its values
        "".join(
            "\n          {}\n        ".format(
                queue_row_html(
                    row,
                    labels=labels,
                    href=links[row.ticket.pk],
                    issue=issues.get(row.ticket.pk),
                    can_triage=can_triage,
                    times=times,
                )
            )
            for row in rows
        )
    )
