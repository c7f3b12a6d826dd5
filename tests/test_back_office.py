"""The admin back office: roles, tickets with their history, taxonomy, login protection."""

import pytest
from django.contrib.auth.models import Group

from catalog.models import Hub
from tests import factories
from tests.unchanged import nothing_changes
from tickets import roles, services
from tickets.models import Channel, EventKind, Status, Ticket

pytestmark = pytest.mark.django_db


def log_ticket() -> Ticket:
    return services.ticket_create(
        requester_email="lucia@partner.example.org",
        requester_name="Lucía Gómez",
        subject="Lumen dataset import stops at 80%",
        channel=Channel.EMAIL,
        product=factories.product("akvo-lumen"),
    )


def test_the_three_support_roles_exist_with_their_permissions():
    l1 = set(Group.objects.get(name=roles.L1_AGENT).permissions.values_list("codename", flat=True))
    l2 = set(
        Group.objects.get(name=roles.L2_ENGINEER).permissions.values_list("codename", flat=True)
    )
    manager = set(
        Group.objects.get(name=roles.SUPPORT_MANAGER).permissions.values_list("codename", flat=True)
    )
    assert {"triage_ticket", "escalate_ticket", "reply_ticket", "change_ticket"} <= l1
    assert "change_hub" not in l1
    assert "view_reports" not in l1
    assert "triage_ticket" not in l2
    assert "view_ticket" in l2
    assert l1 <= manager
    assert {"change_hub", "add_partner", "view_reports", "change_outboxmessage"} <= manager


