"""The demo data: partners in every hub, worked tickets, bulk tickets.

Seeding the demo plays each ticket through the services, thousands of queries: it is
done once for the whole module, in a transaction rolled back after its last test.
Every test runs in a savepoint inside it (pytest-django's ``django_db``), so each
starts from the freshly seeded demo and what it adds is gone for the next. What a
first seeding prints (the logins) is in test_seed_demo_logins.py, on an empty database.
"""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone

from catalog.models import Category, Hub, Impact, Partner, Product
from demo import seeding
from tickets import roles
from tickets.models import (
    Attachment,
    EscalationStatus,
    EventKind,
    Message,
    MessageKind,
    OutboxMessage,
    Requester,
    SlaTarget,
    Status,
    Ticket,
    TicketEvent,
)

pytestmark = pytest.mark.django_db

# Small enough to keep the file fast; the first tickets cover every filter value.
DEMO_TICKETS = 60


def seed_demo(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", "--demo-tickets", str(DEMO_TICKETS), *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module", autouse=True)
def _demo_seeded_once(django_db_setup, django_db_blocker):
    """The demo, seeded once for this module's tests and rolled back after the last one."""
    with django_db_blocker.unblock(), transaction.atomic():
        seed_demo()
        yield
        transaction.set_rollback(True)


def snapshot() -> dict[str, object]:
    return {
        "users": list(User.objects.order_by("pk").values_list("pk", "username", "password")),
        "partners": Partner.objects.count(),
        "requesters": Requester.objects.count(),
        "tickets": Ticket.objects.count(),
        "messages": Message.objects.count(),
        "events": TicketEvent.objects.count(),
        "last_change": list(Ticket.objects.order_by("pk").values_list("pk", "updated_at")),
    }


def test_every_support_role_gets_a_demo_login_in_its_group():
    admin = User.objects.get(username="admin")
    assert admin.is_superuser
    assert admin.is_staff
    groups = {
        user.username: sorted(user.groups.values_list("name", flat=True))
        for user in User.objects.filter(username__in=["amina", "joost", "wanjiru", "maria"])
    }
    assert groups == {
        "amina": [roles.L1_AGENT],
        "joost": [roles.L1_AGENT],
        "wanjiru": [roles.L2_ENGINEER],
        "maria": [roles.SUPPORT_MANAGER],
    }
    assert not User.objects.filter(is_staff=False).exists()


def test_the_demo_has_partners_in_every_hub_and_only_example_addresses():
    assert 15 <= Partner.objects.count() <= 20
    hubs_without_partner = Hub.objects.annotate(n=Count("partners")).filter(n=0)
    assert list(hubs_without_partner) == []
    emails = list(Requester.objects.values_list("email", flat=True))
    assert len(emails) >= Partner.objects.count() * 2
    assert all(email.endswith((".example.org", ".example.net")) for email in emails)


def test_demo_tickets_cover_every_product_category_impact_and_status():
    tickets = Ticket.objects.all()
    assert tickets.count() == DEMO_TICKETS
    assert set(tickets.values_list("product", flat=True)) >= set(
        Product.objects.values_list("pk", flat=True)
    )
    assert set(tickets.values_list("category", flat=True)) >= set(
        Category.objects.values_list("pk", flat=True)
    )
    assert set(tickets.values_list("impact", flat=True)) >= set(
        Impact.objects.values_list("pk", flat=True)
    )
    assert set(tickets.values_list("status", flat=True)) == set(Status.values)
    assert tickets.filter(issue_tags__isnull=False).exists()
    [urgent] = tickets.filter(is_urgent=True)  # one open Critical ticket leads the queues
    assert (urgent.impact.slug, urgent.is_open) == ("critical", True)


def test_demo_tickets_read_like_real_requests():
    bug = Ticket.objects.filter(category__slug="bug").exclude(channel="email").first()
    assert bug is not None
    assert all((bug.what_doing, bug.expected, bug.actual, bug.steps))
    assert "{" not in bug.subject + bug.description + bug.actual  # every {field} filled in
    field_names = {f["name"] for f in bug.product.report_fields}
    assert set(bug.product_details) <= field_names
    assert Ticket.objects.exclude(product_details={}).exists()
    assert Ticket.objects.exclude(environment={}).exists()
    assert Ticket.objects.values("subject").distinct().count() > DEMO_TICKETS // 2


def test_demo_timestamps_and_history_agree_with_each_status():
    now = timezone.now()

    for ticket in Ticket.objects.prefetch_related("messages", "events"):
        messages = list(ticket.messages.all())
        events = list(ticket.events.all())
        assert messages[0].kind == MessageKind.CUSTOMER
        assert events[0].kind == EventKind.CREATED
        assert all(ticket.created_at <= m.created_at <= now for m in messages)
        assert all(ticket.created_at <= e.created_at <= ticket.updated_at for e in events)
        replies = [m for m in messages if m.kind == MessageKind.REPLY]
        if replies:
            assert ticket.first_responded_at == replies[0].created_at
        else:
            assert ticket.first_responded_at is None
        status_events = [e for e in events if e.kind == EventKind.STATUS]
        if ticket.status == Status.NEW:
            assert not replies
            assert not status_events
        else:
            assert status_events[-1].new_value == Status(ticket.status).label
        assert (ticket.resolved_at is not None) == (
            ticket.status in (Status.RESOLVED, Status.CLOSED)
        )
        assert (ticket.closed_at is not None) == (ticket.status == Status.CLOSED)
        if ticket.status == Status.CLOSED:
            assert ticket.closed_at >= ticket.resolved_at + seeding.AUTO_CLOSE_AFTER
    # L2 works in the product's GitHub repository; a product without one is never escalated.
    assert not Ticket.objects.filter(product__github_repository="").exclude(
        escalation_status=EscalationStatus.NONE
    )
    oldest = Ticket.objects.order_by("created_at").first()
    assert now - oldest.created_at > timedelta(days=30)  # spread over months, not minutes


