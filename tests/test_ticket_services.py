"""Tickets from any channel, and every change leaving a line in the ticket's history."""

import os
from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests import factories
from tests.portal_helpers import png_bytes
from tickets import services
from tickets.models import (
    Channel,
    EventKind,
    MessageKind,
    OutboxMessage,
    Requester,
    Status,
    Ticket,
    TicketEvent,
)
from tickets.services import attachments
from tickets.services.history import display_value

pytestmark = pytest.mark.django_db


def contact_us(**overrides) -> Ticket:
    fields = {
        "requester_email": "Grace.Otieno@Partner.example.org",
        "requester_name": "Grace Otieno",
        "subject": "Survey   responses not syncing",
        "channel": Channel.WEB,
        "what_doing": "Syncing the Flow app",
        "expected": "The 40 forms to reach the dashboard",
        "actual": "The app says 'sync failed'",
        "steps": "1. Open the app\n2. Tap Sync",
        "product": factories.product("akvo-flow"),
        "category": factories.category("bug"),
        "partner": factories.PartnerFactory(hub=factories.hub("west-africa")),
        "product_details": {"device_id": "A-17", "survey": "Water points 2026"},
    }
    fields.update(overrides)
    return services.ticket_create(**fields)


def test_a_contact_us_request_becomes_a_ticket_with_its_report_and_acknowledgement():
    ticket = contact_us()

    assert ticket.reference == f"HD-{ticket.pk}"
    assert ticket.subject == "Survey responses not syncing"
    assert ticket.status == Status.NEW
    assert ticket.hub.slug == "west-africa"  # from the partner
    assert ticket.requester.email == "grace.otieno@partner.example.org"
    first = ticket.messages.get()
    assert first.kind == MessageKind.CUSTOMER
    assert "What actually happened:\nThe app says 'sync failed'" in first.body
    created = ticket.events.get()
    assert created.kind == EventKind.CREATED
    assert created.new_value == "Contact Us form"
    ack = OutboxMessage.objects.get(ticket=ticket)
    assert ack.kind == "email"
    assert ack.payload["template"] == "ticket_created"
    assert ack.payload["to"] == ["grace.otieno@partner.example.org"]


def test_the_requester_token_is_long_and_unguessable():
    first, second = contact_us(), contact_us()
    assert first.token != second.token
    assert len(first.token) >= 32  # 24 random bytes, URL-safe: 192 bits


def test_the_same_person_writing_again_is_one_requester():
    contact_us(requester_email="ana@example.org")
    contact_us(requester_email="ANA@example.org ")
    assert Requester.objects.filter(email="ana@example.org").count() == 1


def test_an_agent_logs_a_ticket_for_a_client_who_phoned():
    agent = factories.l1_agent()
    phoned = timezone.now() - timedelta(hours=3)
    ticket = contact_us(channel=Channel.PHONE, by=agent, received_at=phoned)

    assert ticket.created_by == agent
    assert ticket.received_at == phoned
    assert ticket.events.get().actor == agent
    ack = OutboxMessage.objects.get(ticket=ticket)
    assert ack.payload["template"] == "ticket_created_on_behalf"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"subject": "   "}, "subject"),
        ({"requester_email": "not-an-address"}, "requester_email"),
        ({"channel": "fax"}, "channel"),
        ({"received_at": timezone.now() + timedelta(days=1)}, "received_at"),
        ({"received_at": datetime(2026, 11, 2, 9, 30)}, "received_at"),  # noqa: DTZ001 - naive on purpose
    ],
)
def test_a_bad_request_is_refused_with_a_clear_error_and_nothing_saved(overrides, field):
    with pytest.raises(ValidationError) as refused:
        contact_us(**overrides)
    assert field in refused.value.message_dict
    assert not Ticket.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_triage_changes_are_recorded_field_by_field():
    ticket = contact_us()
    agent = factories.l1_agent()

    services.ticket_change_fields(
        ticket=ticket,
        by=agent,
        changes={"impact": factories.impact("critical"), "category": factories.category("bug")},
    )

    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.FIELD)
    assert (event.field, event.old_value, event.new_value) == ("impact", "", "Critical")
    assert event.actor == agent
    assert event.actor_label == agent.get_full_name()


@pytest.mark.parametrize("field", services.CHANGEABLE_FIELDS)
def test_every_triage_field_change_leaves_one_history_row(field):
    ticket = contact_us()
    agent = factories.l1_agent()
    new_values = {
        "subject": "Survey responses lost after sync",
        "partner": factories.PartnerFactory(name="Water Trust"),
        "hub": factories.hub("asia"),
        "product": factories.product("akvo-lumen"),
        "category": factories.category("question"),
        "impact": factories.impact("minor"),
        "product_details": {"device_id": "B-2"},
        "environment": {"app_version": "2.19"},
    }
    old = getattr(ticket, field)

    services.ticket_change_fields(ticket=ticket, by=agent, changes={field: new_values[field]})

    [event] = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.FIELD)
    assert event.field == field
    assert event.actor == agent
    assert event.old_value == display_value(old)
    assert event.new_value == display_value(new_values[field])
    ticket.refresh_from_db()
    assert getattr(ticket, field) == new_values[field]


