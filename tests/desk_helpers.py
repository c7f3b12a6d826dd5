"""Helpers for the desk tests: tickets through the services, logged-in agents, mail delivery."""

from __future__ import annotations

import io
from typing import Any

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from tests import factories
from tickets import outbox, services
from tickets.models import Channel, OutboxMessage, Ticket


def ticket_from(
    email: str = "amina@partner.example.org",
    *,
    subject: str = "Data export stops at 50%",
    name: str = "Amina Odhiambo",
    **overrides: Any,
) -> Ticket:
    """A Contact Us request through the service: ticket, thread, history, SLA clock, email."""
    fields: dict[str, Any] = {
        "requester_email": email,
        "requester_name": name,
        "subject": subject,
        "channel": Channel.WEB,
        "what_doing": "Exporting the household survey",
        "actual": "The progress bar stops at 50%",
        "product": factories.product("akvo-flow"),
        "category": factories.category("bug"),
        "partner": factories.PartnerFactory(),
    }
    fields.update(overrides)
    return services.ticket_create(**fields)


def logged_in(user, **client_kwargs: Any) -> Client:
    client = Client(**client_kwargs)
    client.force_login(user)
    return client


def deliver_all() -> None:
    """Deliver every pending outbox row, as the worker would."""
    for row_id in (
        OutboxMessage.objects.filter(status="pending").order_by("pk").values_list("pk", flat=True)
    ):
        outbox.outbox_deliver_row(row_id)


def mails_to(address: str) -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if address in m.to]


def png(name: str = "screenshot.png", size: tuple[int, int] = (8, 8)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")
