"""Demo knowledge base: sections and about twenty articles for the three demo products.

The articles are Markdown files under ``articles/<product-slug>/<slug>.md``,
each with a few ``key: value`` header lines (title, section, summary, tags,
optional visibility and position) and a blank line before the body. They are
saved through :func:`kb.services.article_save`, so they are rendered,
sanitised and given a first revision like any article. Seeding is idempotent
by slug: an article that exists (perhaps edited since) is left alone.

Translations are under ``articles/<product-slug>/<language>/<slug>.md``, with
``translation_of: <english-slug>``, title, summary and tags; section, visibility
and position are the original's. They are loaded after the originals through
:func:`kb.translations.article_translate`, published as their original is,
idempotent by product, language and slug (and one per original and language).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalog.models import Product
from helpdesk.translated import other_languages
from kb import services
from kb.models import Article, Section, Status, Visibility
from kb.translations import article_translate

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

# (product slug, section slug) -> language -> (title, description)
SECTION_TRANSLATIONS: dict[tuple[str, str], dict[str, tuple[str, str]]] = {
    ("akvo-flow", "getting-started"): {
        "fr": ("Premiers pas", "Installer l'application et préparer les téléphones."),
        "es": ("Primeros pasos", "Instale la aplicación y prepare los teléfonos."),
        "pt-br": ("Primeiros passos", "Instale o aplicativo e prepare os celulares."),
    },
    ("akvo-flow", "surveys"): {
        "fr": (
            "Enquêtes et formulaires",
            "Concevoir des formulaires et les envoyer sur le terrain.",
        ),
        "es": ("Encuestas y formularios", "Diseñe formularios y envíelos al terreno."),
        "pt-br": ("Pesquisas e formulários", "Crie formulários e envie-os para o campo."),
    },
    ("akvo-flow", "devices"): {
        "fr": (
            "Appareils et synchronisation",
            "Téléphones, identifiants d'appareil et envoi des données.",
        ),
        "es": (
            "Dispositivos y sincronización",
            "Teléfonos, identificadores de dispositivo y envío de datos.",
        ),
        "pt-br": (
            "Dispositivos e sincronização",
            "Celulares, IDs de dispositivo e envio dos dados.",
        ),
    },
    ("akvo-flow", "data"): {
        "fr": (
            "Données et exports",
            "Télécharger, nettoyer et utiliser ce que vous avez collecté.",
        ),
        "es": ("Datos y exportaciones", "Descargue, limpie y aproveche lo que ha recopilado."),
        "pt-br": ("Dados e exportações", "Baixe, limpe e use o que você coletou."),
    },
    ("akvo-rsr", "account"): {
        "fr": ("Compte et utilisateurs", "Connexion, mots de passe, utilisateurs et rôles."),
        "es": ("Cuenta y usuarios", "Inicio de sesión, contraseñas, usuarios y roles."),
        "pt-br": ("Conta e usuários", "Login, senhas, usuários e papéis."),
    },
    ("akvo-rsr", "projects"): {
        "fr": ("Projets et résultats", "Pages de projet, résultats et rapports."),
        "es": ("Proyectos y resultados", "Páginas de proyecto, resultados e informes."),
        "pt-br": ("Projetos e resultados", "Páginas de projeto, resultados e relatórios."),
    },
    ("akvo-lumen", "datasets"): {
        "fr": ("Jeux de données", "Importer, mettre à jour et nettoyer les données."),
        "es": ("Conjuntos de datos", "Importe, actualice y limpie los datos."),
        "pt-br": ("Conjuntos de dados", "Importe, atualize e limpe os dados."),
    },
    ("akvo-lumen", "dashboards"): {
        "fr": ("Visualisations et tableaux de bord", "Graphiques, cartes et partage."),
        "es": ("Visualizaciones y paneles", "Gráficos, mapas y uso compartido."),
        "pt-br": ("Visualizações e painéis", "Gráficos, mapas e compartilhamento."),
    },
    ("akvo-lumen", "account"): {
        "fr": ("Compte et utilisateurs", "Qui peut utiliser votre instance."),
        "es": ("Cuenta y usuarios", "Quién puede usar su instancia."),
        "pt-br": ("Conta e usuários", "Quem pode usar a sua instância."),
    },
}


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
class DemoTranslation:
    product: str
    language: str
    slug: str
    translation_of: str
    title: str
    summary: str
    tags: str
    body: str


@dataclass(frozen=True)
class KbDemoReport:
    sections_created: int
    articles_created: int
    articles_total: int
    translations_created: int = 0


def load_articles() -> list[DemoArticle]:
    articles = []
    for path in sorted(ARTICLES_DIR.glob("*/*.md")):
        meta, body = _read(path)
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
                body=body,
            )
        )
    return articles


def _read(path: Path) -> tuple[dict[str, str], str]:
    header, _, body = path.read_text(encoding="utf-8").partition("\n\n")
    meta = dict(line.split(": ", 1) for line in header.splitlines())
    return meta, body.strip() + "\n"


def load_translations() -> list[DemoTranslation]:
    """The translation files, ``<product>/<language>/<slug>.md``, for the site's languages."""
    languages = set(other_languages())
    translations = []
    for path in sorted(ARTICLES_DIR.glob("*/*/*.md")):
        if path.parent.name not in languages:
            continue
        meta, body = _read(path)
        translations.append(
            DemoTranslation(
                product=path.parent.parent.name,
                language=path.parent.name,
                slug=path.stem,
                translation_of=meta["translation_of"],
                title=meta["title"],
                summary=meta.get("summary", ""),
                tags=meta.get("tags", ""),
                body=body,
            )
        )
    return translations


