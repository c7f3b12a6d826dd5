"""Delivers the Slack outbox kinds: team alerts, message updates after a button press,
and private (ephemeral) answers.

An alert about a ticket that has none yet starts a thread in the alert channel;
later alerts about it go into that thread. Each posted message carries the
outbox row's key in its metadata, so a retry after an unclear failure (a 500, a
dropped connection, a worker lost mid-delivery) first looks for the message it may
have posted and never posts it twice. Private answers cannot be looked for: one
whose worker was lost while posting it fails with that reason instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from integrations.slack import blocks
from integrations.slack.client import classify, slack_client
from integrations.slack.models import SlackPost, SlackThread
from tickets.models import OutboxMessage, Ticket
from tickets.outbox import OutboxDeferred, OutboxPermanentFailure
from tickets.outbox_handover import outbox_handover
from tickets.outbox_kinds import OutboxKind, register_handler

logger = logging.getLogger(__name__)

METADATA_EVENT = "helpdesk_alert"
# Alerts that also show in the channel when they go into a ticket's thread.
BROADCAST_EVENTS = ("flagged_urgent", "sla_breach")
# How long another worker may take to post a ticket's first message before its claim lapses.
THREAD_CLAIM_WAIT = timedelta(seconds=15)


def _call(name: str, method: Callable[..., SlackResponse], **kwargs: Any) -> SlackResponse:
    """One Web API call; a refusal becomes what the outbox should do about it."""
    try:
        return method(**kwargs)
    except SlackApiError as error:
        raise classify(error, name) from error


def _ticket(ticket_id: int) -> Ticket:
    try:
        return Ticket.objects.select_related(
            "impact", "partner", "hub", "product", "assignee", "requester"
        ).get(pk=ticket_id)
    except Ticket.DoesNotExist:
        raise OutboxPermanentFailure(f"Ticket {ticket_id} no longer exists.") from None


# --- Alerts -------------------------------------------------------------------------


def deliver_alert(row: OutboxMessage) -> dict[str, Any]:
    already = SlackPost.objects.filter(outbox_key=row.key).first()
    if already is not None:  # posted, but the worker died before marking the row delivered
        return _result(already)
    client = slack_client()
    if not settings.SLACK_URGENT_CHANNEL:
        raise OutboxDeferred("Slack has no alert channel (SLACK_URGENT_CHANNEL is empty).")
    ticket = _ticket(row.payload["ticket_id"])
    event = str(row.payload.get("event", ""))
    detail = str(row.payload.get("detail", ""))
    thread, starts_thread = _claim_thread(ticket)
    try:
        post = _post_alert(client, row, ticket, event, detail, thread, starts_thread)
    except BaseException:
        if starts_thread:
            # Let the next alert (or this row's retry) start the thread.
            SlackThread.objects.filter(pk=thread.pk, ts="").delete()
        raise
    return _result(post)


def _post_alert(
    client: WebClient,
    row: OutboxMessage,
    ticket: Ticket,
    event: str,
    detail: str,
    thread: SlackThread,
    starts_thread: bool,
) -> SlackPost:
    channel = settings.SLACK_URGENT_CHANNEL if starts_thread else thread.channel
    thread_ts = "" if starts_thread else thread.ts
    # A failure before this attempt (a later attempt, or the first after an admin's
    # "Retry now", which starts the count again) may have posted it: look first.
    maybe_posted = row.attempts > 1 or bool(row.last_error)
    found = _find_posted(client, row, channel, thread_ts) if maybe_posted else None
    if found is None:
        kwargs: dict[str, Any] = {
            "channel": channel,
            "text": blocks.fallback_text(ticket, event, detail),
            "blocks": blocks.alert_blocks(ticket, event, detail),
            "metadata": {"event_type": METADATA_EVENT, "event_payload": {"outbox_key": row.key}},
            "unfurl_links": False,
            "unfurl_media": False,
        }
        if thread_ts:
            kwargs["thread_ts"] = thread_ts
            kwargs["reply_broadcast"] = event in BROADCAST_EVENTS
        response = _call("chat.postMessage", client.chat_postMessage, **kwargs)
        found = (str(response["channel"]), str(response["ts"]))
    return _remember(row, ticket, event, detail, found, thread, starts_thread)


def _claim_thread(ticket: Ticket) -> tuple[SlackThread, bool]:
    """The ticket's thread, and whether this delivery is the one to start it."""
    now = timezone.now()
    try:
        with transaction.atomic():
            thread, created = SlackThread.objects.get_or_create(
                ticket=ticket, defaults={"claimed_at": now}
            )
    except IntegrityError:  # another worker created it at the same moment
        thread, created = SlackThread.objects.get(ticket=ticket), False
    if created or thread.ts:
        return thread, created
    lapsed = now - timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    if SlackThread.objects.filter(pk=thread.pk, ts="", claimed_at__lt=lapsed).update(
        claimed_at=now
    ):
        return thread, True  # the worker that claimed it was lost
    raise OutboxDeferred(
        f"Waiting for the first Slack message about {ticket.reference} to be posted, "
        "so this one goes in its thread.",
        retry_in=THREAD_CLAIM_WAIT,
    )


