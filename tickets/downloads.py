"""A stored attachment served safely: the one answer the desk, the portal and the API give.

Whoever fetched the attachment has already checked that the caller may have it
(tickets.access); this says how it goes out. Always as a download, never
rendered: a type outside the upload allow-list (tickets.filetypes) goes out as
``application/octet-stream``, ``X-Content-Type-Options: nosniff`` stops a
browser guessing another, and a sandboxing Content-Security-Policy lets nothing
run should a browser render it anyway. The name is the uploader's, so it is
given twice (RFC 6266): an ASCII stand-in in ``filename``, and the exact name,
percent-encoded, in ``filename*``. The file is streamed from storage in blocks
(FileResponse), never read whole into memory, with its ``Content-Length``.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from django.http import FileResponse

from tickets.filetypes import SAFE_CONTENT_TYPES
from tickets.models import Attachment

# What a quoted ASCII file name may not hold: controls, non-ASCII, quotes and
# backslashes (which would need escaping), and % (some clients decode it).
_NOT_IN_FALLBACK = re.compile(r'[^\x20-\x7e]|["\\%]')
OCTET_STREAM = "application/octet-stream"


def attachment_response(attachment: Attachment) -> FileResponse | None:
    """The attachment's file as a download, or None if storage no longer has it."""
    content_type = attachment.content_type
    if content_type not in SAFE_CONTENT_TYPES:
        content_type = OCTET_STREAM
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        return None
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = content_disposition(attachment.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    # Even if a browser were talked into rendering it, it could run nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII stand-in for ``name`` and ``name`` itself (RFC 6266)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    fallback = _NOT_IN_FALLBACK.sub("_", ascii_name).strip() or "attachment"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
