"""The Slack Web API adapter: one WebClient per delivery, and what Slack's errors mean for us.

The SDK's own retry handlers are switched off (``retry_handlers=[]``): its default
retries a request after a dropped connection, when Slack may already have posted
the message, and a rate-limit handler would sleep inside the worker. The outbox
retries instead, with backoff, after checking the channel for the message it may
already have posted (see handlers.py).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from integrations.ratelimit import retry_after_wait
from tickets.outbox import OutboxDeferred, OutboxPermanentFailure

# Errors that no retry can fix: an admin has to change a setting or Slack's app
# configuration first. The row fails at once with the reason (and "Retry now" in
# the admin sends it again after the fix).
PERMANENT_ERRORS: dict[str, str] = {
    "invalid_auth": "The Slack token (SLACK_BOT_TOKEN) is not valid.",
    "not_authed": "No Slack token was sent (SLACK_BOT_TOKEN).",
    "account_inactive": "The Slack token belongs to a deactivated user or app.",
    "token_revoked": "The Slack token (SLACK_BOT_TOKEN) has been revoked.",
    "token_expired": "The Slack token (SLACK_BOT_TOKEN) has expired.",
    "no_permission": "The Slack app lacks the permission for this call.",
    "missing_scope": "The Slack app lacks a scope it needs (chat:write, channels:history).",
    "org_login_required": "The Slack workspace needs the app to be reinstalled.",
    "ekm_access_denied": "Slack refused the call (Enterprise Key Management).",
    "team_access_not_granted": "The Slack token has no access to this workspace.",
    "channel_not_found": "The Slack channel (SLACK_URGENT_CHANNEL) does not exist "
    "or the app cannot see it.",
    "not_in_channel": "The Slack app is not a member of the channel: invite it "
    "(/invite @app) to SLACK_URGENT_CHANNEL.",
    "is_archived": "The Slack channel (SLACK_URGENT_CHANNEL) is archived.",
    "restricted_action": "The workspace does not let the app post in this channel.",
    "invalid_blocks": "Slack refused the message's blocks (a bug: please report it).",
    "msg_too_long": "Slack refused the message as too long (a bug: please report it).",
    "message_not_found": "The Slack message to update no longer exists.",
    "cant_update_message": "The Slack message cannot be updated by this app.",
    "user_not_in_channel": "The Slack user is not in the channel any more.",
}
DEFAULT_RETRY_AFTER = 30  # seconds, when a 429 comes without Retry-After


def slack_client() -> WebClient:
    """A client for the configured workspace; deferred (waits, visibly) while there is no token."""
    if not settings.SLACK_BOT_TOKEN:
        raise OutboxDeferred("Slack is not configured (SLACK_BOT_TOKEN is empty).")
    return WebClient(
        token=settings.SLACK_BOT_TOKEN,
        base_url=settings.SLACK_API_URL,
        timeout=settings.SLACK_TIMEOUT,
        retry_handlers=[],
    )


def retry_after(error: SlackApiError) -> timedelta:
    """Slack's Retry-After (seconds) of a 429, within sane bounds."""
    raw = error.response.headers.get("Retry-After") or error.response.headers.get("retry-after")
    return retry_after_wait(raw) or timedelta(seconds=DEFAULT_RETRY_AFTER)


def classify(error: SlackApiError, call: str) -> Exception:
    """What the outbox should do about a refused call: wait, fail now, or retry with backoff."""
    code = str(error.response.get("error") or "") if isinstance(error.response.data, dict) else ""
    if error.response.status_code == 429 or code == "ratelimited":
        delay = retry_after(error)
        return OutboxDeferred(
            f"Slack rate limit on {call}: trying again in {int(delay.total_seconds())} s "
            "(Retry-After).",
            retry_in=delay,
        )
    if code in PERMANENT_ERRORS:
        return OutboxPermanentFailure(f"Slack {call} failed: {code}. {PERMANENT_ERRORS[code]}")
    # 5xx, fatal_error, internal_error, service_unavailable…: retried with backoff.
    return RuntimeError(
        f"Slack {call} failed (HTTP {error.response.status_code}): {code or 'no error code'}"
    )
