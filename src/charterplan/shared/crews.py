"""The roster as the assignment sees it: how many crews (an escort and a medic) a hub
can send out on a day, and for how many days a bus keeps its crew.

A crew member who leaves on a trip is back at the hub, rested, ``back +
staff_rest_hours`` later; their next trip leaves at the first slot after that. So a
trip *blocks* its crew for the days from its departure's day up to the day before
that next slot. A person's trips block disjoint days, so on every day the trips that
block it are at most the crews available that day: a rolling cap over the days a trip
spans (:func:`crews_per_day`, :func:`blocked_days`). The assignment model keeps its
buses within it (``AssignmentProblem.crew_caps``) and the roster bound
(:mod:`charterplan.solvers.roster_bound`) is built on it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from charterplan.model import Staff
from charterplan.shared.bus_route import BusRoute
from charterplan.shared.context import DAY, Context, SlotGrid
from charterplan.shared.units import Area
from charterplan.shared.waves import Waves

__all__ = ["Pool", "blocked_days", "crews", "crews_per_day", "duty_days_of", "least_duty",
           "pools", "rest_minutes"]


@dataclass(frozen=True, slots=True)
class Pool:
    """Who may crew a hub's trips on a day, by role: ``escorts`` and ``medics`` hold one
    role only, ``both`` hold the two."""

    escorts: int
    medics: int
    both: int


def crews(pool: Pool) -> int:
    """Most trips that can each have an escort and a different medic from ``pool``."""
    return min(pool.escorts + pool.both, pool.medics + pool.both,
               (pool.escorts + pool.medics + pool.both) // 2)


def rest_minutes(context: Context) -> int:
    """The rest after a trip, in whole minutes (as the staffing stage counts it)."""
    return math.ceil(context.request.policy.staff_rest_hours * 60)


def _counts(context: Context, hub: str | None, day: int, staff: Iterable[Staff]) -> Pool:
    """The staff who may be on a trip of ``hub`` (None: of any hub) that blocks ``day``.

    Such a trip left by that day's close, and its crew is back no earlier than the
    day's close less the rest (else it would not block the day): a person counts if
    their availability reaches that far on both sides."""
    grid = context.grids[hub] if hub is not None else None
    close = day * DAY + (grid.close if grid is not None else DAY)
    back_by = close - rest_minutes(context)
    one: dict[str, int] = {"escort": 0, "medic": 0}
    both = 0
    for s in staff:
        if hub is not None and s.hub not in (None, hub):
            continue
        if (context.minute_up(s.available_from) > close
                or context.minute(s.available_until) < back_by):
            continue
        if len(s.roles) == 2:
            both += 1
        else:
            one[next(iter(s.roles))] += 1
    return Pool(one["escort"], one["medic"], both)


def crews_per_day(context: Context, hub: str | None, days: Iterable[int]) -> dict[int, int]:
    """Most trips of ``hub`` (None: of every bus station together) that can block each
    of ``days``: the crews its roster gives that day (:func:`crews`)."""
    staff = context.request.staff
    return {d: crews(_counts(context, hub, d, staff)) for d in days}


def pools(context: Context) -> tuple[str, ...]:
    """The crew pools the bus stations share: each bus station, and all of them
    together ("") when there are several (people of no hub serve every one)."""
    hubs = tuple(h.id for h in context.request.hubs if h.kind == "bus_station")
    return (*hubs, "") if len(hubs) > 1 else hubs


def blocked_days(grid: SlotGrid, departure: int, duty: int) -> int:
    """Days a trip that leaves at ``departure`` and keeps its crew ``duty`` minutes (back
    and rested) blocks them: up to the day of the first slot after, that day excluded.
    Zero when the crew may leave again the same day."""
    return grid.first_at_or_after(departure + duty) // DAY - departure // DAY


def least_duty(route: BusRoute, rest: int) -> int:
    """A lower bound on the minutes a trip of ``route`` keeps its crew, whenever it
    leaves: its legs at the wheel and its stops (the driving rules only add waits),
    and the rest."""
    return sum(drive + dwell for drive, dwell in route.legs) + rest


def duty_days_of(context: Context, area: Area, waves: Waves) -> dict[int, int]:
    """Days a bus of ``area`` leaving on each day of its waves keeps its crew at the
    least: on the area's shortest duty (:func:`least_duty`), leaving at the hub's
    opening (:func:`blocked_days`). The assignment's crew caps are so a relaxation:
    they hold back only departures no roster could crew, and the staffing stage,
    which sees the real times, chooses among the rest. (Timed under the driving rules
    from the opening, the days estimated were closer to the timetable's, and the
    plans carried fewer workers: benchmarks/RESULTS.md, "Crews in the assignment".)"""
    if not area.patterns:
        return {}
    grid = context.grids[area.hub]
    rest = rest_minutes(context)
    blocked = min(blocked_days(grid, grid.open, least_duty(p, rest)) for p in area.patterns)
    return {t // DAY: blocked for t in waves.times}
