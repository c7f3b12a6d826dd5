"""The IMAP poller against a real IMAP server on 127.0.0.1, over TLS (see tests/fake_imap.py)."""

from __future__ import annotations

import imaplib
import ssl
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from integrations.email import imap
from integrations.email.models import InboundEmail, InboundStatus
from tests import factories
from tests.email_helpers import nested_mime
from tests.fake_imap import FakeImapServer, make_self_signed_cert
from tickets.models import Channel, Ticket

pytestmark = pytest.mark.django_db(transaction=True)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "email"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    return make_self_signed_cert(tmp_path_factory.mktemp("imap-tls"))


@pytest.fixture
def server(certificate, settings):
    cert, key = certificate
    settings.IMAP_CA_FILE = str(cert)
    settings.IMAP_PROCESSED_FOLDER = ""
    with FakeImapServer(cert, key) as running:
        settings.IMAP_URL = (
            f"imaps://support%40helpdesk.localhost:correct%20horse@127.0.0.1:{running.port}/INBOX"
        )
        yield running


def new_request(sender: str = "ama@partner.example.org", message_id: str = "<new-1@example.org>"):
    return (
        f"From: Ama Owusu <{sender}>\r\nTo: support@helpdesk.localhost\r\n"
        f"Subject: Flow app crashes on sync\r\nMessage-ID: {message_id}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "The Android app crashes when I sync 200 forms.\r\n"
    ).encode()


def test_new_mail_in_the_mailbox_opens_a_ticket_and_is_flagged_seen_not_deleted(server):
    uid = server.store.add(new_request())

    result = imap.mail_poll_imap()

    assert (result.stored, result.duplicates, result.errors) == (1, 0, [])
    ticket = Ticket.objects.get()
    assert ticket.channel == Channel.EMAIL
    assert ticket.requester.email == "ama@partner.example.org"
    assert ticket.subject == "Flow app crashes on sync"
    [mail] = server.store.folders["INBOX"]
    assert mail.uid == uid
    assert "\\Seen" in mail.flags
    assert InboundEmail.objects.get().status == InboundStatus.PROCESSED
    assert "LOGIN" in server.store.log
    # Read with PEEK, then flagged only after the row was saved.
    assert any(line.startswith("UID FETCH") and "PEEK" in line for line in server.store.log)


def test_mail_someone_already_read_in_a_mail_client_still_reaches_the_desk(server):
    uid = server.store.add(new_request(), flags={"\\Seen"})

    assert imap.mail_poll_imap().stored == 1
    assert imap.mail_poll_imap().fetched == 0  # marked as ours: not taken again

    assert Ticket.objects.count() == 1
    [mail] = server.store.folders["INBOX"]
    assert (mail.uid, "$HelpdeskProcessed" in mail.flags) == (uid, True)


def test_a_poll_never_expunges_mail_another_client_marked_deleted(server):
    kept = server.store.add(new_request("x@partner.example.org", "<old@example.org>"),
                            flags={"\\Deleted", "$HelpdeskProcessed"})  # fmt: skip
    server.store.add(new_request())

    assert imap.mail_poll_imap().stored == 1

    assert kept in [m.uid for m in server.store.folders["INBOX"]]
    assert not any(line.startswith("EXPUNGE") for line in server.store.log)


def test_with_no_keyword_only_unseen_mail_is_taken_and_flagged_seen(server, settings):
    settings.IMAP_PROCESSED_KEYWORD = ""
    server.store.add(new_request("read@partner.example.org", "<read@example.org>"),
                     flags={"\\Seen"})  # fmt: skip
    server.store.add(new_request())

    assert imap.mail_poll_imap().stored == 1
    assert all("\\Seen" in m.flags for m in server.store.folders["INBOX"])


def test_a_second_poll_takes_only_new_mail_and_a_redelivered_mail_is_stored_once(server):
    server.store.add(new_request())
    imap.mail_poll_imap()
    server.store.add(new_request())  # the same Message-ID delivered again
    server.store.add(new_request("kofi@partner.example.org", "<new-2@example.org>"))

    result = imap.mail_poll_imap()

    assert (result.stored, result.duplicates) == (1, 1)
    assert Ticket.objects.count() == 2
    assert InboundEmail.objects.count() == 2


def test_processed_mail_is_moved_to_the_processed_folder_which_is_created(server, settings):
    settings.IMAP_PROCESSED_FOLDER = "Helpdesk/Processed"
    server.store.add(new_request())

    imap.mail_poll_imap()

    assert server.store.folders["INBOX"] == []
    [moved] = server.store.folders["Helpdesk/Processed"]
    assert b"Flow app crashes" in moved.raw


