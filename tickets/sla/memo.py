"""SLA policies and hub closures, kept in each process under a version held in the shared cache.

Every new ticket needs its policy and its hub's calendar: a couple of queries on
tables an admin changes a few times a year. Each process keeps what it read
under the version it found in the shared cache (Redis in production), and any
save or delete of an :class:`SlaPolicy`, a :class:`Hub` or a :class:`HubClosure`
writes a new version there, so every process reads again on its next ticket.

The version is written at once (this process, and the rest of its transaction,
see the change) and again after the commit: a process that read the new version
before the change was visible would otherwise keep the old rows under it.

Changes that send no signal (``QuerySet.update()``, ``bulk_create``, raw SQL)
must call :func:`sla_settings_changed`. If the cache is down, nothing is kept:
every ticket reads the rows, as it did before.
"""

from __future__ import annotations

import logging
import threading
import uuid
from datetime import date
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from catalog.models import Hub, HubClosure
from tickets.models.sla import SlaPolicy

logger = logging.getLogger(__name__)

VERSION_KEY = "tickets:sla:settings-version"


class _Memo:
    def __init__(self) -> None:
        self.version: str | None = None
        self.policies: list[SlaPolicy] | None = None
        self.closures: dict[int, frozenset[date]] = {}
        self.lock = threading.Lock()

    def reset(self, version: str | None = None) -> None:
        self.version, self.policies, self.closures = version, None, {}


_memo = _Memo()


def _shared_version() -> str | None:
    """The version in the shared cache (one is made if there is none); None if it is down."""
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
            version = cache.get(VERSION_KEY)
    except Exception:
        logger.warning("SLA settings not cached: the cache failed.", exc_info=True)
        return None
    return str(version) if version is not None else None


def _current() -> str | None:
    """The shared version, with this process's memo emptied if it was kept under another."""
    version = _shared_version()
    with _memo.lock:
        if version is None or version != _memo.version:
            _memo.reset(version)
    return version


def sla_policies() -> list[SlaPolicy]:
    """Every SLA policy, in the table's order (read-only: the rows are shared)."""
    version = _current()
    if version is not None and _memo.policies is not None:
        return _memo.policies
    ordering = SlaPolicy._meta.ordering or ["pk"]
    policies = list(SlaPolicy.objects.order_by(*ordering))
    if version is not None:
        with _memo.lock:
            if _memo.version == version:
                _memo.policies = policies
    return policies


def hub_closures(hub: Hub) -> frozenset[date]:
    """The days the hub is closed."""
    version = _current()
    if version is not None and hub.pk in _memo.closures:
        return _memo.closures[hub.pk]
    closures = frozenset(hub.closures.values_list("date", flat=True))
    if version is not None and hub.pk is not None:
        with _memo.lock:
            if _memo.version == version:
                _memo.closures[hub.pk] = closures
    return closures


def sla_settings_changed() -> None:
    """Every process reads the policies and closures again (now, and after the commit)."""
    _bump()
    transaction.on_commit(_bump)


def _bump() -> None:
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:
        logger.warning("SLA settings version not written: the cache failed.", exc_info=True)
    _memo.reset()


def _changed(**kwargs: Any) -> None:
    sla_settings_changed()


def connect_signals() -> None:
    for model in (SlaPolicy, Hub, HubClosure):
        for signal in (post_save, post_delete):
            signal.connect(_changed, sender=model, dispatch_uid=f"sla-memo-{model.__name__}")
