"""GitHub webhooks in: check the signature, store the delivery once, queue the work, answer.

``X-Hub-Signature-256`` is the HMAC-SHA256 of the raw body with the webhook
secret, compared in constant time before anything is parsed. A delivery id
seen before (GitHub's redelivery, a replay) is acknowledged and not queued
again. Events other than ``issues``, ``issue_comment`` and ``pull_request`` (a
fix linked with "fixes #12"), and repositories the
help desk does not file in, are acknowledged and ignored, so GitHub does not
keep retrying them. Applying the news runs in the outbox worker.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from integrations.github.models import WebhookDelivery
from tickets import escalation
from tickets.outbox import outbox_add
from tickets.outbox_kinds import OutboxKind

logger = logging.getLogger(__name__)

EVENTS = ("issues", "issue_comment", "pull_request")


def signature_is_valid(secret: str, body: bytes, header: str) -> bool:
    """Does ``header`` (``sha256=<hex>``) sign ``body`` with ``secret``? Constant time."""
    if not secret or not header.startswith("sha256="):
        return False
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header.strip().encode())


def _answer(status: int, **fields: Any) -> JsonResponse:
    return JsonResponse(fields, status=status)


@csrf_exempt
@require_POST
def webhook(request: HttpRequest) -> JsonResponse:
    secret = settings.GITHUB_WEBHOOK_SECRET
    if not secret:
        return _answer(503, error="GitHub webhooks are not configured (GITHUB_WEBHOOK_SECRET).")
    header = request.headers.get("X-Hub-Signature-256", "")
    if not header:
        return _answer(401, error="X-Hub-Signature-256 is missing.")
    if not signature_is_valid(secret, request.body, header):
        return _answer(403, error="X-Hub-Signature-256 does not match the body.")
    event = request.headers.get("X-GitHub-Event", "")
    delivery_id = request.headers.get("X-GitHub-Delivery", "").strip()
    try:
        payload = json.loads(request.body)
    except ValueError:
        return _answer(400, error="The body is not JSON.")
    if not isinstance(payload, dict):
        return _answer(400, error="The body is not a JSON object.")
    if event == "ping":
        return _answer(200, ok="pong", zen=str(payload.get("zen", "")))
    if event not in EVENTS:
        return _answer(202, ignored=f"event {event or '(none)'}")
    if not delivery_id or len(delivery_id) > 100:
        return _answer(400, error="X-GitHub-Delivery is missing or too long.")
    repository = str((payload.get("repository") or {}).get("full_name") or "")
    if not escalation.repository_is_known(repository):
        return _answer(202, ignored=f"repository {repository or '(none)'}")
    return _store_and_queue(delivery_id, event, repository, payload)


def _store_and_queue(
    delivery_id: str, event: str, repository: str, payload: dict[str, Any]
) -> JsonResponse:
    try:
        with transaction.atomic():
            delivery = WebhookDelivery.objects.create(
                delivery_id=delivery_id,
                event=event,
                action=str(payload.get("action") or "")[:50],
                repository=repository[:140],
                payload=payload,
            )
            outbox_add(
                kind=OutboxKind.GITHUB_WEBHOOK,
                key=f"{OutboxKind.GITHUB_WEBHOOK}:{delivery_id}",
                payload={"delivery_id": delivery.pk},
            )
    except IntegrityError:
        return _answer(200, duplicate=delivery_id)  # a replay: processed once already
    return _answer(202, queued=delivery_id)
