"""The coach driving rules simulated minute by minute, from first principles: the
earliest a bus may reach each stop (SPEC §5.3). Independent of the planner's
:mod:`charterplan.shared.driving`, which a property test keeps in agreement."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import time
from functools import cache

from charterplan.model import (
    Policy,
)

__all__ = ["Rules", "Wheel", "earliest_arrivals", "within"]


@dataclass(frozen=True)
class Rules:
    """The policy's coach driving rules in whole minutes (``*_clock``: minutes after
    midnight, a daily span; ``*_min``: durations); None when switched off."""

    ban_clock: tuple[int, int] | None
    night_clock: tuple[int, int]
    spells_min: tuple[int, int] | None
    """Longest spell by day, by night."""
    rest_min: int
    daily_min: int | None
    change_min: int

    @classmethod
    def of(cls, policy: Policy) -> Rules:
        def clock(t: time) -> int:
            return t.hour * 60 + t.minute
        return cls(
            ban_clock=(clock(policy.night_ban_from), clock(policy.night_ban_until))
            if policy.night_driving_ban else None,
            night_clock=(clock(policy.night_from), clock(policy.night_until)),
            spells_min=(round(policy.max_continuous_day_hours * 60),
                    round(policy.max_continuous_night_hours * 60))
            if policy.continuous_driving_limit else None,
            rest_min=policy.min_rest_minutes,
            daily_min=round(policy.max_daily_driving_hours * 60)
            if policy.daily_driving_limit else None,
            change_min=policy.driver_change_minutes,
        )


def within(clock: int, span: tuple[int, int]) -> bool:
    start, end = span
    return start <= clock < end if start <= end else clock >= start or clock < end


@dataclass
class Wheel:
    """One driver, minute by minute: when they drove, their spell, how long idle."""

    driven: list[int] = field(default_factory=list)
    spell: int = 0
    idle: int = 10**9


@cache
def earliest_arrivals(rules: Rules, clock: int, legs: tuple[tuple[int, int], ...],
                       drivers: int) -> tuple[int, ...]:
    """Minutes after departure (at minute ``clock`` of the day) at which a bus driving
    as early as the rules allow ends each leg; simulated minute by minute."""
    crew = [Wheel() for _ in range(max(1, drivers))]
    wheel, t, ends = 0, 0, []

    def may_drive(who: Wheel, at: int, idle: int) -> bool:
        spell = 0 if idle >= rules.rest_min else who.spell
        if rules.spells_min is not None:
            day, night = rules.spells_min
            limit = night if within((clock + at) % 1440, rules.night_clock) else day
            if spell + 1 > limit:
                return False
        if rules.daily_min is not None:
            recent = len(who.driven) - bisect.bisect_right(who.driven, at - 1440)
            if recent + 1 > rules.daily_min:
                return False
        return True

    def pause(minutes: int) -> None:
        nonlocal t
        t += minutes
        for who in crew:
            who.idle += minutes

    for minutes, dwell in legs:
        left = minutes
        while left > 0:
            if rules.ban_clock is not None and within((clock + t) % 1440, rules.ban_clock):
                pause(1)
                continue
            who = crew[wheel]
            if may_drive(who, t, who.idle):
                if who.idle >= rules.rest_min:
                    who.spell = 0
                who.driven.append(t)
                who.spell += 1
                for other in crew:
                    other.idle += 1
                who.idle = 0
                t += 1
                left -= 1
                continue
            relief = next((k for k in range(1, len(crew)) if may_drive(
                crew[(wheel + k) % len(crew)], t + rules.change_min,
                crew[(wheel + k) % len(crew)].idle + rules.change_min)), None)
            if relief is not None:
                wheel = (wheel + relief) % len(crew)
                pause(rules.change_min)
            else:
                pause(1)
        ends.append(t)
        pause(dwell)
    return tuple(ends)
