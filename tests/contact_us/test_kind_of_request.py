"""Contact Us asks the kind of request first; without JavaScript the server asks only what
that kind needs, checks only that, and sends only that."""

from __future__ import annotations

import re

import pytest

from tests import factories
from tests.portal_helpers import contact_data, send_contact_form, submit_review
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

PARTS = ("bug-fields", "feature-fields", "product-fields", "device-fields")


def shown_parts(page: str) -> set[str]:
    """The kind-dependent parts the page draws without the hidden attribute."""
    shown = set()
    for part in PARTS:
        tag = re.search(rf'<[a-z]+ [^>]*id="{part}"[^>]*>', page)
        assert tag is not None, part
        if not re.search(r"\shidden[\s>]", tag.group(0)):
            shown.add(part)
    return shown


def question(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "category": factories.category("question").pk,
        "subject": "How do I add a user to a survey group?",
        "description": "I manage the Kisumu survey group and want a new enumerator to see it.",
    }
    return contact_data(**(values | overrides))


def feature_request(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "category": factories.category("feature-request").pk,
        "subject": "Export survey data as Parquet",
        "description": "Let the dashboard export a survey's raw data as a Parquet file.",
        "problem": "Our analysts convert 2 GB CSV exports by hand every week.",
        "who_needs": "The four data analysts of the Kisumu office.",
    }
    return contact_data(**(values | overrides))


def test_the_form_asks_the_kind_of_request_before_anything_else(client):
    page = client.get("/contact/").content.decode()

    form = page[page.index('id="contact-form"') :]
    first_question = re.search(r'<input type="(?:radio|text|email)"[^>]*\sname="(\w+)"', form)
    assert first_question is not None
    assert first_question.group(1) == "category"
    assert shown_parts(page) == set()  # nothing a kind asks for until one is chosen
    assert 'data-kind="bug"' in page
    assert 'data-kind="feature"' in page


@pytest.mark.parametrize(
    ("kind", "shown"),
    [
        ("bug", {"bug-fields", "product-fields", "device-fields"}),
        ("question", {"product-fields"}),
        ("feature-request", {"feature-fields"}),
    ],
)
def test_a_link_with_the_kind_draws_only_its_questions(client, kind, shown):
    page = client.get(f"/contact/?category={kind}&product=akvo-flow").content.decode()

    assert shown_parts(page) == shown


def test_a_question_is_worded_as_a_question_without_the_bug_help(client):
    page = client.get("/contact/?category=question&product=akvo-flow").content.decode()

    assert re.search(r'<label\s+for="id_description"[^>]*>\s*Your question', page)
    help_text = re.search(r'id="id_description_helptext"[^>]*>\s*([^<]*)<', page)
    assert help_text is not None
    assert help_text.group(1).strip() == "What you want to do, and where you are stuck."


def test_without_javascript_the_chosen_kind_shows_its_questions_and_keeps_what_was_typed(
    client, started
):
    response = send_contact_form(client, feature_request(started=started, show_product_fields="1"))

    page = response.content.decode()
    assert shown_parts(page) == {"feature-fields"}
    assert "Our analysts convert 2 GB CSV exports by hand every week.</textarea>" in page
    assert "is-invalid" not in page
    assert not Ticket.objects.exists()


def test_a_question_ignores_the_bug_answers_and_device_it_does_not_ask_for(client, started):
    # Typed while "Bug" was chosen, then the person chose "Question": not checked, not sent.
    data = question(
        started=started,
        what_doing="Exporting the raw data.",
        env_device="x" * 600,  # longer than allowed: it would be an error for a bug
        env_computer="Firefox 140 on Windows 11",
        problem="Not a feature request.",
    )

    assert send_contact_form(client, data)["Location"] == "/contact/review/"
    review = client.get("/contact/review/").content.decode()
    submit_review(client)

    ticket = Ticket.objects.get()
    assert ticket.category.slug == "question"
    assert ticket.what_doing == ticket.expected == ticket.actual == ticket.steps == ""
    assert ticket.environment == {}
    assert ticket.product_details == {
        "dashboard": "akvoflow-uat1",
        "survey": "Household survey 2026",
        "imei": "356938035643809",
    }
    assert "Not a feature request." not in ticket.description
    for not_asked in ("Exporting the raw data.", "Firefox 140", "What were you doing?"):
        assert not_asked not in review
    assert "Your question" in review
    assert "356938035643809" in review


def test_what_another_kind_ignored_is_still_there_when_the_person_changes_something(
    client, started
):
    send_contact_form(client, question(started=started, what_doing="Exporting the raw data."))

    form_again = client.get("/contact/?resume=1").content.decode()

    assert "Exporting the raw data.</textarea>" in form_again


def test_a_feature_request_keeps_the_problem_and_who_needs_it_labelled_in_its_description(
    client, started
):
    assert send_contact_form(client, feature_request(started=started)).status_code == 302
    review = client.get("/contact/review/").content.decode()
    submit_review(client)

    ticket = Ticket.objects.get()
    assert ticket.description == (
        "Let the dashboard export a survey's raw data as a Parquet file.\n\n"
        "The problem it would solve:\nOur analysts convert 2 GB CSV exports by hand every week."
        "\n\nWho needs it:\nThe four data analysts of the Kisumu office."
    )
    assert ticket.messages.get().body.startswith(ticket.description)
    # Neither the product's fields nor the device are asked for an idea.
    assert ticket.product_details == {}
    assert ticket.environment == {}
    assert ticket.what_doing == ticket.actual == ""
    for label in ("Describe your idea", "What problem would it solve?", "Who needs it?"):
        assert label in review
    assert "akvoflow-uat1" not in review


def test_a_feature_request_needs_the_idea_or_the_problem_it_solves(client, started):
    refused = send_contact_form(
        client, feature_request(started=started, description="", problem="", who_needs="")
    )
    assert refused.status_code == 200
    assert "Describe your idea, or the problem it would solve." in refused.content.decode()
    assert not Ticket.objects.exists()

    only_the_problem = feature_request(started=started, description="")
    assert send_contact_form(client, only_the_problem)["Location"] == "/contact/review/"


def test_a_question_needs_its_question(client, started):
    response = send_contact_form(client, question(started=started, description=""))

    assert response.status_code == 200
    assert "Write your question." in response.content.decode()
    assert not Ticket.objects.exists()


def test_a_bug_still_needs_what_happened_and_ignores_the_feature_questions(client, started):
    refused = send_contact_form(client, contact_data(started=started, actual=""))
    assert "Tell us what actually happened" in refused.content.decode()

    send_contact_form(client, contact_data(started=started, problem="Typed for an idea."))
    submit_review(client)
    ticket = Ticket.objects.get()
    assert ticket.actual.startswith("The progress bar stops at 50%")
    assert "Typed for an idea." not in ticket.description
