from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Integrations")

    # Each integration is its own app (integrations.email, .github, .slack) and
    # registers how its outbox kinds are delivered in its own ready().
