"""Top-level URLs: the public portal, the health check and the admin back office."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from helpdesk import language, views
from integrations import views as integration_views

# Unreachable database: a friendly 503 page; any other error: the branded 500 page
# (helpdesk.views.server_error). 404, 403 and CSRF failures: Django's views with
# templates/404.html, 403.html and 403_csrf.html.
handler500 = "helpdesk.views.server_error"

admin.site.site_header = "Help desk back office"
admin.site.site_title = "Help desk"
admin.site.index_title = "Configuration and records"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("signed-in/", views.signed_in, name="signed_in"),
    path("language/", language.language_choose, name="language"),
    path(
        "admin/integrations/health/",
        admin.site.admin_view(integration_views.integration_health),
        name="integration_health",
    ),
    path("admin/", admin.site.urls),
    path("integrations/slack/", include("integrations.slack.urls")),
    path("integrations/github/", include("integrations.github.urls")),
    path("integrations/email/inbound/", include("integrations.email.urls")),
    path("desk/", include("desk.urls")),
    path("reports/", include("reports.urls")),
    path("api/v1/", include("api.urls")),  # the REST API, in no language prefix (api/)
    path("widget/", include("portal.widget_urls")),
]
# The public pages in each language: English unprefixed (every address given out so
# far keeps working), the others under theirs (/fr/kb/, /pt-br/contact/).
urlpatterns += i18n_patterns(
    path("kb/", include("kb.urls")),
    path("", include("portal.urls")),
    prefix_default_language=False,
)
