"""Clean stored article HTML again after the article policy (kb.html) changed.

Run after a deploy that changes the allow-list; until then pages render stale
articles on the fly, so nothing the old policy let through is shown.
"""

from typing import Any

from django.core.management.base import BaseCommand

from kb.html import ARTICLE_POLICY
from kb.services import articles_refresh_html


class Command(BaseCommand):
    help = "Render again the articles whose stored HTML an older sanitising policy cleaned."

    def handle(self, *args: Any, **options: Any) -> None:
        count = articles_refresh_html()
        self.stdout.write(
            self.style.SUCCESS(
                f"{count} article(s) cleaned with policy {ARTICLE_POLICY.fingerprint}."
            )
        )
