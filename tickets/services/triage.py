"""Triage: the fields L1 sets on a ticket, its issue tags, and the triage panel in one step."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import IssueTag
from tickets import alerts, roles, sla
from tickets.models import EventKind, Ticket
from tickets.services.assign import assign
from tickets.services.history import record_event
from tickets.services.locking import ticket_writable
from tickets.services.status import apply_status, check_not_escalating

# Fields a triager may change, with their history label.
CHANGEABLE_FIELDS = (
    "subject",
    "partner",
    "hub",
    "product",
    "category",
    "impact",
    "product_details",
    "environment",
)
UNCHANGED: Any = object()  # "leave this as it is", distinct from None ("set to nobody")


@transaction.atomic
def ticket_change_fields(
    *,
    ticket: Ticket,
    by: User | None,
    changes: Mapping[str, Any],
    notify: bool = True,
    expected_version: int | None = None,
) -> Ticket:
    """Change triage and report fields; each real change is one history row.

    ``notify=False`` (demo data, imports) records the change without alerting the team.
    """
    roles.require(by, roles.TRIAGE)
    ticket = ticket_writable(ticket, expected_version, by=by)
    change_fields(ticket, by, changes, notify=notify)
    return ticket


def change_fields(
    ticket: Ticket, by: User | None, changes: Mapping[str, Any], *, notify: bool = True
) -> None:
    """The field changes on a locked ticket, for services that checked the actor's role."""
    unknown = set(changes) - set(CHANGEABLE_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))}
        )
    changed: list[str] = []
    for field, new in changes.items():
        if field == "subject":
            new = " ".join((new or "").split())[:200]
            if not new:
                raise ValidationError({"subject": _("A ticket needs a subject.")})
        _check_related_value(field, new)
        old = getattr(ticket, field)
        if old == new:
            continue
        setattr(ticket, field, new)
        changed.append(field)
        record_event(ticket, by, EventKind.FIELD, field=field, old=old, new=new)
    if not changed:
        return
    ticket.save(update_fields=[*changed, "updated_at"])
    if {"impact", "hub"} & set(changed):
        sla.sla_recompute(ticket, timezone.now(), reason=", ".join(sorted(changed)))
    if "impact" in changed and notify:
        # Triage that raises the impact to a watched level alerts as a new one would.
        alerts.alert_if_urgent(
            ticket=ticket, detail=_("Impact set to %(impact)s") % {"impact": ticket.impact}
        )


def _check_related_value(field: str, value: Any) -> None:
    """A related field takes a row of its model (or None), never an id or a name."""
    model_field = Ticket._meta.get_field(field)
    if not model_field.is_relation or value is None:
        return
    related = model_field.related_model
    if isinstance(related, type) and not isinstance(value, related):
        message = _("“%(value)s” is not a %(model)s.") % {
            "value": value,
            "model": related._meta.verbose_name,
        }
        raise ValidationError({field: message})


@transaction.atomic
def ticket_set_issue_tags(
    *,
    ticket: Ticket,
    tags: Iterable[IssueTag],
    by: User | None,
    expected_version: int | None = None,
) -> Ticket:
    """Replace the ticket's issue tags; the history shows the old and new lists."""
    roles.require(by, roles.TRIAGE)
    ticket = ticket_writable(ticket, expected_version, by=by)
    set_issue_tags(ticket, tags, by)
    return ticket


def set_issue_tags(ticket: Ticket, tags: Iterable[IssueTag], by: User | None) -> None:
    old = sorted(ticket.issue_tags.all(), key=lambda t: t.name)
    new = sorted(set(tags), key=lambda t: t.name)
    if [t.pk for t in old] == [t.pk for t in new]:
        return
    ticket.issue_tags.set(new)
    ticket.save(update_fields=["updated_at"])
    record_event(
        ticket,
        by,
        EventKind.TAGS,
        field="issue_tags",
        old=", ".join(t.name for t in old),
        new=", ".join(t.name for t in new),
    )


@transaction.atomic
def ticket_triage(
    *,
    ticket: Ticket,
    by: User | None,
    expected_version: int | None = None,
    tags: Iterable[IssueTag] | Any = UNCHANGED,
    assignee: User | Any | None = UNCHANGED,
    status: str | Any = UNCHANGED,
    **fields: Any,
) -> Ticket:
    """The triage panel (or the back office's ticket form) in one step.

    ``fields`` are any of :data:`CHANGEABLE_FIELDS` (category, impact, product,
    hub, partner ...); tags, assignee and status change only when given.
    """
    roles.require(by, roles.TRIAGE)
    ticket = ticket_writable(ticket, expected_version, by=by)
    if fields:
        change_fields(ticket, by, fields)
    if tags is not UNCHANGED:
        set_issue_tags(ticket, tags, by)
    if assignee is not UNCHANGED:
        assign(ticket, assignee, by)
    if status is not UNCHANGED and status != ticket.status:
        check_not_escalating(status)
        apply_status(ticket, status, by)
    return ticket
