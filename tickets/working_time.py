"""Working time on a hub's calendar: when the clock starts, when a window ends, time used.

"One working day" is the length of the hub's working hours on one day (09:00-17:00
is 8 hours), counted only inside working time: a request at 16:00 on a Friday in
Nairobi has one hour on Friday and the other seven on Monday, so it is due on
Monday at 16:00. Outside working time (evenings, weekends, public holidays of the
hub's country and closures an admin records) the clock stands still; a request
that arrives then starts at the next opening.

Working hours are wall-clock times in the hub's zone, so a daylight-saving change
moves them with the hub; durations are real elapsed time.

This module knows nothing of tickets or the database: services build a
:class:`WorkingCalendar` from a hub and ask it questions.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

import holidays

# A calendar whose every day is closed would loop for ever; no real window is
# longer than this, so a search past it is a configuration error.
SEARCH_LIMIT_DAYS = 3 * 366


class CalendarError(ValueError):
    """The calendar cannot answer: no working time at all, or a naive datetime."""


@dataclass(frozen=True)
class WorkingCalendar:
    time_zone: str
    working_days: frozenset[int]
    starts: time
    ends: time
    holiday_country: str = ""
    holiday_subdivision: str = ""
    closures: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not self.working_days:
            raise CalendarError("A working calendar needs at least one working day.")
        if self.starts >= self.ends:
            raise CalendarError("The working day must end after it starts.")

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @cached_property
    def _public_holidays(self) -> Callable[[date], bool]:
        if not self.holiday_country:
            return lambda day: False
        return _country_holidays(self.holiday_country, self.holiday_subdivision).__contains__

    @property
    def day_length(self) -> timedelta:
        """One working day: the length of the working hours (wall clock)."""
        return datetime.combine(date.min, self.ends) - datetime.combine(date.min, self.starts)

    def is_working_day(self, day: date) -> bool:
        return (
            day.weekday() in self.working_days
            and day not in self.closures
            and not self._public_holidays(day)
        )

    def hours_on(self, day: date) -> tuple[datetime, datetime]:
        """The working interval of a (working) day, as aware instants."""
        return (
            datetime.combine(day, self.starts, tzinfo=self.zone),
            datetime.combine(day, self.ends, tzinfo=self.zone),
        )

    def _intervals_from(self, instant: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working intervals that end after ``instant``, clipped to start no earlier."""
        _check_aware(instant)
        day = instant.astimezone(self.zone).date()
        for _ in range(SEARCH_LIMIT_DAYS):
            if self.is_working_day(day):
                opens, closes = self.hours_on(day)
                if closes > instant:
                    yield max(opens, instant), closes
            day += timedelta(days=1)
        raise CalendarError(
            f"No working time within {SEARCH_LIMIT_DAYS} days of {instant.isoformat()}."
        )

    def clock_start(self, instant: datetime) -> datetime:
        """When the clock starts for a request at ``instant``: now, or the next opening."""
        start, _ = next(self._intervals_from(instant))
        return start

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The instant ``duration`` of working time after ``start``."""
        if duration < timedelta(0):
            raise CalendarError("A working-time window cannot be negative.")
        remaining = duration
        for opens, closes in self._intervals_from(start):
            available = closes - opens
            if remaining <= available:
                return opens + remaining
            remaining -= available
        raise AssertionError("unreachable: _intervals_from raises first")  # pragma: no cover

    def add_working_days(self, start: datetime, days: float) -> datetime:
        return self.add(start, self.day_length * days)

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Working time between two instants (zero if ``end`` is not after ``start``)."""
        _check_aware(start)
        _check_aware(end)
        total = timedelta(0)
        if end <= start:
            return total
        day = start.astimezone(self.zone).date()
        last = end.astimezone(self.zone).date()
        while day <= last:
            if self.is_working_day(day):
                opens, closes = self.hours_on(day)
                overlap = min(closes, end) - max(opens, start)
                if overlap > timedelta(0):
                    total += overlap
            day += timedelta(days=1)
        return total


@functools.lru_cache(maxsize=64)
def _country_holidays(country: str, subdivision: str) -> holidays.HolidayBase:
    """Built once per process (about 5 ms each); the years it covers grow as asked."""
    return holidays.country_holidays(country, subdiv=subdivision or None)


def _check_aware(instant: datetime) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise CalendarError("Working time needs time-zone-aware datetimes.")


def elapsed_excluding(
    calendar: WorkingCalendar,
    start: datetime,
    end: datetime,
    pauses: Iterable[tuple[datetime, datetime | None]],
) -> timedelta:
    """Working time from ``start`` to ``end`` minus the paused spans (an open pause runs to end)."""
    total = calendar.elapsed(start, end)
    for paused, resumed in pauses:
        paused_from = max(paused, start)
        paused_to = min(resumed or end, end)
        total -= calendar.elapsed(paused_from, paused_to)
    return max(total, timedelta(0))
