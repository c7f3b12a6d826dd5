"""Escalating from the desk: the agent sees exactly what will be published, and no person leaks.

The issue goes to a public repository. The desk previews it redacted, the
agent may edit it, and what is filed is that text, checked again: personal data
typed back in is shown highlighted until it is fixed or knowingly confirmed.
"""

from __future__ import annotations

import html
import json
import re

import pytest
from django.urls import reverse

from catalog.models import Product
from integrations.github.handlers import issue_marker
from tests import factories
from tests.desk_helpers import logged_in, ticket_from
from tests.github_factories import REPOSITORY, deliver, github_rows, local_github
from tickets.models import EscalationStatus, Requester, Ticket

pytestmark = pytest.mark.django_db

PRIVATE = [
    "Kwame",
    "Mensah",
    "kwame.mensah@ghana-wash.example.org",
    "+233 20 123 4567",
    "233201234567",
    "20 123 4567",
    "356938035643809",
    "S3cretPw!",
    "Abena",
    "Owusu",
]


def leaky_ticket() -> Ticket:
    ticket = ticket_from(
        "kwame.mensah@ghana-wash.example.org",
        name="Kwame Mensah",
        subject="Kwame cannot export, call +233 20 123 4567",
        what_doing="Kwame phoned from the field office; call back +233 20 123 4567.",
        actual="Export stops at 50% on Flow 2.3.14 (IMEI 356938035643809).",
        description=(
            "Mensah says the password: S3cretPw! works on the web. Status page: "
            "http://127.0.0.1:8000/t/{token}/ (ask ABENA, the partner's data manager)"
        ),
    )
    # Another contact of the same organisation, named in the report by first name only.
    Requester.objects.create(
        email="abena@ghana-wash.example.org", name="Abena Owusu", partner=ticket.partner
    )
    return ticket


def url(ticket: Ticket) -> str:
    return reverse("desk:escalate", kwargs={"ticket_id": ticket.pk})


def field(page: str, name: str) -> str:
    """The value of the escalate form's title input or body textarea, as the browser sends it."""
    if name == "title":
        found = re.search(
            r'<input type="text" name="title" id="escalate-title"[^>]* value="([^"]*)"', page
        )
    else:
        found = re.search(
            r'<textarea name="body" id="escalate-body"[^>]*>(.*?)</textarea>', page, re.S
        )
    assert found, f"no {name} field in the page"
    return html.unescape(found.group(1))


def preview(client, ticket: Ticket, summary: str) -> str:
    ticket.refresh_from_db()
    response = client.post(
        url(ticket), {"version": ticket.version, "technical_summary": summary, "preview": "1"}
    )
    assert response.status_code == 200
    return response.content.decode()


def with_token(ticket: Ticket) -> Ticket:
    ticket.description = ticket.description.replace("{token}", ticket.token)
    ticket.save(update_fields=["description"])
    return ticket


def test_the_preview_is_redacted_highlighted_and_exactly_what_github_receives(settings):
    ticket = with_token(leaky_ticket())
    client = logged_in(factories.l1_agent())
    page = preview(client, ticket, "Kwame (+233 20 123 4567) sees the export die.")
    title, body = field(page, "title"), field(page, "body")
    assert title == f"{ticket.reference}: [name] cannot export, call [phone]"
    assert "[name] phoned from the field office; call back [phone]." in body
    assert "(IMEI [device id])" in body
    assert "password: [secret]" in body
    assert "Status page: [private link] (ask [name], the partner's data manager)" in body
    assert "Flow 2.3.14" in body  # what L2 needs stays
    assert 'id="escalate-preview-body"' in page
    assert "<mark>[phone]</mark>" in page
    assert Ticket.objects.get(pk=ticket.pk).escalation_status == EscalationStatus.NONE
    assert github_rows() == []

    response = client.post(
        url(ticket),
        {"version": ticket.version, "technical_summary": "x", "title": title, "body": body},
    )
    assert response.status_code == 302
    [row] = github_rows()
    with local_github(settings) as github:
        assert deliver(row).outcome == "delivered"
        [post] = github.requests("POST")
        sent = [json.dumps(r.json, ensure_ascii=False) for r in github.requests()]
    assert post.json["title"] == title
    assert post.json["body"] == body.strip() + "\n\n" + issue_marker(row.key)
    for text in sent:
        for private in [*PRIVATE, ticket.token]:
            assert private.lower() not in text.lower()


