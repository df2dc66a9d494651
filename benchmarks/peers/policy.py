"""Charterplan's yardstick applied to any bus plan: its cost and its breaches of policy.

Cost is charterplan's: Σ (fixed_cost + cost_per_km × closed route km + the second
driver a journey over ``two_drivers_above_km`` needs) over buses, km on the road (great
circle × road factor) from the hub through the pickups (if any) and drops and back.

A route breaks the policy by

- ``max_dropoffs``: more distinct destinations than ``policy.max_dropoffs_per_bus``;
- ``dropoff_radius``: two drop-offs farther apart than ``policy.dropoff_radius_km``
  (geodesic, as charterplan joins destinations);
- ``detour``: a rider riding more than ``policy.max_detour_km`` beyond the direct road
  (those boarding at the pickups when the route has any, else at the hub);
- ``late``: a rider arriving after their deadline, the bus leaving at its departure and
  keeping the coach driving rules (ETAs exactly as charterplan computes its own);
- ``certificate``: a rider whose health certificate has expired when the bus leaves;
- ``min_passengers``: fewer riders than ``policy.min_passengers_per_bus``;
- ``overload``: more riders than the bus type's capacity.

Plan-wide counts: ``group_split`` (groups whose members ride different buses),
``fleet`` (buses beyond a type's ``available_per_day`` on a day of departure, all hubs
together), ``slots`` (buses that found no free departure slot on the day they were
planned for and leave on a later one; see :func:`benchmarks.peers.common.stagger`) and
``no_crew`` (buses for which charterplan's staffing,
:func:`charterplan.stages.s7_staffing.staff_trips` over all the plan's buses, finds no
escort and medic of the roster: such a bus cannot run; the routes do not say who is
a poor household, so every rider counts alike).

Peers plan without the coach driving rules; their buses are timed and priced with
them, as charterplan's are, so a peer's bus that the rules make late counts as ``late``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from itertools import combinations

from geopy.distance import geodesic

from benchmarks.peers.common import PeerResult, Route
from charterplan.shared.context import DAY, Context
from charterplan.shared.routes import too_long
from charterplan.stages.s7_staffing import Duty, staff_trips

__all__ = ["KEYS", "evaluate", "route_cost", "route_km", "violations"]

KEYS = ("max_dropoffs", "dropoff_radius", "detour", "late", "certificate",
        "min_passengers", "overload", "group_split", "fleet", "slots", "no_crew")


def route_km(context: Context, route: Route) -> float:
    """Road km of the closed route hub → pickups → stops → hub."""
    return route.pattern(context).km


def route_cost(context: Context, route: Route) -> float:
    """What the bus costs: fixed, per km, and the second driver a long journey needs."""
    path = route.pattern(context)
    return route.kind.fixed_cost + route.kind.cost_per_km * path.km + path.extra_cost


def _late(context: Context, route: Route) -> bool:
    times = route.arrivals(context)
    return any(times[stop] > drop.deadline
               for drop, stop in zip(route.drops, route.stop_of_drop, strict=True))


def _spread_km(context: Context, route: Route) -> float:
    """Largest geodesic km between two drop-offs (charterplan's radius test)."""
    index, lat, lon = context.places.index, context.places.lat, context.places.lon
    points = [(float(lat[index[d]]), float(lon[index[d]])) for d in sorted(set(route.stops))]
    return max((geodesic(a, b).km for a, b in combinations(points, 2)), default=0.0)


def violations(context: Context, routes: Sequence[Route]) -> dict[str, int]:
    """How often ``routes`` break charterplan's policy (see the module docstring)."""
    policy = context.request.policy
    count = dict.fromkeys(KEYS, 0)
    buses_of: dict[str, set[int]] = defaultdict(set)
    per_kind: Counter[tuple[str, int]] = Counter()
    available = {}
    for n, route in enumerate(routes):
        count["max_dropoffs"] += len(set(route.stops)) > policy.max_dropoffs_per_bus
        count["dropoff_radius"] += _spread_km(context, route) > policy.dropoff_radius_km + 1e-9
        count["detour"] += too_long(context, route.pattern(context), not route.pickups)
        count["late"] += _late(context, route)
        count["certificate"] += any(route.departure > d.expires for d in route.drops)
        count["min_passengers"] += route.load < policy.min_passengers_per_bus
        count["overload"] += route.load > route.kind.capacity
        count["slots"] += route.departure // DAY > route.day
        for drop in route.drops:
            for unit in drop.units:
                buses_of[unit].add(n)
        per_kind[route.kind.id, route.departure // DAY] += 1
        available[route.kind.id] = route.kind.available_per_day
    count["group_split"] = sum(len(buses) > 1 for buses in buses_of.values())
    count["fleet"] = sum(max(0, n - available[kind]) for (kind, _), n in per_kind.items())
    duties = [Duty(r.hub, r.departure, r.pattern(context).back(r.departure), 0, r.load)
              for r in routes]
    count["no_crew"] = sum(pair is None for pair in staff_trips(context, duties).crew)
    return count


def evaluate(context: Context, name: str, routes: Sequence[Route], seconds: float) -> PeerResult:
    """Cost, km and policy breaches of a plan given as routes."""
    return PeerResult(name=name, buses=len(routes),
                      cost_yuan=sum(route_cost(context, r) for r in routes),
                      km=sum(route_km(context, r) for r in routes),
                      seconds=seconds, violations=violations(context, routes),
                      riders=sum(r.load for r in routes), routes=tuple(routes))
