"""``nothing_changes`` notices an added, removed or edited row: refusal tests can rely on it."""

from __future__ import annotations

import pytest

from tests import factories
from tests.desk_helpers import ticket_from
from tests.unchanged import nothing_changes
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def test_a_block_that_writes_nothing_passes():
    ticket_from()
    with nothing_changes():
        assert Ticket.objects.count() == 1


def test_an_edited_field_is_noticed():
    ticket = ticket_from()
    with pytest.raises(AssertionError, match=r"tickets\.Ticket: 1 → 1 rows"), nothing_changes():
        Ticket.objects.filter(pk=ticket.pk).update(subject="Edited behind our back")


def test_an_added_row_and_a_new_user_are_noticed():
    with pytest.raises(AssertionError, match=r"auth\.User: 0 → 1 rows"), nothing_changes():
        factories.l1_agent()


def test_a_model_that_may_change_can_be_left_out():
    ticket = ticket_from()
    with nothing_changes(ignoring=[TicketEvent]):
        TicketEvent.objects.filter(ticket=ticket).delete()
