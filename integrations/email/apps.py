from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "integrations.email"
    label = "mail"
    verbose_name = _("Email")

    def ready(self) -> None:
        # Email says how "email" outbox rows are delivered, and takes the mail that
        # providers post to anymail's inbound webhooks.
        from anymail.signals import inbound

        from integrations.email.handlers import register
        from integrations.email.webhooks import anymail_inbound_received

        register()
        inbound.connect(anymail_inbound_received, dispatch_uid="mail.anymail_inbound")
