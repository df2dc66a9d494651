"""The clerk's plan: the baseline a county office would make by hand.

Everyone who may travel leaves on their first possible day; each day, the workers of
one hub and destination city fill buses of the type cheapest per seat in turn (sorted
by employer), and each bus drops its riders in nearest-first order and returns, paying
for the second driver the driving rules require as charterplan does. The clerk
respects health and windows exactly as charterplan does (the same eligibility
stage), so the two plans carry the same workers and differ only in how they group them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from charterplan.model import PlanRequest
from charterplan.stages.context import DAY, build_context
from charterplan.stages.eligibility import screen
from charterplan.stages.routes import nearest_first, route

__all__ = ["ClerkPlan", "clerk_plan"]


@dataclass(frozen=True)
class ClerkPlan:
    """What the clerk's plan costs."""

    workers: int
    buses: int
    cost: float
    km: float

    @property
    def cost_per_worker(self) -> float:
        """Cost divided by workers carried."""
        return self.cost / self.workers if self.workers else 0.0


def clerk_plan(request: PlanRequest) -> ClerkPlan:
    """Cost of the clerk's plan for ``request`` (see the module docstring)."""
    context = build_context(request)
    cities = {d.id: d.city for d in request.destinations}
    rides: dict[tuple[str, int, str], list[tuple[str, int]]] = defaultdict(list)
    for unit in screen(context).units:
        day = context.grids[unit.hub].first_at_or_after(unit.earliest) // DAY
        city = cities[unit.destinations[0]]
        rides[unit.hub, day, city].append((unit.destinations[0], unit.size))
    buses, cost, km, carried = 0, 0.0, 0.0, 0
    for (hub, _, _), riders in sorted(rides.items()):
        kinds = context.bus_types_at[hub]
        if not kinds:
            continue
        kind = min(kinds, key=lambda k: (k.fixed_cost + k.cost_per_km * 1000) / k.capacity)
        loads: list[list[str]] = [[]]
        seats = 0
        for dest, size in sorted(riders):
            if seats + size > kind.capacity:
                loads.append([])
                seats = 0
            loads[-1] += [dest] * size
            seats += size
        for load in loads:
            path = route(context, hub, nearest_first(context, hub, tuple(set(load))))
            length = path.km
            buses += 1
            km += length
            cost += kind.fixed_cost + kind.cost_per_km * length + path.extra_cost
            carried += len(load)
    return ClerkPlan(workers=carried, buses=buses, cost=cost, km=km)