def test_an_edit_that_brings_a_phone_back_is_shown_highlighted_and_not_filed():
    ticket = leaky_ticket()
    client = logged_in(factories.l1_agent())
    page = preview(client, ticket, "Needs a server fix.")
    title, body = field(page, "title"), field(page, "body")
    edited = body + "\n\nCall Kwame on +233 20 123 4567."
    data = {"version": ticket.version, "technical_summary": "x", "title": title, "body": edited}

    response = client.post(url(ticket), data)

    assert response.status_code == 400
    page = response.content.decode()
    assert "still contains name, phone" in page
    assert '<mark title="phone">+233 20 123 4567</mark>' in page
    assert '<mark title="name">Kwame</mark>' in page
    assert field(page, "body") == edited.strip()  # the agent's text kept, to fix
    assert 'name="publish_anyway"' in page
    assert github_rows() == []
    assert Ticket.objects.get(pk=ticket.pk).escalation_status == EscalationStatus.NONE


def test_the_agent_may_confirm_what_was_found_and_exactly_that_is_filed():
    ticket = leaky_ticket()
    client = logged_in(factories.l1_agent())
    page = preview(client, ticket, "Needs a server fix.")
    title = field(page, "title")
    body = field(page, "body") + "\n\nSupport line: +233 30 298 7654"
    data = {"version": ticket.version, "technical_summary": "x", "title": title, "body": body}

    response = client.post(url(ticket), {**data, "publish_anyway": "on"})

    assert response.status_code == 302
    [row] = github_rows()
    assert (row.payload["title"], row.payload["body"]) == (title, body.strip())
    assert row.payload["labels"][0] == "support"


def test_a_fixed_edit_is_filed_without_asking_again():
    ticket = leaky_ticket()
    client = logged_in(factories.l1_agent())
    page = preview(client, ticket, "Needs a server fix.")
    body = field(page, "body") + "\n\nSeen on Flow 2.3.15 too, since 2024-03-15 (see #4567)."
    data = {"version": ticket.version, "technical_summary": "x"}

    response = client.post(url(ticket), {**data, "title": field(page, "title"), "body": body})

    assert response.status_code == 302
    [row] = github_rows()
    assert row.payload["body"] == body.strip()
    assert row.payload["repository"] == REPOSITORY


def test_nothing_else_writes_text_to_github_without_going_through_the_redaction():
    """Today only the issue (title, body) is written; a new write (a comment, an edit) must
    publish text checked by tickets.escalation.redaction, like the issue's preview."""
    from pathlib import Path

    client = Path(__file__).resolve().parent.parent / "integrations/github/client.py"
    writes = re.findall(r"\.(create_\w+|edit|update_\w+)\(", client.read_text())
    assert writes == ["create_issue"]


def test_a_refusal_after_the_preview_keeps_the_agents_edited_text_on_screen():
    ticket = leaky_ticket()
    client = logged_in(factories.l1_agent())
    page = preview(client, ticket, "Needs a server fix.")
    body = field(page, "body") + "\n\nEdited by the agent."
    Product.objects.filter(pk=ticket.product_id).update(github_repository="")
    data = {"version": ticket.version, "technical_summary": "x", "title": field(page, "title")}

    response = client.post(url(ticket), {**data, "body": body})

    assert response.status_code == 400
    page = response.content.decode()
    assert "has no GitHub repository" in page
    assert field(page, "body") == body.strip()
    assert github_rows() == []
