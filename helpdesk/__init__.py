"""The help desk project: settings, URLs, the Celery app and the WSGI/ASGI entry points."""

from helpdesk.celery import app as celery_app

__all__ = ["celery_app"]
