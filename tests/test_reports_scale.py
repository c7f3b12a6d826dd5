"""The report at scale: the top issue tags from the tag rows' own index, and CSV exports
that compute only their table (bench/README.md, "Reports at a million tickets").

On PostgreSQL each tag row carries its ticket's creation time, kept by triggers
(migration 0018). The figure read from it must agree with the live count through
the tickets, whichever way the tags and the tickets were written.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import IssueTag
from demo import seeding
from reports.figures.common import TOP, created_in_period
from reports.figures.volume import top_issue_tags
from reports.filters import Period, ReportFilters
from reports.tables import TABLES
from tests import factories
from tests.desk_helpers import logged_in
from tickets import services
from tickets.models import Channel, Ticket

pytestmark = pytest.mark.django_db

TAGS = Ticket.issue_tags.through


def live_top_tags(filters: ReportFilters) -> list[tuple[str, int]]:
    """The figure as it was first written: every tag row joined to the period's tickets."""
    rows = (
        TAGS.objects.filter(ticket__in=created_in_period(filters).values("pk"))
        .values("issuetag__name")
        .annotate(n=Count("*"))
        .order_by("-n", "issuetag__name")[:TOP]
    )
    return [(row["issuetag__name"], row["n"]) for row in rows]


def figure(filters: ReportFilters) -> list[tuple[str, int]]:
    return [(share.label, share.count) for share in top_issue_tags(filters, total=1)]


def last_days(days: int, **values) -> ReportFilters:
    today = timezone.localdate()
    return ReportFilters(Period(today - timedelta(days=days - 1), today), values)


def tagged_ticket(*tags: IssueTag) -> Ticket:
    return services.ticket_create(
        requester_email="tags@partner.example.org",
        subject="Tagged through the services",
        channel=Channel.WEB,
        partner=factories.PartnerFactory(),
        product=factories.product("akvo-flow"),
        category=factories.category("bug"),
        description="What happened.",
        issue_tags=list(tags),
    )


@pytest.mark.postgres
def test_the_tags_read_from_the_tag_rows_agree_with_the_live_count():
    seeding.bulk_create_tickets(count=600, seed=17, batch_size=200)
    tags = list(IssueTag.objects.order_by("pk")[:4])
    TAGS.objects.bulk_create(  # as the bulk seeder writes them (bulk_create, or COPY)
        TAGS(ticket_id=pk, issuetag_id=tags[i % len(tags)].pk)
        for i, pk in enumerate(Ticket.objects.order_by("pk").values_list("pk", flat=True)[::2])
    )
    export, performance = factories.issue_tag("data-export"), factories.issue_tag("performance")
    new = tagged_ticket(export, performance)  # the services' set() at creation
    services.ticket_set_issue_tags(ticket=new, tags=[performance], by=factories.l1_agent())
    old = Ticket.objects.filter(issue_tags__isnull=False).order_by("created_at").first()
    recent = Ticket.objects.filter(issue_tags__isnull=False).exclude(pk=new.pk).latest("created_at")
    assert old is not None
    assert old.created_at < timezone.now() - timedelta(days=28)
    # A ticket moved into the period, another out of it (data fixes; the services never do).
    Ticket.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=1))
    Ticket.objects.filter(pk=recent.pk).update(created_at=timezone.now() - timedelta(days=400))

    hub = Ticket.objects.exclude(hub=None).values_list("hub_id", flat=True).first()
    for filters in (
        last_days(28),
        last_days(7),
        last_days(365),
        last_days(28, hub=hub),
        last_days(28, tag=performance.pk),
    ):
        assert figure(filters) == live_top_tags(filters), filters
    assert figure(last_days(28)), "the check needs tags in the period"


@pytest.mark.postgres
def test_a_ticket_s_tags_are_counted_on_the_day_it_was_created_in_every_zone():
    ticket = tagged_ticket(factories.issue_tag("data-export"))
    created = timezone.localtime(ticket.created_at).date()
    one_day = ReportFilters(Period(created, created), {})
    day_before = ReportFilters(Period(created - timedelta(days=1), created - timedelta(days=1)), {})
    assert figure(one_day) == live_top_tags(one_day) == [("Data export", 1)]
    assert figure(day_before) == []


def test_a_csv_export_computes_only_its_own_table():
    client = logged_in(factories.support_manager())
    today = timezone.localdate()
    query = f"start={date(today.year, today.month, 1)}&end={today}"
    with CaptureQueriesContext(connection) as dashboard:
        assert client.get(f"/reports/?{query}").status_code == 200
    for slug in TABLES:
        with CaptureQueriesContext(connection) as export:
            assert client.get(f"/reports/export/{slug}.csv?{query}").status_code == 200
        assert len(export.captured_queries) < len(dashboard.captured_queries) - 6, slug
    with CaptureQueriesContext(connection) as volume:
        client.get(f"/reports/export/volume.csv?{query}")
    read = " ".join(q["sql"] for q in volume.captured_queries)
    for other in ("tickets_slaclock", "tickets_ticket_issue_tags", "kb_", "tickets_ticketevent"):
        assert other not in read
