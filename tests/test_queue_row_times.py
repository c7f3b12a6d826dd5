"""The queue rows write times as Django's filters and ``format_zoned`` do, with less work.

``desk.queue_table.Times`` reads the zone, the day and month names and the unit
words once a page; its text must be the same as theirs, in every zone and year.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.timesince import timesince, timeuntil

from desk.queue_table import Times
from tickets.time_zones import format_zoned

NOW = datetime(2026, 12, 7, 1, 30, 15, 123456, tzinfo=UTC)
MOMENTS = [
    NOW - delta
    for delta in (
        timedelta(0),
        timedelta(seconds=59),
        timedelta(minutes=1),
        timedelta(hours=5, minutes=3),
        timedelta(days=1, hours=2),
        timedelta(days=9),
        timedelta(days=40),
        timedelta(days=370),
        timedelta(days=800, hours=13),
    )
] + [
    NOW + timedelta(minutes=90),
    NOW + timedelta(days=3, hours=4),
    datetime(2026, 1, 1, tzinfo=UTC),
]


@pytest.mark.parametrize("zone", ["UTC", "Africa/Nairobi", "Asia/Dubai", "America/St_Johns"])
def test_the_rows_times_read_as_the_filters_write_them(zone):
    with timezone.override(zone):
        times = Times(NOW)
        for moment in MOMENTS:
            assert times.iso(moment) == date_format(timezone.localtime(moment), "c")
            assert times.zoned(moment) == format_zoned(moment)
            assert times.since(moment, NOW) == timesince(moment, NOW)
            assert times.until(moment, NOW) == timeuntil(moment, NOW)
            assert times.until(NOW, moment) == timeuntil(NOW, moment)
