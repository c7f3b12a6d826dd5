"""GitHub calls us here (mounted at /integrations/github/)."""

from django.urls import path

from integrations.github import webhooks

app_name = "github"

urlpatterns = [
    path("webhook/", webhooks.webhook, name="webhook"),
]