def test_an_l1_agent_sees_a_new_ticket_and_its_history_in_the_back_office(client):
    ticket = log_ticket()
    agent = factories.l1_agent()
    services.ticket_assign(ticket=ticket, assignee=agent, by=agent)
    client.force_login(agent)

    listing = client.get("/admin/tickets/ticket/")
    assert listing.status_code == 200
    assert ticket.subject.encode() in listing.content

    page = client.get(f"/admin/tickets/ticket/{ticket.pk}/change/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "History" in content
    assert "Lucía Gómez" in content  # the creator of the "created" event
    assert "Assignee" in content or "assignee" in content


def test_tickets_are_found_in_the_back_office_by_reference_or_by_words(client):
    ticket = log_ticket()
    other = services.ticket_create(
        requester_email="kofi@partner.example.org",
        subject=f"Error 500 after upgrade ({ticket.pk} rows lost)",
        channel=Channel.WEB,
    )
    client.force_login(factories.l1_agent())

    def found(term):
        response = client.get("/admin/tickets/ticket/", {"q": term})
        assert response.status_code == 200
        return {t.pk for t in response.context["cl"].result_list}

    assert found(ticket.reference) == {ticket.pk}
    assert found(f"#{ticket.pk}") == {ticket.pk}
    assert found(str(ticket.pk)) == {other.pk}  # a bare number is searched as text
    assert found("dataset import") == {ticket.pk}
    assert found("HD-999999999") == set()


def test_a_change_in_the_back_office_is_recorded_in_the_history(client):
    ticket = log_ticket()
    manager = factories.support_manager(is_superuser=True)
    client.force_login(manager)
    page = client.get(f"/admin/tickets/ticket/{ticket.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(
        {
            "impact": factories.impact("critical").pk,
            "status": Status.OPEN,
            "issue_tags": [factories.issue_tag("data-import").pk],
            "product_details": "{}",
            "environment": "{}",
        }
    )
    for prefix in ("messages", "events", "sla_events"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})

    response = client.post(f"/admin/tickets/ticket/{ticket.pk}/change/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    ticket.refresh_from_db()
    assert ticket.impact.slug == "critical"
    assert ticket.status == Status.OPEN
    history = set(
        ticket.events.exclude(kind=EventKind.CREATED).values_list(
            "kind", "field", "actor", "old_value", "new_value"
        )
    )
    assert history == {
        (EventKind.FIELD, "impact", manager.pk, "", "Critical"),
        (EventKind.STATUS, "status", manager.pk, "New", "Open"),
        (EventKind.TAGS, "issue_tags", manager.pk, "", "Data import"),
    }


def change_form_data(client, ticket, **changes):
    page = client.get(f"/admin/tickets/ticket/{ticket.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update({"product_details": "{}", "environment": "{}", **changes})
    for prefix in ("messages", "events", "sla_events"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data


def test_a_ticket_cannot_be_assigned_to_a_customer_in_the_back_office(client):
    ticket = log_ticket()
    client.force_login(factories.support_manager(is_superuser=True))
    customer = factories.UserFactory(is_staff=False)
    data = change_form_data(client, ticket, assignee=customer.pk)

    response = client.post(f"/admin/tickets/ticket/{ticket.pk}/change/", data)

    assert response.status_code == 200
    assert "assignee" in response.context["adminform"].form.errors
    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert not ticket.events.filter(kind=EventKind.ASSIGNEE).exists()


def test_escalation_is_not_offered_as_a_plain_status_change(client):
    ticket = log_ticket()
    services.ticket_change_status(ticket=ticket, status=Status.OPEN, by=None)
    client.force_login(factories.support_manager(is_superuser=True))
    page = client.get(f"/admin/tickets/ticket/{ticket.pk}/change/")
    offered = [value for value, _ in page.context["adminform"].form.fields["status"].choices]
    assert Status.ESCALATED not in offered
    data = change_form_data(client, ticket, status=Status.ESCALATED)
    response = client.post(f"/admin/tickets/ticket/{ticket.pk}/change/", data)
    assert response.status_code == 200
    assert "status" in response.context["adminform"].form.errors


def test_the_back_office_offers_only_the_status_moves_the_workflow_allows(client):
    ticket = log_ticket()
    services.ticket_change_status(ticket=ticket, status=Status.RESOLVED, by=None)
    client.force_login(factories.support_manager())
    page = client.get(f"/admin/tickets/ticket/{ticket.pk}/change/")
    offered = [value for value, _ in page.context["adminform"].form.fields["status"].choices]
    assert offered == [Status.OPEN, Status.RESOLVED, Status.CLOSED]


def test_tickets_are_never_deleted_from_the_back_office(client):
    ticket = log_ticket()
    client.force_login(factories.support_manager(is_superuser=True))
    delete = f"/admin/tickets/ticket/{ticket.pk}/delete/"
    with nothing_changes():
        assert client.get(delete).status_code == 403
        assert client.post(delete, {"post": "yes"}).status_code == 403
        bulk = {"action": "delete_selected", "_selected_action": [ticket.pk], "post": "yes"}
        assert client.post("/admin/tickets/ticket/", bulk).status_code == 200  # not offered


def test_an_l1_agent_cannot_reconfigure_hubs_but_a_manager_can(client):
    client.force_login(factories.l1_agent())
    assert client.get("/admin/catalog/hub/add/").status_code == 403
    client.force_login(factories.support_manager())
    assert client.get("/admin/catalog/hub/add/").status_code == 200


def test_a_hub_with_an_unknown_time_zone_is_refused_with_a_clear_message(client):
    client.force_login(factories.support_manager())
    response = client.post(
        "/admin/catalog/hub/add/",
        {
            "name": "Moon",
            "slug": "moon",
            "time_zone": "Moon/Base",
            "working_days": "[0, 1, 2, 3, 4]",
            "work_starts": "09:00",
            "work_ends": "17:00",
            "holiday_country": "XX",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "is not a known time zone" in str(errors["time_zone"])
    assert "holidays calendar" in str(errors["holiday_country"])
    assert not Hub.objects.filter(slug="moon").exists()


def test_repeated_wrong_passwords_lock_the_login(client):
    factories.l1_agent(username="amina")
    for _ in range(5):
        client.post("/admin/login/", {"username": "amina", "password": "wrong"})
    locked = client.post(
        "/admin/login/", {"username": "amina", "password": "correct horse battery"}
    )
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_behind_a_proxy_one_clients_wrong_passwords_do_not_lock_out_another(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    factories.l1_agent(username="amina")
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for _ in range(5):
        client.post(
            "/admin/login/",
            {"username": "amina", "password": "wrong"},
            HTTP_X_FORWARDED_FOR="198.51.100.20, 203.0.113.9",  # forged left part
            **proxy,
        )
    attacker = client.post(
        "/admin/login/",
        {"username": "amina", "password": "correct horse battery"},
        HTTP_X_FORWARDED_FOR="203.0.113.9",
        **proxy,
    )
    assert attacker.status_code == 429
    amina = client.post(
        "/admin/login/",
        {"username": "amina", "password": "correct horse battery"},
        HTTP_X_FORWARDED_FOR="198.51.100.20",
        **proxy,
    )
    assert amina.status_code == 302


def test_without_a_proxy_a_forged_forwarded_for_header_does_not_dodge_the_lockout(client):
    factories.l1_agent(username="amina")
    for n in range(5):
        client.post(
            "/admin/login/",
            {"username": "amina", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )
    locked = client.post(
        "/admin/login/",
        {"username": "amina", "password": "correct horse battery"},
        HTTP_X_FORWARDED_FOR="198.51.100.77",
    )
    assert locked.status_code == 429


def test_the_right_password_logs_an_agent_in(client):
    factories.l1_agent(username="joost")
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "joost", "password": "correct horse battery"},
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
