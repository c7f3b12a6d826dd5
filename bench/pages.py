"""Timing a staff page through Django's test client, for the page scenarios.

A page is rendered ``REQUESTS`` times after one warm-up, and the median in
milliseconds is reported: the whole request, middleware, queries and template.
"""

from __future__ import annotations

import statistics
import time

from django.contrib.auth.models import User
from django.test import Client, override_settings

REQUESTS = 20


def staff_client(group: str) -> Client:
    """A client logged in as the first active staff member of ``group`` (a role)."""
    user = User.objects.filter(groups__name=group, is_active=True, is_staff=True).first()
    if user is None:
        raise RuntimeError(f"No {group} in the database: run seed_demo first.")
    # secure=True below: with DEBUG off the settings redirect plain HTTP.
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


# Production serves hashed static names from collectstatic's manifest; the bench has
# none, so plain static URLs (a lookup either way, not what is measured here).
@override_settings(
    STORAGES={
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
)
def median_ms(client: Client, url: str) -> float:
    """The median time of ``REQUESTS`` renderings of ``url``, after a warm-up that must succeed."""
    response = client.get(url, secure=True)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    timings = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        client.get(url, secure=True)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)
