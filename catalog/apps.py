from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    """The taxonomy every other app shares; it imports none of them."""

    name = "catalog"
    verbose_name = _("Catalog")

    def ready(self) -> None:
        # Active hubs, products and categories are kept per process: a change reads them again.
        from catalog import memo

        memo.connect_signals()
