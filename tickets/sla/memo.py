"""SLA policies and hub closures, kept per process under a version in the shared cache.

Every new ticket needs its policy and its hub's calendar: queries on tables an
admin changes a few times a year. They are kept as :mod:`catalog.memo`
describes: any save or delete of an :class:`SlaPolicy`, a :class:`Hub` or a
:class:`HubClosure` makes every process read them again. Changes that send no
signal (``QuerySet.update()``, ``bulk_create``) must call
:func:`sla_settings_changed`.
"""

from __future__ import annotations

from datetime import date

from catalog.memo import SharedVersionMemo
from catalog.models import Hub, HubClosure
from tickets.models.sla import SlaPolicy

sla_memo = SharedVersionMemo("sla-settings")


def sla_policies() -> list[SlaPolicy]:
    """Every SLA policy, in the table's order (read-only: the rows are shared)."""
    ordering = SlaPolicy._meta.ordering or ["pk"]
    return sla_memo.get("policies", lambda: list(SlaPolicy.objects.order_by(*ordering)))


def hub_closures(hub: Hub) -> frozenset[date]:
    """The days the hub is closed."""

    def read() -> frozenset[date]:
        return frozenset(hub.closures.values_list("date", flat=True))

    return read() if hub.pk is None else sla_memo.get(("closures", hub.pk), read)


def sla_settings_changed() -> None:
    """Every process reads the policies and closures again (now, and after the commit)."""
    sla_memo.changed()


def connect_signals() -> None:
    sla_memo.watch(SlaPolicy, Hub, HubClosure)
