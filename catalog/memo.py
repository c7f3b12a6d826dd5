"""Values read from rarely changed rows, kept in each process under a version in the shared cache.

The catalog (hubs, products, categories) and the SLA settings change a few times
a year, through the admin, yet every Contact Us submission and every new ticket
reads them. A :class:`SharedVersionMemo` keeps what a process read under the
version it found in the shared cache (Redis in production); a save or delete of
a watched model writes a new version there, so every process reads again on its
next use.

The version is written at once (this process and the rest of its transaction
see the change) and again after the commit: a process that read the new
version before the change was visible would otherwise keep the old rows under it.

Changes that send no signal (``QuerySet.update()``, ``bulk_create``, raw SQL)
must call :meth:`SharedVersionMemo.changed`. If the cache is down nothing is
kept: each use reads the rows, as without the memo.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

from catalog.models import Category, Hub, Impact, Product
from helpdesk.network_budget import StoreSkipped

logger = logging.getLogger(__name__)

T = TypeVar("T")


# Fields saved on their own that nothing kept here shows (Django's login saves last_login).
_NEVER_SHOWN = frozenset({"last_login"})


class SharedVersionMemo:
    def __init__(self, name: str) -> None:
        self.name = name
        self.version_key = f"memo:{name}:version"
        self._version: str | None = None
        self._values: dict[Hashable, Any] = {}
        self._lock = threading.Lock()
        # A change this process could not announce (the cache was away): announced on
        # the next read, or other processes would keep the old values once it is back.
        self._bump_owed = False

    def get(self, slot: Hashable, compute: Callable[[], T]) -> T:
        """The value kept under ``slot``, computed (and kept) if this version has none."""
        version = self._current()
        if version is None:
            return compute()
        with self._lock:
            if slot in self._values:
                return self._values[slot]
        value = compute()  # after the version was read: never older than it
        with self._lock:
            if self._version == version:
                self._values[slot] = value
        return value

    def changed(self, **kwargs: Any) -> None:
        """Every process reads again (now, and after the commit); a signal receiver too."""
        update_fields = kwargs.get("update_fields")
        if update_fields and set(update_fields) <= _NEVER_SHOWN:
            return  # a sign-in stamps last_login: no memo shows it, nothing to read again
        self._bump()
        transaction.on_commit(self._bump)

    def watch(self, *watched: type[models.Model]) -> None:
        for model in watched:
            uid = f"memo-{self.name}-{model._meta.label}"
            post_save.connect(self.changed, sender=model, dispatch_uid=uid)
            post_delete.connect(self.changed, sender=model, dispatch_uid=uid)

    def _current(self) -> str | None:
        """The shared version (one is made if there is none); None if the cache is down."""
        try:
            if self._bump_owed:
                cache.set(self.version_key, uuid.uuid4().hex, timeout=None)
                self._bump_owed = False
            version = cache.get(self.version_key)
            if version is None:
                cache.add(self.version_key, uuid.uuid4().hex, timeout=None)
                version = cache.get(self.version_key)
        except StoreSkipped:
            return None  # the cache is paused after a failure, already logged once
        except Exception:
            logger.warning("%s not kept: the cache failed.", self.name, exc_info=True)
            return None
        version = str(version) if version is not None else None
        with self._lock:
            if version != self._version:
                self._version, self._values = version, {}
        return version

    def _bump(self) -> None:
        try:
            cache.set(self.version_key, uuid.uuid4().hex, timeout=None)
        except Exception as exc:
            self._bump_owed = True
            if not isinstance(exc, StoreSkipped):
                logger.warning("%s version not written: the cache failed.", self.name)
        with self._lock:
            self._version, self._values = None, {}


catalog_memo = SharedVersionMemo("catalog")


def active_rows[M: models.Model](model: type[M]) -> dict[int, M]:
    """The active hubs, products or categories by id (read-only: the rows are shared)."""
    return catalog_memo.get(
        model._meta.label,
        lambda: {row.pk: row for row in model._default_manager.filter(is_active=True)},
    )


def active_by_slug[M: models.Model](model: type[M], slug: str) -> M | None:
    """The active hub, product, category or impact whose slug is ``slug`` (read-only: shared)."""
    rows = active_rows(model).values()
    return next((row for row in rows if getattr(row, "slug", None) == slug), None)


def all_rows[M: models.Model](model: type[M]) -> dict[int, M]:
    """Every hub, product, category or impact by id, retired ones too (read-only: shared).

    For showing a ticket's own, which may have been retired since.
    """
    return catalog_memo.get(
        ("all", model._meta.label), lambda: {row.pk: row for row in model._default_manager.all()}
    )


def connect_signals() -> None:
    catalog_memo.watch(Hub, Product, Category, Impact)
