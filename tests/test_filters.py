"""The filter keys the desk's queues and the manager's reports share: one meaning for each."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from reports.filters import FILTER_KEYS as REPORT_KEYS
from reports.filters import ReportFilterForm
from tests import factories
from tests.desk_helpers import ticket_from
from tickets.filters import FILTERS, NONE, read_filters
from tickets.models import Channel, Ticket
from tickets.queues import desk_lists
from tickets.queues.query import FILTER_KEYS as QUEUE_KEYS

pytestmark = pytest.mark.django_db


def tickets(condition) -> list[int]:
    return sorted(Ticket.objects.filter(condition).values_list("pk", flat=True))


def test_every_key_the_queues_and_reports_read_is_described_once():
    assert set(QUEUE_KEYS) | set(REPORT_KEYS) <= set(FILTERS)


def test_a_hub_in_a_queue_link_and_in_a_report_link_finds_the_same_tickets():
    west = factories.PartnerFactory(hub=factories.hub("west-africa"))
    kisumu = ticket_from(partner=west, hub=west.hub)
    ticket_from(hub=factories.hub("east-africa"))
    lists = desk_lists(None)

    read = read_filters(QueryDict("hub=west-africa"), QUEUE_KEYS, lists)
    form = ReportFilterForm(QueryDict("hub=west-africa"), lists=lists)
    assert form.is_valid(), form.errors

    assert tickets(read.condition(lists)) == [kisumu.pk]
    assert tickets(form.report_filters().tickets()) == [kisumu.pk]


def test_values_that_name_nothing_are_left_out_and_listed_never_an_error():
    factories.hub("west-africa")
    lists = desk_lists(None)

    read = read_filters(
        QueryDict("hub=atlantis&hub=west-africa&partner=abc&status=lost&created_from=yesterday"),
        QUEUE_KEYS,
        lists,
    )

    assert read.values == {"hub": ["west-africa"]}
    assert read.ignored == ["hub=atlantis", "partner=abc", "status=lost", "created_from=yesterday"]


def test_the_report_form_offers_exactly_what_the_parser_accepts():
    lists = desk_lists(None)
    form = ReportFilterForm(QueryDict(), lists=lists)
    for key in REPORT_KEYS:
        offered = {value for value, _label in form.fields[key].choices if value}
        assert offered == {value for value, _label in FILTERS[key].options(lists)}
        assert all(FILTERS[key].is_valid(value, lists) for value in offered)
        assert not FILTERS[key].is_valid("atlantis", lists)


def test_not_set_finds_tickets_without_the_field_and_counts_beside_a_value():
    critical = ticket_from(impact=factories.impact("critical"))
    untriaged = ticket_from(impact=None)
    ticket_from(impact=factories.impact("minor"))
    lists = desk_lists(None)

    read = read_filters({"impact": ["critical", NONE]}, QUEUE_KEYS, lists)

    assert tickets(read.condition(lists)) == sorted([critical.pk, untriaged.pk])


def test_me_is_the_agent_reading_the_queue():
    agent = factories.l1_agent()
    mine, theirs = ticket_from(), ticket_from()
    Ticket.objects.filter(pk=mine.pk).update(assignee=agent)
    Ticket.objects.filter(pk=theirs.pk).update(assignee=factories.l1_agent())
    lists = desk_lists(agent)

    read = read_filters({"assignee": ["me"]}, QUEUE_KEYS, lists)

    assert tickets(read.condition(lists, user_id=agent.pk)) == [mine.pk]
    assert FILTERS["assignee"].value_label("me", lists) == "Assignee: me"


def test_dates_take_the_first_valid_day_and_repeated_values_are_read_once():
    lists = desk_lists(None)
    read = read_filters(
        {"created_from": ["2026-12-01", "2026-12-05"], "channel": ["email", "email", "web"]},
        QUEUE_KEYS,
        lists,
    )
    assert read.values == {"created_from": ["2026-12-01"], "channel": ["email", "web"]}


def test_a_report_filter_reads_one_value_a_queue_filter_many():
    lists = desk_lists(None)
    params = {"channel": [Channel.EMAIL, Channel.WEB]}
    assert read_filters(params, REPORT_KEYS, lists, single=True).values == {"channel": ["email"]}
    assert read_filters(params, QUEUE_KEYS, lists).values == {"channel": ["email", "web"]}


def test_labels_read_like_the_chips_above_a_queue():
    factories.hub("west-africa")
    lists = desk_lists(None)
    assert FILTERS["hub"].value_label("west-africa", lists) == "Hub: West Africa"
    assert FILTERS["impact"].value_label(NONE, lists) == "Impact: not set"
    assert FILTERS["channel"].value_label("email", lists) == "Channel: Email"
