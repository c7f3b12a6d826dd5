"""Mail that providers post to us (django-anymail's inbound webhooks): check, store, hand off.

Anymail verifies the request (HTTP basic auth with ``ANYMAIL["WEBHOOK_SECRET"]``,
plus the provider's own signature where it has one) and parses the post into a
message; this receiver stores it with the same service as the IMAP poller and
hands processing to the worker after commit, so the provider gets its answer
at once. While no secret is set the URLs answer 404: unauthenticated posts
could otherwise put words in any requester's mouth.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from io import BytesIO
from typing import Any

from anymail.inbound import AnymailInboundMessage
from anymail.signals import AnymailInboundEvent
from anymail.utils import get_request_basic_auth
from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare

from helpdesk.network_budget import budget_spent
from integrations.email.models import InboundSource
from integrations.email.services import inbound_receive
from tickets.outbox import broker_breaker

logger = logging.getLogger(__name__)


def inbound_webhooks_enabled() -> bool:
    return bool(getattr(settings, "ANYMAIL", {}).get("WEBHOOK_SECRET"))


def only_when_enabled(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not inbound_webhooks_enabled():
            raise Http404("Inbound mail by webhook is off (ANYMAIL_WEBHOOK_SECRET is not set).")
        read_large_body(request)
        return view(request, *args, **kwargs)

    return wrapper


def _authenticated(request: HttpRequest) -> bool:
    secrets = settings.ANYMAIL.get("WEBHOOK_SECRET") or []
    secrets = [secrets] if isinstance(secrets, str) else list(secrets)
    sent = get_request_basic_auth(request) or ""
    return bool(sent) and any(constant_time_compare(sent, secret) for secret in secrets)


def read_large_body(request: HttpRequest) -> None:
    """Let a provider that passed basic auth post a mail up to INBOUND_EMAIL_MAX_BYTES.

    Django holds request bodies to DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB), so a
    provider posting a 3 MB mail as JSON (Postmark, Amazon SES) would get 400 for
    ever and the mail would be lost. For an authenticated post the body is read
    here, up to the mail limit plus the base64 and JSON around it; anymail then
    reads ``request.body`` as usual. Unauthenticated posts keep Django's limit.
    Multipart posts (Mailgun, SendGrid) are left alone: their files are not held
    to that limit, only their text fields are.
    """
    if request.method != "POST" or request.content_type == "multipart/form-data":
        return
    if not _authenticated(request):
        return
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return
    limit = settings.INBOUND_EMAIL_MAX_BYTES * 3 // 2 + 1024 * 1024
    if length <= (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0) or length > limit:
        return  # Django's own reading applies (and refuses what is over the mail limit)
    body = request.read(length)
    # What HttpRequest.body does once it has read the stream, without its size check.
    request._body = body
    request._stream = BytesIO(body)


def raw_bytes(message: AnymailInboundMessage) -> bytes:
    try:
        return message.as_bytes()
    except Exception:  # a message the provider built that the generator cannot re-encode
        return message.as_string().encode("utf-8", "surrogateescape")


def anymail_inbound_received(
    sender: object, event: AnymailInboundEvent, esp_name: str, **kwargs: Any
) -> None:
    message = event.message
    if message is None:
        return
    received = inbound_receive(
        raw=raw_bytes(message),
        source=InboundSource.WEBHOOK,
        envelope_recipient=str(getattr(message, "envelope_recipient", None) or ""),
    )
    logger.info(
        "Inbound mail from %s via %s stored as %s%s",
        received.inbound.from_address,
        esp_name,
        received.inbound.pk,
        "" if received.created else " (already stored)",
    )
    if received.created:
        inbound_id = received.inbound.pk
        transaction.on_commit(lambda: hand_over(inbound_id))


def hand_over(inbound_id: int) -> None:
    """Queue processing; if the broker is away, beat's mail poll processes it later."""
    from integrations.email.tasks import mail_process

    # The same rule as the outbox's hand-over: a broker that just failed, or a request
    # that has spent its wait, is not asked again; the mail poll is the safety net.
    if broker_breaker.is_open() or budget_spent():
        logger.info("Inbound mail %s left for the next mail poll (broker paused)", inbound_id)
        return
    try:
        mail_process.apply_async(args=(inbound_id,), retry=False)
    except Exception:
        broker_breaker.trip()
        logger.warning("Inbound mail %s left for the next mail poll", inbound_id, exc_info=True)
