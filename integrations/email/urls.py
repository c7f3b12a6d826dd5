"""Inbound mail webhooks: anymail's inbound views, one per provider, behind our switch."""

from __future__ import annotations

from anymail import urls as anymail_urls
from django.urls import URLPattern

from integrations.email.webhooks import only_when_enabled

app_name = "mail"

urlpatterns = [
    URLPattern(
        pattern.pattern,
        only_when_enabled(pattern.callback),
        pattern.default_args,
        pattern.name,
    )
    for pattern in anymail_urls.urlpatterns
    if isinstance(pattern, URLPattern) and (pattern.name or "").endswith("_inbound_webhook")
]
