from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    """The L1 agent desk: queues, the ticket workspace, tickets logged for clients."""

    name = "desk"
    verbose_name = _("Agent desk")
