from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GitHubConfig(AppConfig):
    name = "integrations.github"
    label = "github"
    verbose_name = _("GitHub escalation")

    def ready(self) -> None:
        # Says how the GitHub outbox kinds are delivered (tickets only writes them).
        from integrations.github.handlers import register

        register()
