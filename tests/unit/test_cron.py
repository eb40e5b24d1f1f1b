"""The 5-field cron parser and its next firing, DST changes included."""

from __future__ import annotations

import datetime

import pytest

from custom.schedules.cron import (
    CronError,
    next_cron_fire,
    next_interval_fire,
    parse_cron,
    zone,
)

UTC = datetime.UTC
NEW_YORK = zone("America/New_York")


def _fires(expr: str, tz, after: datetime.datetime, n: int) -> list[datetime.datetime]:
    cron, out = parse_cron(expr), []
    for _ in range(n):
        after = next_cron_fire(cron, tz, after)
        out.append(after)
    return out


def test_ranges_steps_lists_and_names() -> None:
    after = datetime.datetime(2026, 12, 5, 0, 0, tzinfo=UTC)  # a Saturday
    assert _fires("0 9 * * MON-FRI", zone("UTC"), after, 2) == [
        datetime.datetime(2026, 12, 7, 9, 0, tzinfo=UTC),
        datetime.datetime(2026, 12, 8, 9, 0, tzinfo=UTC),
    ]
    assert _fires("*/20 1,3 * * *", zone("UTC"), after, 4)[-1] == datetime.datetime(
        2026, 12, 5, 3, 0, tzinfo=UTC
    )
    assert _fires("0 0 1 jan,jul *", zone("UTC"), after, 1) == [
        datetime.datetime(2027, 1, 1, tzinfo=UTC)
    ]


def test_day_of_month_or_day_of_week_when_both_are_restricted() -> None:
    after = datetime.datetime(2026, 12, 5, tzinfo=UTC)
    # the 13th or a Friday: Friday Dec 11 comes first
    assert _fires("0 0 13 * 5", zone("UTC"), after, 1) == [
        datetime.datetime(2026, 12, 11, tzinfo=UTC)
    ]


def test_spring_forward_the_skipped_time_fires_once_an_hour_later_on_the_clock() -> None:
    after = datetime.datetime(2026, 3, 7, 12, tzinfo=UTC)
    fires = _fires("30 2 * * *", NEW_YORK, after, 2)
    assert fires[0] == datetime.datetime(2026, 3, 8, 7, 30, tzinfo=UTC)  # 03:30 EDT
    assert fires[1].astimezone(NEW_YORK).hour == 2  # the next day as usual


def test_fall_back_the_repeated_hour_fires_once() -> None:
    after = datetime.datetime(2026, 10, 31, 12, tzinfo=UTC)
    fires = _fires("30 1 * * *", NEW_YORK, after, 2)
    assert fires == [
        datetime.datetime(2026, 11, 1, 5, 30, tzinfo=UTC),  # 01:30 EDT, not 01:30 EST too
        datetime.datetime(2026, 11, 2, 6, 30, tzinfo=UTC),  # 01:30 EST the next day
    ]


def test_interval_firings_fall_on_multiples_since_the_epoch() -> None:
    at = datetime.datetime(2026, 12, 5, 0, 0, 30, tzinfo=UTC)
    assert next_interval_fire(60, at) == datetime.datetime(2026, 12, 5, 0, 1, tzinfo=UTC)
    assert next_interval_fire(60, at.replace(second=0)) == datetime.datetime(
        2026, 12, 5, 0, 1, tzinfo=UTC
    )


@pytest.mark.parametrize(
    "expr", ["* * * *", "60 * * * *", "* 24 * * *", "5-1 * * * *", "*/0 * * * *", "x * * * *"]
)
def test_bad_expressions_say_why(expr: str) -> None:
    with pytest.raises(CronError):
        parse_cron(expr)


def test_a_cron_no_day_matches_never_fires_and_unknown_zones_are_refused() -> None:
    after = datetime.datetime(2026, 12, 5, tzinfo=UTC)
    assert next_cron_fire(parse_cron("0 0 31 2 *"), zone("UTC"), after) is None
    with pytest.raises(CronError):
        zone("Mars/Olympus")
