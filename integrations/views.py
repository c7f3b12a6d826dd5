"""The integration health page in the back office (staff who may see the outbox)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from integrations.health import integrations_health, workers_health
from tickets import roles
from tickets.time_zones import staff_zone


def integration_health(request: HttpRequest) -> TemplateResponse:
    # admin_view (in urls.py) already lets only active staff in; the page shows the
    # outbox's errors, so it needs the outbox's view permission as well.
    roles.require(request.user, roles.VIEW_OUTBOX)
    context = {
        **admin.site.each_context(request),
        "title": _("Integration health"),
        "rows": integrations_health(),
        "workers": workers_health(),
        "outbox_url": reverse("admin:tickets_outboxmessage_changelist"),
        "now": timezone.now(),
    }
    response = TemplateResponse(request, "admin/integrations/health.html", context)
    # Times are written in the reader's own zone, named ("Mon 7 Dec 09:30 EAT"), as
    # on the desk: the admin is not a desk page, so the zone is set here, for the render.
    with timezone.override(staff_zone(request.user)):
        response.render()
    return response
