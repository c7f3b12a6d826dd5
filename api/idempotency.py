"""``Idempotency-Key`` for creates: the same key and request answer the same way, once.

A create endpoint hands its work to :func:`idempotent`::

    return idempotent(request, key, lambda: (201, TicketOut.from_orm(ticket_create(...))))

- no key: the work runs, as without this helper;
- a new key: a row is claimed *before* the work runs (committed at once, so
  a concurrent duplicate sees it), the work runs, and its answer (status and
  JSON body) is stored with the key;
- the same key and the same request (method, path and body, hashed): the stored
  answer is replayed, with ``Idempotent-Replayed: true``; nothing runs again;
- the same key with another request: 409;
- the same key while the first request is still running: 409 (retry later).

Call it outside any transaction (the create inside ``work`` has its own): the
claim must be committed before the work starts, or a concurrent duplicate would
not see it. A crash between the create and storing its answer leaves the key
claimed until it expires (409 meanwhile), never a second create.

Keys belong to a caller (a token, or a staff member's session): two callers'
keys never meet. A 5xx answer or an exception is not stored, the claim is
released, and the client may retry with the same key. Keys are kept for
``API_IDEMPOTENCY_HOURS``; an expired key is claimed again as a new one, and
:func:`idempotency_keys_purge` (daily, on beat: api.tasks) deletes the expired rows.

An answer that holds a credential is not stored as sent: the endpoint passes a
:class:`Kept`, which stores what identifies the answer (a ticket's reference and
status, never its private token) and builds the same body again on a replay.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Header
from ninja.responses import NinjaJSONEncoder
from pydantic import BaseModel

from api.models import ApiToken, IdempotencyKey
from api.problems import ApiProblem

KEY_MAX_LENGTH = 255
# A create's parameter, documented under its HTTP name. Without the alias ninja names
# it after the Python argument, idempotency_key, and a client built from the document
# would send a header that gunicorn, nginx and runserver drop (underscores): no key,
# and every retry a new ticket. The key's shape is checked by idempotent() (400).
IDEMPOTENCY_KEY = Header(
    None,
    alias="Idempotency-Key",
    description=(
        f"Any unique string (1 to {KEY_MAX_LENGTH} printable characters): the same key and "
        "request answer with the first answer; the same key with another request is a 409."
    ),
)
Work = Callable[[], tuple[int, Any]]


@dataclass(frozen=True)
class Kept:
    """How an answer is kept for replays: ``keep`` turns its JSON body into what is stored,
    ``rebuild`` turns that back into the body sent again."""

    keep: Callable[[Any], Any]
    rebuild: Callable[[Any], Any]


def caller_of(request: HttpRequest) -> str:
    """Whose keys these are: the token's, or the signed-in staff member's."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, ApiToken):
        return f"token:{auth.pk}"
    if auth is not None and getattr(auth, "pk", None) is not None:
        return f"user:{auth.pk}"
    raise ValueError("Idempotency keys need an authenticated caller.")


def fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    for part in (request.method or "", request.path):
        digest.update(part.encode())
        digest.update(b"\0")
    digest.update(request.body)
    return digest.hexdigest()


def _dumps(body: Any) -> str:
    if isinstance(body, BaseModel):
        body = body.model_dump(mode="json")
    return json.dumps(body, cls=NinjaJSONEncoder)


def _json(status: int, body: Any) -> HttpResponse:
    return HttpResponse(_dumps(body), status=status, content_type="application/json")


def _claim(caller: str, key: str, print_: str) -> IdempotencyKey | None:
    """Claim ``key`` (None) or return the row already holding it."""
    expires_at = timezone.now() + timedelta(hours=settings.API_IDEMPOTENCY_HOURS)
    for _attempt in range(2):
        try:
            with transaction.atomic():
                IdempotencyKey.objects.create(
                    caller=caller, key=key, fingerprint=print_, expires_at=expires_at
                )
            return None
        except IntegrityError:
            held = IdempotencyKey.objects.filter(caller=caller, key=key).first()
            if held is None:
                continue  # released meanwhile: claim it now
            if held.expires_at > timezone.now():
                return held
            held.delete()  # an expired key starts afresh
    raise ApiProblem(409, _("This Idempotency-Key is in use; retry later."))


def _replay(held: IdempotencyKey, print_: str, kept: Kept | None) -> HttpResponse:
    if held.fingerprint != print_:
        raise ApiProblem(
            409,
            _("This Idempotency-Key was used with a different request."),
            errors=[{"field": "Idempotency-Key", "message": _("Already used.")}],
        )
    if held.status is None:
        raise ApiProblem(
            409, _("A request with this Idempotency-Key is still being answered; retry later.")
        )
    body = _dumps(kept.rebuild(json.loads(held.body))) if kept else held.body
    response = HttpResponse(body, status=held.status, content_type="application/json")
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(
    request: HttpRequest, key: str | None, work: Work, *, kept: Kept | None = None
) -> HttpResponse:
    """Run ``work`` (returning status and body) once per key and request; see the module.
    ``kept`` says what of the answer is stored, when not all of it may be."""
    if key is None:
        return _json(*work())
    if not key or len(key) > KEY_MAX_LENGTH or not key.isprintable():
        raise ApiProblem(
            400,
            _("An Idempotency-Key is 1 to %d printable characters.") % KEY_MAX_LENGTH,
            errors=[{"field": "Idempotency-Key", "message": _("Invalid key.")}],
        )
    caller, print_ = caller_of(request), fingerprint(request)
    held = _claim(caller, key, print_)
    if held is not None:
        return _replay(held, print_, kept)
    try:
        response = _json(*work())
    except BaseException:
        IdempotencyKey.objects.filter(caller=caller, key=key).delete()
        raise
    if response.status_code >= 500:
        IdempotencyKey.objects.filter(caller=caller, key=key).delete()
    else:
        body = response.content.decode()
        stored = _dumps(kept.keep(json.loads(body))) if kept else body
        IdempotencyKey.objects.filter(caller=caller, key=key).update(
            status=response.status_code, body=stored
        )
    return response


def idempotency_keys_purge() -> int:
    """Delete the expired keys; the number deleted."""
    deleted, _kinds = IdempotencyKey.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted
