"""Proof that a refused action changed nothing: every row of the project's tables, before and after.

    with nothing_changes():
        assert client.post(url, data).status_code == 403

The snapshot covers the models of the project's own apps (tickets, kb,
integrations, …, with their many-to-many tables) and the users; ``ignoring``
leaves out models a refusal may legitimately write to (say, an audit row).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Model

Snapshot = dict[str, list[tuple[Any, ...]]]


def project_models() -> list[type[Model]]:
    """The models of the apps in this checkout, their auto-created tables, and the user model."""
    base = Path(settings.BASE_DIR).resolve()
    ours = [
        config
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(base)
        and ".venv" not in Path(config.path).parts
    ]
    models = [
        model
        for config in ours
        for model in config.get_models(include_auto_created=True)
        # A proxy has no table of its own: its rows are its concrete model's, snapshot there.
        if not model._meta.proxy
    ]
    user = get_user_model()
    return [*models, user, *(field.remote_field.through for field in user._meta.many_to_many)]


def snapshot(ignoring: Iterable[type[Model]] = ()) -> Snapshot:
    skipped = set(ignoring)
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values_list())
        for model in project_models()
        if model not in skipped
    }


def _differences(before: Snapshot, after: Snapshot) -> list[str]:
    changes = []
    for label, rows in before.items():
        if rows == after[label]:
            continue
        added = [row for row in after[label] if row not in rows]
        removed = [row for row in rows if row not in after[label]]
        changes.append(f"{label}: {len(rows)} → {len(after[label])} rows; ")
        changes[-1] += f"now {added[:3]}" if added else ""
        changes[-1] += f" was {removed[:3]}" if removed else ""
    return changes


@contextlib.contextmanager
def nothing_changes(*, ignoring: Iterable[type[Model]] = ()) -> Iterator[None]:
    """Fail if any row of the project's models was added, removed or changed inside the block."""
    ignoring = tuple(ignoring)
    before = snapshot(ignoring)
    yield
    changes = _differences(before, snapshot(ignoring))
    assert not changes, "the refused action changed:\n" + "\n".join(changes)
