"""Database helpers the apps' migrations share.

:class:`PostgreSQLOnly`: the knowledge base's search vector trigger, its GIN
indexes and the pg_trgm extension exist only on PostgreSQL; the model state
records the indexes on every database, so ``makemigrations --check`` is clean
on SQLite and PostgreSQL alike.

:func:`move_content_types`: when models change app without changing table,
their content types follow, so permissions, role groups and the admin's log
entries that point at them survive (a stale content type would be deleted,
and its permissions with it).
"""

from __future__ import annotations

from typing import Any

from django.db.migrations.operations.base import Operation


class PostgreSQLOnly(Operation):
    """Wrap an operation: its state change always applies, its SQL only on PostgreSQL."""

    # The operations wrapped here (RunSQL with its reverse, AddIndex) can go back.
    reversible = True
    # Its SQL depends on the database it runs on, so sqlmigrate cannot print it.
    reduces_to_sql = False

    def __init__(self, operation: Operation) -> None:
        self.operation = operation

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (self.__class__.__qualname__, [self.operation], {})

    def state_forwards(self, app_label: str, state: Any) -> None:
        self.operation.state_forwards(app_label, state)

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if schema_editor.connection.vendor == "postgresql":
            self.operation.database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if schema_editor.connection.vendor == "postgresql":
            self.operation.database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self) -> str:
        return f"{self.operation.describe()} (PostgreSQL only)"

    @property
    def migration_name_fragment(self) -> str:
        return self.operation.migration_name_fragment


def move_content_types(apps: Any, from_app: str, to_app: str, models: list[str]) -> None:
    """Relabel the content types of ``models`` (lower-case names) from one app to another.

    If the destination already has a content type (a post_migrate ran in between),
    the one with the history wins: the newer one's permission grants and log
    entries move onto it, then the newer one goes.
    """
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in models:
        source = ContentType.objects.filter(app_label=from_app, model=model).first()
        if source is None:
            continue
        clash = ContentType.objects.filter(app_label=to_app, model=model).first()
        if clash is not None:
            _merge_content_type(apps, keep=source, drop=clash)
        source.app_label = to_app
        source.save(update_fields=["app_label"])


def _merge_content_type(apps: Any, *, keep: Any, drop: Any) -> None:
    Permission = apps.get_model("auth", "Permission")
    LogEntry = apps.get_model("admin", "LogEntry")
    Group = apps.get_model("auth", "Group")
    User = apps.get_model(*_user_model().split("."))
    for permission in Permission.objects.filter(content_type=drop):
        kept = Permission.objects.filter(content_type=keep, codename=permission.codename).first()
        if kept is None:
            permission.content_type = keep
            permission.save(update_fields=["content_type"])
            continue
        for group in Group.objects.filter(permissions=permission):
            group.permissions.add(kept)
        for user in User.objects.filter(user_permissions=permission):
            user.user_permissions.add(kept)
        permission.delete()
    LogEntry.objects.filter(content_type=drop).update(content_type=keep)
    drop.delete()


def _user_model() -> str:
    from django.conf import settings

    return str(settings.AUTH_USER_MODEL)
