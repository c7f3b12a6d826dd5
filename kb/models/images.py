"""Images uploaded for articles: checked by content, stored under random names."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_image_file_extension
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helpdesk.fields import staff_reference

IMAGE_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
IMAGE_MAX_BYTES = getattr(settings, "KB_IMAGE_MAX_BYTES", 5 * 1024 * 1024)
IMAGE_MAX_PIXELS = 40_000_000  # 40 megapixels: far above a screenshot, far below a bomb


def image_upload_to(instance: ArticleImage, filename: str) -> str:
    """A random name: what the uploader called the file is never used as a path."""
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"kb/images/{uuid.uuid4().hex}{suffix}"


def validate_image_size(file: object) -> None:
    size = getattr(file, "size", 0) or 0
    if size > IMAGE_MAX_BYTES:
        raise ValidationError(
            _("The image is %(size)s MB; the limit is %(limit)s MB."),
            params={
                "size": f"{size / 1024 / 1024:.1f}",
                "limit": f"{IMAGE_MAX_BYTES / 1024 / 1024:.0f}",
            },
        )


def image_format(file: object) -> str:
    """The Pillow format of an uploaded image (e.g. "PNG"), after a full check.

    Raises ValidationError unless the file really is a PNG, JPEG, GIF or WebP
    image that is not truncated, forged or absurdly large in pixels.
    """
    from PIL import Image, UnidentifiedImageError

    stream = getattr(file, "file", file)
    try:
        stream.seek(0)  # type: ignore[attr-defined]
        with Image.open(stream) as probe:  # type: ignore[arg-type]
            kind = probe.format or ""
            width, height = probe.size
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            _("This file is not an image we can read (use PNG, JPEG, GIF or WebP).")
        ) from None
    finally:
        stream.seek(0)  # type: ignore[attr-defined]
    if kind not in IMAGE_FORMATS:
        raise ValidationError(_("Use a PNG, JPEG, GIF or WebP image."))
    if width * height > IMAGE_MAX_PIXELS:
        raise ValidationError(_("The image is too large in pixels; scale it down."))
    return kind


def validate_image_content(file: object) -> None:
    image_format(file)


class ArticleImage(models.Model):
    """An image uploaded for articles; pasted into Markdown by its URL."""

    image = models.ImageField(
        _("image"),
        upload_to=image_upload_to,
        validators=[validate_image_file_extension, validate_image_size, validate_image_content],
        width_field="width",
        height_field="height",
    )
    alt_text = models.CharField(
        _("description"), max_length=200, help_text=_("What the image shows, for screen readers.")
    )
    content_type = models.CharField(max_length=20, editable=False)
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    uploaded_by = staff_reference(_("uploaded by"), editable=False)
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("image")
        verbose_name_plural = _("images")

    def __str__(self) -> str:
        return self.alt_text or self.filename

    def get_absolute_url(self) -> str:
        return reverse("kb:image", args=[self.filename])

    @property
    def filename(self) -> str:
        return PurePath(self.image.name or "").name

    @property
    def markdown(self) -> str:
        alt = self.alt_text.replace("[", "(").replace("]", ")")
        return f"![{alt}]({self.get_absolute_url()})"
