"""The coach driving rules: when a bus really reaches each stop.

A journey is a list of legs, each a number of minutes at the wheel followed by a dwell
(minutes stopped at the stop the leg ends at). :meth:`DrivingRules.timeline` drives it
from a departure minute the way a law-abiding crew would, as early as the rules allow:

* no wheel turns in the night ban (02:00–05:00 by default): the bus waits until it ends;
* a driver drives at most 4 h in a row by day and 2 h by night, then rests at least
  20 min; any stop of that length (a dwell, a wait) counts as the rest;
* a driver drives at most 8 h in any 24 h (a rolling window);
* with two drivers, when the one at the wheel must stop, the other takes over if rested
  (the bus stops ``driver_change_minutes``); otherwise the bus waits.

Minutes are local wall-clock minutes since the plan's epoch (a local midnight), so the
clock time of minute ``m`` is ``m % DAY``. Journeys depend on the departure's time of
day only, so a plan's :class:`Journeys` keeps them per (time of day, legs, drivers).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import time

from charterplan.model import Policy

__all__ = ["DAY", "DrivingRules", "Journeys", "Leg", "in_span"]

DAY = 24 * 60

Leg = tuple[int, int]
"""(minutes at the wheel, minutes stopped at the leg's end)."""


def _clock(t: time) -> int:
    return t.hour * 60 + t.minute


def _within(clock: int, start: int, end: int) -> bool:
    """Whether a clock minute lies in the daily interval [start, end) (may wrap midnight)."""
    return start <= clock < end if start <= end else clock >= start or clock < end


def in_span(clock: int, span: tuple[int, int]) -> bool:
    """Whether a clock minute lies in a daily span such as :attr:`DrivingRules.ban_clock`."""
    return _within(clock, *span)


def _until(clock: int, target: int) -> int:
    """Minutes from a clock minute to the next time the clock shows ``target`` (> 0)."""
    return (target - clock - 1) % DAY + 1


@dataclass(slots=True)
class _Driver:
    log: list[tuple[int, int]] = field(default_factory=list)
    spell: int = 0
    total: int = 0
    off: int = -(10**9)

    def drive(self, start: int, end: int) -> None:
        """Log driving in [start, end): a spell that goes on extends the last span, and
        spans a day old are dropped, since every question asked later looks at most a
        day back from a later minute (the clock only moves on). Short logs keep
        :meth:`DrivingRules._budget` cheap on journeys of several days."""
        log = self.log
        while log and log[0][1] <= start - DAY:
            del log[0]
        if log and log[-1][1] == start:
            log[-1] = (log[-1][0], end)
        else:
            log.append((start, end))

    def driven(self, start: int, end: int) -> int:
        """Minutes this driver drove in [start, end)."""
        return sum(max(0, min(b, end) - max(a, start)) for a, b in self.log)


_Journey = tuple[int, int, tuple[tuple[tuple[tuple[int, int], ...], int, int, int], ...],
                 tuple[int, ...]]
"""A journey at a leg's end: the minute, the driver at the wheel, each driver's (log,
spell, total, off), and the arrivals so far."""


@dataclass(frozen=True, slots=True)
class DrivingRules:
    """The rules in whole minutes (``*_clock``: minutes after midnight, a daily span;
    ``*_min``: a duration); ``None`` switches a rule off. Plain values: the planner
    asks the same journeys again and again through a plan's :class:`Journeys`."""

    ban_clock: tuple[int, int] | None
    night_clock: tuple[int, int]
    day_spell_min: int | None
    night_spell_min: int | None
    rest_min: int
    daily_min: int | None
    change_min: int
    two_drivers_above_km: float | None
    extra_driver_cost: float
    @classmethod
    def of(cls, policy: Policy) -> DrivingRules:
        """The rules a policy switches on."""
        spells = policy.continuous_driving_limit
        return cls(
            ban_clock=((_clock(policy.night_ban_from), _clock(policy.night_ban_until))
                 if policy.night_driving_ban else None),
            night_clock=(_clock(policy.night_from), _clock(policy.night_until)),
            day_spell_min=round(policy.max_continuous_day_hours * 60) if spells else None,
            night_spell_min=round(policy.max_continuous_night_hours * 60) if spells else None,
            rest_min=policy.min_rest_minutes,
            daily_min=round(policy.max_daily_driving_hours * 60)
            if policy.daily_driving_limit else None,
            change_min=policy.driver_change_minutes,
            two_drivers_above_km=policy.two_drivers_above_km if policy.two_drivers else None,
            extra_driver_cost=policy.cost_per_extra_driver,
        )

    def drivers_for(self, outward_km: float) -> int:
        """Drivers a trip needs for an outward journey of ``outward_km``."""
        limit = self.two_drivers_above_km
        return 2 if limit is not None and outward_km > limit + 1e-9 else 1

    def timeline(self, departure: int, legs: Sequence[Leg], drivers: int) -> tuple[int, ...]:
        """Minute of arrival at the end of each leg, leaving at ``departure`` (worked
        out afresh: :meth:`Journeys.timeline` keeps the answers)."""
        return tuple(departure + o for o in self.drive(departure % DAY, tuple(legs), drivers, {}))

    def _spell_limit(self, clock: int) -> int | None:
        night = _within(clock, *self.night_clock)
        return self.night_spell_min if night else self.day_spell_min

    def _budget(self, driver: _Driver, now: int) -> int:
        """Most minutes ``driver`` may drive from ``now`` on without a break in the
        rolling 24-hour window (unbounded when the rule is off).

        While the driver drives on, the window's left edge moves on too: across earlier
        driving, which leaves the window as fast as new driving enters it, and across
        pauses, which do not. So the driver may go on until the edge has crossed as
        many minutes of pause as the window had to spare.
        """
        if self.daily_min is None:
            return 10**9
        edge = now - DAY
        spans = [(max(a, edge), b) for a, b in driver.log if b > edge]
        spare = self.daily_min - sum(b - a for a, b in spans)
        if spare < 0:
            return 0
        for a, b in spans:
            if a - edge > spare:
                break
            spare -= a - edge
            edge = b
        return min(self.daily_min, edge + spare - (now - DAY))

    def _room(self, driver: _Driver, now: int, need: int) -> int:
        """Minutes, up to ``need``, ``driver`` may drive from ``now`` before a rest."""
        if now - driver.off >= self.rest_min:
            driver.spell = 0
        limit = self._spell_limit(now % DAY)
        room = need if limit is None else min(need, limit - driver.spell)
        if room <= 0 or self.daily_min is None or driver.total + room <= self.daily_min:
            return room  # a driver who has not driven a day's limit yet keeps within it
        return min(room, self._budget(driver, now))

    def drive(self, start: int, legs: tuple[Leg, ...], drivers: int,
              after: dict[tuple[int, tuple[Leg, ...], int], _Journey]) -> list[int]:
        """Drive ``legs`` from clock minute ``start``; the minutes to each leg's end.

        The journey resumes from the longest beginning of it already driven from
        ``start`` that ``after`` holds, and records in it where it stands at the end of
        each leg but its last: routes to two or three nearby employers share the long
        first leg, which is most of the driving."""
        done = next((k for k in range(len(legs) - 1, 0, -1)
                     if (start, legs[:k], drivers) in after), 0)
        if done:
            now, at_wheel, saved, arrivals = after[start, legs[:done], drivers]
            crew = [_Driver(list(log), spell, total, off) for log, spell, total, off in saved]
        else:
            now, at_wheel, arrivals = start, 0, ()
            crew = [_Driver() for _ in range(max(1, drivers))]
        for n in range(done, len(legs)):
            if n:
                now += legs[n - 1][1]  # the dwell at the stop before
            left = legs[n][0]
            while left > 0:
                clock = now % DAY
                if self.ban_clock is not None and _within(clock, *self.ban_clock):
                    now += _until(clock, self.ban_clock[1])
                    continue
                room = self._room(crew[at_wheel], now, left)
                if room <= 0:
                    relief = self._relief(crew, at_wheel, now)
                    if relief is not None:
                        at_wheel = relief
                        now += self.change_min
                    else:
                        # a wait ends at the next rule change too: at 06:00 the day's
                        # longer spell may let a tired driver drive on unrested
                        now += min(self._wait(crew, at_wheel, now), self._next_boundary(clock))
                    continue
                step = min(room, self._next_boundary(clock))
                driver = crew[at_wheel]
                driver.drive(now, now + step)
                driver.spell += step
                driver.total += step
                now += step
                driver.off = now
                left -= step
            arrivals = (*arrivals, now)
            if n < len(legs) - 1:  # a beginning of this journey: one to resume from
                after[start, legs[:n + 1], drivers] = (now, at_wheel, tuple(
                    (tuple(d.log), d.spell, d.total, d.off) for d in crew), arrivals)
        return [a - start for a in arrivals]

    def _relief(self, crew: list[_Driver], at_wheel: int, now: int) -> int | None:
        """Another driver who may take the wheel after a change-over, if any."""
        for k in range(1, len(crew)):
            other = (at_wheel + k) % len(crew)
            if self._room(crew[other], now + self.change_min, 1) > 0:
                return other
        return None

    def _wait(self, crew: list[_Driver], at_wheel: int, now: int) -> int:
        """Minutes the bus stops until some driver may drive again (at least one); a
        change-over to another driver may start before that driver is ready."""
        waits = []
        for k, driver in enumerate(crew):
            limit = self._spell_limit(now % DAY)
            tired = limit is not None and now - driver.off < self.rest_min and driver.spell >= limit
            wait = max(1, self.rest_min - (now - driver.off)) if tired else 1
            if self.daily_min is not None and self._budget(driver, now + wait) <= 0:
                # one more minute is allowed once the window has shed enough driving:
                # from the left edge s on, at most daily − 1 minutes were driven
                excess = driver.driven(now - DAY, now) - (self.daily_min - 1)
                for a, b in driver.log:
                    start = max(a, now - DAY)
                    if excess <= 0 or b <= start:
                        continue
                    shed = min(b - start, excess)
                    edge = start + shed
                    excess -= shed
                wait = max(wait, edge + DAY - 1 - now)
            waits.append(wait if k == at_wheel else max(1, wait - self.change_min))
        return min(waits)

    def _next_boundary(self, clock: int) -> int:
        """Minutes until the next clock time at which a rule changes."""
        marks = list(self.night_clock)
        if self.ban_clock is not None:
            marks.append(self.ban_clock[0])
        return min(_until(clock, m) for m in marks)


class Journeys:
    """A memo of the journeys timed under ``rules``, mutable by design: one plan's
    (its context's :class:`~charterplan.shared.context.PlanMemo` holds it, and the
    routes built for the plan), so it holds that plan's routes only; a global cache of
    fixed size overflowed at a province's patterns (ten hubs) and lost most hits."""

    __slots__ = ("_after", "_offsets", "latest", "rules")

    def __init__(self, rules: DrivingRules) -> None:
        self.rules = rules
        self._offsets: dict[tuple[int, tuple[Leg, ...], int], tuple[int, ...]] = {}
        # where a journey stands at the end of each leg it drove but its last (most
        # journeys are a direct route's one leg; keeping where each ended too costs
        # memory and resumes hardly any)
        self._after: dict[tuple[int, tuple[Leg, ...], int], _Journey] = {}
        self.latest: dict[tuple[object, ...], int] = {}
        """Memo of :func:`charterplan.shared.routes.latest_slot` by the journey up to the
        last stop asked about."""

    def __reduce__(self) -> tuple[type[Journeys], tuple[DrivingRules]]:
        """Pickled (for a worker process) without the memos, which start afresh there."""
        return (Journeys, (self.rules,))

    def timeline(self, departure: int, legs: Sequence[Leg], drivers: int) -> tuple[int, ...]:
        """:meth:`DrivingRules.timeline`, each journey worked out once."""
        return tuple(departure + o for o in self.offsets(departure % DAY, legs, drivers))

    def offsets(self, clock: int, legs: Sequence[Leg], drivers: int) -> tuple[int, ...]:
        """Minutes from the departure to the end of each leg, leaving at ``clock``
        (minutes after midnight): all that a departure's day changes is the date."""
        key = (clock, tuple(legs), drivers)
        found = self._offsets.get(key)
        if found is None:
            found = self._offsets[key] = tuple(self.rules.drive(*key, self._after))
        return found
