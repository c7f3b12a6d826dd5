"""Inbound mail in the back office: what came in, what became of it, and the held and failed
mail an agent decides on (confirm and append, create a ticket, ignore, process again)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from integrations.email import services
from integrations.email.models import InboundEmail, InboundStatus
from integrations.email.parsing import parse_mail

RAW_PREVIEW_BYTES = 16 * 1024
# Shown and read-only, all of them: a received mail is a record, not something to edit.
RECORD_FIELDS = (
    "status",
    "reason",
    "ticket_link",
    "from_address",
    "subject",
    "message_id",
    "source",
    "envelope_recipient",
    "size",
    "truncated",
    "received_at",
    "processed_at",
    "text_preview",
    "html_preview",
    "raw_preview",
    "error",
)


@admin.register(InboundEmail)
class InboundEmailAdmin(admin.ModelAdmin):
    list_display = ["received_at", "status", "from_address", "subject", "ticket_link", "why"]
    list_filter = ["status", "source", "truncated"]
    search_fields = ["from_address", "subject", "message_id", "reason"]
    date_hierarchy = "received_at"
    list_select_related = ["ticket"]
    actions = ["confirm_append", "create_ticket", "ignore", "process_again"]
    fields = RECORD_FIELDS
    readonly_fields = RECORD_FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # mail is evidence: it is ignored, never deleted

    @admin.display(description=_("ticket"))
    def ticket_link(self, obj: InboundEmail) -> str:
        if obj.ticket is None:
            return "—"
        url = reverse("admin:tickets_ticket_change", args=[obj.ticket.pk])
        return format_html('<a href="{}">{}</a>', url, obj.ticket.reference)

    @admin.display(description=_("why"))
    def why(self, obj: InboundEmail) -> str:
        return obj.reason[:120]

    @admin.display(description=_("text (as a ticket would read it)"))
    def text_preview(self, obj: InboundEmail) -> SafeString:
        text = parse_mail(bytes(obj.raw)).text
        return format_html('<pre style="white-space:pre-wrap">{}</pre>', text[:20000])

    @admin.display(description=_("HTML (sanitised)"))
    def html_preview(self, obj: InboundEmail) -> SafeString:
        # Cleaned by nh3 when the mail was processed: no scripts, styles, handlers or images.
        return mark_safe(obj.html_sanitised)  # noqa: S308 - nh3 output, see InboundEmail

    @admin.display(description=_("raw mail (beginning)"))
    def raw_preview(self, obj: InboundEmail) -> SafeString:
        head = bytes(obj.raw[:RAW_PREVIEW_BYTES]).decode("utf-8", errors="replace")
        return format_html('<pre style="white-space:pre-wrap">{}</pre>', head)

    def _each(
        self,
        request: HttpRequest,
        queryset: QuerySet[InboundEmail],
        service: Callable[..., InboundEmail],
        done: str,
    ) -> None:
        """Apply an agent's decision (``service(inbound=…, by=…)``) to each mail selected."""
        by = cast(User, request.user)
        count = 0
        for inbound in queryset:
            try:
                service(inbound=inbound, by=by)
            except ValidationError as error:
                self.message_user(
                    request, f"{inbound}: {' '.join(error.messages)}", level=messages.WARNING
                )
            else:
                count += 1
        if count:
            self.message_user(request, f"{done}: {count}", level=messages.SUCCESS)

    @admin.action(description=_("Confirm and append to the ticket"), permissions=["change"])
    def confirm_append(self, request: HttpRequest, queryset: QuerySet[InboundEmail]) -> None:
        self._each(
            request, queryset, services.inbound_confirm_append, str(_("Added to their tickets"))
        )

    @admin.action(description=_("Create a ticket from the mail"), permissions=["change"])
    def create_ticket(self, request: HttpRequest, queryset: QuerySet[InboundEmail]) -> None:
        self._each(request, queryset, services.inbound_create_ticket, str(_("Tickets created")))

    @admin.action(description=_("Ignore"), permissions=["change"])
    def ignore(self, request: HttpRequest, queryset: QuerySet[InboundEmail]) -> None:
        self._each(request, queryset, services.inbound_ignore, str(_("Ignored")))

    @admin.action(description=_("Process failed mail again"), permissions=["change"])
    def process_again(self, request: HttpRequest, queryset: QuerySet[InboundEmail]) -> None:
        self._each(
            request,
            queryset.filter(status=InboundStatus.FAILED),
            lambda *, inbound, by: services.inbound_retry(inbound=inbound),
            str(_("Processed again")),
        )
