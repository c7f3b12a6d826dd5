"""Slack's request URLs, mounted at /integrations/slack/ (set them in the Slack app's settings)."""

from django.urls import path

from integrations.slack import webhooks

app_name = "slack"

urlpatterns = [
    path("interactivity/", webhooks.interactivity, name="interactivity"),
    path("commands/", webhooks.commands, name="commands"),
]
