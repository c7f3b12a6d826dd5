"""Triage completes the taxonomy: hub and partner set in the desk, a new partner added while
triaging, the organisation a requester typed offered as a suggestion, the hub's calendar."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
import time_machine
from django.urls import reverse

from catalog.models import Partner
from tests import factories
from tests.desk_helpers import logged_in, ticket_from
from tests.unchanged import nothing_changes
from tickets import services
from tickets.models import Channel, Requester, SlaTarget, Ticket, TicketEvent

pytestmark = pytest.mark.django_db

TRIAGED = ("hub", "partner", "category", "impact", "product", "tags", "assignee", "status")


def url(name: str, ticket: Ticket) -> str:
    return reverse(f"desk:{name}", kwargs={"ticket_id": ticket.pk})


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def triage_data(ticket: Ticket, **changes) -> dict:
    """The triage panel as the workspace renders it for ``ticket``, with ``changes``."""
    ticket = fresh(ticket)
    data = {
        "version": ticket.version,
        "hub": ticket.hub_id or "",
        "partner": ticket.partner_id or "",
        "category": ticket.category_id or "",
        "impact": ticket.impact_id or "",
        "product": ticket.product_id or "",
        "tags": [t.pk for t in ticket.issue_tags.all()],
        "assignee": ticket.assignee_id or "",
        "status": ticket.status,
    }
    data["loaded"] = urlencode(
        [(k, v) for k in TRIAGED for v in (data[k] if k == "tags" else [data[k]])]
    )
    data.update(changes)
    return data


def from_email(subject: str = "Sync fails", **kwargs) -> Ticket:
    """A request by email from someone we do not know yet: no hub, no partner."""
    return services.ticket_create(
        requester_email="kofi@unknown.example.org",
        subject=subject,
        channel=Channel.EMAIL,
        **kwargs,
    )


# --- Hub and partner in the triage panel -----------------------------------------------


def test_an_agent_sets_hub_and_partner_in_the_triage_panel_and_history_shows_both():
    agent = factories.l1_agent(first_name="Amina", last_name="Otieno")
    water = factories.PartnerFactory(name="Water Org", hub=factories.hub("west-africa"))
    ticket = from_email()

    response = logged_in(agent).post(
        url("triage", ticket), triage_data(ticket, hub=water.hub.pk, partner=water.pk)
    )

    assert response.status_code == 302
    ticket = fresh(ticket)
    assert (ticket.hub, ticket.partner) == (water.hub, water)
    changed = TicketEvent.objects.filter(ticket=ticket, field__in=["hub", "partner"], actor=agent)
    assert sorted((e.field, e.new_value) for e in changed) == [
        ("hub", "West Africa"),
        ("partner", "Water Org"),
    ]


def test_a_partner_chosen_without_a_hub_brings_its_own_hub():
    agent = factories.l1_agent()
    water = factories.PartnerFactory(name="Water Org", hub=factories.hub("asia"))
    ticket = from_email()

    logged_in(agent).post(url("triage", ticket), triage_data(ticket, partner=water.pk))

    assert (fresh(ticket).hub, fresh(ticket).partner) == (water.hub, water)


def test_a_partner_of_another_hub_than_the_one_chosen_is_refused_and_nothing_changes():
    agent = factories.l1_agent()
    water = factories.PartnerFactory(name="Water Org", hub=factories.hub("asia"))
    ticket = from_email()
    data = triage_data(ticket, hub=factories.hub("europe").pk, partner=water.pk)
    client = logged_in(agent)

    with nothing_changes():
        response = client.post(url("triage", ticket), data)

    assert response.status_code == 400
    assert "Water Org is a partner of Asia, not of Europe." in response.content.decode()


def test_a_triage_post_without_hub_and_partner_leaves_them_as_they_were():
    agent = factories.l1_agent()
    ticket = ticket_from()  # a partner, and its hub
    data = triage_data(ticket, impact=factories.impact("critical").pk)
    del data["hub"], data["partner"]

    logged_in(agent).post(url("triage", ticket), data)

    ticket = fresh(ticket)
    assert ticket.impact == factories.impact("critical")
    assert ticket.partner is not None
    assert ticket.hub == ticket.partner.hub


def test_the_partner_list_follows_the_hub_chosen_and_the_search_typed():
    agent = factories.l1_agent()
    east = [
        factories.PartnerFactory(name=name, hub=factories.hub("east-africa"))
        for name in ("Kisumu Water", "Nakuru Health")
    ]
    factories.PartnerFactory(name="Accra Water", hub=factories.hub("west-africa"))
    client = logged_in(agent)
    options = reverse("desk:partner_options")

    by_hub = client.get(options, {"hub": factories.hub("east-africa").pk}).content.decode()
    searched = client.get(
        options, {"hub": factories.hub("east-africa").pk, "partner_search": "water"}
    ).content.decode()
    nothing = client.get(
        options, {"hub": factories.hub("east-africa").pk, "partner_search": "zzz"}
    ).content.decode()

    assert "Kisumu Water" in by_hub
    assert "Nakuru Health" in by_hub
    assert "Accra Water" not in by_hub
    assert "Kisumu Water" in searched
    assert "Nakuru Health" not in searched
    assert "Accra Water" not in searched
    assert "add it below as a new partner" in nothing
    # The workspace asks for the list when the hub changes (htmx, no inline script).
    page = client.get(url("ticket", from_email())).content.decode()
    assert f'hx-get="{options}"' in page
    assert 'id="triage-partner-search"' in page
    assert east[0].name in page  # every partner while no hub is chosen
    assert "<script>" not in page


def test_the_partner_list_keeps_the_selected_partner_whatever_the_hub():
    agent = factories.l1_agent()
    water = factories.PartnerFactory(name="Water Org", hub=factories.hub("asia"))
    html = (
        logged_in(agent)
        .get(
            reverse("desk:partner_options"),
            {"hub": factories.hub("europe").pk, "partner": water.pk},
        )
        .content.decode()
    )
    assert f'<option value="{water.pk}" selected>Water Org</option>' in html


def test_setting_the_hub_in_the_triage_panel_plans_the_clock_from_the_arrival_on_its_calendar():
    # Arrived by email on a Sunday at 04:39 UTC, no hub known; triaged to East Africa on Monday.
    agent = factories.l1_agent()
    ticket = from_email(received_at=datetime(2026, 11, 22, 4, 39, tzinfo=UTC))
    client = logged_in(agent)

    with time_machine.travel(datetime(2026, 11, 23, 7, 0, tzinfo=UTC), tick=False):
        response = client.post(
            url("triage", ticket), triage_data(ticket, hub=factories.hub("east-africa").pk)
        )

    assert response.status_code == 302
    clock = ticket.sla_clocks.get(target=SlaTarget.FIRST_RESPONSE)
    # Nairobi opens Monday 09:00 (06:00 UTC); one working day of 8 hours later. Not Tuesday.
    assert clock.due_at == datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
    assert fresh(ticket).first_response_due_at == datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


# --- A new partner while triaging ------------------------------------------------------


def new_partner(client, ticket: Ticket, name: str, hub_slug: str = "east-africa"):
    return client.post(
        url("new_partner", ticket),
        {"version": fresh(ticket).version, "name": name, "hub": factories.hub(hub_slug).pk},
    )


def test_an_l1_agent_adds_a_new_partner_inline_and_the_ticket_and_requester_get_it():
    agent = factories.l1_agent(first_name="Amina", last_name="Otieno")
    ticket = from_email()

    response = new_partner(logged_in(agent), ticket, "  Kisumu   Water Trust ")

    assert response.status_code == 302
    partner = Partner.objects.get(name="Kisumu Water Trust")
    assert partner.hub == factories.hub("east-africa")
    ticket = fresh(ticket)
    assert (ticket.partner, ticket.hub) == (partner, partner.hub)
    assert Requester.objects.get(pk=ticket.requester_id).partner == partner
    history = TicketEvent.objects.filter(ticket=ticket, actor=agent).order_by("pk")
    assert [(e.field, e.new_value) for e in history] == [
        ("new_partner", "Kisumu Water Trust (East Africa)"),
        ("partner", "Kisumu Water Trust"),
        ("hub", "East Africa"),
    ]


def test_a_duplicate_partner_name_is_refused_whatever_its_case_and_nothing_changes():
    agent = factories.l1_agent()
    factories.PartnerFactory(name="Kisumu Water", hub=factories.hub("east-africa"))
    ticket = from_email()
    client = logged_in(agent)

    with nothing_changes():
        response = new_partner(client, ticket, "KISUMU water")

    assert response.status_code == 400
    assert (
        "There is already a partner named “Kisumu Water” (East Africa); choose it in the "
        "partner list instead."
    ) in response.content.decode()


def test_an_l2_engineer_cannot_add_a_partner_and_nothing_changes():
    ticket = from_email()
    client = logged_in(factories.l2_engineer())
    with nothing_changes():
        assert new_partner(client, ticket, "Kisumu Water").status_code == 403


def test_a_new_partner_on_a_stale_page_is_refused_and_nothing_changes():
    agent = factories.l1_agent()
    ticket = from_email()
    loaded = fresh(ticket).version
    services.ticket_change_fields(
        ticket=ticket, by=factories.l1_agent(), changes={"subject": "Sync fails on tablets"}
    )
    client = logged_in(agent)

    with nothing_changes():
        response = client.post(
            url("new_partner", ticket),
            {"version": loaded, "name": "Kisumu Water", "hub": factories.hub("east-africa").pk},
        )

    assert response.status_code == 409
    assert "was changed by" in response.content.decode()


# --- The organisation the requester wrote ------------------------------------------------


def test_the_organisation_typed_on_contact_us_is_offered_as_a_new_partner_to_create():
    agent = factories.l1_agent()
    ticket = from_email(organisation_name="Acme Ltd", hub=factories.hub("west-africa"))

    page = logged_in(agent).get(url("ticket", ticket)).content.decode()

    assert 'data-testid="organisation-suggestion"' in page
    assert "The requester wrote “Acme Ltd”, which matches no partner." in page
    assert "Or create partner “Acme Ltd” in West Africa below." in page
    assert 'maxlength="200" required value="Acme Ltd"' in page
    assert (
        f'<option value="{factories.hub("west-africa").pk}" selected>West Africa</option>' in page
    )


def test_a_similar_known_partner_is_suggested_and_chosen_in_one_click():
    agent = factories.l1_agent()
    acme = factories.PartnerFactory(name="ACME Limited", hub=factories.hub("europe"))
    factories.PartnerFactory(name="Kisumu Water", hub=factories.hub("europe"))
    ticket = from_email(organisation_name="Acme Ltd.")
    client = logged_in(agent)

    page = client.get(url("ticket", ticket)).content.decode()
    assert "Is it ACME Limited? Use that partner" in page
    assert "Kisumu Water? Use" not in page

    response = client.post(
        url("new_partner", ticket), {"version": fresh(ticket).version, "partner": acme.pk}
    )

    assert response.status_code == 302
    assert (fresh(ticket).partner, fresh(ticket).hub) == (acme, acme.hub)
    after = client.get(url("ticket", ticket)).content.decode()
    assert 'data-testid="organisation-suggestion"' not in after


def test_no_suggestion_once_the_ticket_has_a_partner_or_when_nothing_was_written():
    agent = factories.l1_agent()
    client = logged_in(agent)
    for ticket in (ticket_from(organisation_name="Acme Ltd"), from_email()):
        page = client.get(url("ticket", ticket)).content.decode()
        assert 'data-testid="organisation-suggestion"' not in page


# --- Duplicates merged later in the back office -------------------------------------------


def test_a_manager_merges_a_duplicate_partner_its_tickets_and_requesters_move():
    manager = factories.support_manager()
    kept = factories.PartnerFactory(name="Kisumu Water", hub=factories.hub("east-africa"))
    duplicate = factories.PartnerFactory(name="Kisumu Water Co", hub=factories.hub("east-africa"))
    ticket = ticket_from(partner=duplicate)
    changelist = reverse("admin:catalog_partner_changelist")

    response = logged_in(manager).post(
        changelist,
        {"action": "merge_into", "_selected_action": [duplicate.pk], "into": kept.pk},
    )

    assert response.status_code == 302
    assert fresh(ticket).partner == kept
    assert Requester.objects.get(pk=ticket.requester_id).partner == kept
    duplicate.refresh_from_db()
    assert not duplicate.is_active
    event = TicketEvent.objects.get(ticket=ticket, field="partner", actor=manager)
    assert (event.old_value, event.new_value) == ("Kisumu Water Co", "Kisumu Water")


def test_merging_partners_without_choosing_the_one_that_stays_changes_nothing():
    manager = factories.support_manager()
    duplicate = factories.PartnerFactory(name="Kisumu Water Co")
    ticket_from(partner=duplicate)
    client = logged_in(manager)
    with nothing_changes():
        client.post(
            reverse("admin:catalog_partner_changelist"),
            {"action": "merge_into", "_selected_action": [duplicate.pk], "into": ""},
        )