def test_demo_sla_clocks_agree_with_the_dated_replies_on_the_hub_calendar():
    for ticket in Ticket.objects.prefetch_related("sla_clocks"):
        [clock] = [c for c in ticket.sla_clocks.all() if c.target == SlaTarget.FIRST_RESPONSE]
        assert ticket.first_response_due_at == clock.due_at
        if ticket.first_responded_at is not None:
            assert clock.met_at == ticket.first_responded_at
            used = clock.window - clock.remaining
            # Within the window when answered by the due time; late, at least all of it
            # (a reply after hours, past the due time, is late by no working time).
            if clock.met_at <= clock.due_at:
                assert timedelta(0) <= used <= clock.window
            else:
                assert used >= clock.window
        assert (clock.breached_at is not None) == (ticket.first_response_breached_at is not None)


def test_seeding_twice_changes_nothing_the_second_time():
    before = snapshot()

    output = seed_demo()

    assert snapshot() == before
    assert "0 tickets added" in output


def test_seeding_queues_no_email_or_other_side_effect():
    seed_demo("--tickets", "50")

    assert OutboxMessage.objects.count() == 0


def test_bulk_adds_exactly_the_tickets_asked_for_each_with_message_and_created_event():
    before = set(Ticket.objects.values_list("pk", flat=True))

    output = seed_demo("--tickets", "500", "--batch-size", "200")

    added = Ticket.objects.exclude(pk__in=before)
    assert added.count() == 500
    assert "tickets/s" in output
    per_ticket = added.annotate(
        messages_count=Count("messages", distinct=True), created=Count("events", distinct=True)
    )
    assert {t.created for t in per_ticket} == {1}
    assert all(t.messages_count >= 1 for t in per_ticket)
    for ticket in added.filter(status=Status.NEW)[:20]:
        first = ticket.messages.order_by("created_at", "pk").first()
        assert first.kind == MessageKind.CUSTOMER
        assert first.author_requester_id == ticket.requester_id
    assert set(Message.objects.filter(ticket__in=added).values_list("kind", flat=True)) == {
        MessageKind.CUSTOMER,
        MessageKind.REPLY,
    }
    assert set(TicketEvent.objects.filter(ticket__in=added).values_list("kind", flat=True)) == {
        EventKind.CREATED
    }
    assert added.filter(issue_tags__isnull=False).exists()
    assert seeding.demo_ticket_count() == DEMO_TICKETS  # bulk tickets are not demo tickets


def test_bulk_tickets_spread_over_two_years_and_old_ones_are_done():
    seed_demo("--tickets", "500")
    bulk = Ticket.objects.exclude(requester__email__in=seeding.demo_requester_emails())
    now = timezone.now()

    assert now - bulk.order_by("created_at").first().created_at > timedelta(days=365)
    old = bulk.filter(created_at__lt=now - timedelta(days=60))
    assert old.filter(status=Status.CLOSED).count() >= 0.95 * old.count()
    assert not bulk.filter(status=Status.RESOLVED, resolved_at__isnull=True).exists()
    assert not bulk.filter(status=Status.CLOSED, closed_at__lt=F("resolved_at")).exists()
    assert not bulk.filter(first_responded_at__lt=F("created_at")).exists()
    assert bulk.values("product").distinct().count() >= 4
    assert not bulk.filter(product__github_repository="").exclude(
        escalation_status=EscalationStatus.NONE
    )
    assert bulk.values("partner__hub").distinct().count() >= 5


def test_bulk_tickets_have_the_shape_of_a_real_desk():
    """Most people write once to three times, a few heavy senders write a lot, most
    threads are short, a few long, and some messages carry a file."""
    seed_demo("--tickets", "3000", "--batch-size", "1000")
    bulk = Ticket.objects.exclude(requester__email__in=seeding.demo_requester_emails())
    per_requester = sorted(
        bulk.values("requester").annotate(n=Count("pk")).values_list("n", flat=True)
    )
    few = sum(1 for n in per_requester if n <= 3)
    # The busiest 1% of senders write at least three times their share (a run measures
    # 4-5%; the exact figure moves with the clock the dates are drawn against).
    busiest = per_requester[-max(1, len(per_requester) // 100) :]

    assert few >= 0.8 * len(per_requester)
    assert sum(busiest) >= 0.03 * sum(per_requester)
    threads = sorted(bulk.annotate(n=Count("messages")).values_list("n", flat=True))
    assert threads[len(threads) // 2] == 1
    assert threads[-1] >= 20
    assert 0.02 * len(threads) <= Attachment.objects.filter(message__ticket__in=bulk).count()
    assert Attachment.objects.filter(message__ticket__in=bulk).count() <= 0.1 * len(threads)


def test_bulk_tickets_are_the_same_for_the_same_seed():
    def generated(seed: int) -> list[tuple]:
        before = set(Ticket.objects.values_list("pk", flat=True))
        seeding.bulk_create_tickets(count=80, seed=seed, batch_size=30)
        # New requesters get new rows (and ids) on each run: compare who they are.
        return list(
            Ticket.objects.exclude(pk__in=before)
            .order_by("pk")
            .values_list("subject", "channel", "requester__name", "product", "status")
        )

    first = generated(7)
    assert generated(7) == first
    assert generated(8) != first
