"""The clerk's plan: the baseline a county office would make by hand.

Everyone who may travel leaves on their first possible day; each day, the workers of
one hub and destination city fill buses of the type cheapest per seat in turn (sorted
by employer), and each bus drops its riders in nearest-first order and returns, paying
for the second driver the driving rules require as charterplan does. The clerk
respects health and windows exactly as charterplan does (the same eligibility
stage), so the two plans carry the same workers and differ only in how they group them.
Everyone boards at the hub (the clerk calls at no pickup point).

The plan is made as routes, the type the peers of :mod:`benchmarks.peers` produce
(:func:`clerk_routes`): :func:`clerk_plan` adds up their cost, and :func:`run`, the
suite's peer "clerk", dispatches them into the hubs' departure slots as the peers' buses
are and checks them against charterplan's policy.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from benchmarks.peers.common import PeerResult, Piece, Route, chunk, pieces, run_routes
from benchmarks.peers.policy import route_cost, route_km
from charterplan.model import BusType, PlanRequest
from charterplan.shared.context import DAY, Context, build_context
from charterplan.shared.units import Unit
from charterplan.stages.s1_eligibility import screen

__all__ = ["NAME", "ClerkPlan", "clerk_plan", "clerk_routes", "run"]

NAME = "clerk"


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


def clerk_routes(context: Context) -> list[Route]:
    """The clerk's buses (see the module docstring), in (hub, day, city) order, each
    leaving at the first slot all its riders may take, before dispatch."""
    cities = {d.id: d.city for d in context.request.destinations}
    rides: dict[tuple[str, int, str], list[Unit]] = defaultdict(list)
    for unit in screen(context).units:
        day = context.grids[unit.hub].first_at_or_after(unit.earliest) // DAY
        rides[unit.hub, day, cities[unit.destinations[0]]].append(unit)
    routes = []
    for (hub, day, _), units in sorted(rides.items()):
        kinds = context.bus_types_at.get(hub, ())
        if not kinds:
            continue
        kind = min(kinds, key=lambda k: (k.fixed_cost + k.cost_per_km * 1000) / k.capacity)
        routes += [_bus(context, hub, day, kind, load) for load in _loads(units, kind.capacity)]
    return routes


def _loads(units: Sequence[Unit], capacity: int) -> list[list[Unit]]:
    """Whole units in (destination, size) order, filling one bus after another."""
    loads: list[list[Unit]] = []
    seats = capacity
    for unit in sorted(units, key=lambda u: (u.destinations[0], u.size, u.workers[0])):
        if seats + unit.size > capacity:
            loads.append([])
            seats = 0
        loads[-1].append(unit)
        seats += unit.size
    return loads


def _bus(context: Context, hub: str, day: int, kind: BusType, load: Sequence[Unit]) -> Route:
    """One bus of ``load``: one drop per destination, nearest first from the hub."""
    riders: dict[str, list[Piece]] = defaultdict(list)
    for unit in load:
        for dest, piece in pieces(context, unit).items():
            riders[dest].append(piece)
    drops = tuple(chunk(dest, riders[dest])
                  for dest in nearest_first(context, hub, tuple(riders)))
    return Route(hub, day, kind, max(d.ready for d in drops), drops)


def clerk_plan(request: PlanRequest) -> ClerkPlan:
    """Cost of the clerk's plan for ``request`` (see the module docstring)."""
    context = build_context(request)
    routes = clerk_routes(context)
    return ClerkPlan(workers=sum(r.load for r in routes), buses=len(routes),
                     cost=sum(route_cost(context, r) for r in routes),
                     km=sum(route_km(context, r) for r in routes))


def run(request: PlanRequest, *, seed: int = 0, jobs: int = 1) -> PeerResult:
    """The clerk's plan as a peer's: dispatched, priced and checked by charterplan.

    ``seed`` and ``jobs`` are accepted for the peers' interface and ignored: the clerk
    is deterministic and needs no search.
    """
    del seed, jobs
    return run_routes(request, NAME, clerk_routes)


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
