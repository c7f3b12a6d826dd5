"""The queue's table rows, rendered in Python: the same markup the template wrote.

Fifty rows through the template engine cost about 38 ms of CPU (a ``{% with %}``, two
or three includes, a dozen filters and translations per row), more than the page's
queries. Here each row is a few ``format_html`` calls. The badges only some rows
carry (urgent, customer replied, L2 news, escalation) still come from their
templates, shared with the ticket page, and are rendered only for those rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.template import Context, Template
from django.template.loader import get_template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tickets.models import EscalationStatus, Status
from tickets.queues.listing import Row
from tickets.queues.sla_state import SlaState
from tickets.time_zones import format_zoned

DASH = "—"
# desk/_sla.html's badges.
SLA_BADGES = {
    "breached": ('<span class="badge text-bg-danger">{}</span>', gettext_lazy("Breached")),
    "at_risk": ('<span class="badge text-bg-warning">{}</span>', gettext_lazy("At risk")),
    "met": ('<span class="badge text-bg-light border">{}</span>', gettext_lazy("Responded")),
}


def _iso(value: datetime) -> str:
    """``{{ value|date:'c' }}``: the moment in the active zone, ISO 8601."""
    return date_format(timezone.localtime(value), "c")


def _badge(name: str, context: dict[str, Any]) -> str:
    template: Template = get_template(name).template  # type: ignore[attr-defined]
    return template.render(Context(context, autoescape=True))


def sla_cell(sla: SlaState, now: datetime) -> SafeString:
    """What desk/_sla.html writes for one clock."""
    parts: list[str] = []
    if sla.state in SLA_BADGES:
        markup, label = SLA_BADGES[sla.state]
        parts.append(format_html(markup, label))
    if sla.due_at and sla.state not in ("met", ""):
        if sla.due_at > now:
            text = _("due in %(left)s") % {"left": timeuntil(sla.due_at, now)}
        else:
            text = _("overdue by %(late)s") % {"late": timeuntil(now, sla.due_at)}
        iso = _iso(sla.due_at)
        parts.append(
            format_html(
                ' <time class="sla-countdown small text-nowrap" datetime="{}" data-due="{}"'
                ' title="{} {}">{}</time>',
                iso,
                iso,
                _("First response due"),
                format_zoned(sla.due_at),
                text,
            )
        )
    return mark_safe("".join(parts))  # noqa: S308 - each part built by format_html


def _labels() -> dict[str, str]:
    """Status and escalation labels, translated once per page.

    ``get_status_display()`` hashes every choice's lazy label, translating each, on
    every call: about 600 translations for 50 rows.
    """
    return {
        **{f"status:{value}": str(label) for value, label in Status.choices},
        **{f"escalation:{value}": str(label) for value, label in EscalationStatus.choices},
    }


def queue_row_html(
    row: Row,
    *,
    labels: Mapping[str, str],
    href: str,
    issue: Any,
    can_triage: bool,
    now: datetime,
) -> SafeString:
    """One ``<tr>`` of the queue table."""
    ticket = row.ticket
    context = {"ticket": ticket, "sla": row.sla, "now": now, "hide_due": 1, "issue": issue}
    cells: list[str] = []
    if can_triage:
        cells.append(
            format_html(
                '<td><input class="form-check-input" type="checkbox" name="selected"'
                ' value="{}:{}" aria-label="{}"></td>',
                ticket.pk,
                ticket.version,
                _("Tick %(ref)s") % {"ref": ticket.reference},
            )
        )
    cells.append(_subject_cell(row, href, context))
    if ticket.customer_replied_at and ticket.next_response_due_at and ticket.is_open:
        due = _badge("desk/_next_reply_due.html", context)
    elif row.sla.state:
        due = sla_cell(row.sla, now)
    else:
        due = ""
    cells.append(format_html('<td class="small" data-column="sla">{}</td>', mark_safe(due)))  # noqa: S308
    cells.append(_impact_cell(row))
    cells.append(_status_cell(row, context, labels))
    cells.append(
        format_html('<td class="small">{}</td>', row.assignee.label)
        if row.assignee
        else format_html(
            '<td class="small"><span class="text-body-secondary">{}</span></td>', _("nobody")
        )
    )
    cells.append(
        format_html(
            '<td class="small">{}{}</td>',
            row.category.label if row.category else DASH,
            format_html('<div class="text-body-secondary">{}</div>', row.product.label)
            if row.product
            else "",
        )
    )
    cells.append(
        format_html(
            '<td class="small text-nowrap"><time datetime="{}" title="{}">{}</time></td>',
            _iso(ticket.updated_at),
            format_zoned(ticket.updated_at),
            timesince(ticket.updated_at, now),
        )
    )
    return format_html(
        '<tr data-ticket-row data-href="{}" id="row-{}"{}>\n{}\n</tr>',
        href,
        ticket.pk,
        mark_safe(' class="desk-urgent" data-urgent') if ticket.is_urgent else "",
        mark_safe("\n".join(cells)),  # noqa: S308 - each cell built by format_html
    )


def _subject_cell(row: Row, href: str, context: dict[str, Any]) -> str:
    ticket = row.ticket
    parts: list[str] = ['<td class="desk-subject">']
    if ticket.is_urgent:
        parts.append(_badge("desk/_urgent_badge.html", context))
    parts.append(
        format_html(
            '<a href="{}" class="fw-semibold text-decoration-none">'
            '<span class="text-body-secondary">{}</span> {}</a>',
            href,
            ticket.reference,
            ticket.subject,
        )
    )
    if ticket.customer_replied_at:
        parts.append(f"<div>{_badge('desk/_customer_replied.html', context)}</div>")
    if ticket.l2_news_at:
        parts.append(_badge("desk/_l2_news_badge.html", context))
    requester = ticket.requester
    parts.append(
        format_html(
            '<div class="small text-body-secondary desk-who">{} · {}{}</div>',
            requester.name or requester.email,
            row.partner.label if row.partner and row.partner.label else DASH,
            format_html(" · {}", row.hub.label) if row.hub else "",
        )
    )
    if row.snippet:
        parts.append(
            format_html(
                '<div class="small text-body-secondary desk-snippet"'
                ' data-testid="search-snippet">{}</div>',
                row.snippet,
            )
        )
    if row.tags:
        parts.append(
            format_html(
                '<div class="small text-body-secondary">{}</div>',
                mark_safe(", ".join(conditional_escape(tag.label) for tag in row.tags)),  # noqa: S308
            )
        )
    parts.append("</td>")
    return "\n".join(parts)


def _impact_cell(row: Row) -> str:
    if row.impact:
        return format_html(
            '<td><span class="badge impact-{}">{}</span></td>', row.impact.rank, row.impact.label
        )
    return format_html('<td><span class="text-body-secondary small">{}</span></td>', DASH)


def _status_cell(row: Row, context: dict[str, Any], labels: Mapping[str, str]) -> str:
    ticket = row.ticket
    status = labels.get(f"status:{ticket.status}", ticket.status)
    if ticket.escalation_status == EscalationStatus.NONE:
        return format_html('<td class="small">{}</td>', status)
    return format_html(
        '<td class="small">{}<br><span class="text-body-secondary">{}</span><br>{}</td>',
        status,
        labels.get(f"escalation:{ticket.escalation_status}", ticket.escalation_status),
        mark_safe(_badge("desk/_escalation_badge.html", context)),  # noqa: S308 - a template
    )


def queue_rows_html(
    rows: Sequence[Row],
    *,
    links: Mapping[int, str],
    issues: Mapping[int, Any],
    can_triage: bool,
    now: datetime,
) -> list[SafeString]:
    labels = _labels()
    return [
        queue_row_html(
            row,
            labels=labels,
            href=links[row.ticket.pk],
            issue=issues.get(row.ticket.pk),
            can_triage=can_triage,
            now=now,
        )
        for row in rows
    ]
