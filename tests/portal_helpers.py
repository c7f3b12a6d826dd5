"""Helpers for the portal tests: a filled-in Contact Us form, real files, delivery."""

from __future__ import annotations

import io
import zipfile

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests import factories
from tickets import outbox
from tickets.models import OutboxMessage


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (8, 8), color: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt)
    return buffer.getvalue()


def png_bytes(size: tuple[int, int] = (8, 8), color: str = "red") -> bytes:
    return image_bytes("PNG", size, color)


def jpeg_bytes() -> bytes:
    return image_bytes("JPEG", color="blue")


def zip_bytes(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    return zip_bytes({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"})


EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
HTML_BYTES = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
SVG_BYTES = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)


def upload(name: str, content: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def screenshot(name: str = "screenshot.png") -> SimpleUploadedFile:
    return upload(name, png_bytes())


def contact_data(**overrides: object) -> dict[str, object]:
    """A complete bug report about Akvo Flow, as a person would fill it in."""
    flow = factories.product("akvo-flow")
    data: dict[str, object] = {
        "name": "Amina Odhiambo",
        "email": "amina@partner.example.org",
        "organisation": "",
        "hub": factories.hub("east-africa").pk,
        "product": flow.pk,
        "category": factories.category("bug").pk,
        "subject": "Data export of the household survey stops at 50%",
        "description": "",
        "what_doing": "Exporting the raw data of the household survey from the dashboard.",
        "expected": "A spreadsheet with all 2,300 submissions to download.",
        "actual": "The progress bar stops at 50% and after ten minutes nothing has happened.",
        "steps": "1. Open Data > Export\n2. Choose the household survey\n3. Click Export",
        "pd_dashboard": "akvoflow-uat1",
        "pd_survey": "Household survey 2026",
        "pd_imei": "356938035643809",
        "env_computer": "Firefox 140 on Windows 11",
        "env_device": "",
        "env_app_version": "",
        "env_dashboard": "",
        "website": "",
        "started": "",
    }
    data.update(overrides)
    return data


def send_contact_form(client, data: dict[str, object] | None = None, files=None, **extra):
    payload = dict(data or contact_data())
    if files is not None:
        payload["attachments"] = files
    return client.post("/contact/", payload, **extra)


def submit_review(client, **extra):
    """Press "Send my request" on the review page as shown."""
    review = client.get("/contact/review/")
    key = review.context["submission_key"]
    return client.post("/contact/review/", {"submission_key": key}, **extra)


def deliver_all() -> None:
    for row_id in (
        OutboxMessage.objects.filter(status="pending").order_by("pk").values_list("pk", flat=True)
    ):
        outbox.outbox_deliver_row(row_id)


def only_mail():
    [email] = mail.outbox
    return email
