"""The admin's list of tasks that lost their worker (see tickets/task_guard.py).

Given-up tasks stay here until an operator deletes them; a task that was
redelivered and then finished removes its own row.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tickets.models import RedeliveredTask


@admin.register(RedeliveredTask)
class RedeliveredTaskAdmin(admin.ModelAdmin):
    list_display = ["last_started_at", "name", "starts", "given_up_at", "hostname", "task_id"]
    list_filter = [("given_up_at", admin.EmptyFieldListFilter), "name"]
    search_fields = ["task_id", "name", "arguments"]
    readonly_fields = [
        "task_id",
        "name",
        "arguments",
        "starts",
        "hostname",
        "first_seen_at",
        "last_started_at",
        "given_up_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
