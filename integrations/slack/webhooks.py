"""Requests from Slack: check the signature, hand the work to services, answer at once.

Every request is verified with slack-sdk's SignatureVerifier (HMAC of
``v0:timestamp:body`` with the signing secret, timestamp within five minutes).
Anything that cannot be verified (no secret configured, a missing or malformed
timestamp, a body that is not UTF-8, a wrong signature) is a 403, never a 500.
"""

from __future__ import annotations

import json
import logging
import re
import time
from urllib.parse import parse_qs

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from slack_sdk.signature import Clock, SignatureVerifier

from integrations.slack import services

logger = logging.getLogger(__name__)

_TIMESTAMP = re.compile(r"[0-9]{1,12}", re.ASCII)
# Slack's signature is "v0=" and a hex SHA-256. Anything else is refused before the
# verifier sees it: hmac.compare_digest raises TypeError on a non-ASCII str.
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}", re.ASCII)


def now() -> float:
    """The clock requests are checked against (tests move it to a recorded example)."""
    return time.time()


class _Clock(Clock):
    def now(self) -> float:
        return now()


def verified_form(request: HttpRequest) -> dict[str, str] | None:
    """The request's form fields if Slack signed it, else None."""
    secret = settings.SLACK_SIGNING_SECRET
    timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
    signature = request.headers.get("X-Slack-Signature", "")
    if not secret.strip() or not _SIGNATURE.fullmatch(signature):
        return None
    if not _TIMESTAMP.fullmatch(timestamp):
        return None
    try:
        body = request.body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    verifier = SignatureVerifier(secret, clock=_Clock())
    if not verifier.is_valid(body=body, timestamp=timestamp, signature=signature):
        return None
    fields = parse_qs(body, keep_blank_values=True, strict_parsing=False)
    return {name: values[0] for name, values in fields.items()}


def _refused() -> HttpResponse:
    return HttpResponse(
        "Slack request signature missing, stale or wrong.", status=403, content_type="text/plain"
    )


@csrf_exempt
@require_POST
def interactivity(request: HttpRequest) -> HttpResponse:
    """Button presses on our alerts (block_actions)."""
    form = verified_form(request)
    if form is None:
        return _refused()
    try:
        payload = json.loads(form.get("payload", ""))
    except ValueError:
        return HttpResponse("The payload is not JSON.", status=400, content_type="text/plain")
    if not isinstance(payload, dict):
        return HttpResponse("The payload is not an object.", status=400, content_type="text/plain")
    for press in services.button_presses(payload):
        services.slack_button_press(press)
    # Slack only needs a quick 200; the message is redrawn through the outbox.
    return HttpResponse(status=200)


@csrf_exempt
@require_POST
def commands(request: HttpRequest) -> HttpResponse:
    """The /helpdesk slash command; the answer is shown only to the one who typed it."""
    form = verified_form(request)
    if form is None:
        return _refused()
    answer = services.slack_command(
        services.Command(
            text=form.get("text", ""),
            slack_user_id=form.get("user_id", ""),
            trigger_id=form.get("trigger_id", ""),
        )
    )
    return JsonResponse({"response_type": "ephemeral", "text": answer})
