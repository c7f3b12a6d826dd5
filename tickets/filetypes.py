"""What an uploaded file really is, judged by its content against a short allow-list.

Requesters attach screenshots, logs and exports. The name and the browser's
claimed type are the uploader's to choose, so neither is trusted: the first
bytes say what the file is, Pillow opens images to prove they are images, ZIP
containers are opened to tell a spreadsheet from a document, and text must be
valid UTF-8 without NUL bytes. Anything else (programs, web pages, SVG, which
can carry scripts) is refused, and so is a file whose name claims another type
than its content. Pure functions over a file object, no ORM: the portal's form
and any other channel can call them.
"""

from __future__ import annotations

import codecs
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, UnidentifiedImageError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

HEAD_BYTES = 4096


@dataclass(frozen=True)
class FileKind:
    name: str  # a short key, e.g. "png"
    label: StrOrPromise  # for messages, e.g. gettext_lazy("a PNG image")
    content_type: str
    extensions: frozenset[str]


def _kind(name: str, label: StrOrPromise, content_type: str, *extensions: str) -> FileKind:
    return FileKind(name, label, content_type, frozenset(extensions))


PNG = _kind("png", "a PNG image", "image/png", ".png")
JPEG = _kind("jpeg", gettext_lazy("a JPEG image"), "image/jpeg", ".jpg", ".jpeg")
GIF = _kind("gif", gettext_lazy("a GIF image"), "image/gif", ".gif")
WEBP = _kind("webp", gettext_lazy("a WebP image"), "image/webp", ".webp")
PDF = _kind("pdf", gettext_lazy("a PDF document"), "application/pdf", ".pdf")
TEXT = _kind("text", gettext_lazy("a text file"), "text/plain", ".txt", ".log", ".csv")
ZIP = _kind("zip", gettext_lazy("a ZIP archive"), "application/zip", ".zip")
XLSX = _kind(
    "xlsx",
    gettext_lazy("an Excel workbook"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xlsx",
)
DOCX = _kind(
    "docx",
    gettext_lazy("a Word document"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".docx",
)
ALLOWED_KINDS = (PNG, JPEG, GIF, WEBP, PDF, TEXT, ZIP, XLSX, DOCX)
# Content types we serve back as they are; anything else goes out as octet-stream.
SAFE_CONTENT_TYPES = frozenset(kind.content_type for kind in ALLOWED_KINDS)
PILLOW_FORMATS = {"PNG": PNG, "JPEG": JPEG, "GIF": GIF, "WEBP": WEBP}

ACCEPTED_TEXT = gettext_lazy(
    "We accept screenshots (PNG, JPEG, GIF, WebP), PDF, text logs and CSV, ZIP, "
    "Excel (.xlsx) and Word (.docx) files."
)
ALLOWED_EXTENSIONS = frozenset(ext for kind in ALLOWED_KINDS for ext in kind.extensions)
# <input accept="…">: a hint for the browser's file picker; the server decides.
ACCEPT_ATTRIBUTE = ",".join(sorted(ALLOWED_EXTENSIONS))

# Markup that must never pass as a log or a picture: a browser would run it.
_MARKUP_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<svg", b"<?xml")
_PROGRAM_MAGIC = (b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"#!")


def _refuse(name: str, what: str) -> ValidationError:
    return ValidationError(
        _("“%(name)s” is %(what)s, which we do not accept. %(accepted)s")
        % {"name": name, "what": what, "accepted": ACCEPTED_TEXT},
        code="file_type",
    )


def _chunks(file: IO[bytes], size: int = 64 * 1024) -> Iterator[bytes]:
    file.seek(0)
    while chunk := file.read(size):
        yield chunk


def _is_utf8_text(file: IO[bytes]) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in _chunks(file):
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _sniff(file: IO[bytes], head: bytes, name: str) -> FileKind:
    if head.startswith(_PROGRAM_MAGIC):
        raise _refuse(name, _("a program"))
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith(_MARKUP_STARTS) or b"<svg" in lowered[:1024]:
        what = _("an SVG drawing (it can carry scripts)") if b"<svg" in lowered else _("a web page")
        raise _refuse(name, what)
    if head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")) or (
        head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    ):
        return _verified_image(file, name)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(file, name)
    if _is_utf8_text(file):
        return TEXT
    raise _refuse(name, _("a kind of file we cannot check"))


def _verified_image(file: IO[bytes], name: str) -> FileKind:
    file.seek(0)
    try:
        with Image.open(file) as image:
            image_format = image.format or ""
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            _("“%(name)s” looks like an image but cannot be read; it may be damaged.")
            % {"name": name},
            code="file_damaged",
        ) from None
    kind = PILLOW_FORMATS.get(image_format)
    if kind is None:
        raise _refuse(name, _("an image format we do not accept"))
    return kind


def _zip_kind(file: IO[bytes], name: str) -> FileKind:
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ValidationError(
            _("“%(name)s” looks like a ZIP archive but cannot be opened; it may be damaged.")
            % {"name": name},
            code="file_damaged",
        ) from None
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return XLSX
    if "[Content_Types].xml" in names and "word/document.xml" in names:
        return DOCX
    return ZIP


def file_kind(file: IO[bytes], name: str) -> FileKind:
    """The allowed kind of ``file``, or ValidationError saying why it is refused.

    The extension of ``name`` must be one the content allows; a name without an
    extension is accepted for what the content is.
    """
    display = PurePath(name.replace("\\", "/")).name or "file"
    file.seek(0)
    head = file.read(HEAD_BYTES)
    try:
        if not head:
            raise ValidationError(_("“%(name)s” is empty.") % {"name": display}, code="file_empty")
        kind = _sniff(file, head, display)
    finally:
        file.seek(0)
    extension = PurePath(display).suffix.lower()
    if extension and extension not in ALLOWED_EXTENSIONS:
        raise _refuse(display, _("a %(extension)s file") % {"extension": extension.upper()})
    if extension and extension not in kind.extensions:
        raise ValidationError(
            _(
                "“%(name)s” is named like a %(extension)s file but it is %(what)s. "
                "Rename it or send the original file."
            )
            % {"name": display, "extension": extension.lstrip(".").upper(), "what": kind.label},
            code="file_mismatch",
        )
    return kind
