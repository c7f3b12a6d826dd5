"""Shared canned responses are managed in the back office (managers); saved views are listed.

An agent's personal canned responses are theirs alone (the desk's own page), so
the back office lists and edits only the shared ones.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from tickets.models import CannedResponse, SavedView


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    list_display = ["title", "set_status", "set_category", "set_impact", "position", "is_active"]
    list_editable = ["position", "is_active"]
    list_filter = ["is_active", "set_status", "set_category", "set_impact"]
    search_fields = ["title", "body"]
    list_select_related = ["set_category", "set_impact"]
    fieldsets = [
        (None, {"fields": ["title", "body", "position", "is_active"]}),
        (
            "Field changes on sending (optional)",
            {"fields": ["set_status", "set_category", "set_impact"]},
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[CannedResponse]:
        return super().get_queryset(request).filter(owner__isnull=True)


@admin.register(SavedView)
class SavedViewAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "queue", "query", "created_at"]
    list_filter = ["queue"]
    search_fields = ["name", "owner__username"]
    list_select_related = ["owner"]
