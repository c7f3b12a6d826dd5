"""Files on a message: checked before anything is stored, stored outside the code tree."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from tickets.models import Attachment, Message


def check_attachment_sizes(uploads: Sequence[File]) -> None:
    """Refuse the whole batch before anything is stored if one file is too large."""
    limit = settings.ATTACHMENT_MAX_BYTES
    too_large = [upload.name for upload in uploads if (upload.size or 0) > limit]
    if too_large:
        raise ValidationError(
            {
                "attachments": _("%(names)s: larger than the %(limit)s MB limit.")
                % {"names": ", ".join(str(n) for n in too_large), "limit": limit // (1024 * 1024)}
            }
        )


def attachments_store(*, message: Message, uploads: Sequence[File]) -> list[Attachment]:
    """Store a message's files; if one fails, the ones already written are removed."""
    stored: list[Attachment] = []
    try:
        for upload in uploads:
            stored.append(attachment_add(message=message, upload=upload))
    except Exception:
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
    return stored


@transaction.atomic
def attachment_add(*, message: Message, upload: File) -> Attachment:
    """Store one file under a random name outside the code tree, with its checksum."""
    check_attachment_sizes([upload])
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = Attachment(
        message=message,
        original_name=Attachment.safe_name(upload.name or ""),
        content_type=getattr(upload, "content_type", None) or "application/octet-stream",
        size=upload.size or 0,
        sha256=digest.hexdigest(),
    )
    attachment.file.save("upload", upload, save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment
