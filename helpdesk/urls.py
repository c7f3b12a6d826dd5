"""Top-level URLs: the public portal, the health check and the admin back office."""

from django.contrib import admin
from django.urls import include, path

from helpdesk import views

admin.site.site_header = "Help desk back office"
admin.site.site_title = "Help desk"
admin.site.index_title = "Configuration and records"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("kb/", include("kb.urls")),
    path("desk/", include("desk.urls")),
    path("", include("portal.urls")),
]
