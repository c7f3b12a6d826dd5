"""Creating, revoking and checking API tokens: the only code that sees a plaintext token.

A token reads ``hd_`` followed by 43 URL-safe characters (32 random bytes).
Its first :data:`~api.models.PREFIX_LENGTH` characters are stored as they are,
to find the row and to tell tokens apart in lists; the whole token is stored
as a SHA-256 digest, compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import PREFIX_LENGTH, ApiToken
from api.scopes import SCOPES, user_allows

TOKEN_START = "hd_"  # noqa: S105 - the marker every token starts with, not a secret
# last_used_at is written at most this often per token, not on every request.
LAST_USED_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    plaintext: str  # shown once to its creator, then never again


def digest(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def default_expiry() -> datetime:
    return timezone.now() + timedelta(days=settings.API_TOKEN_DEFAULT_DAYS)


def validate_token(*, owner: User, scopes: list[str], expires_at: datetime) -> None:
    """Refuse unknown scopes, scopes the owner's role lacks, and a past or too far expiry."""
    errors: dict[str, list[str]] = {}
    unknown = [scope for scope in scopes if scope not in SCOPES]
    beyond = [scope for scope in scopes if scope in SCOPES and not user_allows(owner, scope)]
    if not scopes or unknown:
        errors["scopes"] = [_("Choose one or more of: %s.") % ", ".join(SCOPES)]
    elif beyond:
        errors["scopes"] = [
            _("%(owner)s's role does not allow: %(scopes)s.")
            % {"owner": owner.get_username(), "scopes": ", ".join(beyond)}
        ]
    now = timezone.now()
    if expires_at <= now:
        errors["expires_at"] = [_("The expiry must be in the future.")]
    elif expires_at > now + timedelta(days=settings.API_TOKEN_MAX_DAYS):
        errors["expires_at"] = [
            _("A token may live at most %d days.") % settings.API_TOKEN_MAX_DAYS
        ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def token_create(
    *,
    name: str,
    owner: User,
    scopes: list[str],
    by: User,
    expires_at: datetime | None = None,
) -> NewToken:
    """A new token acting as ``owner``; its plaintext is in the result and nowhere else."""
    expires_at = expires_at or default_expiry()
    scopes = [scope for scope in SCOPES if scope in set(scopes)] or list(scopes)
    validate_token(owner=owner, scopes=scopes, expires_at=expires_at)
    for _attempt in range(3):  # a prefix clash (48 random bits) is all but impossible
        plaintext = TOKEN_START + secrets.token_urlsafe(32)
        try:
            with transaction.atomic():
                token = ApiToken.objects.create(
                    name=name,
                    owner=owner,
                    prefix=plaintext[:PREFIX_LENGTH],
                    secret_hash=digest(plaintext),
                    scopes=scopes,
                    expires_at=expires_at,
                    created_by=by,
                )
        except IntegrityError:
            continue
        return NewToken(token=token, plaintext=plaintext)
    raise RuntimeError("Could not draw an unused token prefix.")


@transaction.atomic
def token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    """Revoke ``token`` from now on; revoking it again changes nothing."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_authenticate(plaintext: str) -> ApiToken | None:
    """The usable token ``plaintext`` is (owner loaded), or None: unknown, revoked or expired.

    Notes when it was last used, at most once a minute (a conditional update, so
    concurrent requests write it once).
    """
    if not plaintext.startswith(TOKEN_START) or len(plaintext) > 100:
        return None
    token = (
        ApiToken.objects.usable()
        .select_related("owner")
        .filter(prefix=plaintext[:PREFIX_LENGTH])
        .first()
    )
    if token is None or not hmac.compare_digest(token.secret_hash, digest(plaintext)):
        return None
    if not token.owner.is_active:
        return None
    now = timezone.now()
    stale = now - LAST_USED_EVERY
    if token.last_used_at is None or token.last_used_at < stale:
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale)
        ).update(last_used_at=now)
        token.last_used_at = now
    return token
