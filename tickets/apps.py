from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles_after_migrate(**kwargs: Any) -> None:
    from django.apps import apps as global_apps

    from tickets.roles import sync_roles

    # migrate passes its model state; a test database flush passes none.
    sync_roles(kwargs.get("apps") or global_apps)


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        # The system check that every outbox kind has a handler (outbox.E001, E002).
        from tickets import outbox_kinds, task_guard  # noqa: F401
        from tickets.queues import lists
        from tickets.sla import memo

        # SLA policies and hub calendars are kept per process: a change reads them again.
        memo.connect_signals()
        # The desk's lists (taxonomy, staff, saved views) likewise.
        lists.connect_signals()
        # A task that crashes its worker every time is given up after a few starts.
        task_guard.connect_signals()

        # After every migrate, not in a migration: the roles follow the code as it
        # grows new permissions, and a migration stays what it was when written.
        post_migrate.connect(
            _sync_roles_after_migrate, sender=self, dispatch_uid="tickets.sync_roles"
        )
