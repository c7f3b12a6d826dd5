"""A support manager reads how support did in the first week of December 2026.

Every figure is checked against a small dataset worked out by hand below, with
tickets from three hubs on their own calendars: Accra (UTC+0, Farmers' Day on
Friday 4 December), Nairobi (UTC+3) and Amsterdam (UTC+1); working hours 9-17,
so one working day is 8 hours.

    T0 Europe, 20 Nov, answered within the hour, still open: the backlog before the period
    T1 West Africa, Thu 3 Dec 16:00 Accra, bug         due Mon 7 Dec 16:00 (Fri is a holiday)
       reply Mon 7 Dec 10:00 → on time, 2 working hours; resolved 11:00, reopened 13:00
    T2 East Africa, Tue 1 Dec 10:00 Nairobi, bug, significant
       reply Wed 2 Dec 12:00 Nairobi → 2 hours late, 10 working hours; escalated,
       L2 closed the issue 30 hours after
    T3 Europe, Fri 4 Dec 16:30 Amsterdam, bug          due Mon 7 Dec 16:30, never answered
       → breached by the check on Mon 7 Dec 20:00 UTC
    T4 East Africa, Mon 7 Dec 09:00 Nairobi, question  reply 09:30 → 0.5 working hours;
       resolved 11:00 Nairobi → 2 hours to resolve
    T5 West Africa, Mon 7 Dec 14:00 Accra, feature request, not answered yet; due Tue 8 Dec
       14:00 → not yet due when the report is read (Mon 7 Dec 20:00 UTC)

First response on time: T1, T4; late: T2, T3; pending: T5 → 2 of 4 = 50 %.
By hub: East Africa 1 of 2 = 50 %, West Africa 1 of 1 = 100 %, Europe 0 of 1 = 0 %.
Working hours to first response: 0.5, 2, 10 → median 2, 90th percentile 10 (nearest rank).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from kb.models import SuggestionEvent, SuggestionKind, SuggestionSource
from reports.figures import build_report
from reports.filters import Period, ReportFilters
from reports.tables import safe_cell, table, to_csv
from tests import factories
from tests import kb_factories as kb
from tests.desk_helpers import logged_in
from tickets import services, sla
from tickets.models import (
    Channel,
    EscalationIssue,
    EscalationLink,
    IssueState,
    MessageKind,
    Status,
    Ticket,
)
from tickets.queues import desk_lists

pytestmark = pytest.mark.django_db

ACCRA = ZoneInfo("Africa/Accra")
NAIROBI = ZoneInfo("Africa/Nairobi")
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
READ_AT = datetime(2026, 12, 7, 20, 0, tzinfo=UTC)
FIRST_WEEK = "start=2026-12-01&end=2026-12-07"


def at(moment: datetime) -> time_machine.travel:
    return time_machine.travel(moment, tick=False)


def partner_of(hub: str):
    from catalog.models import Partner

    found = Partner.objects.filter(name=f"{hub} partner").first()
    return found or factories.PartnerFactory(hub=factories.hub(hub), name=f"{hub} partner")


def request_at(moment: datetime, hub: str, *, category: str = "bug", **fields) -> Ticket:
    with at(moment):
        return services.ticket_create(
            requester_email=f"{hub}-{moment:%d%H%M}@partner.example.org",
            subject=f"Request from {hub} on {moment:%d %b}",
            channel=Channel.WEB,
            partner=partner_of(hub),
            product=factories.product("akvo-flow"),
            category=factories.category(category),
            description="What happened, in detail.",
            **fields,
        )


def reply_at(ticket: Ticket, moment: datetime, agent) -> None:
    with at(moment):
        services.ticket_add_message(
            ticket=ticket, kind=MessageKind.REPLY, body="Here is what to do.", by=agent
        )


def status_at(ticket: Ticket, moment: datetime, status: str, agent) -> None:
    with at(moment):
        services.ticket_change_status(ticket=Ticket.objects.get(pk=ticket.pk), status=status,
                                      by=agent)  # fmt: skip


@pytest.fixture
def first_week():
    agent = factories.l1_agent(first_name="Wanjiru")
    t0 = request_at(datetime(2026, 11, 20, 10, 0, tzinfo=AMSTERDAM), "europe")
    t1 = request_at(
        datetime(2026, 12, 3, 16, 0, tzinfo=ACCRA), "west-africa",
        issue_tags=[factories.issue_tag("data-export")],
    )  # fmt: skip
    t2 = request_at(
        datetime(2026, 12, 1, 10, 0, tzinfo=NAIROBI), "east-africa",
        impact=factories.impact("significant"),
        issue_tags=[factories.issue_tag("data-export"), factories.issue_tag("performance")],
    )  # fmt: skip
    t3 = request_at(datetime(2026, 12, 4, 16, 30, tzinfo=AMSTERDAM), "europe")
    t4 = request_at(datetime(2026, 12, 7, 9, 0, tzinfo=NAIROBI), "east-africa",
                    category="question")  # fmt: skip
    t5 = request_at(datetime(2026, 12, 7, 14, 0, tzinfo=ACCRA), "west-africa",
                    category="feature-request")  # fmt: skip

    reply_at(t0, datetime(2026, 11, 20, 11, 0, tzinfo=AMSTERDAM), agent)
    reply_at(t2, datetime(2026, 12, 2, 12, 0, tzinfo=NAIROBI), agent)
    with at(datetime(2026, 12, 2, 8, 0, tzinfo=UTC)):
        services.ticket_mark_escalated(ticket=Ticket.objects.get(pk=t2.pk), by=agent)
        issue = EscalationIssue.objects.create(
            repository="akvo/akvo-flow", number=4242, state=IssueState.OPEN
        )
        EscalationLink.objects.create(ticket=t2, issue=issue)
    EscalationIssue.objects.filter(pk=issue.pk).update(
        state=IssueState.CLOSED, state_changed_at=datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
    )
    reply_at(t1, datetime(2026, 12, 7, 10, 0, tzinfo=ACCRA), agent)
    status_at(t1, datetime(2026, 12, 7, 11, 0, tzinfo=UTC), Status.RESOLVED, agent)
    with at(datetime(2026, 12, 7, 13, 0, tzinfo=UTC)):
        services.ticket_requester_reopen(
            ticket=Ticket.objects.get(pk=t1.pk), requester=t1.requester
        )
    reply_at(t4, datetime(2026, 12, 7, 9, 30, tzinfo=NAIROBI), agent)
    status_at(t4, datetime(2026, 12, 7, 11, 0, tzinfo=NAIROBI), Status.RESOLVED, agent)
    with at(READ_AT):
        sla.sla_check()

    # Self-help in the same week: three suggestions shown, two opened, one answered.
    article = kb.article("Export your survey data")
    with at(datetime(2026, 12, 2, 9, 0, tzinfo=UTC)):
        for kind in (
            [SuggestionKind.IMPRESSION] * 3 + [SuggestionKind.CLICK] * 2 + [SuggestionKind.ANSWERED]
        ):
            SuggestionEvent.objects.create(
                kind=kind, source=SuggestionSource.CONTACT_FORM, article=article, query="export"
            )
    return {"t1": t1, "t2": t2, "t3": t3, "t4": t4, "t5": t5}


def week(**values) -> ReportFilters:
    from datetime import date

    return ReportFilters(Period(date(2026, 12, 1), date(2026, 12, 7)), values)


def test_the_first_week_figures_match_the_hand_computed_ones(first_week):
    with at(READ_AT):
        report = build_report(week(), desk_lists(None))

    assert [(r.label, r.created, r.resolved, r.backlog) for r in report.volume] == [
        ("2026-12-01", 1, 0, 2),
        ("2026-12-02", 0, 0, 2),
        ("2026-12-03", 1, 0, 3),
        ("2026-12-04", 1, 0, 4),
        ("2026-12-05", 0, 0, 4),
        ("2026-12-06", 0, 0, 4),
        ("2026-12-07", 2, 1, 5),  # T4 resolved; T1 was reopened, so it is open again
    ]
    sla_figure = report.sla
    assert (sla_figure.on_time, sla_figure.late, sla_figure.pending) == (2, 2, 1)
    assert sla_figure.percent == 50.0
    assert [(c.label, c.on_time, c.late, c.pending, c.percent) for c in report.sla_hubs] == [
        ("East Africa", 1, 1, 0, 50.0),
        ("Europe", 0, 1, 0, 0.0),
        ("West Africa", 1, 0, 1, 100.0),
    ]
    assert (report.first_response.count, report.first_response.median) == (3, 2.0)
    assert report.first_response.p90 == 10.0
    assert (report.resolution.count, report.resolution.median) == (1, 2.0)
    assert (report.escalation.part, report.escalation.whole) == (1, 5)
    assert report.escalation.percent == 20.0
    assert (report.l2_time.count, report.l2_time.median) == (1, 30.0)
    assert (report.reopen.part, report.reopen.whole, report.reopen.percent) == (1, 2, 50.0)
    assert report.deflection.rows[0] == ("Contact Us form", 3, 2, 1)
    assert report.deflection.web_tickets == 5
    assert report.deflection.deflection_percent == 16.7  # 1 of the 6 who came to write
    assert [(s.label, s.count) for s in report.tags] == [("Data export", 2), ("Performance", 1)]
    assert [(s.label, s.count) for s in report.hubs] == [
        ("East Africa", 2),
        ("West Africa", 2),
        ("Europe", 1),
    ]
    assert [clock.ticket_id for clock in report.breached] == [first_week["t3"].pk]
    assert report.by_category.series[0] == ("Bug", [1, 0, 1, 1, 0, 0, 0])
    assert [name for name, _values in report.by_impact.series] == ["Significant", "—"]


def test_filters_narrow_every_figure_to_one_hub(first_week):
    east_africa = factories.hub("east-africa")
    with at(READ_AT):
        report = build_report(week(hub=east_africa.pk), desk_lists(None))

    assert sum(r.created for r in report.volume) == 2
    assert (report.sla.on_time, report.sla.late, report.sla.percent) == (1, 1, 50.0)
    assert (report.first_response.median, report.first_response.p90) == (0.5, 10.0)
    assert report.breached == []


def test_an_issue_tag_filter_counts_each_ticket_once(first_week):
    tag = factories.issue_tag("data-export")
    with at(READ_AT):
        report = build_report(week(tag=tag.pk), desk_lists(None))
    assert sum(r.created for r in report.volume) == 2
    assert [(s.label, s.count) for s in report.tags] == [("Data export", 2), ("Performance", 1)]


def test_a_manager_reads_the_dashboard_with_charts_tables_and_filters_in_the_address(
    first_week, django_assert_max_num_queries
):
    client = logged_in(factories.support_manager())
    with at(READ_AT), django_assert_max_num_queries(40):
        response = client.get(f"/reports/?{FIRST_WEEK}&hub=east-africa&impact=significant")

    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<svg") == 6
    assert 'data-figure="created">1<' in page
    assert 'data-figure="sla">0.0 %<' in page  # T2 alone: answered late
    assert f'href="{reverse("desk:ticket", args=[first_week["t3"].pk])}"' not in page
    csv_link = "/reports/export/volume.csv?start=2026-12-01&amp;end=2026-12-07&amp;hub=east-africa"
    assert csv_link in page


def test_the_dashboard_query_count_does_not_grow_with_tickets(
    first_week, django_assert_max_num_queries
):
    client = logged_in(factories.support_manager())
    with at(READ_AT), django_assert_max_num_queries(40) as few:
        before = client.get(f"/reports/?{FIRST_WEEK}")
    assert 'data-figure="created">5<' in before.content.decode()
    for n in range(12):
        request_at(datetime(2026, 12, 2, 9, n, tzinfo=UTC), "asia")
    with at(READ_AT), django_assert_max_num_queries(len(few.captured_queries)):
        after = client.get(f"/reports/?{FIRST_WEEK}")
    assert after.status_code == 200
    assert 'data-figure="created">17<' in after.content.decode()  # the new ones are counted


def test_breached_tickets_are_listed_with_links_to_the_desk(first_week):
    client = logged_in(factories.support_manager())
    with at(READ_AT):
        page = client.get(f"/reports/?{FIRST_WEEK}").content.decode()
    t3 = first_week["t3"]
    assert f'href="{reverse("desk:ticket", args=[t3.pk])}">{t3.reference}</a>' in page


def test_unknown_filter_values_are_reported_and_left_out(first_week):
    client = logged_in(factories.support_manager())
    with at(READ_AT):
        response = client.get("/reports/?start=2026-12-07&end=2026-12-01&hub=atlantis&agent=x")
    assert response.status_code == 200
    form = response.context["form"]
    assert {"end", "hub", "agent"} <= set(form.errors)
    assert response.context["filters"].values == {}


def test_every_table_downloads_as_csv_with_formulas_neutralised(first_week):
    factories.PartnerFactory  # noqa: B018 - the partner names come from the fixture
    Ticket.objects.filter(pk=first_week["t2"].pk).update(subject='=HYPERLINK("http://x")')
    client = logged_in(factories.support_manager())
    with at(READ_AT):
        response = client.get(f"/reports/export/breached.csv?{FIRST_WEEK}")
        volume = client.get(f"/reports/export/volume.csv?{FIRST_WEEK}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="breached-2026-12-01-2026-12-07.csv"' in response["Content-Disposition"]
    assert volume.content.decode().splitlines()[:2] == [
        "Period,Created,Resolved,Open at the end",
        "2026-12-01,1,0,2",
    ]
    with at(READ_AT):
        report = build_report(week(), desk_lists(None))
    rows = table(report, "breached").rows
    assert rows[0][0] == first_week["t3"].reference


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
        ("+31 20 555", "'+31 20 555"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\tTab", "'\tTab"),
        ("Plain partner", "Plain partner"),
        (42, 42),
        (12.5, 12.5),
    ],
)
def test_spreadsheet_formulas_are_neutralised_in_csv_cells(cell, written):
    assert safe_cell(cell) == written
    assert to_csv([[cell]]).strip().strip('"') == str(written).strip()


def test_an_unknown_table_is_a_404():
    client = logged_in(factories.support_manager())
    assert client.get("/reports/export/passwords.csv").status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [("l1", 403), ("l2", 403), ("manager", 200)],
)
def test_only_support_managers_read_reports(who, status):
    user = {
        "l1": factories.l1_agent,
        "l2": factories.l2_engineer,
        "manager": factories.support_manager,
    }[who]()
    assert logged_in(user).get("/reports/").status_code == status
    assert logged_in(user).get("/reports/export/volume.csv").status_code == status
    if status == 403:
        assert (
            "Reports are for support managers." in logged_in(user).get("/reports/").content.decode()
        )


def test_visitors_log_in_and_requesters_never_see_reports(client):
    response = client.get("/reports/")
    assert response.status_code == 302
    assert "login" in response["Location"]
    requester = factories.UserFactory(is_staff=False)
    assert logged_in(requester).get("/reports/").status_code == 404


def test_dates_far_off_are_a_form_error_not_a_crash():
    client = logged_in(factories.support_manager())
    response = client.get("/reports/?start=0001-01-01&end=9999-12-31")
    assert response.status_code == 200
    assert {"start", "end"} <= set(response.context["form"].errors)
    assert response.context["filters"].period.days == 28  # the default period instead


def test_a_ticket_resolved_before_the_period_and_reopened_in_it_is_not_in_the_reopen_rate(
    first_week,
):
    agent = factories.l1_agent()
    older = request_at(datetime(2026, 11, 23, 10, 0, tzinfo=UTC), "europe")
    reply_at(older, datetime(2026, 11, 23, 11, 0, tzinfo=UTC), agent)
    status_at(older, datetime(2026, 11, 24, 9, 0, tzinfo=UTC), Status.RESOLVED, agent)
    with at(datetime(2026, 12, 2, 9, 0, tzinfo=UTC)):
        services.ticket_requester_reopen(
            ticket=Ticket.objects.get(pk=older.pk), requester=older.requester
        )
    with at(READ_AT):
        report = build_report(week(), desk_lists(None))
    assert (report.reopen.part, report.reopen.whole) == (1, 2)  # still T1 of T1 and T4


def test_self_help_figures_follow_only_the_period_and_the_product(first_week):
    with at(READ_AT):
        everyone = build_report(week(), desk_lists(None)).deflection
        one_hub = build_report(
            week(hub=factories.hub("east-africa").pk), desk_lists(None)
        ).deflection
    assert one_hub == everyone


def test_the_date_fields_show_the_period_the_figures_cover():
    client = logged_in(factories.support_manager())
    with at(READ_AT):
        page = client.get("/reports/").content.decode()
    assert 'name="start" value="2026-11-10"' in page
    assert 'name="end" value="2026-12-07"' in page