def _find_posted(
    client: WebClient, row: OutboxMessage, channel: str, thread_ts: str
) -> tuple[str, str] | None:
    """The message an earlier attempt of this row posted, if Slack has it.

    Only looked for on a retry. If the lookup itself is refused (a missing
    history scope, a channel given by name), the alert is posted: a rare double
    is better than a lost alert.
    """
    oldest = f"{row.created_at.timestamp() - 60:.6f}"
    try:
        if thread_ts:
            response = client.conversations_replies(
                channel=channel, ts=thread_ts, oldest=oldest, include_all_metadata=True, limit=200
            )
        else:
            response = client.conversations_history(
                channel=channel, oldest=oldest, include_all_metadata=True, limit=200
            )
    except SlackApiError as error:
        outcome = classify(error, "conversations.history")
        if isinstance(outcome, OutboxDeferred):
            raise outcome from error
        logger.warning("Slack duplicate check skipped for %s: %s", row.key, outcome)
        return None
    for message in response.get("messages") or []:
        metadata = message.get("metadata") or {}
        if (metadata.get("event_payload") or {}).get("outbox_key") == row.key:
            return str(response.get("channel") or channel), str(message["ts"])
    return None


def _remember(
    row: OutboxMessage,
    ticket: Ticket,
    event: str,
    detail: str,
    found: tuple[str, str],
    thread: SlackThread,
    starts_thread: bool,
) -> SlackPost:
    channel, ts = found
    with transaction.atomic():
        if starts_thread:
            SlackThread.objects.filter(pk=thread.pk).update(channel=channel, ts=ts)
        post, _ = SlackPost.objects.get_or_create(
            outbox_key=row.key[:200],
            defaults={
                "ticket": ticket,
                "channel": channel,
                "ts": ts,
                "thread_ts": "" if starts_thread else thread.ts,
                "event": event,
                "detail": detail,
            },
        )
    return post


def _result(post: SlackPost) -> dict[str, Any]:
    return {"channel": post.channel, "ts": post.ts, "thread_ts": post.thread_ts}


# --- Updates after a button press --------------------------------------------------


def deliver_update(row: OutboxMessage) -> dict[str, Any]:
    """Redraw a posted alert from the ticket as it is now (assignee, acknowledgements)."""
    post = SlackPost.objects.filter(channel=row.payload["channel"], ts=row.payload["ts"]).first()
    if post is None:
        return {"skipped": "not one of our alert messages"}
    client = slack_client()
    ticket = _ticket(post.ticket_id)
    _call(
        "chat.update",
        client.chat_update,
        channel=post.channel,
        ts=post.ts,
        text=blocks.fallback_text(ticket, post.event, post.detail),
        blocks=blocks.alert_blocks(ticket, post.event, post.detail),
    )
    return {"channel": post.channel, "ts": post.ts}


# --- Private answers ----------------------------------------------------------------


def deliver_ephemeral(row: OutboxMessage) -> dict[str, Any]:
    """A message only one Slack user sees (e.g. why their button press was refused)."""
    client = slack_client()
    payload = row.payload
    # Slack keeps no history of ephemeral messages to look in: if the worker is lost
    # while posting one, the row fails rather than show the user the answer twice.
    with outbox_handover(row):
        response = _call(
            "chat.postEphemeral",
            client.chat_postEphemeral,
            channel=payload["channel"],
            user=payload["user"],
            text=blocks.mrkdwn_text(payload["text"]),
        )
    return {"message_ts": response.get("message_ts", "")}


def register() -> None:
    register_handler(OutboxKind.SLACK_ALERT, deliver_alert)
    register_handler(OutboxKind.SLACK_UPDATE, deliver_update)
    register_handler(OutboxKind.SLACK_EPHEMERAL, deliver_ephemeral)
