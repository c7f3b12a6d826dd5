from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Integrations")

    # Each integration is its own app (integrations.email, .github, .slack) and
    # registers how its outbox kinds are delivered in its own ready().

    def ready(self) -> None:
        # Celery workers record when they consume (integrations.workers); the
        # connections are made in every process, only `celery worker` writes.
        from integrations.workers import connect_worker_signals

        connect_worker_signals()
