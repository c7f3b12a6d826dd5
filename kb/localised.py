"""The knowledge base as a reader sees it in their language.

Lists show one row per subject: the English original, or its translation in the
reader's language when that is listed for them (``in_language``), so a list costs
the same one query in every language. An article page finds the row its address
names, preferring the reader's language (``find_article``), and knows the
subject's other listed versions (``Versions``): where to send a reader who asked
for another language, and what the language switcher offers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Exists, F, OrderBy, OuterRef, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import translation

from kb.models import Article, ArticleQuerySet

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    Reader = User | AnonymousUser | None


def in_language(articles: ArticleQuerySet, *, language: str, user: Reader) -> ArticleQuerySet:
    """Of ``articles`` (listed for ``user``), what a reader in ``language`` sees.

    English originals without a listed translation in ``language``, the listed
    translations of listed originals, and articles first written in ``language``.
    An English reader sees English articles only.
    """
    english = settings.LANGUAGE_CODE
    if language == english:
        return articles.filter(language=english)
    # Built from a clean base: ``articles`` may already refer to an outer query.
    listed = Article.objects.listed_for(user)
    translated = listed.filter(language=language, translation_of=OuterRef("pk"))
    return articles.filter(
        Q(language=english) & ~Exists(translated)
        | Q(language=language)
        & (
            Q(translation_of__isnull=True)
            | Q(translation_of__in=listed.filter(language=english).values("pk"))
        )
    )


def most_read_first(language: str) -> list[OrderBy | str]:
    """Popularity ordering: a translation ranks where its original does."""
    if language == settings.LANGUAGE_CODE:
        return [F("view_count").desc(), "title"]
    return [Coalesce("translation_of__view_count", "view_count").desc(), "title"]


def find_article(articles: ArticleQuerySet, *, language: str) -> Article | None:
    """Of the rows an address's slug names (one per language at most), the reader's.

    Their language first, then English, then any other.
    """
    rows = list(articles)
    for wanted in (language, settings.LANGUAGE_CODE):
        for row in rows:
            if row.language == wanted:
                return row
    return rows[0] if rows else None


def article_url(article: Article, language: str | None = None) -> str:
    """The article's page in ``language`` (its own language by default)."""
    with translation.override(language or article.language):
        return reverse("kb:article", args=[article.product.slug, article.slug])


@dataclass(frozen=True)
class Versions:
    """One subject's listed versions: slug by language, and the one being read."""

    article: Article
    slugs: dict[str, str]

    @classmethod
    def of(cls, article: Article, user: Reader) -> Versions:
        original = article.original_id
        slugs = dict(
            Article.objects.listed_for(user)
            .filter(Q(pk=original) | Q(translation_of_id=original))
            .values_list("language", "slug")
        )
        # A staff preview of a draft is a version too, for its own reader.
        slugs.setdefault(article.language, article.slug)
        return cls(article=article, slugs=slugs)

    def redirect_slug(self, language: str) -> str | None:
        """Where a reader in ``language`` should be instead, or None to show this one.

        Their language's version if listed; else, when this is not English, the
        English original if listed.
        """
        if self.article.language == language:
            return None
        slug = self.slugs.get(language)
        if slug is None and self.article.language != settings.LANGUAGE_CODE:
            slug = self.slugs.get(settings.LANGUAGE_CODE)
        # The same slug would be this page again (find_article chose this row).
        return None if slug == self.article.slug else slug

    def urls(self) -> dict[str, str]:
        """For each site language, the page the switcher should lead to."""
        english = self.slugs.get(settings.LANGUAGE_CODE, self.article.slug)
        product = self.article.product.slug
        urls = {}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                urls[code] = reverse("kb:article", args=[product, self.slugs.get(code, english)])
        return urls

    def alternates(self) -> dict[str, str]:
        """The languages the subject is really written in, with their pages (hreflang)."""
        return {code: url for code, url in self.urls().items() if code in self.slugs}


def listed_in_language(user: Reader, language: str) -> ArticleQuerySet:
    """What lists show ``user`` reading in ``language`` (see :func:`in_language`)."""
    return in_language(Article.objects.listed_for(user), language=language, user=user)