def _age(slug: str, days: int) -> timedelta:
    """A fixed, made-up age per article, so the demo looks lived in and is repeatable."""
    n = int(hashlib.sha256(slug.encode()).hexdigest()[:8], 16)
    return timedelta(days=n % days, hours=n % 24)


def _section_translations(product_slug: str, slug: str) -> dict[str, dict[str, str]]:
    return {
        code: {"title": title, "description": description}
        for code, (title, description) in SECTION_TRANSLATIONS.get((product_slug, slug), {}).items()
    }


def _seed_sections() -> tuple[dict[tuple[str, str], Section], int]:
    products = {p.slug: p for p in Product.objects.filter(slug__in={s[0] for s in SECTIONS})}
    sections: dict[tuple[str, str], Section] = {}
    created = 0
    for position, (product_slug, slug, title, description) in enumerate(SECTIONS):
        product = products.get(product_slug)
        if product is None:  # an admin removed or renamed the product: leave it be
            continue
        translations = _section_translations(product_slug, slug)
        found, is_new = Section.objects.get_or_create(
            product=product,
            slug=slug,
            defaults={
                "title": title,
                "description": description,
                "position": position,
                "translations": translations,
            },
        )
        missing = {c: t for c, t in translations.items() if c not in found.translations}
        if missing:  # a language added since: its titles, never over an admin's
            found.translations = {**found.translations, **missing}
            found.save(update_fields=["translations"])
        sections[(product_slug, slug)] = found
        created += int(is_new)
    return sections, created


def _backdate(article: Article, slug: str, *, original: Article | None = None) -> None:
    """Made-up, repeatable dates and views, so the demo looks lived in.

    A translation comes out some days after its original and is read less.
    """
    now = timezone.now()
    published = now - timedelta(days=60) - _age(slug, 300)
    if original is not None and original.published_at is not None:
        published = min(now, original.published_at + timedelta(days=3) + _age(slug, 40))
    updated = max(published, now - _age(slug[::-1], 90))
    views = int(hashlib.sha256(slug.encode()).hexdigest()[8:12], 16) % 900 + 20
    if original is not None:
        views = views % 200 + 5
    Article.objects.filter(pk=article.pk).update(
        created_at=published, published_at=published, updated_at=updated, view_count=views
    )
    article.revisions.update(created_at=published)


def _seed_articles(sections: dict[tuple[str, str], Section]) -> int:
    existing = set(
        Article.objects.filter(language=settings.LANGUAGE_CODE).values_list("product__slug", "slug")
    )
    created = 0
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
        _backdate(article, demo.slug)
        created += 1
    return created


def _seed_translations() -> int:
    """Translations whose original exists and that are not there yet, published like it."""
    originals = {
        (a.product.slug, a.slug): a
        for a in Article.objects.filter(
            language=settings.LANGUAGE_CODE, translation_of__isnull=True
        ).select_related("product")
    }
    existing = set(Article.objects.values_list("product__slug", "language", "slug"))
    existing_pairs = set(
        Article.objects.filter(translation_of__isnull=False).values_list(
            "translation_of_id", "language"
        )
    )
    created = 0
    for demo in load_translations():
        original = originals.get((demo.product, demo.translation_of))
        if (
            original is None
            or (demo.product, demo.language, demo.slug) in existing
            or (original.pk, demo.language) in existing_pairs
        ):
            continue
        translation = article_translate(
            original=original,
            language=demo.language,
            title=demo.title,
            slug=demo.slug,
            summary=demo.summary,
            body=demo.body,
            tags=demo.tags,
            status=Status.PUBLISHED,
            visibility=original.visibility,
            by=None,
            change_note="Demo content",
        )
        existing_pairs.add((original.pk, demo.language))
        _backdate(translation, f"{demo.language}/{demo.slug}", original=original)
        created += 1
    return created


@transaction.atomic
def seed_kb_demo() -> KbDemoReport:
    """Create the demo sections, articles and translations that are missing; change nothing else."""
    sections, sections_created = _seed_sections()
    articles_created = _seed_articles(sections)
    translations_created = _seed_translations()
    return KbDemoReport(
        sections_created=sections_created,
        articles_created=articles_created,
        articles_total=Article.objects.count(),
        translations_created=translations_created,
    )