def test_a_mail_that_cannot_be_fetched_stays_unread_for_the_next_poll_and_the_rest_go_on(server):
    bad = server.store.add(new_request("a@partner.example.org", "<bad@example.org>"))
    server.store.add(new_request("b@partner.example.org", "<good@example.org>"))
    server.store.fail_fetch_uids.add(bad)

    result = imap.mail_poll_imap()

    assert result.stored == 1
    assert len(result.errors) == 1
    flags = {m.uid: m.flags for m in server.store.folders["INBOX"]}
    assert "\\Seen" not in flags[bad]
    server.store.fail_fetch_uids.clear()
    assert imap.mail_poll_imap().stored == 1
    assert Ticket.objects.count() == 2


def test_every_real_world_sample_goes_through_the_mailbox_without_stopping_the_poll(server):
    for path in sorted(FIXTURES.glob("*.eml")):
        server.store.add(path.read_bytes())

    result = imap.mail_poll_imap()

    assert result.errors == []
    assert result.fetched == len(list(FIXTURES.glob("*.eml")))
    statuses = set(InboundEmail.objects.values_list("status", flat=True))
    assert InboundStatus.FAILED not in statuses
    assert InboundStatus.RECEIVED not in statuses
    assert all("\\Seen" in m.flags for m in server.store.folders["INBOX"])


def test_a_mime_bomb_is_stored_set_aside_and_marked_so_it_does_not_come_back(server):
    server.store.add(nested_mime(2000))
    server.store.add(new_request())

    result = imap.mail_poll_imap()

    assert (result.stored, result.errors) == (2, [])
    assert all("\\Seen" in m.flags for m in server.store.folders["INBOX"])
    bomb = InboundEmail.objects.get(message_id="<nested@bomb.example>")
    assert bomb.status == InboundStatus.FAILED
    assert Ticket.objects.count() == 1
    assert imap.mail_poll_imap().fetched == 0


def test_a_mail_over_the_size_limit_is_kept_as_headers_and_set_aside(server, settings):
    settings.INBOUND_EMAIL_MAX_BYTES = 1000
    big = new_request() + b"x" * 5000 + b"\r\n"
    server.store.add(big)

    imap.mail_poll_imap()

    inbound = InboundEmail.objects.get()
    assert inbound.truncated
    assert inbound.size == len(big)
    assert b"x" * 100 not in bytes(inbound.raw)  # only the header was fetched
    assert inbound.status == InboundStatus.FAILED
    assert "limit" in inbound.reason
    assert not Ticket.objects.exists()


def test_the_server_certificate_is_verified(server, settings):
    settings.IMAP_CA_FILE = ""  # the self-signed certificate is not trusted any more
    server.store.add(new_request())
    with pytest.raises(ssl.SSLCertVerificationError):
        imap.mail_poll_imap()
    assert not InboundEmail.objects.exists()


def test_starttls_is_used_when_asked_and_a_server_without_it_is_refused(certificate, settings):
    cert, key = certificate
    settings.IMAP_CA_FILE = str(cert)
    with FakeImapServer(cert, key, mode="starttls") as running:
        running.store.add(new_request())
        url = f"imap+starttls://support%40helpdesk.localhost:correct%20horse@127.0.0.1:{running.port}/"
        assert imap.mail_poll_imap(url=url).stored == 1
        assert running.store.log[0] == "STARTTLS" or "STARTTLS" in running.store.log
    with FakeImapServer(cert, key, mode="starttls", offer_starttls=False) as plain_only:
        plain_only.store.add(new_request("x@partner.example.org", "<x@example.org>"))
        url = f"imap+starttls://support%40helpdesk.localhost:correct%20horse@127.0.0.1:{plain_only.port}/"
        with pytest.raises(imaplib.IMAP4.error):
            imap.mail_poll_imap(url=url)
        assert "LOGIN" not in plain_only.store.log  # no password sent in the clear


@pytest.mark.parametrize(
    "url", ["imap://u:p@127.0.0.1/INBOX", "pop3://u:p@127.0.0.1/", "imaps://127.0.0.1/"]
)
def test_a_mailbox_url_without_tls_or_user_is_refused(url):
    with pytest.raises(ImproperlyConfigured):
        imap.imap_config(url)


def test_without_a_mailbox_configured_the_poll_does_nothing(settings):
    settings.IMAP_URL = ""
    assert imap.mail_poll_imap() == imap.PollResult()


def test_a_reply_through_the_mailbox_lands_on_its_ticket(server):
    from integrations.email.addresses import reply_address

    ticket = factories.TicketFactory(requester__email="ama@partner.example.org")
    raw = (
        f"From: Ama <ama@partner.example.org>\r\nTo: {reply_address(ticket)}\r\n"
        f"Subject: Re: [{ticket.reference}] {ticket.subject}\r\nMessage-ID: <r1@example.org>\r\n"
        "\r\nIt works now, thanks!\r\n\r\nOn Mon, Support wrote:\r\n> Try again please\r\n"
    ).encode()
    server.store.add(raw)

    imap.mail_poll_imap()

    message = ticket.messages.get()
    assert message.body == "It works now, thanks!"
    assert message.email_message_id == "<r1@example.org>"
