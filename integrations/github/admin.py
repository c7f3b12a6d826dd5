"""Back office: the escalation issues (and why one needs attention), webhook deliveries."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from integrations.github.models import WebhookDelivery
from tickets.models import EscalationIssue, EscalationLink


class _ReadOnly(admin.ModelAdmin):
    """Written by the escalation services and the GitHub delivery only; kept for the record."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EscalationLinkInline(admin.TabularInline):
    model = EscalationLink
    fields = ("ticket", "linked_by", "linked_at")
    readonly_fields = ("ticket", "linked_by", "linked_at")
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(EscalationIssue)
class EscalationIssueAdmin(_ReadOnly):
    """Failed escalations show their problem here; the outbox row's *Retry now* files again."""

    list_display = ["created_at", "issue_link", "title", "state", "short_error", "last_synced_at"]
    list_filter = ["state"]
    search_fields = ["repository", "title", "error"]
    readonly_fields = [
        "repository",
        "number",
        "url",
        "title",
        "state",
        "state_reason",
        "state_changed_at",
        "technical_summary",
        "include_contact",
        "filed_for",
        "created_by",
        "error",
        "create_attempted_at",
        "last_synced_at",
        "comments_read_until",
        "created_at",
    ]
    inlines = [EscalationLinkInline]
    show_full_result_count = False

    @admin.display(description=_("issue"), ordering="repository")
    def issue_link(self, obj: EscalationIssue) -> str:
        if obj.url and obj.number:
            return format_html('<a href="{}" rel="noopener">{}</a>', obj.url, obj.label)
        return obj.label

    @admin.display(description=_("problem"))
    def short_error(self, obj: EscalationIssue) -> str:
        return (obj.error or "")[:160]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(_ReadOnly):
    list_display = [
        "received_at",
        "event",
        "action",
        "repository",
        "delivery_id",
        "processed_at",
        "outcome",
    ]
    list_filter = ["event", "action"]
    search_fields = ["delivery_id", "repository"]
    readonly_fields = [
        "delivery_id",
        "event",
        "action",
        "repository",
        "payload",
        "received_at",
        "processed_at",
        "outcome",
    ]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[WebhookDelivery]:
        return super().get_queryset(request).defer("payload")
