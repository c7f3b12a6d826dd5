from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    """The taxonomy every other app shares; it imports none of them."""

    name = "catalog"
    verbose_name = _("Catalog")
