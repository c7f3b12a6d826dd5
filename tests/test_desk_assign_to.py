"""'Assign to': who works tickets first, other staff after, never an inactive account."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests import factories
from tests.desk_helpers import logged_in, ticket_from
from tests.unchanged import nothing_changes
from tickets import services

pytestmark = pytest.mark.django_db


def _team() -> dict[str, User]:
    return {
        "l2": factories.l2_engineer(first_name="Wanjiru", last_name="Aa-L2"),
        "l1": factories.l1_agent(first_name="Zawadi", last_name="Zz-L1"),
        "manager": factories.support_manager(first_name="Musa", last_name="Mm-Manager"),
        "left": factories.l1_agent(first_name="Gone", last_name="Bb-Left", is_active=False),
        "requester_side": factories.UserFactory(
            first_name="Not", last_name="Staff", is_staff=False
        ),
    }


def _groups(html: str, select_id: str) -> list[tuple[str, list[str]]]:
    """(optgroup label, option texts) in the order the select shows them."""
    select = re.search(rf'<select[^>]*id="{select_id}".*?</select>', html, re.S)
    assert select, select_id
    groups = re.findall(r'<optgroup label="([^"]*)">(.*?)</optgroup>', select.group(0), re.S)
    return [
        (label, [" ".join(t.split()) for t in re.findall(r"<option[^>]*>([^<]*)</option>", body)])
        for label, body in groups
    ]


def test_the_triage_panel_lists_agents_and_managers_first_then_other_staff_never_inactive():
    team = _team()
    ticket = ticket_from()
    html = logged_in(team["l1"]).get(reverse("desk:ticket", args=[ticket.pk])).content.decode()

    groups = _groups(html, "id_assignee")

    assert groups == [
        ("Agents and managers", ["Musa Mm-Manager", "Zawadi Zz-L1"]),
        ("Other staff", ["Wanjiru Aa-L2"]),
    ]
    assert "Gone Bb-Left" not in html
    assert "Not Staff" not in html


def test_the_queue_bulk_assign_lists_the_same_order_without_inactive_accounts():
    team = _team()
    ticket_from()
    html = (
        logged_in(team["manager"])
        .get(reverse("desk:queue", kwargs={"queue": "new"}))
        .content.decode()
    )

    # "Me" and "Nobody" come first; the manager is "Me", so not listed again.
    assert _groups(html, "bulk-assignee") == [
        ("Agents and managers", ["Zawadi Zz-L1"]),
        ("Other staff", ["Wanjiru Aa-L2"]),
    ]
    assert "Gone Bb-Left" not in html


def test_assigning_to_an_inactive_account_is_refused_and_nothing_changes():
    team = _team()
    ticket = ticket_from()

    with nothing_changes(), pytest.raises(ValidationError, match="active staff"):
        services.ticket_assign(ticket=ticket, assignee=team["left"], by=team["l1"])
    with nothing_changes(), pytest.raises(ValidationError, match="active staff"):
        services.ticket_assign(ticket=ticket, assignee=team["requester_side"], by=team["l1"])


def test_the_triage_form_refuses_an_inactive_assignee_and_nothing_changes():
    team = _team()
    ticket = ticket_from()
    client = logged_in(team["l1"])

    with nothing_changes():
        response = client.post(
            reverse("desk:triage", args=[ticket.pk]),
            {"version": ticket.version, "status": ticket.status, "assignee": team["left"].pk},
        )
    assert response.status_code == 400


def test_bulk_assign_to_an_inactive_account_is_refused_and_nothing_changes():
    team = _team()
    ticket = ticket_from()
    client = logged_in(team["l1"])

    with nothing_changes():
        response = client.post(
            reverse("desk:bulk"),
            {"action": "assign", "assignee": team["left"].pk,
             "selected": [f"{ticket.pk}:{ticket.version}"]},
        )  # fmt: skip
    assert response.status_code in (302, 400)


def test_a_ticket_held_by_an_account_switched_off_since_keeps_it_until_changed():
    team = _team()
    ticket = ticket_from()
    holder = factories.l1_agent(first_name="Later", last_name="Left")
    services.ticket_assign(ticket=ticket, assignee=holder, by=team["l1"])
    User.objects.filter(pk=holder.pk).update(is_active=False)
    ticket.refresh_from_db()
    client = logged_in(team["l1"])

    html = client.get(reverse("desk:ticket", args=[ticket.pk])).content.decode()
    assert f'<option value="{holder.pk}" selected>Later Left (inactive)</option>' in html
    response = client.post(
        reverse("desk:triage", args=[ticket.pk]),
        {"version": ticket.version, "status": ticket.status, "assignee": holder.pk,
         "impact": factories.impact("minor").pk},
    )  # fmt: skip
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee_id == holder.pk
