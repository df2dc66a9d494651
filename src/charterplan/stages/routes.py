"""Bus routes: the order of a bus's stops, its length, and when it reaches each stop.

A :class:`Pattern` is a closed route hub → stops → hub. Its length is fixed; its timing
is not, because the coach driving rules (:mod:`charterplan.stages.driving`) make a bus
that leaves in the evening wait out the night ban. So a pattern keeps its legs (minutes
at the wheel, minutes stopped) and answers *when*, given a departure minute.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from charterplan.stages.context import DAY, Context, SlotGrid
from charterplan.stages.driving import DrivingRules, Leg

__all__ = ["Pattern", "best_route", "latest_slot", "nearest_first", "route"]


@dataclass(frozen=True, slots=True)
class Pattern:
    """Stops one bus calls at, in visiting order, with its route.

    ``km`` is the closed route's road length, back to the hub included; ``outward_km``
    the length up to the last stop. ``legs`` has one leg per stop and a last one back to
    the hub; ``drivers`` is how many drivers the outward length needs.
    """

    stops: tuple[str, ...]
    km: float
    outward_km: float
    legs: tuple[Leg, ...]
    drivers: int
    rules: DrivingRules

    @property
    def extra_cost(self) -> float:
        """Cost of the drivers beyond the first."""
        return (self.drivers - 1) * self.rules.extra_driver_cost

    def arrivals(self, departure: int) -> tuple[int, ...]:
        """Minute of arrival at each stop, leaving the hub at ``departure``."""
        return self.rules.timeline(departure, self.legs, self.drivers)[:-1]

    def arrival_at(self, departure: int, stop: str) -> int:
        """Minute of arrival at ``stop``, leaving the hub at ``departure``."""
        return self.arrivals(departure)[self.stops.index(stop)]

    def back(self, departure: int) -> int:
        """Minute the bus is back at the hub, leaving it at ``departure``."""
        return self.rules.timeline(departure, self.legs, self.drivers)[-1]


def route(context: Context, hub: str, stops: tuple[str, ...]) -> Pattern:
    """The pattern visiting ``stops`` in the given order from ``hub`` and back."""
    key = (hub, stops)
    found = context.routes.get(key)
    if found is not None:
        return found
    path = [hub, *stops, hub]
    km = [float(k) for k in context.places.road_km(path[:-1], path[1:]).diagonal()]
    pause = context.request.policy.stop_minutes
    legs = tuple((context.drive_minutes(k), pause if i < len(stops) else 0)
                 for i, k in enumerate(km))
    outward = sum(km[:len(stops)])
    pattern = Pattern(stops=stops, km=sum(km), outward_km=outward, legs=legs,
                      drivers=context.rules.drivers_for(outward), rules=context.rules)
    context.routes[key] = pattern
    return pattern


def best_route(context: Context, hub: str, stops: tuple[str, ...]) -> Pattern:
    """The shortest closed route over ``stops`` (exact up to 7 stops, else nearest-first)."""
    if len(stops) <= 7:
        orders = itertools.permutations(sorted(stops))
        return min((route(context, hub, o) for o in orders), key=lambda p: (p.km, p.stops))
    return route(context, hub, nearest_first(context, hub, stops))


def nearest_first(context: Context, hub: str, stops: tuple[str, ...]) -> tuple[str, ...]:
    """``stops`` in nearest-neighbour order from ``hub``: always the closest one next."""
    order: list[str] = []
    left = sorted(stops)
    here = hub
    while left:
        km = context.places.road_km([here], left)[0]
        here = left.pop(int(km.argmin()))
        order.append(here)
    return tuple(order)


def latest_slot(pattern: Pattern, grid: SlotGrid, deadlines: Sequence[tuple[str, int]],
                cap: int) -> int:
    """The latest departure slot, at or before ``cap``, from which ``pattern`` reaches
    each of its ``deadlines``' stops in time (earlier than any plan when none does)."""
    return _latest_slot(pattern, grid, tuple(deadlines), cap)


@lru_cache(maxsize=262144)
def _latest_slot(pattern: Pattern, grid: SlotGrid, deadlines: tuple[tuple[str, int], ...],
                 cap: int) -> int:
    index = [pattern.stops.index(stop) for stop, _ in deadlines]
    fastest = [sum(m + d for m, d in pattern.legs[:i]) + pattern.legs[i][0] for i in index]
    bound = min([cap] + [by - f for (_, by), f in zip(deadlines, fastest, strict=True)])
    slot = grid.last_at_or_before(bound)
    # the rules at most triple a journey (8 h at the wheel in 24) and add the night bans
    floor = bound - 4 * sum(m + d for m, d in pattern.legs) - 2 * DAY
    while slot >= floor:
        arrivals = pattern.arrivals(slot)
        late = max(arrivals[i] - by for i, (_, by) in zip(index, deadlines, strict=True))
        if late <= 0:
            return slot
        # the same clock a day earlier arrives exactly a day earlier, and leaving
        # earlier never arrives later: a day's step back cannot skip a feasible slot
        slot = grid.last_at_or_before(slot - DAY if late > DAY else slot - 1)
    return floor - DAY
