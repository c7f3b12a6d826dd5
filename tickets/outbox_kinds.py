"""Every kind of outbox row, and the registry of how each kind is delivered.

``tickets`` writes rows of these kinds and never imports ``integrations``; each
integration app registers the handler for its kinds in its ``AppConfig.ready``
with :func:`register_handler`. The system check below (``manage.py check``, also
run by ``runserver`` and ``migrate``) refuses a project where a kind has no
handler (``outbox.E001``) or a handler is registered for a kind not listed here
(``outbox.E002``), so a new kind cannot ship undelivered.

A kind is a plain string in the database (``OutboxMessage.kind``); the enum's
members compare equal to it.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.core import checks

if TYPE_CHECKING:
    from tickets.models import OutboxMessage

Handler = Callable[["OutboxMessage"], dict[str, Any] | None]


class OutboxKind(StrEnum):
    EMAIL = "email"  # a mail to a requester or agent (integrations.email)
    SLACK_ALERT = "slack_alert"  # a ticket alert in the support channel (integrations.slack)
    SLACK_UPDATE = "slack_update"  # an alert message edited after an action on it
    SLACK_EPHEMERAL = "slack_ephemeral"  # an answer only the Slack user who acted sees
    GITHUB_ISSUE = "github_issue"  # file a new L2 issue for a ticket (integrations.github)
    GITHUB_ISSUE_SYNC = "github_issue_sync"  # read an issue a ticket was linked to
    GITHUB_WEBHOOK = "github_webhook"  # process a stored GitHub webhook delivery
    WEBHOOK = "webhook"  # an event POSTed to a subscriber's URL (integrations.webhooks)


_handlers: dict[str, Handler] = {}


def register_handler(kind: OutboxKind | str, handler: Handler) -> None:
    """Say how rows of ``kind`` are delivered (called from an AppConfig.ready)."""
    _handlers[str(kind)] = handler


def handler_for(kind: str) -> Handler | None:
    return _handlers.get(kind)


def registered_kinds() -> list[str]:
    return sorted(_handlers)


@checks.register("outbox")
def check_outbox_kinds(**kwargs: Any) -> list[checks.CheckMessage]:
    """Each kind has a handler, and each handler is for a known kind."""
    errors: list[checks.CheckMessage] = []
    for kind in OutboxKind:
        if kind.value not in _handlers:
            errors.append(
                checks.Error(
                    f"Outbox kind “{kind.value}” has no handler: its rows would wait forever.",
                    hint="Register one with tickets.outbox_kinds.register_handler() in the "
                    "ready() of the integration app that delivers it (is it installed?).",
                    id="outbox.E001",
                )
            )
    for unknown in sorted(set(_handlers) - {kind.value for kind in OutboxKind}):
        errors.append(
            checks.Error(
                f"A handler is registered for “{unknown}”, which is not an outbox kind.",
                hint="Add the kind to tickets.outbox_kinds.OutboxKind, or fix its spelling.",
                id="outbox.E002",
            )
        )
    return errors
