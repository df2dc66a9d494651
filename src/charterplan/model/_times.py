"""Parsing of the request's local times.

A request states times as ISO 8601 strings in its ``timezone``. A date alone means the
start of that day for a lower bound (``earliest_departure``) and the end of that day
for an upper bound (``latest_arrival``, ``quarantine_until``,
``certificate_valid_until``). Times with an explicit UTC offset are converted to the
request's zone; times without one are read in it. Every parsed datetime is aware and
lies in the years :data:`FIRST_YEAR`–:data:`LAST_YEAR`.

The zone is not known to a nested model on its own, so :class:`PlanRequest` sets it in
a context variable for the duration of its validation.
"""

from __future__ import annotations

from contextvars import ContextVar
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BeforeValidator, PlainSerializer

DEFAULT_TIMEZONE = "Asia/Shanghai"

_zone: ContextVar[ZoneInfo | None] = ContextVar("charterplan_request_zone", default=None)

END_OF_DAY = time(23, 59, 59)

FIRST_YEAR, LAST_YEAR = 2000, 2099
"""Years a request's times may lie in: any campaign fits, a mistyped year (0202, 9999)
is refused, and the planner's date arithmetic (a trip's way home, a crew's rest) and
the zone database stay inside their ranges and whole-minute UTC offsets."""


def zone_named(name: str) -> ZoneInfo:
    """Return the IANA zone ``name``; raise ValueError naming it if unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError("not a known IANA time zone name such as 'Asia/Shanghai'") from exc


def current_zone() -> ZoneInfo:
    """The zone of the request being validated, or the default zone."""
    return _zone.get() or ZoneInfo(DEFAULT_TIMEZONE)


def set_zone(zone: ZoneInfo | None) -> Any:
    """Set the zone for nested validation; returns a token for :func:`reset_zone`."""
    return _zone.set(zone)


def reset_zone(token: Any) -> None:
    """Undo :func:`set_zone`."""
    _zone.reset(token)


def _localize(value: datetime) -> datetime:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"the year {value.year} is outside the years {FIRST_YEAR}–"
                         f"{LAST_YEAR} a request may use (got {value.isoformat()!r})")
    zone = current_zone()
    if value.tzinfo is None:
        return value.replace(tzinfo=zone)
    return value.astimezone(zone)


def _parse(value: object, day_end: bool) -> datetime:
    if isinstance(value, datetime):
        return _localize(value)
    if isinstance(value, date):
        return _localize(datetime.combine(value, END_OF_DAY if day_end else time(0, 0)))
    if not isinstance(value, str):
        raise ValueError(f"expected an ISO 8601 date or date-time string (got {value!r})")
    text = value.strip()
    try:
        parsed: date = date.fromisoformat(text) if len(text) == 10 else (
            datetime.fromisoformat(text))
    except ValueError:
        raise ValueError(
            f"expected an ISO 8601 date or date-time such as '2020-02-20' or "
            f"'2020-02-20T07:30' (got {value[:40]!r})"
        ) from None
    return _parse(parsed, day_end)


def _serialize(value: datetime) -> str:
    return value.isoformat(timespec="minutes")


StartTime = Annotated[
    datetime,
    BeforeValidator(lambda v: _parse(v, day_end=False)),
    PlainSerializer(_serialize, return_type=str, when_used="json"),
]
"""A local time; a date alone means the start of that day."""

EndTime = Annotated[
    datetime,
    BeforeValidator(lambda v: _parse(v, day_end=True)),
    PlainSerializer(_serialize, return_type=str, when_used="json"),
]
"""A local time; a date alone means the end of that day."""


def parse_clock(value: object) -> time:
    """Parse ``HH:MM`` (24-hour) into a time; raise ValueError otherwise."""
    if isinstance(value, time):
        return value
    if isinstance(value, str) and len(value) == 5 and value[2] == ":":
        try:
            return time(int(value[:2]), int(value[3:]))
        except ValueError:
            pass
    raise ValueError(f"expected a clock time 'HH:MM' such as '06:30' (got {value!r})")


Clock = Annotated[
    time,
    BeforeValidator(parse_clock),
    PlainSerializer(lambda t: t.strftime("%H:%M"), return_type=str, when_used="json"),
]
"""A time of day written ``HH:MM``."""


def offset_change(zone: ZoneInfo, start: datetime, end: datetime) -> tuple[
        datetime, timedelta, timedelta] | None:
    """The first change of ``zone``'s UTC offset in ``[start, end]``, as (the local
    time it happens, the offset before, the offset after), or None.

    The offset is sampled every 6 hours (no zone changes twice within that) and a
    change found is narrowed down to the minute by bisection.
    """
    step = timedelta(hours=6)
    here = start.astimezone(UTC)
    last = end.astimezone(UTC)
    before = here.astimezone(zone).utcoffset()
    while here < last:
        there = min(here + step, last)
        after = there.astimezone(zone).utcoffset()
        if after != before:
            low, high = here, there
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                if middle.astimezone(zone).utcoffset() == before:
                    low = middle
                else:
                    high = middle
            assert before is not None and after is not None
            return high.astimezone(zone), before, after
        here = there
    return None


def offset_text(offset: timedelta) -> str:
    """``+08:00``, ``-04:00``, ``+08:05:43``."""
    sign = "-" if offset < timedelta(0) else "+"
    seconds = abs(int(offset.total_seconds()))
    text = f"{sign}{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"
    return text + (f":{seconds % 60:02d}" if seconds % 60 else "")
