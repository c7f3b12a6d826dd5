from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


def _trigram_threshold(sender: Any, connection: Any, **kwargs: Any) -> None:
    """How alike a title must be for a typo to find it (see kb.search), per connection.

    A session setting: under a transaction-pooling proxy it may be lost, and
    typo tolerance falls back to pg_trgm's stricter default, nothing worse.
    """
    if connection.vendor != "postgresql":
        return
    from kb.search import TRIGRAM_MIN_SIMILARITY

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, false)",
            [str(TRIGRAM_MIN_SIMILARITY)],
        )


class KbConfig(AppConfig):
    name = "kb"
    verbose_name = _("Knowledge base")

    def ready(self) -> None:
        connection_created.connect(_trigram_threshold, dispatch_uid="kb.trigram_threshold")
        from kb import search_index

        search_index.connect_signals()