def test_a_related_field_given_an_id_instead_of_a_row_is_refused():
    ticket = contact_us()
    impact = factories.impact("critical")
    with pytest.raises(ValidationError) as refused:
        services.ticket_change_fields(ticket=ticket, by=None, changes={"impact": impact.pk})
    assert "impact" in refused.value.message_dict
    assert not TicketEvent.objects.filter(kind=EventKind.FIELD).exists()


def test_setting_the_escalated_status_directly_is_refused():
    ticket = contact_us()
    services.ticket_change_status(ticket=ticket, status=Status.OPEN, by=None)
    with pytest.raises(ValidationError, match="Escalate to L2"):
        services.ticket_change_status(ticket=ticket, status=Status.ESCALATED, by=None)
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


def test_an_address_saved_in_capitals_is_the_same_requester():
    Requester.objects.create(email="Kofi.Mensah@Partner.Example.org")
    requester = services.requester_get_or_create(email="kofi.mensah@partner.example.org")
    assert requester.email == "kofi.mensah@partner.example.org"
    assert Requester.objects.count() == 1


def test_a_field_outside_triage_cannot_be_changed_this_way():
    ticket = contact_us()
    with pytest.raises(ValidationError, match="token"):
        services.ticket_change_fields(ticket=ticket, by=None, changes={"token": "x"})


def test_issue_tags_assignee_status_and_escalation_each_leave_history():
    ticket = contact_us()
    agent = factories.l1_agent()

    services.ticket_set_issue_tags(
        ticket=ticket, tags=[factories.issue_tag("data-export")], by=agent
    )
    services.ticket_assign(ticket=ticket, assignee=agent, by=agent)
    services.ticket_change_status(ticket=ticket, status=Status.OPEN, by=agent)
    services.ticket_mark_escalated(ticket=ticket, by=agent)

    history = [
        (e.kind, e.old_value, e.new_value)
        for e in ticket.events.exclude(kind=EventKind.CREATED).order_by("id")
    ]
    assert history == [
        (EventKind.TAGS, "", "Data export"),
        (EventKind.ASSIGNEE, "", agent.get_full_name()),
        (EventKind.STATUS, "New", "Open"),
        (EventKind.STATUS, "Open", "Escalated to L2"),
        (EventKind.ESCALATION, "Not escalated", "With L2"),
    ]


def test_repeating_a_change_records_nothing_new():
    ticket = contact_us()
    agent = factories.l1_agent()
    services.ticket_assign(ticket=ticket, assignee=agent, by=agent)
    services.ticket_assign(ticket=ticket, assignee=agent, by=agent)
    services.ticket_change_fields(
        ticket=ticket, by=agent, changes={"impact": factories.impact("low")}
    )
    services.ticket_change_fields(
        ticket=ticket, by=agent, changes={"impact": factories.impact("low")}
    )
    assert ticket.events.filter(kind=EventKind.ASSIGNEE).count() == 1
    assert ticket.events.filter(kind=EventKind.FIELD).count() == 1


def test_a_refused_status_move_changes_nothing():
    ticket = contact_us()
    agent = factories.l1_agent()
    services.ticket_change_status(ticket=ticket, status=Status.RESOLVED, by=agent)
    services.ticket_change_status(ticket=ticket, status=Status.CLOSED, by=agent)
    events_before = ticket.events.count()

    # Closed is read-only for people: only reopening (ticket_reopen) moves it.
    with pytest.raises(services.TicketClosed):
        services.ticket_change_status(ticket=ticket, status=Status.OPEN, by=agent)

    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert ticket.events.count() == events_before


def test_resolving_and_closing_stamp_their_times():
    ticket = contact_us()
    services.ticket_change_status(ticket=ticket, status=Status.RESOLVED, by=None)
    ticket.refresh_from_db()
    assert ticket.resolved_at is not None
    services.ticket_change_status(ticket=ticket, status=Status.CLOSED, by=None)
    ticket.refresh_from_db()
    assert ticket.closed_at is not None


def test_tickets_are_only_assigned_to_staff():
    ticket = contact_us()
    outsider = factories.UserFactory(is_staff=False)
    with pytest.raises(ValidationError):
        services.ticket_assign(ticket=ticket, assignee=outsider, by=None)


def test_an_agents_public_reply_is_the_first_response_and_is_emailed():
    ticket = contact_us()
    agent = factories.l1_agent()

    reply = services.ticket_add_message(
        ticket=ticket, kind=MessageKind.REPLY, body="Please update the app to 2.19.", by=agent
    )

    ticket.refresh_from_db()
    assert ticket.first_responded_at == reply.created_at
    assert ticket.status == Status.OPEN
    email = OutboxMessage.objects.get(key=f"email:reply:{reply.pk}")
    assert email.payload["template"] == "public_reply"
    assert email.payload["message_id"] == reply.pk


