"""Authoring articles in the back office: every save leaves a revision, preview, actions, images."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from kb.models import Article, ArticleImage, RevisionKind, Status
from tests import factories
from tests import kb_factories as kb

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(factories.UserFactory(username="editor", is_superuser=True))
    return client


def form_data(section, **changes):
    data = {
        "title": "Sync a device",
        "slug": "sync-a-device",
        "language": "en",
        "translation_of": "",
        "product": section.product_id,
        "section": section.pk,
        "summary": "When data stays on the phone.",
        "body": "Tap **Sync now**.",
        "tags": "sync",
        "status": Status.DRAFT,
        "visibility": "public",
        "position": 0,
        "change_note": "",
        "revisions-TOTAL_FORMS": 0,
        "revisions-INITIAL_FORMS": 0,
        "revisions-MIN_NUM_FORMS": 0,
        "revisions-MAX_NUM_FORMS": 0,
    }
    data.update(changes)
    return data


def test_an_article_written_in_the_admin_is_rendered_and_its_revisions_name_the_editor(
    admin_client,
):
    section = kb.section()

    created = admin_client.post("/admin/kb/article/add/", form_data(section))
    assert created.status_code == 302, created.content.decode()[:2000]
    article = Article.objects.get(slug="sync-a-device")
    assert "<strong>Sync now</strong>" in article.body_html

    changed = admin_client.post(
        f"/admin/kb/article/{article.pk}/change/",
        form_data(section, body="Tap **Sync now** and wait.", change_note="Say to wait"),
    )
    assert changed.status_code == 302

    revisions = list(
        article.revisions.order_by("pk").values_list("kind", "editor__username", "change_note")
    )
    assert revisions == [
        (RevisionKind.CREATED, "editor", ""),
        (RevisionKind.EDITED, "editor", "Say to wait"),
    ]
    page = admin_client.get(f"/admin/kb/article/{article.pk}/change/").content.decode()
    assert "Say to wait" in page
    assert "kb/markdown_preview.js" in page
    assert "data-kb-preview" in page


def test_a_section_of_another_product_is_refused_on_the_form(admin_client):
    lumen = kb.section("akvo-lumen", "datasets", "Datasets")
    data = form_data(lumen, product=factories.product("akvo-flow").pk)

    response = admin_client.post("/admin/kb/article/add/", data)

    assert response.status_code == 200
    assert "Choose a section of the article" in response.content.decode()
    assert not Article.objects.exists()


def test_the_preview_returns_the_sanitised_html(admin_client):
    response = admin_client.post(
        "/admin/kb/article/preview/",
        {"body": "**Bold** <script>alert(1)</script> [x](javascript:alert(1))"},
    )

    assert response.status_code == 200
    html = response.json()["html"]
    assert "<strong>Bold</strong>" in html
    assert "<script>" not in html
    assert 'href="javascript' not in html


def test_the_preview_is_only_for_staff_who_may_edit_articles(client):
    client.force_login(factories.l2_engineer())  # may read articles, not write them

    assert client.post("/admin/kb/article/preview/", {"body": "x"}).status_code == 403
    client.logout()
    assert client.post("/admin/kb/article/preview/", {"body": "x"}).status_code == 302  # to login


@pytest.mark.parametrize(
    ("action", "status", "kind"),
    [
        ("publish", Status.PUBLISHED, RevisionKind.PUBLISHED),
        ("archive", Status.ARCHIVED, RevisionKind.ARCHIVED),
    ],
)
def test_publish_and_archive_actions_go_through_the_services(admin_client, action, status, kind):
    article = kb.article(status=Status.DRAFT)

    admin_client.post("/admin/kb/article/", {"action": action, "_selected_action": [article.pk]})

    article.refresh_from_db()
    assert article.status == status
    assert article.revisions.order_by("-pk").first().kind == kind


def test_unpublish_and_mark_reviewed_actions(admin_client):
    article = kb.article()

    admin_client.post(
        "/admin/kb/article/", {"action": "mark_reviewed", "_selected_action": [article.pk]}
    )
    admin_client.post(
        "/admin/kb/article/", {"action": "unpublish", "_selected_action": [article.pk]}
    )

    article.refresh_from_db()
    assert article.status == Status.DRAFT
    assert article.reviewed_at is not None
    kinds = list(article.revisions.order_by("pk").values_list("kind", flat=True))
    assert kinds[-2:] == [RevisionKind.REVIEWED, RevisionKind.UNPUBLISHED]


def test_the_article_list_filters_by_product_section_status_and_visibility(admin_client):
    kb.article("Export your data")
    kb.article("Build a dashboard", product="akvo-lumen")

    page = admin_client.get(f"/admin/kb/article/?product__id__exact={factories.product().pk}")

    content = page.content.decode()
    assert "Export your data" in content
    assert "Build a dashboard" not in content
    for label in ("By product", "By section", "By status", "By visibility"):
        assert label in content


def test_an_uploaded_image_shows_the_markdown_to_paste(admin_client):
    buffer = io.BytesIO()
    Image.new("RGB", (3, 3), "green").save(buffer, format="JPEG")

    response = admin_client.post(
        "/admin/kb/articleimage/add/",
        {"image": SimpleUploadedFile("photo.jpg", buffer.getvalue()), "alt_text": "Sync button"},
    )

    assert response.status_code == 302
    image = ArticleImage.objects.get()
    assert image.content_type == "image/jpeg"
    assert image.uploaded_by.username == "editor"
    page = admin_client.get(f"/admin/kb/articleimage/{image.pk}/change/").content.decode()
    assert f"![Sync button](/kb/images/{image.filename})" in page


def test_a_fake_image_is_refused_on_the_form(admin_client):
    response = admin_client.post(
        "/admin/kb/articleimage/add/",
        {"image": SimpleUploadedFile("evil.png", b"<?php system($_GET['c']); ?>"), "alt_text": "x"},
    )

    assert response.status_code == 200
    assert not ArticleImage.objects.exists()
