"""Writing the knowledge base: revisions with their editor, publication, reviews, votes, views."""

from __future__ import annotations

import io
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from PIL import Image

from catalog.models import Product
from kb import services
from kb.models import Article, ArticleVote, RevisionKind, Status
from tests import factories
from tests import kb_factories as kb

pytestmark = pytest.mark.django_db


def test_a_new_article_is_rendered_sanitised_and_has_a_first_revision_by_its_author():
    amina = factories.l1_agent(username="amina")

    article = kb.article(
        "Export your data",
        body="## Steps\n\nChoose **Export**. <script>alert(1)</script>",
        tags="Data Export,  excel, data export",
        by=amina,
    )

    assert "<h2>Steps</h2>" in article.body_html
    assert "<script>" not in article.body_html
    assert "Choose Export." in article.body_text
    assert article.slug == "export-your-data"
    assert article.tags == "data export, excel"
    assert article.created_by == amina
    assert article.published_at is not None
    kinds = list(article.revisions.order_by("pk").values_list("kind", "editor__username"))
    assert kinds == [(RevisionKind.CREATED, "amina"), (RevisionKind.PUBLISHED, "amina")]


def test_an_edit_keeps_the_previous_body_a_diff_and_who_made_it():
    article = kb.article("Reset your password", body="Choose Forgot password.")
    joost = factories.l1_agent(username="joost")

    article.body = "Choose **Forgot password?** on the sign-in page."
    services.article_save(article=article, by=joost, change_note="Name the page")

    revision = article.revisions.order_by("-pk").first()
    assert revision.kind == RevisionKind.EDITED
    assert revision.editor == joost
    assert revision.change_note == "Name the page"
    assert revision.body == "Choose Forgot password."
    assert "-Choose Forgot password." in revision.diff
    assert "+Choose **Forgot password?** on the sign-in page." in revision.diff
    article.refresh_from_db()
    assert "<strong>Forgot password?</strong>" in article.body_html
    assert article.updated_by == joost


def test_saving_without_a_change_records_nothing():
    article = kb.article()
    before = article.revisions.count()

    services.article_save(article=Article.objects.get(pk=article.pk), by=None)

    assert article.revisions.count() == before


def test_slugs_stay_unique_within_a_product():
    first = kb.article("Export your data")
    second = kb.article("Export your data")
    other_product = kb.article("Export your data", product="akvo-lumen")

    assert (first.slug, second.slug, other_product.slug) == (
        "export-your-data",
        "export-your-data-2",
        "export-your-data",
    )


def test_a_section_of_another_product_is_refused():
    lumen_section = kb.section("akvo-lumen", "datasets", "Datasets")
    article = Article(
        product=factories.product("akvo-flow"), section=lumen_section, title="Mixed up"
    )

    with pytest.raises(ValidationError):
        services.article_save(article=article, by=None)

    assert not Article.objects.filter(title="Mixed up").exists()


def test_publish_unpublish_and_archive_each_leave_a_revision_and_are_idempotent():
    maria = factories.support_manager(username="maria")
    article = kb.article(status=Status.DRAFT)
    assert article.published_at is None

    services.article_publish(article=article, by=maria)
    services.article_publish(article=article, by=maria)  # nothing more to record
    services.article_unpublish(article=article, by=maria)
    services.article_archive(article=article, by=maria)

    article.refresh_from_db()
    assert article.status == Status.ARCHIVED
    assert article.published_at is not None
    kinds = list(article.revisions.order_by("pk").values_list("kind", flat=True))
    assert kinds == [
        RevisionKind.CREATED,
        RevisionKind.PUBLISHED,
        RevisionKind.UNPUBLISHED,
        RevisionKind.ARCHIVED,
    ]


def test_mark_reviewed_refreshes_the_updated_date_without_touching_the_content():
    article = kb.article()
    Article.objects.filter(pk=article.pk).update(updated_at="2024-01-01T00:00:00Z")
    body_before = article.body_html

    services.article_mark_reviewed(article=article, by=factories.l1_agent())

    article.refresh_from_db()
    assert article.updated_at.year > 2024
    assert article.reviewed_at == article.updated_at
    assert article.body_html == body_before
    assert article.revisions.order_by("-pk").first().kind == RevisionKind.REVIEWED


def test_one_vote_per_visitor_per_article_and_a_second_vote_replaces_the_first():
    article = kb.article()
    visitor = services.visitor_key("a-random-cookie-token-123")

    _, created = services.vote_record(
        article=article, visitor=visitor, helpful=False, comment="Which menu?"
    )
    _, again = services.vote_record(article=article, visitor=visitor, helpful=True)
    services.vote_record(article=article, visitor=services.visitor_key("other"), helpful=True)

    assert created
    assert not again
    assert article.votes.count() == 2
    vote = ArticleVote.objects.get(article=article, visitor_key=visitor)
    assert vote.helpful is True
    assert vote.comment == "Which menu?"  # kept when the new vote has none


def test_the_stored_visitor_key_is_a_hash_not_the_cookie():
    key = services.visitor_key("cookie-token")

    assert "cookie-token" not in key
    assert len(key) == 64
    assert key == services.visitor_key("cookie-token")


@pytest.mark.django_db(transaction=True)
def test_concurrent_views_are_all_counted():
    # A transactional test may start from an emptied database: bring its own product.
    Product.objects.get_or_create(slug="akvo-flow", defaults={"name": "Akvo Flow"})
    article = kb.article()

    def view() -> None:
        try:
            for _ in range(10):
                services.article_record_view(article=article)
        finally:
            connection.close()

    threads = [threading.Thread(target=view) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    article.refresh_from_db()
    assert article.view_count == 40


def png_bytes(size: tuple[int, int] = (4, 3)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "navy").save(buffer, format="PNG")
    return buffer.getvalue()


def test_an_uploaded_image_is_checked_and_stored_under_a_random_name():
    image = services.image_upload(
        file=SimpleUploadedFile("My Screenshot.PNG", png_bytes(), content_type="image/png"),
        alt_text="The export button",
        by=factories.l1_agent(),
    )

    assert image.content_type == "image/png"
    assert (image.width, image.height) == (4, 3)
    assert "Screenshot" not in image.image.name
    assert image.image.name.startswith("kb/images/")
    assert image.image.name.endswith(".png")
    assert image.markdown == f"![The export button](/kb/images/{image.filename})"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes.png", b"this is text pretending to be a picture"),
        ("shell.php", png_bytes()),
        ("truncated.png", png_bytes()[:40]),
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    ],
)
def test_files_that_are_not_real_images_are_refused(name, content):
    with pytest.raises(ValidationError):
        services.image_upload(
            file=SimpleUploadedFile(name, content), alt_text="x", by=factories.l1_agent()
        )


def test_an_image_over_the_size_limit_is_refused(monkeypatch):
    monkeypatch.setattr("kb.models.images.IMAGE_MAX_BYTES", 100)

    with pytest.raises(ValidationError, match="limit"):
        services.image_upload(
            file=SimpleUploadedFile("big.png", png_bytes((200, 200))), alt_text="x", by=None
        )
