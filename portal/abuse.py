"""The Contact Us form's defences: rate limits counted in the cache, honeypot and fill time.

None of them may ever tell a person "thank you" for a request that was not
made: only a filled honeypot (people never see it) gets the silent page.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core import signing

from helpdesk import ratelimit

STARTED_SALT = "portal.contact.started"


# --- Rate limits ------------------------------------------------------------------


def rate_limit_exceeded(*, scope: str, ident: str, limit: int, window_seconds: int = 3600) -> bool:
    """Count one more event for ``ident`` in this window; True once it goes over ``limit``.

    The project's fixed-window counter (helpdesk.ratelimit): if the cache fails,
    the request is let through and the miss logged, never an error page nor a
    slow one. The address or email is counted by its digest, not kept in the cache.
    """
    if limit <= 0 or not ident:
        return False
    digest = hashlib.sha256(ident.strip().lower().encode()).hexdigest()[:32]
    rate = ratelimit.Rate(count=limit, seconds=window_seconds)
    return ratelimit.hit(scope=f"portal:{scope}", ident=digest, rate=rate) is not None


def submissions_limited(*, ip: str, email: str) -> bool:
    """One more request sent from ``ip`` for ``email``: True once either is over its hourly
    limit. Contact Us and the help widget share these counts."""
    return rate_limit_exceeded(
        scope="submit-ip", ident=ip, limit=settings.PORTAL_SUBMISSIONS_PER_IP_PER_HOUR
    ) or rate_limit_exceeded(
        scope="submit-email", ident=email, limit=settings.PORTAL_SUBMISSIONS_PER_EMAIL_PER_HOUR
    )


# --- Spam -------------------------------------------------------------------------


def form_started_token() -> str:
    """A signed timestamp for the form, so a form sent back too fast can be told apart."""
    return signing.dumps(int(time.time()), salt=STARTED_SALT)


def honeypot_filled(honeypot: str) -> bool:
    """The hidden field people never see was filled in: a bot, told nothing."""
    return bool(honeypot.strip())


def filled_too_fast(started: str) -> bool:
    """Sent back faster than a person types (or with a forged start time).

    Browser autofill plus paste is that fast too, so this never ends a request
    silently: the person is asked to confirm on the review step instead.
    """
    try:
        started_at = int(signing.loads(started, salt=STARTED_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return True
    return time.time() - started_at < settings.PORTAL_MIN_FILL_SECONDS
