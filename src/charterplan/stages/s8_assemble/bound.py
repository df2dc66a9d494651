"""Lower bounds on a plan's cost, both valid for the riders the plan carries.

*Radial* (:func:`lower_bound`), per hub the larger of two: a bus's closed route is at
least twice the hub distance of each of its riders, so every rider costs at least
``(fixed + 2 · cost_per_km · r) / capacity`` on the cheapest suitable type; and the
hub's riders need at least ``ceil(riders / largest capacity)`` buses, each costing at
least the cheapest fixed cost plus a round trip to the nearest destination. Rail riders
of a service need at least ``ceil(riders / carriage capacity)`` carriages (their
feeders are bounded by zero), in both bounds.

*LP* (:func:`bounds`), per hub: the LP relaxation of covering the plan's bus riders
with buses that run the patterns the planner may run
(:mod:`charterplan.solvers.pattern_lp`), or the radial bound where that is higher.

What holds for every bus of a plan, and so for every column of the LP:
- its drop-offs are a clique of the hub's neighbour graph
  (:func:`~charterplan.stages.s2_areas.neighbours`) of at most ``max_dropoffs_per_bus``
  (a drop-off where nobody alights only lengthens a route);
- its closed route is at least the shortest order of its drop-offs, pickups left out
  (road km obey the triangle inequality; with measured roads, which need not, the
  straight line, as the radial bound does), and that order keeps every rider from the
  hub within ``max_detour_km`` (with ``check``'s slack) when all the hub's riders
  board at the hub; its second driver is paid when even the shortest outward order
  is longer than ``two_drivers_above_km``;
- it leaves within the hub's opening hours on a day when each rider may leave:
  not before their earliest departure and not later than a direct drive at the
  policy speed before their latest arrival (no speed with measured roads);
- a type leaves at most ``available_per_day`` times a day.

Riders, not groups, are covered, and crews, slots and health dates are left out:
each only removes columns from the plans, so the bound stays valid.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import networkx as nx

from charterplan.geo import great_circle_km
from charterplan.model import BusType, Trip, Worker
from charterplan.shared.context import DAY, Context
from charterplan.solvers.pattern_lp import CoverProblem, cover_bound
from charterplan.stages.s2_areas import neighbours

__all__ = ["AreaBound", "Bounds", "area_bounds", "bounds", "lower_bound", "pattern_cost",
           "rider_days", "seat_bound"]

DETOUR_SLACK = 0.01
"""Relative slack ``check`` allows on a detour (it measures on the ellipsoid)."""

EXACT_ORDERS = 6
"""Up to this many drop-offs a pattern's orders are enumerated; beyond, its route is
bounded by twice its farthest drop-off."""


@dataclass(frozen=True, slots=True)
class Bounds:
    """Lower bounds on a plan's cost: radial (per hub the radial or count bound) and
    LP (per hub the larger of the LP and the radial), both with the rail carriages."""

    radial: float
    lp: float


def bounds(context: Context, trips: Sequence[Trip]) -> Bounds:
    """Both lower bounds on the cost of carrying the passengers of ``trips`` by the
    modes they ride (feeders bounded by zero)."""
    buses: dict[str, list[Trip]] = defaultdict(list)
    by_train: Counter[str] = Counter()
    for trip in trips:
        if trip.mode == "bus" and not trip.feeder:
            buses[trip.hub].append(trip)
        elif trip.mode == "rail":
            by_train[trip.vehicle_type] += len(trip.passengers)
    rail = sum(math.ceil(n / context.rail.services[s].capacity) * context.rail.services[s].cost
               for s, n in sorted(by_train.items()))
    radial = lp = rail
    for hub, ridden in sorted(buses.items()):
        old = hub_bound(context, hub, [context.destination_of[w] for t in ridden
                                       for w in t.passengers])
        radial += old
        lp += max(old, sum(a.bound for a in area_bounds(context, hub, ridden)))
    return Bounds(radial=radial, lp=lp)


@dataclass(frozen=True, slots=True)
class AreaBound:
    """One area's bound: its destinations, riders, what the plan's buses that stay
    inside it cost, and its radial and LP bounds (``bound`` the larger)."""

    hub: str
    destinations: tuple[str, ...]
    riders: int
    cost: float
    radial: float
    lp: float
    rounds: int
    optimal: bool

    @property
    def bound(self) -> float:
        return max(self.radial, self.lp)


def area_bounds(context: Context, hub: str, trips: Sequence[Trip]) -> list[AreaBound]:
    """Per area (connected employers) of ``hub``, the bounds of the riders of ``trips``,
    the buses of ``hub``."""
    policy = context.request.policy
    kinds = context.bus_types_at.get(hub, ())
    if not kinds:
        return []
    km = _distance(context)
    by_id = {w.id: w for w in context.request.workers}
    class_of: dict[str, tuple[str, int, int]] = {}
    for trip in trips:
        day = context.minute(trip.departure) // DAY
        for w in trip.passengers:
            first, last = rider_days(context, hub, by_id[w])
            # the day the plan carries them on is one of theirs, whatever the rules say
            class_of[w] = (by_id[w].destination, min(first, day), max(last, day))
    classes = Counter(class_of.values())
    detour = _detour(context, [by_id[w] for w in class_of])
    graph = neighbours(context, sorted({d for d, _, _ in classes}))
    area_of = {d: min(c) for c in nx.connected_components(graph) for d in c}
    known: dict[str, list[Trip]] = defaultdict(list)
    for trip in trips:
        drops = {area_of[context.destination_of[w]] for w in trip.passengers}
        if len(drops) == 1:
            known[drops.pop()].append(trip)
    kind_index = {k.id: i for i, k in enumerate(kinds)}
    found = []
    # areas share no pattern: one LP each, every one held to the whole fleet
    for area in sorted(sorted(c) for c in nx.connected_components(graph)):
        keys = sorted(k for k in classes if k[0] in set(area))
        index = {d: i for i, d in enumerate(area)}
        at = {k: i for i, k in enumerate(keys)}
        patterns: list[tuple[int, ...]] = []
        costs: list[list[float]] = []
        for clique in nx.enumerate_all_cliques(graph.subgraph(area)):
            if len(clique) > policy.max_dropoffs_per_bus:
                break
            stops = tuple(sorted(clique))
            cost = pattern_cost(context, hub, stops, detour, km)
            if cost is not None:
                patterns.append(tuple(index[d] for d in stops))
                costs.append(cost)
        problem = CoverProblem(
            demand=[classes[k] for k in keys], dest=[index[d] for d, _, _ in keys],
            days=[(a, b) for _, a, b in keys], patterns=patterns, cost=costs,
            capacity=[k.capacity for k in kinds],
            available=[k.available_per_day for k in kinds],
            buses=[(kind_index[t.vehicle_type], context.minute(t.departure) // DAY, t.cost,
                    dict(Counter(at[class_of[w]] for w in t.passengers)))
                   for t in known[area[0]] if t.vehicle_type in kind_index])
        riders = [key[0] for key in keys for _ in range(classes[key])]
        lp = cover_bound(problem)
        # a little below the LP's value, against the floating point of the duals
        found.append(AreaBound(hub=hub, destinations=tuple(area), riders=len(riders),
                               cost=sum(t.cost for t in known[area[0]]),
                               radial=hub_bound(context, hub, riders),
                               lp=lp.value * (1 - 1e-9), rounds=lp.rounds,
                               optimal=lp.optimal))
    return found


def rider_days(context: Context, hub: str, worker: Worker) -> tuple[int, int]:
    """The first and last day a bus from ``hub`` may leave with ``worker``: in opening
    hours, not before their earliest departure, and not later than a direct drive at
    the policy speed (1 % slack; none with measured roads) before their latest arrival."""
    grid = context.grids[hub]
    earliest = context.minute(worker.earliest_departure)
    drive = 0 if context.request.roads else math.floor(
        0.99 * _distance(context)(hub, worker.destination)
        / context.request.policy.bus_speed_kmh * 60)
    latest = context.minute_up(worker.latest_arrival) - drive
    return _days(earliest, latest, grid.open, grid.close)


def pattern_cost(context: Context, hub: str, stops: tuple[str, ...], detour: float | None,
                 km: Callable[[str, str], float] | None = None) -> list[float] | None:
    """Per bus type of ``hub``, the least a bus dropping at ``stops`` costs: its fixed
    cost, the shortest closed route that detours nobody from the hub beyond ``detour``
    and a second driver if even the shortest outward order needs one (None: no order
    keeps the detour)."""
    shortest = _shortest(km or _distance(context), hub, stops, detour)
    if shortest is None:
        return None
    closed, outward = shortest
    extra = (context.rules.drivers_for(outward) - 1) * context.rules.extra_driver_cost
    return [k.fixed_cost + k.cost_per_km * closed + extra for k in context.bus_types_at[hub]]


def _detour(context: Context, riders: Sequence[Worker]) -> float | None:
    """The detour every pattern keeps (``check``'s slack included) when all ``riders``
    board at the hub and roads are not measured; else None: any order."""
    request = context.request
    # door to door: a bus may also stop at pickup points on its way out
    from_hub = not request.door_to_door or all(w.pickup_point is None for w in riders)
    if request.roads or not from_hub:
        return None
    return request.policy.max_detour_km * (1 + DETOUR_SLACK) + 0.1


def _days(earliest: int, latest: int, open_: int, close: int) -> tuple[int, int]:
    """The first and last day on which a departure in opening hours falls between
    ``earliest`` and ``latest`` (minutes); when none does (a plan cannot have carried
    the rider then), every day from the earliest's to the latest's."""
    first, last = earliest // DAY, latest // DAY
    days = [t for t in range(first, last + 1)
            if max(earliest, t * DAY + open_) <= min(latest, t * DAY + close)]
    return (days[0], days[-1]) if days else (first, max(first, last))


def _distance(context: Context) -> Callable[[str, str], float]:
    """Km no route leg undercuts: road km, or the straight line with measured roads."""
    if not context.request.roads:
        return context.places.km
    at, lat, lon = context.places.index, context.places.lat, context.places.lon

    def straight(a: str, b: str) -> float:
        return float(great_circle_km(lat[at[a]], lon[at[a]], lat[at[b]], lon[at[b]]))
    return straight


def _shortest(km: Callable[[str, str], float], hub: str, stops: tuple[str, ...],
              detour: float | None) -> tuple[float, float] | None:
    """The shortest closed and outward km over the orders of ``stops`` that detour no
    rider from the hub beyond ``detour`` (None: any order); None when no order keeps it."""
    if len(stops) > EXACT_ORDERS:
        far = max(km(hub, d) for d in stops)
        return 2 * far, far
    closed = outward = math.inf
    for order in itertools.permutations(stops):
        path = [hub, *order]
        along = [0.0, *itertools.accumulate(km(a, b) for a, b in itertools.pairwise(path))]
        if detour is not None and any(along[i] - km(hub, path[i]) > detour
                                      for i in range(1, len(path))):
            continue
        closed = min(closed, along[-1] + km(path[-1], hub))
        outward = min(outward, along[-1])
    return None if math.isinf(closed) else (closed, outward)


def lower_bound(context: Context, trips: Sequence[Trip]) -> float:
    """A lower bound on the cost of carrying the passengers of ``trips`` by the modes
    they ride."""
    dest_of = context.destination_of
    riders: dict[str, list[str]] = defaultdict(list)
    by_train: dict[str, int] = defaultdict(int)
    for trip in trips:
        if trip.mode == "bus" and not trip.feeder:
            riders[trip.hub] += [dest_of[w] for w in trip.passengers]
        elif trip.mode == "rail":
            by_train[trip.vehicle_type] += len(trip.passengers)
    bound = sum(math.ceil(n / context.rail.services[s].capacity) * context.rail.services[s].cost
                for s, n in by_train.items())
    return bound + sum(hub_bound(context, hub, dests) for hub, dests in riders.items())


def hub_bound(context: Context, hub: str, dests: Sequence[str]) -> float:
    """The larger of the radial and the count bound of the bus riders of ``hub``, one
    destination id a rider."""
    kinds = context.bus_types_at[hub]
    places = sorted(set(dests))
    km = dict(zip(places, _bound_km(context, hub, places), strict=True))
    radial = sum(seat_bound(kinds, km[d]) for d in dests)
    nearest = min(km.values())
    count = math.ceil(len(dests) / max(k.capacity for k in kinds)) * min(
        k.fixed_cost + 2 * k.cost_per_km * nearest for k in kinds)
    return max(radial, count)


def seat_bound(kinds: Sequence[BusType], km: float) -> float:
    """What a seat costs at least on a bus ``km`` road km out and back: its share of
    a full bus of the type cheapest per seat (the radial bound of a rider)."""
    return min((k.fixed_cost + 2 * k.cost_per_km * km) / k.capacity for k in kinds)


def _bound_km(context: Context, hub: str, places: list[str]) -> list[float]:
    """Distances no route can undercut: road km, or with measured roads (which need
    not obey the triangle inequality) the straight line, which no road is shorter than."""
    if context.request.roads:
        at = context.places.index
        lat, lon = context.places.lat, context.places.lon
        ends = [at[p] for p in places]
        return [float(k) for k in great_circle_km(lat[at[hub]], lon[at[hub]], lat[ends],
                                                  lon[ends])]
    return [float(k) for k in context.places.road_km([hub], places)[0]]
