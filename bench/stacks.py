"""What the reference apps share: Django's startproject middleware and the trivial view."""

from django.http import HttpRequest, HttpResponse

# As `django-admin startproject` writes it (Django 6).
STARTPROJECT_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]


def trivial(request: HttpRequest) -> HttpResponse:
    """ "ok": the same answer in the app, the bare reference and the startproject one."""
    return HttpResponse("ok", content_type="text/plain")
