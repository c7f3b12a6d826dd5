"""Back office: link Slack members to agents; see where each ticket's alerts went."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from integrations.slack.models import SlackPost, SlackThread, SlackUser


@admin.register(SlackUser)
class SlackUserAdmin(admin.ModelAdmin):
    list_display = ["slack_user_id", "user", "created_at"]
    search_fields = ["slack_user_id", "user__username", "user__email", "user__last_name"]
    autocomplete_fields = ["user"]


class _ReadOnly(admin.ModelAdmin):
    """Written by the Slack delivery only; kept for the record."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SlackThread)
class SlackThreadAdmin(_ReadOnly):
    list_display = ["ticket", "channel", "ts", "claimed_at"]
    search_fields = ["ts", "channel"]
    list_select_related = ["ticket"]
    raw_id_fields = ["ticket"]


@admin.register(SlackPost)
class SlackPostAdmin(_ReadOnly):
    list_display = ["created_at", "ticket", "event", "channel", "ts", "thread_ts"]
    list_filter = ["event"]
    search_fields = ["ts", "outbox_key"]
    list_select_related = ["ticket"]
    raw_id_fields = ["ticket"]
