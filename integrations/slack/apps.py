from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlackConfig(AppConfig):
    name = "integrations.slack"
    label = "slack"
    verbose_name = _("Slack")

    def ready(self) -> None:
        # Slack says how its outbox kinds (slack_alert, slack_update, slack_ephemeral)
        # are delivered; tickets only writes the rows.
        from integrations.slack.handlers import register

        register()
