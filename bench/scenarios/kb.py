"""Knowledge base search at 10,000 articles: the median time of one search, server-side.

The first run adds 10,000 generated articles (kept between runs, recognised by
their ``bench-`` slugs): titles and bodies drawn from the demo articles' own
vocabulary with a Zipf-like skew, so common words match thousands of articles
and rare ones a handful, as in a real knowledge base. The PostgreSQL trigger
fills their search vectors as they are inserted.

Each run times :func:`kb.search.search_articles` (the query, ranking,
snippets and building the hits) for a mix of searches a visitor types:
single words, several words, quoted phrases, product filters, typos that
fall through to trigram matching, and suggestions as someone types; a few
as a French reader (the generated articles are English: their fallbacks, two
text search configurations and one article per subject).
"""

from __future__ import annotations

import random
import re
import statistics
import time

from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.utils import timezone

from bench.scenarios import Context, scenario
from catalog.models import Product
from demo.kb import load_articles, seed_kb_demo
from kb.html import ARTICLE_POLICY, html_to_text
from kb.models import Article, Section, Status
from kb.rendering import render_markdown
from kb.search import search_articles

KB_ARTICLES = 10_000
BATCH = 1_000
SEARCHES = [
    # (query, product slug or "", as you type[, reader's language])
    ("export", "", False),
    ("exporting survey data", "", False),
    ("reset password", "", False),
    ("sync device", "akvo-flow", False),
    ("share dashboard password", "akvo-lumen", False),
    ("user roles", "", False),
    ('"build a dashboard"', "", False),
    ("how do I add a new user to my organisation", "", False),
    ("import dataset from flow", "akvo-lumen", False),
    ("results indicator approval", "akvo-rsr", False),
    ("exprot", "", False),  # typo: trigram fallback
    ("pasword", "", False),  # typo: trigram fallback
    ("the phone does not send data since yesterday", "", True),
    ("cannot expo", "", True),
    ("dashbo", "akvo-lumen", True),
    ("exporter les données", "", False, "fr"),
    ("exprot", "", False, "fr"),
    ("cannot expo", "", True, "fr"),
]


def _vocabulary() -> tuple[list[str], list[float]]:
    words: dict[str, int] = {}
    for demo in load_articles():
        for word in re.findall(r"[a-z]{3,}", f"{demo.title} {demo.summary} {demo.body}".lower()):
            words[word] = words.get(word, 0) + 1
    ranked = sorted(words, key=lambda w: -words[w])
    return ranked, [1 / (rank + 1) for rank in range(len(ranked))]


def _sentence(rng: random.Random, vocabulary: list[str], weights: list[float], n: int) -> str:
    return " ".join(rng.choices(vocabulary, weights=weights, k=n)).capitalize() + "."


def ensure_articles(seed: int = 2026) -> int:
    """Add generated articles until there are KB_ARTICLES of them; returns how many were added."""
    existing = Article.objects.filter(slug__startswith="bench-").count()
    if existing >= KB_ARTICLES:
        return 0
    seed_kb_demo()
    sections = list(Section.objects.select_related("product"))
    products = {p.pk: p for p in Product.objects.all()}
    vocabulary, weights = _vocabulary()
    rng = random.Random(seed + existing)
    now = timezone.now()
    added = 0
    print(f"Adding {KB_ARTICLES - existing:,} knowledge base articles…", flush=True)
    while existing + added < KB_ARTICLES:
        batch = []
        for _ in range(min(BATCH, KB_ARTICLES - existing - added)):
            n = existing + added + len(batch)
            section = rng.choice(sections)
            title = _sentence(rng, vocabulary, weights, rng.randint(3, 7))[:-1]
            paragraphs = [
                " ".join(
                    _sentence(rng, vocabulary, weights, rng.randint(6, 16))
                    for _ in range(rng.randint(2, 5))
                )
                for _ in range(rng.randint(2, 6))
            ]
            body = f"## {title}\n\n" + "\n\n".join(paragraphs)
            html = render_markdown(body)
            batch.append(
                Article(
                    product=products[section.product_id],
                    section=section,
                    title=title,
                    slug=f"bench-{n}",
                    summary=_sentence(rng, vocabulary, weights, rng.randint(8, 16)),
                    body=body,
                    body_html=html,
                    body_text=html_to_text(html),
                    html_policy=ARTICLE_POLICY.fingerprint,
                    tags=", ".join(rng.sample(vocabulary[:200], 2)),
                    status=Status.PUBLISHED,
                    published_at=now,
                    view_count=rng.randint(0, 5000),
                )
            )
        with transaction.atomic():
            Article.objects.bulk_create(batch)
        added += len(batch)
        print(f"  {existing + added:>7,} / {KB_ARTICLES:,}", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE kb_article")
    return added


@scenario("kb_search", unit="ms")
def kb_search(ctx: Context) -> float:
    """Knowledge base search over 10,000 articles: median ms per query (15 kinds of search)."""
    ensure_articles()
    products = {p.slug: p for p in Product.objects.all()}
    visitor = AnonymousUser()
    searches = list(SEARCHES)
    ctx.rng.shuffle(searches)
    timings = []
    for query, product, as_you_type, *language in searches * 4:
        started = time.perf_counter()
        result = search_articles(
            query,
            user=visitor,
            product=products.get(product),
            limit=20,
            as_you_type=as_you_type,
            language=language[0] if language else "en",
        )
        [str(hit.snippet) for hit in result.hits]
        timings.append((time.perf_counter() - started) * 1000)
        assert result.hits, f"no result for {query!r}"
    if ctx.run == 0:
        slowest = sorted(zip(timings, searches * 4, strict=True), key=lambda t: t[0])[-3:]
        for ms, (query, product, *_rest) in slowest:
            print(f"    slow: {ms:6.1f} ms  {query!r} {product}", flush=True)
    return statistics.median(timings)
