from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """``seed_demo`` and its generators; it may import any app, and no app imports it."""

    name = "demo"
    verbose_name = _("Demo data")
