"""A migration operation that touches the database only on PostgreSQL.

The knowledge base's search vector trigger, its GIN indexes and the pg_trgm
extension exist only there; the model state records the indexes on every
database, so ``makemigrations --check`` is clean on SQLite and PostgreSQL alike.
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
