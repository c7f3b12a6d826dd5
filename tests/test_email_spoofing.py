"""Spoofed replies: what our own mail server says about a reply's sender decides, nothing else."""

from __future__ import annotations

import pytest

from integrations.email import services
from integrations.email.addresses import reply_address
from integrations.email.parsing import parse_mail
from tests import factories
from tests.email_helpers import HELD, PROCESSED, ingest, kofis_web_ticket, readdress, sample

pytestmark = pytest.mark.django_db

OURS = "mx.helpdesk.example"


@pytest.fixture
def ticket(settings):
    settings.INBOUND_EMAIL_AUTHSERV_ID = f"{OURS}, mx2.helpdesk.example"
    return kofis_web_ticket()


def reply(ticket, *results: str) -> bytes:
    """Kofi's Gmail reply, with Authentication-Results headers, the first one topmost."""
    raw = readdress(
        sample("reply-gmail.eml"), To=reply_address(ticket), From=ticket.requester.email
    )
    return b"".join(f"Authentication-Results: {r}\r\n".encode() for r in results) + raw


FAILING = [
    f"{OURS}; spf=fail smtp.mailfrom=partner.example.org; dkim=none; dmarc=fail",
    f"{OURS} 1; dkim=fail (bad signature) header.d=partner.example.org",
    "mx2.helpdesk.example; spf=pass; dmarc=fail (p=reject) header.from=partner.example.org",
    f"{OURS.upper()};\r\n\tspf=fail (sender IP is 203.0.113.9) smtp.mailfrom=partner.example.org",
]


@pytest.mark.parametrize("header", FAILING)
def test_a_reply_our_server_failed_is_held_with_the_reason_and_the_ticket_is_untouched(
    ticket, header
):
    inbound = ingest(reply(ticket, header))

    assert inbound.status == HELD
    assert inbound.ticket == ticket
    assert "could not authenticate" in inbound.reason
    assert "fail" in inbound.reason
    assert ticket.messages.count() == 1


def test_a_failed_verdict_from_another_server_is_not_trusted(ticket):
    raw = reply(ticket, "mx.partner.example.org; spf=fail; dkim=fail; dmarc=fail")
    assert ingest(raw).status == PROCESSED


def test_only_the_topmost_header_with_our_id_counts(ticket):
    # The mail arrived carrying a forged "pass" with our id; our server's verdict is on top.
    forged_pass = f"{OURS}; spf=pass; dkim=pass; dmarc=pass"
    held = ingest(reply(ticket, f"{OURS}; spf=fail; dmarc=fail", forged_pass))
    assert held.status == HELD
    # And a "fail" planted lower down cannot hold a genuine reply either.
    other = readdress(reply(ticket, forged_pass, f"{OURS}; dmarc=fail"), Message_ID="<two@x>")
    assert ingest(other).status == PROCESSED


def test_results_inside_comments_and_a_second_passing_dkim_signature_do_not_count(ticket):
    raw = reply(
        ticket,
        f"{OURS}; spf=pass (not dkim=fail) smtp.mailfrom=partner.example.org; "
        "dkim=fail header.d=esp.example; dkim=pass header.d=partner.example.org; dmarc=pass",
    )
    assert ingest(raw).status == PROCESSED


def test_with_no_authserv_id_configured_the_check_is_off(ticket, settings):
    settings.INBOUND_EMAIL_AUTHSERV_ID = ""
    assert ingest(reply(ticket, FAILING[0])).status == PROCESSED


def test_an_agent_can_confirm_a_held_reply_after_checking_it(ticket):
    inbound = ingest(reply(ticket, FAILING[0]))
    agent = factories.l1_agent()

    services.inbound_confirm_append(inbound=inbound, by=agent)

    inbound.refresh_from_db()
    assert inbound.status == PROCESSED
    assert ticket.messages.count() == 2


def test_every_authentication_results_header_is_read_topmost_first():
    parsed = parse_mail(b"Authentication-Results: a; spf=fail\r\nAuthentication-Results: b\r\n\r\n")
    assert parsed.authentication_results == ["a; spf=fail", "b"]
