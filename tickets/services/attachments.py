"""Files on a message, stored outside the code tree.

The services that take files check them first with :func:`tickets.uploads.validate_uploads`
(size, total, type by content), before anything is written.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from django.core.files import File
from django.db import transaction

from tickets.models import Attachment, Message


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
