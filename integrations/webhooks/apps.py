from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "integrations.webhooks"
    label = "webhooks"
    verbose_name = _("Outgoing webhooks")

    def ready(self) -> None:
        # Says who listens to ticket events and how ``webhook`` rows are delivered;
        # tickets only writes the rows.
        from integrations.webhooks.handlers import register

        register()
