"""Departure waves of an area, and the demands of its units over them.

Every unit has an interval of slot times it may depart in on each day: from its
earliest departure to the latest one that still meets its deadlines on a given route.
Units can share a bus only if their intervals share a time, so each day's intervals
are *stabbed* by the fewest times that touch them all (greedy on right ends is
optimal for intervals); each stab time is a wave. With date-only windows, as counties
register them, an area has one wave per day.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from charterplan.shared.bus_route import BusRoute
from charterplan.shared.context import DAY, SlotGrid
from charterplan.shared.routes import latest_slot
from charterplan.shared.units import Area, Unit
from charterplan.solvers.assignment import Demand

__all__ = ["Waves", "area_services", "latest_departure", "plan_waves"]

_ClassKey = tuple[tuple[str, ...], int, int, tuple[int, ...], tuple[int, ...], tuple[int, ...],
                  tuple[int, float] | None]
"""Destinations and boarding tokens, size, priority, any-pattern waves, direct-only
waves, rail choices, and the day kept at a price (campaigns)."""


@dataclass(frozen=True, slots=True)
class Waves:
    """An area's waves (slot minutes, ascending) and its units grouped into demands.

    ``members[c]`` lists the units of demand ``c`` in request order.
    """

    times: tuple[int, ...]
    demands: tuple[Demand, ...]
    members: tuple[tuple[Unit, ...], ...]
    unserviceable: tuple[Unit, ...]


def latest_departure(unit: Unit, pattern: BusRoute, grid: SlotGrid) -> int:
    """Latest slot ``unit`` may leave in on ``pattern`` and meet all its deadlines
    (earlier than ``unit.earliest`` when there is none)."""
    return latest_slot(pattern, grid, unit.deadlines, unit.latest_departure)


def _day_pieces(grid: SlotGrid, first: int, last: int) -> list[tuple[int, int]]:
    """Split a slot interval [first, last] into per-day intervals of slot times."""
    pieces = []
    day = first // DAY
    while day * DAY <= last:
        day_first, day_last = grid.day_slots(day)
        lo, hi = max(first, day_first), min(last, day_last)
        if lo <= hi:
            pieces.append((lo, hi))
        day += 1
    return pieces


def _stab(intervals: list[tuple[int, int]]) -> list[int]:
    points: list[int] = []
    for lo, hi in sorted(set(intervals), key=lambda iv: (iv[1], iv[0])):
        if not points or lo > points[-1]:
            points.append(hi)
    return points


def _inside(points: list[int], pieces: list[tuple[int, int]]) -> set[int]:
    return {p for p in points for lo, hi in pieces if lo <= p <= hi}


def area_services(area: Area) -> tuple[str, ...]:
    """The rail services some unit of ``area`` may take: its model's rail choices."""
    return tuple(sorted({o.service for u in area.units for o in u.rail}))


def plan_waves(area: Area, grid: SlotGrid) -> Waves:
    """Waves of ``area`` and its units as demands over them.

    A unit that no train takes and whose destinations no pattern covers, or that fits
    no wave, is returned in ``unserviceable``.
    """
    spans: dict[Unit, tuple[list[tuple[int, int]], list[tuple[int, int]]]] = {}
    unserviceable: list[Unit] = []
    # units of one key share their patterns, and most share deadlines and cap too
    patterns: dict[frozenset[str], tuple[list[BusRoute], list[BusRoute]]] = {}
    latest: dict[tuple[frozenset[str], tuple[tuple[str, int], ...], int], tuple[int, int]] = {}
    for unit in area.units:
        wanted = unit.key
        if wanted not in patterns:
            covering = [p for p in area.patterns if wanted <= p.key]
            patterns[wanted] = (covering, [p for p in covering if p.key == wanted])
        covering, direct = patterns[wanted]
        if not direct:
            if unit.rail:
                spans[unit] = ([], [])
            else:
                unserviceable.append(unit)
            continue
        first = grid.first_at_or_after(unit.earliest)
        alike = (wanted, unit.deadlines, unit.latest_departure)
        if alike not in latest:
            latest[alike] = (min(latest_departure(unit, p, grid) for p in covering),
                             latest_departure(unit, direct[0], grid))
        last_any, last_direct = latest[alike]
        spans[unit] = (_day_pieces(grid, first, last_any),
                       _day_pieces(grid, first, last_direct))
    intervals = [iv for any_, direct_ in spans.values() for iv in any_ + direct_]
    times = sorted(set(_stab(intervals)))
    wave_of = {t: w for w, t in enumerate(times)}
    choice = {service: o for o, service in enumerate(area_services(area))}
    classes: dict[_ClassKey, list[Unit]] = defaultdict(list)
    for unit, (any_pieces, direct_pieces) in spans.items():
        any_waves = _inside(times, any_pieces)
        direct_waves = _inside(times, direct_pieces) - any_waves
        if not any_waves and not direct_waves and not unit.rail:
            unserviceable.append(unit)
            continue
        key = (tuple(sorted(unit.key)), unit.size, unit.priority,
               tuple(sorted(wave_of[t] for t in any_waves)),
               tuple(sorted(wave_of[t] for t in direct_waves)),
               tuple(sorted(choice[o.service] for o in unit.rail)),
               None if unit.stay is None else (unit.stay.day, unit.stay.weight))
        classes[key].append(unit)
    demands = []
    members = []
    for key, units in classes.items():
        dests, size, priority, any_waves_, direct_waves_, rails, stay = key
        demands.append(Demand(dests=frozenset(dests), size=size, priority=priority,
                              count=len(units), any_waves=any_waves_,
                              direct_waves=direct_waves_, rails=rails, stay=stay))
        members.append(tuple(units))
    return Waves(times=tuple(times), demands=tuple(demands), members=tuple(members),
                 unserviceable=tuple(unserviceable))
