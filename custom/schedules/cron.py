"""A 5-field cron expression (minute hour day-of-month month day-of-week) and the
next time it fires in an IANA time zone.

Each field is `*` or a comma list of `n`, `a-b`, `*/s`, `a-b/s` or `n/s` (from n to
the field's end); months and week days also take names (JAN, MON, ...); 7 is
Sunday as 0 is. As in Vixie cron, when both day-of-month and day-of-week are
restricted a day matches either. Times are matched on the zone's wall clock: a
time the zone skips (clocks go forward) maps with the offset before the change
(zoneinfo's fold=0), a time it repeats (clocks go back) fires once, the first
time. No dependency: croniter would be one more pin for ~100 lines.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
# how far ahead a next firing is looked for: "0 0 29 2 1" (Feb 29 or a Monday) is near;
# an expression no calendar day satisfies ("0 0 31 2 *") has none
SEARCH_DAYS = 366 * 8


class CronError(ValueError):
    """The expression or the time zone cannot be used; the message says why."""


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()
    names_from: int = 0


FIELDS = (
    _Field("minute", 0, 59),
    _Field("hour", 0, 23),
    _Field("day-of-month", 1, 31),
    _Field("month", 1, 12, MONTHS, 1),
    _Field("day-of-week", 0, 7, DAYS, 0),
)


@dataclass(frozen=True)
class Cron:
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday
    days_restricted: bool
    weekdays_restricted: bool

    def day_matches(self, day: datetime.date) -> bool:
        if day.month not in self.months:
            return False
        in_month = day.day in self.days
        in_week = (day.isoweekday() % 7) in self.weekdays
        if self.days_restricted and self.weekdays_restricted:
            return in_month or in_week
        return in_month and in_week


def parse_cron(expression: str) -> Cron:
    parts = expression.split()
    if len(parts) != 5:
        raise CronError(
            f"cron needs 5 fields (minute hour day-of-month month day-of-week), got {len(parts)}"
        )
    values = [_parse_field(text, field) for text, field in zip(parts, FIELDS, strict=True)]
    weekdays = frozenset(d % 7 for d in values[4])
    return Cron(
        minutes=tuple(sorted(values[0])),
        hours=tuple(sorted(values[1])),
        days=frozenset(values[2]),
        months=frozenset(values[3]),
        weekdays=weekdays,
        days_restricted=parts[2] != "*",
        weekdays_restricted=parts[4] != "*",
    )


def _parse_field(text: str, field: _Field) -> set[int]:
    values: set[int] = set()
    for item in text.split(","):
        values |= _parse_item(item, field)
    return values


def _parse_item(item: str, field: _Field) -> set[int]:
    span, _, step_text = item.partition("/")
    step = _number(step_text, field) if step_text else 1
    if step < 1:
        raise CronError(f"{field.name}: a step must be at least 1 in {item!r}")
    if span == "*":
        low, high = field.low, field.high
    elif "-" in span:
        first, _, last = span.partition("-")
        low, high = _value(first, field), _value(last, field)
    else:
        low = _value(span, field)
        high = field.high if step_text else low
    if low > high:
        raise CronError(f"{field.name}: range {item!r} goes backwards")
    return set(range(low, high + 1, step))


def _value(text: str, field: _Field) -> int:
    upper = text.upper()
    if upper in field.names:
        return field.names.index(upper) + field.names_from
    value = _number(text, field)
    if not field.low <= value <= field.high:
        raise CronError(f"{field.name}: {value} is outside {field.low}-{field.high}")
    return value


def _number(text: str, field: _Field) -> int:
    if not text.isdigit():
        raise CronError(
            f"{field.name}: {text!r} is not a number" + (" or a name" if field.names else "")
        )
    return int(text)


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CronError(f"unknown time zone {name!r} (an IANA name such as Europe/Paris)") from None


def next_cron_fire(cron: Cron, tz: ZoneInfo, after: datetime.datetime) -> datetime.datetime | None:
    """The first firing strictly after `after` (aware), in UTC; None if there is none."""
    after_utc = after.astimezone(datetime.UTC)
    local = after_utc.astimezone(tz)
    day = local.date()
    for _ in range(SEARCH_DAYS):
        if cron.day_matches(day):
            for hour in cron.hours:
                for minute in cron.minutes:
                    wall = datetime.datetime.combine(day, datetime.time(hour, minute), tz)
                    fire = wall.astimezone(datetime.UTC)  # fold=0: skipped/repeated times
                    if fire > after_utc:
                        return fire
        day += datetime.timedelta(days=1)
    return None


def next_interval_fire(seconds: int, after: datetime.datetime) -> datetime.datetime:
    """The first multiple of `seconds` since the Unix epoch strictly after `after`."""
    epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
    elapsed = (after - epoch) // datetime.timedelta(seconds=seconds)
    return epoch + datetime.timedelta(seconds=seconds) * (elapsed + 1)
