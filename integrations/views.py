"""The integration health page in the back office (staff who may see the outbox)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from integrations.health import integrations_health
from tickets import roles


def integration_health(request: HttpRequest) -> TemplateResponse:
    # admin_view (in urls.py) already lets only active staff in; the page shows the
    # outbox's errors, so it needs the outbox's view permission as well.
    roles.require(request.user, roles.VIEW_OUTBOX)
    context = {
        **admin.site.each_context(request),
        "title": _("Integration health"),
        "rows": integrations_health(),
        "outbox_url": reverse("admin:tickets_outboxmessage_changelist"),
    }
    return TemplateResponse(request, "admin/integrations/health.html", context)
