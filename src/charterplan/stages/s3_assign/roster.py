"""The roster bound of a request's areas: the flows of riders over their departure
days, with each day's crews, fleet and slots (:mod:`charterplan.solvers.roster_bound`)."""

from __future__ import annotations

from collections.abc import Sequence

from charterplan.shared.context import DAY, Context
from charterplan.shared.crews import blocked_days, crews_per_day, least_duty, pools, rest_minutes
from charterplan.shared.routes import route
from charterplan.shared.units import Area
from charterplan.shared.waves import Waves
from charterplan.solvers.roster_bound import Flow, RosterProblem, merge_flows, roster_bound

__all__ = ["roster_bound_workers"]


def roster_bound_workers(context: Context, areas: Sequence[Area], waves: Sequence[Waves]) -> int:
    """The most workers of ``areas`` any plan can carry with the request's roster, fleet
    and slots: riders who may take a train count in full (their carriages' crews are
    not bounded), the others by the LP bound."""
    rest = rest_minutes(context)
    by_rail = 0
    flows: list[Flow] = []
    days: set[int] = set()
    blocked: dict[tuple[str, str, int], int] = {}

    def blocks(hub: str, dest: str, day: int) -> int:
        if (hub, dest, day) not in blocked:
            grid = context.grids[hub]
            duty = least_duty(route(context, hub, (dest,)), rest)
            blocked[hub, dest, day] = blocked_days(grid, day * DAY + grid.open, duty)
        return blocked[hub, dest, day]

    for area, wave in zip(areas, waves, strict=True):
        types = context.bus_types_at.get(area.hub, ())
        for demand in wave.demands:
            riders = demand.size * demand.count
            if demand.rails:
                by_rail += riders
                continue
            when = sorted({wave.times[w] // DAY for w in demand.any_waves + demand.direct_waves})
            dests = [d for d in area.destinations if d in demand.dests]
            if not types or not when or not dests:
                continue
            days.update(when)
            flows.append(Flow(area.hub, riders, tuple(when),
                              tuple(min(blocks(area.hub, d, day) for d in dests) for day in when),
                              max(k.capacity for k in types)))
    kept = {d for f in flows for day, n in zip(f.days, f.blocked, strict=True)
            for d in range(day, day + n)}
    problem = RosterProblem(merge_flows(flows), _crews(context, kept), _seats(context, days))
    return by_rail + roster_bound(problem)


def _crews(context: Context, days: set[int]) -> dict[tuple[str, int], int]:
    """Crews of each pool on the days buses may keep them."""
    return {(pool, day): n for pool in pools(context)
            for day, n in crews_per_day(context, pool or None, sorted(days)).items()}


def _seats(context: Context, days: set[int]) -> dict[tuple[str, int], int]:
    seats: dict[tuple[str, int], int] = {}
    hubs = list(context.bus_types_at)
    for hub, types in context.bus_types_at.items():
        if not types:
            continue
        grid = context.grids[hub]
        fleet = sum(k.capacity * k.available_per_day for k in types)
        slots = grid.slots_per_day * grid.per_slot * max(k.capacity for k in types)
        seats.update({(hub, day): min(fleet, slots) for day in days})
    if len(hubs) > 1:
        fleet = sum(k.capacity * k.available_per_day for k in context.request.bus_types
                    if k.hub is None or k.hub in hubs)
        seats.update({("", day): fleet for day in days})
    return seats
