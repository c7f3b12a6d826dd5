"""Django's ``startproject`` stack for reference: its apps and middleware, one trivial view.

Served by its own gunicorn (``bench.loadtest.startproject:application``), configured
as the bare reference is, so the load test shows the floor a site pays for Django's
default middleware (security headers, sessions, CSRF, auth, messages, clickjacking)
before any of its own. Nothing here reads the database: the view is anonymous and
sets no cookie.
"""

from __future__ import annotations

import os

from django.urls import path

from bench.stacks import STARTPROJECT_MIDDLEWARE, trivial

SECRET_KEY = os.environ.get("SECRET_KEY", "startproject-reference-only")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]
MIDDLEWARE = STARTPROJECT_MIDDLEWARE
ROOT_URLCONF = __name__
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
STATIC_URL = "static/"
USE_TZ = True


urlpatterns = [path("bench/trivial", trivial)]

os.environ["DJANGO_SETTINGS_MODULE"] = __name__

from django.core.wsgi import get_wsgi_application  # noqa: E402 - needs the settings above

application = get_wsgi_application()
