"""The load test's Contact Us visits, run against the app: each one makes one ticket."""

from __future__ import annotations

import random
from urllib.parse import urlsplit

import pytest

from bench.loadtest import flows
from bench.loadtest.http import Visitor
from tests.portal_helpers import contact_data
from tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def visit(live_server, settings):
    settings.PORTAL_MIN_FILL_SECONDS = 0
    typed = contact_data()
    for name in ("started", "website", "organisation", "env_device"):
        typed.pop(name)
    fixtures = flows.Fixtures(contact_form=typed)
    address = urlsplit(live_server.url)

    def run(step) -> Visitor:
        visitor = Visitor(address.hostname, address.port)
        step(visitor, fixtures, random.Random(1))  # noqa: S311 - an address to write from
        visitor.close()
        return visitor

    return run


def test_the_visit_with_javascript_is_the_page_and_one_post_answered_with_the_confirmation(visit):
    visitor = visit(flows.contact_submit)

    assert visitor.last_path == "/contact/"
    ticket = Ticket.objects.get()
    assert ticket.subject == contact_data()["subject"]
    assert ticket.product_details["imei"] == "356938035643809"
    # What the person typed, and the raw user agent kept for engineers.
    assert ticket.environment["computer_browser"] == "Firefox 140 on Windows 11"


def test_the_visit_without_javascript_goes_through_the_servers_review(visit):
    visitor = visit(flows.contact_submit_nojs)

    assert visitor.last_path == "/contact/received/"
    assert Ticket.objects.count() == 1
