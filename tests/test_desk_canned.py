"""Canned responses: shared ones from managers, an L1 agent's own personal ones."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories
from tests.desk_helpers import logged_in, ticket_from
from tests.unchanged import nothing_changes
from tickets import services
from tickets.models import CannedResponse, Message, MessageKind, Status

pytestmark = pytest.mark.django_db

LIST = reverse("desk:canned_list")


def _edit(canned: CannedResponse) -> str:
    return reverse("desk:canned_edit", kwargs={"canned_id": canned.pk})


def _delete(canned: CannedResponse) -> str:
    return reverse("desk:canned_delete", kwargs={"canned_id": canned.pk})


def test_an_l1_agent_keeps_a_personal_canned_response_and_finds_it_in_the_reply_box():
    agent = factories.l1_agent()
    CannedResponse.objects.create(title="Shared: steps please", body="Which steps?")
    client = logged_in(agent)

    response = client.post(
        LIST,
        {"title": "My export workaround",
         "body": "Hello {{ requester.first_name }}, export by month meanwhile.",
         "set_status": Status.WAITING},
    )  # fmt: skip

    assert response.status_code == 302
    mine = CannedResponse.objects.get(title="My export workaround")
    assert (mine.owner, mine.set_status) == (agent, Status.WAITING)
    ticket = ticket_from(name="Amina Odhiambo")
    page = client.get(reverse("desk:ticket", args=[ticket.pk])).content.decode()
    assert "Shared: steps please" in page
    assert "My export workaround (yours)" in page
    assert "Hello Amina, export by month meanwhile." in page


def test_a_colleagues_personal_responses_are_never_shown_or_usable():
    agent, colleague = factories.l1_agent(), factories.l1_agent()
    theirs = services.canned_create(by=colleague, title="Colleague's own", body="Private tone.")
    ticket = ticket_from()
    client = logged_in(agent)

    assert (
        "Colleague's own"
        not in client.get(reverse("desk:ticket", args=[ticket.pk])).content.decode()
    )
    assert "Colleague's own" not in client.get(LIST).content.decode()
    with nothing_changes():
        response = client.post(
            reverse("desk:reply", args=[ticket.pk]),
            {"version": ticket.version, "kind": "reply", "body": "Hi", "canned": theirs.pk},
        )
    assert response.status_code == 400
    assert not Message.objects.filter(ticket=ticket, kind=MessageKind.REPLY).exists()


def test_an_agent_edits_and_deletes_their_own_personal_response():
    agent = factories.l1_agent()
    mine = services.canned_create(by=agent, title="Ask for steps", body="Which steps?")
    client = logged_in(agent)

    assert client.get(_edit(mine)).status_code == 200
    response = client.post(
        _edit(mine), {"title": "Ask for the steps", "body": "Which steps, exactly?"}
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.title, mine.body, mine.owner) == (
        "Ask for the steps",
        "Which steps, exactly?",
        agent,
    )

    assert client.post(_delete(mine)).status_code == 302
    assert not CannedResponse.objects.filter(pk=mine.pk).exists()


def test_l1_may_not_edit_or_delete_a_shared_response_and_nothing_changes():
    agent = factories.l1_agent()
    shared = CannedResponse.objects.create(title="Resolved — please confirm", body="Confirm?")
    client = logged_in(agent)

    with nothing_changes():
        edit = client.post(_edit(shared), {"title": "Mine now", "body": "Changed"})
        delete = client.post(_delete(shared))
    assert edit.status_code == delete.status_code == 403
    assert "managed by managers in the back office" in edit.content.decode()


def test_l1_may_not_edit_or_delete_a_colleagues_personal_response_and_nothing_changes():
    agent, colleague = factories.l1_agent(), factories.l1_agent()
    theirs = services.canned_create(by=colleague, title="Colleague's own", body="Private tone.")
    client = logged_in(agent)

    with nothing_changes():
        edit = client.post(_edit(theirs), {"title": "Mine now", "body": "Changed"})
        delete = client.post(_delete(theirs))
    assert edit.status_code == delete.status_code == 404
    with nothing_changes(), pytest.raises(services.NotYourCannedResponse):
        services.canned_update(canned=theirs, by=agent, title="Mine now", body="Changed")
    with nothing_changes(), pytest.raises(services.NotYourCannedResponse):
        services.canned_delete(canned=theirs, by=agent)


def test_an_l2_engineer_keeps_no_canned_responses_and_nothing_changes():
    client = logged_in(factories.l2_engineer())
    with nothing_changes():
        response = client.post(LIST, {"title": "Mine", "body": "Text"})
    assert response.status_code == 403


def test_a_bad_placeholder_or_a_title_used_twice_is_explained_and_nothing_changes():
    agent = factories.l1_agent()
    services.canned_create(by=agent, title="Ask for steps", body="Which steps?")
    client = logged_in(agent)

    with nothing_changes():
        unknown = client.post(LIST, {"title": "Other", "body": "Hi {{ requester.password }}"})
        twice = client.post(LIST, {"title": "Ask for steps", "body": "Again"})
    assert unknown.status_code == twice.status_code == 400
    assert "Unknown placeholder" in unknown.content.decode()
    assert "You have a canned response with this title already." in twice.content.decode()
    # A colleague may use the same title for their own.
    colleague = factories.l1_agent()
    assert (
        logged_in(colleague).post(LIST, {"title": "Ask for steps", "body": "Mine"}).status_code
        == 302
    )


def test_the_back_office_lists_only_the_shared_responses():
    manager = factories.support_manager()
    factories.UserFactory(username="root", is_superuser=True)
    CannedResponse.objects.create(title="Shared one", body="For all")
    services.canned_create(by=factories.l1_agent(), title="Someone's own", body="Private")

    page = (
        logged_in(manager).get(reverse("admin:tickets_cannedresponse_changelist")).content.decode()
    )

    assert "Shared one" in page
    assert "Someone&#x27;s own" not in page
    assert "Someone's own" not in page


def test_the_demo_seeds_shared_canned_responses_and_one_agents_own_once():
    from demo.canned import seed_canned_responses
    from demo.people import seed_staff

    seed_staff(debug=True)
    assert seed_canned_responses() == 5
    assert seed_canned_responses() == 0  # idempotent

    shared = list(CannedResponse.objects.shared().values_list("title", flat=True))
    assert shared == [
        "Ask for steps to reproduce",
        "Escalated to engineering",
        "Workaround available",
        "Resolved — please confirm",
    ]
    amina = CannedResponse.objects.get(owner__username="amina")
    ticket = ticket_from(name="Amina Odhiambo")
    text = services.canned_render(
        CannedResponse.objects.get(title="Resolved — please confirm"),
        ticket=ticket,
        agent=amina.owner,
    )
    assert text.startswith("Hi Amina,")
    assert ticket.reference in text
    assert "{{" not in text
