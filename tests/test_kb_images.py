"""Article images: public only where a published public article shows them."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from kb import services
from kb.models import Status, Visibility
from tests import factories
from tests import kb_factories as kb
from tests.test_kb_pages import staff_client

pytestmark = pytest.mark.django_db


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def uploaded_image(data: bytes | None = None):
    return services.image_upload(
        file=SimpleUploadedFile("x.png", data or png_bytes()), alt_text="Red", by=None
    )


def test_an_image_in_a_published_public_article_is_served_with_its_type(client):
    data = png_bytes()
    image = uploaded_image(data)
    kb.article("Sync", body=f"See below.\n\n{image.markdown}")

    response = client.get(image.get_absolute_url())

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "public" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == data


@pytest.mark.parametrize(
    ("status", "visibility"),
    [
        (Status.DRAFT, Visibility.PUBLIC),
        (Status.ARCHIVED, Visibility.PUBLIC),
        (Status.PUBLISHED, Visibility.INTERNAL),
    ],
)
def test_an_image_used_only_by_a_draft_or_internal_article_is_hidden_from_visitors(
    client, status, visibility
):
    image = uploaded_image()
    kb.article("Upcoming", body=image.markdown, status=status, visibility=visibility)

    assert client.get(image.get_absolute_url()).status_code == 404
    client.force_login(factories.UserFactory(is_staff=False))
    assert client.get(image.get_absolute_url()).status_code == 404

    staff = staff_client(client).get(image.get_absolute_url())
    assert staff.status_code == 200
    assert "private" in staff["Cache-Control"]
    assert "public" not in staff["Cache-Control"]


def test_an_image_no_article_uses_is_hidden_from_visitors_but_shown_to_staff(client):
    image = uploaded_image()

    assert client.get(image.get_absolute_url()).status_code == 404
    assert staff_client(client).get(image.get_absolute_url()).status_code == 200