def test_an_internal_note_is_not_a_response_and_sends_nothing():
    ticket = contact_us()
    agent = factories.l1_agent()
    outbox_before = OutboxMessage.objects.count()

    services.ticket_add_message(
        ticket=ticket, kind=MessageKind.NOTE, body="Looks like the 2.18 sync bug.", by=agent
    )

    ticket.refresh_from_db()
    assert ticket.first_responded_at is None
    assert OutboxMessage.objects.count() == outbox_before


def test_a_customer_reply_reopens_a_resolved_ticket():
    ticket = contact_us()
    # Triaged first (an untriaged one goes back to New: tests/test_portal_ticket_page.py).
    services.ticket_change_status(ticket=ticket, status=Status.OPEN, by=None)
    services.ticket_change_status(ticket=ticket, status=Status.RESOLVED, by=None)

    services.ticket_add_message(
        ticket=ticket, kind=MessageKind.CUSTOMER, body="It happens again today."
    )

    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.resolved_at is None
    reopened = ticket.events.filter(kind=EventKind.STATUS).last()
    assert (reopened.old_value, reopened.new_value) == ("Resolved", "Open")
    assert reopened.actor is None
    assert "grace.otieno@partner.example.org" in reopened.actor_label


def test_a_requester_cannot_write_into_a_closed_ticket():
    ticket = contact_us()
    services.ticket_change_status(ticket=ticket, status=Status.CLOSED, by=None)
    with pytest.raises(ValidationError, match="closed"):
        services.ticket_add_message(ticket=ticket, kind=MessageKind.CUSTOMER, body="Hello?")
    assert ticket.messages.count() == 1


def test_only_staff_reply_or_write_notes():
    ticket = contact_us()
    with pytest.raises(ValidationError):
        services.ticket_add_message(ticket=ticket, kind=MessageKind.REPLY, body="Hi", by=None)


def test_an_empty_message_is_refused():
    ticket = contact_us()
    with pytest.raises(ValidationError, match="Write a message"):
        services.ticket_add_message(ticket=ticket, kind=MessageKind.CUSTOMER, body="  ")


def test_attachments_are_stored_under_a_random_name_outside_the_code(settings):
    content = png_bytes()  # a real image: the service checks what a file is, too
    upload = SimpleUploadedFile(
        "../../etc/passwd screenshot.png", content, content_type="image/png"
    )
    ticket = contact_us(attachments=[upload])

    attachment = ticket.messages.get().attachments.get()
    assert attachment.original_name == "passwd screenshot.png"
    assert "passwd" not in attachment.file.name
    assert attachment.file.path.startswith(str(settings.MEDIA_ROOT))
    assert attachment.size == len(content)
    assert len(attachment.sha256) == 64
    with attachment.file.open("rb") as stored:
        assert stored.read() == content


def test_an_oversized_attachment_is_refused_and_no_ticket_is_left(settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    upload = SimpleUploadedFile("log.txt", b"x" * 11, content_type="text/plain")
    with pytest.raises(ValidationError, match="a file can be at most"):
        contact_us(attachments=[upload])
    assert not Ticket.objects.exists()


def stored_files(settings) -> list[str]:
    return [name for _, _, names in os.walk(settings.MEDIA_ROOT) for name in names]


def test_one_oversized_file_in_a_batch_refuses_it_before_anything_is_stored(settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    small = SimpleUploadedFile("note.txt", b"fine", content_type="text/plain")
    large = SimpleUploadedFile("video.mp4", b"x" * 11, content_type="video/mp4")
    with pytest.raises(ValidationError, match=r"video\.mp4"):
        contact_us(attachments=[small, large])
    assert not Ticket.objects.exists()
    assert stored_files(settings) == []


def test_files_already_stored_are_removed_when_a_later_one_fails(settings, monkeypatch):
    ticket = contact_us()
    first = SimpleUploadedFile("one.txt", b"one", content_type="text/plain")
    second = SimpleUploadedFile("two.txt", b"two", content_type="text/plain")
    real_add = services.attachment_add

    def disk_full_on_the_second(*, message, upload):
        if upload.name == "two.txt":
            raise OSError("No space left on device")
        return real_add(message=message, upload=upload)

    monkeypatch.setattr(attachments, "attachment_add", disk_full_on_the_second)
    with pytest.raises(OSError, match="No space"):
        services.ticket_add_message(
            ticket=ticket, kind=MessageKind.CUSTOMER, body="logs", attachments=[first, second]
        )
    assert stored_files(settings) == []
    assert ticket.messages.count() == 1


def test_tickets_are_found_by_reference_as_people_write_it():
    ticket = contact_us()
    for written in (ticket.reference, f"#{ticket.pk}", str(ticket.pk), f"hd-{ticket.pk}"):
        assert list(Ticket.objects.by_reference(written)) == [ticket]
    assert not Ticket.objects.by_reference("export").exists()
