"""What an uploaded file is, by its content: the allow-list the portal checks every file against."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError

from tests.portal_helpers import (
    EXE_BYTES,
    HTML_BYTES,
    SVG_BYTES,
    docx_bytes,
    image_bytes,
    png_bytes,
    zip_bytes,
)
from tickets.filetypes import file_kind


def xlsx_bytes() -> bytes:
    return zip_bytes({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"})


def kind_of(name: str, content: bytes) -> str:
    return file_kind(io.BytesIO(content), name).name


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("screen.png", png_bytes(), "png"),
        ("photo.jpeg", image_bytes("JPEG"), "jpeg"),
        ("anim.gif", image_bytes("GIF"), "gif"),
        ("shot.webp", image_bytes("WEBP"), "webp"),
        ("manual.pdf", b"%PDF-1.7\n...", "pdf"),
        ("export.csv", b"name,village\nAmina,Kisumu\n", "text"),
        ("app.log", "2026-11-28 ERROR sync ⏱\n".encode(), "text"),
        ("data.xlsx", xlsx_bytes(), "xlsx"),
        ("notes.docx", docx_bytes(), "docx"),
        ("logs.zip", zip_bytes({"logs/app.log": "started\n"}), "zip"),
        ("pasted", png_bytes(), "png"),  # no extension: judged by content alone
    ],
)
def test_allowed_files_are_recognised_by_content(name, content, kind):
    assert kind_of(name, content) == kind


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("setup.exe", EXE_BYTES, "is a program"),
        ("page.html", HTML_BYTES, "is a web page"),
        ("logo.svg", SVG_BYTES, "is an SVG drawing"),
        ("notes.txt", HTML_BYTES, "is a web page"),
        ("broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "cannot be read"),
        ("dump.txt", b"abc\x00def", "a kind of file we cannot check"),
        ("latin1.txt", "café".encode("latin-1"), "a kind of file we cannot check"),
        ("data.json", b'{"a": 1}', "is a .JSON file"),
        ("empty.png", b"", "is empty"),
        ("sheet.xlsx", docx_bytes(), "is named like a XLSX file but it is a Word document"),
        ("fake.zip", b"PK\x03\x04 not really", "cannot be opened"),
    ],
)
def test_other_files_are_refused_with_the_reason(name, content, reason):
    with pytest.raises(ValidationError) as refused:
        file_kind(io.BytesIO(content), name)
    assert reason in refused.value.messages[0]
