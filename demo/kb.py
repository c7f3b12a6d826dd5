"""Demo knowledge base: sections and about twenty articles for the three demo products.

The articles are Markdown files under ``articles/<product-slug>/<slug>.md``,
each with a few ``key: value`` header lines (title, section, summary, tags,
optional visibility and position) and a blank line before the body. They are
saved through :func:`kb.services.article_save`, so they are rendered,
sanitised and given a first revision like any article. Seeding is idempotent
by slug: an article that exists (perhaps edited since) is left alone.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from catalog.models import Product
from kb import services
from kb.models import Article, Section, Status, Visibility

ARTICLES_DIR = Path(__file__).parent / "articles"

SECTIONS = [
    # product slug, section slug, title, description
    ("akvo-flow", "getting-started", "Getting started", "Install the app and prepare phones."),
    ("akvo-flow", "surveys", "Surveys and forms", "Design forms and send them to the field."),
    ("akvo-flow", "devices", "Devices and syncing", "Phones, device IDs and getting data in."),
    ("akvo-flow", "data", "Data and exports", "Download, clean and use what you collected."),
    ("akvo-rsr", "account", "Account and users", "Signing in, passwords, users and roles."),
    ("akvo-rsr", "projects", "Projects and results", "Project pages, results and reports."),
    ("akvo-lumen", "datasets", "Datasets", "Import, update and clean data."),
    ("akvo-lumen", "dashboards", "Visualisations and dashboards", "Charts, maps and sharing."),
    ("akvo-lumen", "account", "Account and users", "Who can use your instance."),
]


@dataclass(frozen=True)
class DemoArticle:
    product: str
    slug: str
    title: str
    section: str
    summary: str
    tags: str
    visibility: str
    position: int
    body: str


@dataclass(frozen=True)
class KbDemoReport:
    sections_created: int
    articles_created: int
    articles_total: int


def load_articles() -> list[DemoArticle]:
    articles = []
    for path in sorted(ARTICLES_DIR.glob("*/*.md")):
        header, _, body = path.read_text(encoding="utf-8").partition("\n\n")
        meta = dict(line.split(": ", 1) for line in header.splitlines())
        articles.append(
            DemoArticle(
                product=path.parent.name,
                slug=path.stem,
                title=meta["title"],
                section=meta["section"],
                summary=meta["summary"],
                tags=meta.get("tags", ""),
                visibility=meta.get("visibility", Visibility.PUBLIC),
                position=int(meta.get("position", "0")),
                body=body.strip() + "\n",
            )
        )
    return articles


def _age(slug: str, days: int) -> timedelta:
    """A fixed, made-up age per article, so the demo looks lived in and is repeatable."""
    n = int(hashlib.sha256(slug.encode()).hexdigest()[:8], 16)
    return timedelta(days=n % days, hours=n % 24)


@transaction.atomic
def seed_kb_demo() -> KbDemoReport:
    """Create the demo sections and articles that are missing; change nothing else."""
    products = {p.slug: p for p in Product.objects.filter(slug__in={s[0] for s in SECTIONS})}
    sections: dict[tuple[str, str], Section] = {}
    sections_created = 0
    for position, (product_slug, slug, title, description) in enumerate(SECTIONS):
        product = products.get(product_slug)
        if product is None:  # an admin removed or renamed the product: leave it be
            continue
        found, is_new = Section.objects.get_or_create(
            product=product,
            slug=slug,
            defaults={"title": title, "description": description, "position": position},
        )
        sections[(product_slug, slug)] = found
        sections_created += int(is_new)
    existing = set(Article.objects.values_list("product__slug", "slug"))
    now = timezone.now()
    articles_created = 0
    for demo in load_articles():
        section = sections.get((demo.product, demo.section))
        if section is None or (demo.product, demo.slug) in existing:
            continue
        article = services.article_save(
            article=Article(
                product=section.product,
                section=section,
                title=demo.title,
                slug=demo.slug,
                summary=demo.summary,
                body=demo.body,
                tags=demo.tags,
                visibility=demo.visibility,
                position=demo.position,
                status=Status.PUBLISHED,
            ),
            by=None,
            change_note="Demo content",
        )
        published = now - timedelta(days=60) - _age(demo.slug, 300)
        updated = max(published, now - _age(demo.slug[::-1], 90))
        views = int(hashlib.sha256(demo.slug.encode()).hexdigest()[8:12], 16) % 900 + 20
        Article.objects.filter(pk=article.pk).update(
            created_at=published, published_at=published, updated_at=updated, view_count=views
        )
        article.revisions.update(created_at=published)
        articles_created += 1
    return KbDemoReport(
        sections_created=sections_created,
        articles_created=articles_created,
        articles_total=Article.objects.count(),
    )
