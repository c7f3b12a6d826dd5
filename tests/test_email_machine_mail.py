"""Machine mail never gets an answer: a few hundred real bounces, feedback reports and
auto-replies from 74 mail servers and services (tests/fixtures/email/bounces/, sisimai's corpus).

Each is classified without a database (fast); a handful go all the way through intake,
addressed to a resolved ticket, and must neither acknowledge, nor answer, nor reopen it.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail

from integrations.email.addresses import reply_address
from integrations.email.classify import automatic_reason, automatic_subject
from integrations.email.parsing import parse_mail
from tests.email_helpers import FIXTURES, HELD, IGNORED, ingest, kofis_web_ticket, readdress
from tests.test_email_delivery import deliver_all
from tickets import services as ticket_services
from tickets.models import OutboxMessage, Status, Ticket

# Any database: the mails are classified without one; the few that go through intake
# read and write ordinary rows. CI runs it once, on PostgreSQL (.ci/run).
pytestmark = pytest.mark.database_agnostic

CORPUS = FIXTURES / "bounces"
SAMPLES = sorted(p.name for p in CORPUS.glob("*.eml"))


def _server(name: str) -> str:
    return re.sub(r"-\d+\.eml$", "", name)


def test_the_corpus_is_a_few_hundred_mails_from_many_servers():
    assert len(SAMPLES) >= 300
    assert len({_server(name) for name in SAMPLES}) >= 70
    assert {"arf", "rfc3834", "rfc3464"} <= {_server(name) for name in SAMPLES}


@pytest.mark.parametrize("name", SAMPLES)
def test_every_real_bounce_report_and_auto_reply_parses_and_is_machine_mail(name):
    parsed = parse_mail((CORPUS / name).read_bytes())
    assert parsed.unreadable == ""
    assert automatic_reason(parsed) or automatic_subject(parsed), (
        parsed.from_address,
        parsed.subject,
        parsed.headers,
    )


def test_the_machine_mail_rate_on_the_corpus(capsys):
    mails = [parse_mail((CORPUS / name).read_bytes()) for name in SAMPLES]
    ignored = sum(1 for parsed in mails if automatic_reason(parsed))
    held = sum(1 for parsed in mails if not automatic_reason(parsed) and automatic_subject(parsed))
    with capsys.disabled():
        print(
            f"\nmachine mail never answered: {ignored + held}/{len(SAMPLES)}"
            f" ({ignored} ignored by their headers or sender, {held} held by their subject)"
        )
    assert ignored + held == len(SAMPLES)
    assert held <= 15  # the subject is the last resort, not the main signal


# Old and regional servers, each caught by a different signal (sender, return path,
# subject in any position, a delivery-status or feedback part, list headers).
END_TO_END = [
    "arf-22.eml",  # Hotmail complaint: no report type, only its subject
    "lhost-apachejames-01.eml",  # post_master@, subject "Re:Test message"
    "lhost-domino-01.eml",  # "DELIVERY FAILURE: …", Return-Path <MAILER-DAEMON@…>
    "lhost-ezweb-01.eml",  # "Mail System Error - Returned Mail"
    "lhost-fml-02.eml",  # fml list server: List-Subscribe, X-MLServer
    "lhost-mcafee-04.eml",  # no From; a message/delivery-status part in multipart/mixed
    "lhost-mfilter-01.eml",  # "failure notice" from postmaster@
    "lhost-postfix-01.eml",
    "lhost-qmail-01.eml",
    "lhost-sendmail-14.eml",  # a person forwarding a bounce: "Fwd: Returned mail: …"
    "lhost-trendmicro-02.eml",  # "Mail could not be delivered"
    "lhost-x2-07.eml",  # "Delivery failure"
    "rfc3834-02.eml",
]


@pytest.mark.django_db
@pytest.mark.parametrize("name", END_TO_END)
def test_a_bounce_to_a_resolved_tickets_address_is_kept_and_neither_answered_nor_reopens(name):
    ticket = kofis_web_ticket()
    ticket_services.ticket_change_status(ticket=ticket, status=Status.RESOLVED, by=None)
    deliver_all()  # the acknowledgement and the "resolved" notice
    mail.outbox.clear()
    rows = OutboxMessage.objects.count()

    inbound = ingest(readdress((CORPUS / name).read_bytes(), To=reply_address(ticket)))

    assert inbound.status in (IGNORED, HELD)  # held: only the subject says it is automatic
    assert inbound.reason  # the back office shows why
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    assert ticket.messages.count() == 1
    assert Ticket.objects.count() == 1
    assert OutboxMessage.objects.count() == rows
    deliver_all()
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_whole_corpus_unsolicited_opens_no_ticket_and_sends_nothing():
    for name in SAMPLES[::10]:  # every tenth mail: the round trip is slower than classifying
        assert ingest((CORPUS / name).read_bytes()).status in (IGNORED, HELD), name
    assert not Ticket.objects.exists()
    assert not OutboxMessage.objects.exists()


def _mail(**headers: str) -> bytes:
    head = {"From": "Kofi <kofi@partner.example.org>", "Subject": "Question", **headers}
    lines = "".join(f"{name.replace('_', '-')}: {value}\r\n" for name, value in head.items())
    return f"{lines}Message-ID: <m@partner.example.org>\r\n\r\nHello\r\n".encode()


@pytest.mark.parametrize(
    "headers",
    [
        {"Return_Path": "<MAILER-DAEMON@mx.example.net>"},
        {"Return_Path": "<>"},
        {"From": "Mail Delivery Subsystem <MAILER-DAEMON@mx.example.net>"},
        {"From": "postmaster@example.net"},
        {"Subject": "failure notice"},
        {"Subject": "Warning: Delivery failure for kofi@example.net"},
        {"Subject": "Returned mail: see transcript for details"},
        {"Subject": "Mail System Error - Returned Mail"},
        {"Subject": "Your message could not be delivered"},
        {"Subject": "Undeliverable: Question"},
        {"Subject": "Unzustellbar: Frage"},
        {"Subject": "Non remis : Question"},
        {"Subject": "Não entregue: Pergunta"},
        {"Subject": "Out of Office: Question"},
        {"Subject": "Automatic reply: Question"},
        {"Subject": "Réponse automatique : Question"},
        {"Subject": "Abwesenheitsnotiz: Frage"},
        {"Auto_Submitted": "auto-replied"},
        {"X_Autoreply": "yes"},
        {"X_Autorespond": "Out of office"},
        {"Precedence": "auto_reply"},
        {"Precedence": "junk"},
        {"List_Id": "<users.lists.example.org>"},
        {"List_Unsubscribe": "<mailto:leave@lists.example.org>"},
        {"Content_Type": 'multipart/report; report-type=feedback-report; boundary="b"'},
    ],
)
def test_each_signal_of_machine_mail_is_read(headers):
    parsed = parse_mail(_mail(**headers))
    assert automatic_reason(parsed) or automatic_subject(parsed)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Subject": "Re: [HD-12] Export of indicators fails"},
        {"Subject": "Delivery of my order is late"},
        {"Subject": "Abuse on our account"},
        {"From": "postmaster@partner.example.org", "User_Agent": "Thunderbird/115.0"},
        {"Auto_Submitted": "no"},
    ],
)
def test_a_persons_mail_is_not_mistaken_for_machine_mail(headers):
    parsed = parse_mail(_mail(**headers))
    assert (automatic_reason(parsed), automatic_subject(parsed)) == ("", "")


@pytest.mark.django_db
def test_a_partner_whose_subject_only_sounds_automatic_is_held_for_an_agent_not_ignored():
    raw = _mail(Subject="Survey could not be delivered to the phones")

    inbound = ingest(raw)

    assert inbound.status == HELD
    assert "Held so an agent can check" in inbound.reason
    assert not Ticket.objects.exists()
    deliver_all()
    assert mail.outbox == []
