"""A partner who wrote to us in French is written to in French, every time after: the
acknowledgement, our replies, the status notices; each mail says so (Content-Language)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import translation

from integrations.email import handlers
from integrations.email.addresses import reply_address
from tests import factories
from tests.desk_helpers import deliver_all, mails_to, ticket_from
from tests.email_helpers import ingest, kofis_web_ticket, readdress, sample
from tests.portal_helpers import contact_data
from tickets import services
from tickets.models import Requester, Status

pytestmark = pytest.mark.django_db

AMINA = "amina@partner.example.org"


@pytest.fixture(autouse=True)
def _no_minimum_fill_time(settings):
    settings.PORTAL_MIN_FILL_SECONDS = 0


@pytest.fixture
def rendered_in(monkeypatch):
    """The language active while each mail template was rendered, by template name."""
    seen: dict[str, str] = {}
    render = handlers.render_to_string

    def recording(name, context=None, *args, **kwargs):
        seen[name] = translation.get_language()
        return render(name, context, *args, **kwargs)

    monkeypatch.setattr(handlers, "render_to_string", recording)
    return seen


def submit_in(prefix: str, **overrides) -> None:
    client = Client()
    form = client.post(f"{prefix}contact/", contact_data(**overrides))
    assert form.status_code == 302, form.content.decode()[:2000]
    review = client.get(form["Location"])
    key = review.context["submission_key"]
    done = client.post(form["Location"], {"submission_key": key})
    assert done.status_code == 302


def test_a_request_sent_from_the_french_form_is_acknowledged_in_french(rendered_in):
    submit_in("/fr/")

    assert Requester.objects.get(email=AMINA).language == "fr"
    deliver_all()
    [ack] = mails_to(AMINA)
    assert ack.extra_headers["Content-Language"] == "fr"
    assert set(rendered_in.values()) == {"fr"}
    assert {"emails/ticket_created.txt", "emails/ticket_created.html"} <= set(rendered_in)
    # The private link opens their ticket page in French too.
    [html] = [body for body, kind in ack.alternatives if kind == "text/html"]
    assert "/fr/t/" in ack.body
    assert "/fr/t/" in html


def test_a_request_from_the_english_form_stays_english_with_its_unprefixed_link(rendered_in):
    submit_in("/")

    deliver_all()
    [ack] = mails_to(AMINA)
    assert ack.extra_headers["Content-Language"] == "en"
    assert set(rendered_in.values()) == {"en"}
    token = Requester.objects.get(email=AMINA).tickets.get().token
    assert f"{settings.SITE_URL}/t/{token}/" in ack.body


def test_every_later_mail_follows_the_language_they_last_wrote_in(rendered_in):
    agent = factories.l1_agent()
    ticket = ticket_from(AMINA, requester_language="fr")
    deliver_all()
    # They answer on their ticket page, in Spanish this time.
    page = Client().post(f"/es/t/{ticket.token}/", {"body": "Sigue sin funcionar."})
    assert page.status_code == 302
    assert Requester.objects.get(email=AMINA).language == "es"
    mail.outbox.clear()
    rendered_in.clear()

    services.ticket_reply(ticket=ticket, kind="reply", body="Fixed in 2.4.1.", by=agent)
    deliver_all()
    ticket.refresh_from_db()
    services.ticket_change_status(ticket=ticket, status=Status.RESOLVED, by=agent)
    deliver_all()

    sent = mails_to(AMINA)
    assert [m.extra_headers["X-Helpdesk-Ticket"] for m in sent] == [ticket.reference] * 2
    assert {"emails/public_reply.txt", "emails/status_resolved.txt"} <= set(rendered_in)
    assert {m.extra_headers["Content-Language"] for m in sent} == {"es"}
    assert set(rendered_in.values()) == {"es"}


def test_mail_to_staff_stays_in_the_default_language_whatever_the_requesters(rendered_in):
    ticket = ticket_from(AMINA, requester_language="pt-br")
    requester = ticket.requester
    payload = {"to": ["team@help.example.org"], "ticket_id": ticket.pk}

    assert handlers.mail_language(payload, requester) == "en"
    assert handlers.mail_language({**payload, "to": [AMINA]}, requester) == "pt-br"


def test_a_mail_that_says_it_is_in_brazilian_portuguese_is_answered_in_it(rendered_in):
    raw = readdress(sample("attachment-iphone-jpeg.eml"), Content_Language="pt-BR")

    inbound = ingest(raw)

    assert inbound.ticket.requester.language == "pt-br"
    deliver_all()
    [ack] = mail.outbox
    assert ack.extra_headers["Content-Language"] == "pt-br"


def test_a_reply_by_mail_in_spanish_switches_their_later_mail_to_spanish():
    ticket = kofis_web_ticket()
    raw = readdress(
        sample("reply-gmail.eml"),
        To=reply_address(ticket),
        From="Kofi <kofi@partner.example.org>",
        Content_Language="es-419",
    )

    inbound = ingest(raw)

    assert inbound.ticket == ticket
    ticket.requester.refresh_from_db()
    assert ticket.requester.language == "es"


def test_a_mail_naming_no_language_we_offer_changes_nothing():
    requester = factories.RequesterFactory(email="kofi@partner.example.org", language="fr")

    for header in ("", "de-DE", "x-klingon"):
        services.requester_language_set(requester=requester, language=header)

    requester.refresh_from_db()
    assert requester.language == "fr"
    services.requester_language_set(requester=requester, language="es-MX, en;q=0.5")
    requester.refresh_from_db()
    assert requester.language == "es"
