"""One working day on each hub's own calendar: hand-checked cases and properties."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tickets.working_time import CalendarError, WorkingCalendar, elapsed_excluding

# Any database: working-time arithmetic, pure functions. CI runs it once, on PostgreSQL
# (.ci/run).
pytestmark = pytest.mark.database_agnostic

WEEKDAYS = frozenset(range(5))
ONE_DAY = timedelta(hours=8)


def hub_calendar(time_zone: str, country: str, **overrides) -> WorkingCalendar:
    fields = {
        "time_zone": time_zone,
        "working_days": WEEKDAYS,
        "starts": time(9),
        "ends": time(17),
        "holiday_country": country,
    }
    fields.update(overrides)
    return WorkingCalendar(**fields)


NAIROBI = hub_calendar("Africa/Nairobi", "KE")
ACCRA = hub_calendar("Africa/Accra", "GH")
AMSTERDAM = hub_calendar("Europe/Amsterdam", "NL")
BOGOTA = hub_calendar("America/Bogota", "CO")
JAKARTA = hub_calendar("Asia/Jakarta", "ID")
HUBS = [NAIROBI, ACCRA, AMSTERDAM, BOGOTA, JAKARTA]


def local(calendar: WorkingCalendar, *args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(calendar.time_zone))


def test_one_working_day_is_the_length_of_the_hubs_working_hours():
    assert NAIROBI.day_length == ONE_DAY
    assert hub_calendar("Africa/Nairobi", "KE", ends=time(13)).day_length == timedelta(hours=4)


def test_a_friday_afternoon_request_in_nairobi_is_due_on_monday_at_the_same_hour():
    friday_4pm = local(NAIROBI, 2026, 11, 27, 16, 0)
    assert NAIROBI.clock_start(friday_4pm) == friday_4pm
    assert NAIROBI.add_working_days(friday_4pm, 1) == local(NAIROBI, 2026, 11, 30, 16, 0)


def test_a_request_on_a_public_holiday_in_accra_starts_at_the_next_opening():
    independence_day = local(ACCRA, 2026, 3, 6, 10, 30)  # a Friday, and a holiday in Ghana
    start = ACCRA.clock_start(independence_day)
    assert start == local(ACCRA, 2026, 3, 9, 9, 0)  # Monday's opening
    assert ACCRA.add_working_days(start, 1) == local(ACCRA, 2026, 3, 9, 17, 0)


def test_a_request_at_eleven_at_night_starts_at_nine_the_next_working_day():
    tuesday_night = local(NAIROBI, 2026, 11, 24, 23, 0)
    start = NAIROBI.clock_start(tuesday_night)
    assert start == local(NAIROBI, 2026, 11, 25, 9, 0)
    assert NAIROBI.add_working_days(start, 1) == local(NAIROBI, 2026, 11, 25, 17, 0)


def test_a_window_across_amsterdams_autumn_clock_change_keeps_wall_clock_hours():
    friday_1pm = local(AMSTERDAM, 2026, 10, 23, 13, 0)  # CEST, UTC+2
    due = AMSTERDAM.add_working_days(friday_1pm, 1)
    assert due == local(AMSTERDAM, 2026, 10, 26, 13, 0)  # CET, UTC+1
    assert due.astimezone(UTC) == datetime(2026, 10, 26, 12, 0, tzinfo=UTC)


def test_a_seven_day_hub_works_the_night_the_clocks_go_back():
    every_day = hub_calendar("Europe/Amsterdam", "", working_days=frozenset(range(7)))
    saturday_noon = local(every_day, 2026, 10, 24, 12, 0)
    due = every_day.add_working_days(saturday_noon, 1)
    # 5 hours on Saturday, 3 on Sunday after the change: 12:00 CET is 11:00 UTC.
    assert due == local(every_day, 2026, 10, 25, 12, 0)
    assert due.astimezone(UTC) == datetime(2026, 10, 25, 11, 0, tzinfo=UTC)


def test_bogota_skips_the_immaculate_conception_holiday():
    monday_3pm = local(BOGOTA, 2026, 12, 7, 15, 0)
    assert BOGOTA.add_working_days(monday_3pm, 1) == local(BOGOTA, 2026, 12, 9, 15, 0)


def test_jakarta_skips_christmas_and_the_weekend():
    thursday_10am = local(JAKARTA, 2026, 12, 24, 10, 0)
    assert JAKARTA.add_working_days(thursday_10am, 1) == local(JAKARTA, 2026, 12, 28, 10, 0)


def test_the_same_instant_has_a_different_due_time_in_each_hub():
    instant = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)  # a Friday
    due = {c.time_zone: c.add_working_days(c.clock_start(instant), 1) for c in HUBS}
    assert due == {
        "Africa/Nairobi": local(NAIROBI, 2026, 11, 30, 17, 0),  # 17:00 there: closed
        "Asia/Jakarta": local(JAKARTA, 2026, 11, 30, 17, 0),  # 21:00 there
        "Africa/Accra": local(ACCRA, 2026, 11, 30, 14, 0),  # 3 h Friday, 5 h Monday
        "Europe/Amsterdam": local(AMSTERDAM, 2026, 11, 30, 15, 0),  # 2 h Friday
        "America/Bogota": local(BOGOTA, 2026, 11, 27, 17, 0),  # 09:00 there: all Friday
    }


def test_a_closure_recorded_by_an_admin_closes_the_hub_that_day():
    closed = hub_calendar("Africa/Nairobi", "KE", closures=frozenset({date(2026, 11, 30)}))
    friday_4pm = local(closed, 2026, 11, 27, 16, 0)
    assert closed.add_working_days(friday_4pm, 1) == local(closed, 2026, 12, 1, 16, 0)


def test_working_time_stands_still_over_a_pause_waiting_on_the_customer():
    opened = local(NAIROBI, 2026, 11, 23, 9, 0)  # Monday
    waiting = (local(NAIROBI, 2026, 11, 23, 12, 0), local(NAIROBI, 2026, 11, 25, 12, 0))
    now = local(NAIROBI, 2026, 11, 25, 15, 0)
    assert elapsed_excluding(NAIROBI, opened, now, [waiting]) == timedelta(hours=6)
    still_waiting = (local(NAIROBI, 2026, 11, 25, 14, 0), None)
    assert elapsed_excluding(NAIROBI, opened, now, [still_waiting]) == timedelta(hours=21)


def test_naive_datetimes_and_calendars_without_working_time_are_refused():
    with pytest.raises(CalendarError, match="aware"):
        NAIROBI.clock_start(datetime(2026, 11, 27, 16, 0))  # noqa: DTZ001 - the point
    with pytest.raises(CalendarError, match="at least one working day"):
        hub_calendar("Africa/Nairobi", "KE", working_days=frozenset())
    with pytest.raises(CalendarError, match="end after it starts"):
        hub_calendar("Africa/Nairobi", "KE", starts=time(17), ends=time(9))


# --- Properties ---------------------------------------------------------------

instants = st.datetimes(
    min_value=datetime(2025, 1, 1),  # noqa: DTZ001 - hypothesis adds the zone
    max_value=datetime(2028, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)
windows = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=5))
calendars = st.sampled_from(HUBS)


def inside_working_time(calendar: WorkingCalendar, instant: datetime) -> bool:
    day = instant.astimezone(calendar.zone).date()
    if not calendar.is_working_day(day):
        return False
    opens, closes = calendar.hours_on(day)
    return opens <= instant <= closes


@settings(max_examples=200, deadline=None)
@given(calendar=calendars, start=instants, window=windows)
def test_a_due_time_always_falls_inside_working_time(calendar, start, window):
    due = calendar.add(calendar.clock_start(start), window)
    assert inside_working_time(calendar, due)


@settings(max_examples=200, deadline=None)
@given(calendar=calendars, first=instants, second=instants, window=windows)
def test_a_later_start_never_gives_an_earlier_due_time(calendar, first, second, window):
    early, late = sorted((first, second))
    assert calendar.add(early, window) <= calendar.add(late, window)


@settings(max_examples=200, deadline=None)
@given(calendar=calendars, points=st.lists(instants, min_size=3, max_size=3))
def test_elapsed_working_time_is_never_negative_and_adds_up_across_a_split(calendar, points):
    a, b, c = sorted(points)
    assert calendar.elapsed(c, a) == timedelta(0)
    ab, bc, ac = calendar.elapsed(a, b), calendar.elapsed(b, c), calendar.elapsed(a, c)
    assert ab >= timedelta(0)
    assert bc >= timedelta(0)
    assert ab + bc == ac


@settings(max_examples=200, deadline=None)
@given(calendar=calendars, start=instants, window=windows)
def test_the_working_time_to_a_due_time_is_the_window(calendar, start, window):
    assert calendar.elapsed(start, calendar.add(start, window)) == window
