"""A bare Django app for reference: one trivial view, no apps, no middleware, no database.

Served by its own gunicorn (``bench.loadtest.bare:application``) with this module as
its settings, so the load test can show what the project's stack costs on top of
Django's request handling.
"""

from __future__ import annotations

import os

from django.urls import path

from bench.stacks import trivial

SECRET_KEY = os.environ.get("SECRET_KEY", "bare-django-reference-only")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
ROOT_URLCONF = __name__
DATABASES: dict[str, dict[str, str]] = {}
USE_TZ = True


urlpatterns = [path("bench/trivial", trivial)]

os.environ["DJANGO_SETTINGS_MODULE"] = __name__

from django.core.wsgi import get_wsgi_application  # noqa: E402 - needs the settings above

application = get_wsgi_application()
