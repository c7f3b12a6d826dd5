"""Every kind of side effect the help desk writes has someone to deliver it, checked at start."""

from __future__ import annotations

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from tickets import outbox_kinds
from tickets.outbox_kinds import OutboxKind, check_outbox_kinds, handler_for


def ids(messages) -> list[tuple[str, str]]:
    return [(message.id, message.msg) for message in messages]


def test_every_kind_is_delivered_by_the_integration_that_registered_it():
    assert check_outbox_kinds() == []
    for kind in OutboxKind:
        handler = handler_for(kind)
        assert handler is not None, kind
        assert handler.__module__.startswith("integrations."), (kind, handler.__module__)


def test_a_kind_nobody_delivers_stops_the_project_from_starting(handlers):
    del outbox_kinds._handlers[OutboxKind.SLACK_UPDATE]

    assert ids(check_outbox_kinds()) == [
        (
            "outbox.E001",
            "Outbox kind “slack_update” has no handler: its rows would wait forever.",
        )
    ]
    with pytest.raises(SystemCheckError, match=r"outbox\.E001"):
        call_command("check", tags=["outbox"])


def test_a_handler_for_a_misspelt_kind_is_reported(handlers):
    handlers("slack_alerts", lambda row: None)

    assert ids(run_checks(tags=["outbox"])) == [
        (
            "outbox.E002",
            "A handler is registered for “slack_alerts”, which is not an outbox kind.",
        )
    ]


def test_a_kind_is_the_plain_string_stored_on_the_row():
    assert OutboxKind.GITHUB_ISSUE == "github_issue"
    assert f"{OutboxKind.GITHUB_ISSUE}:12" == "github_issue:12"
