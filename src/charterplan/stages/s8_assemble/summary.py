"""Summary figures: cost, a lower bound on it, and the daily report tables
(:func:`charterplan.model.report.report_tables`).

The lower bound is the larger of two valid bounds per hub. *Radial*: a bus's closed
route is at least twice the hub distance of each of its riders, so every rider costs
at least ``(fixed + 2 · cost_per_km · r) / capacity`` on the cheapest suitable type.
*Count*: the hub's riders need at least ``ceil(riders / largest capacity)`` buses, each
costing at least the cheapest fixed cost plus a round trip to the nearest destination.
Rail riders of a service need at least ``ceil(riders / carriage capacity)`` carriages
(their feeders are bounded by zero).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

from charterplan.geo import great_circle_km
from charterplan.model import BusType, Summary, TrainUse, Trip, Unassigned
from charterplan.model.report import report_tables
from charterplan.shared.context import Context

__all__ = ["lower_bound", "seat_bound", "summarize"]


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
    for hub, dests in riders.items():
        kinds = context.bus_types_at[hub]
        places = sorted(set(dests))
        km = dict(zip(places, _bound_km(context, hub, places), strict=True))
        radial = sum(seat_bound(kinds, km[d]) for d in dests)
        nearest = min(km.values())
        count = math.ceil(len(dests) / max(k.capacity for k in kinds)) * min(
            k.fixed_cost + 2 * k.cost_per_km * nearest for k in kinds)
        bound += max(radial, count)
    return bound


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


def _trains(context: Context, trips: Sequence[Trip]) -> tuple[TrainUse, ...]:
    """The whole-train view: per service used, its carriages, riders and cost."""
    used: dict[str, list[Trip]] = defaultdict(list)
    for trip in trips:
        if trip.mode == "rail":
            used[trip.vehicle_type].append(trip)
    return tuple(
        TrainUse.of(service.id, service.hub, service.carriages, ts)
        for service in sorted(context.rail.services.values(), key=lambda s: s.index)
        if (ts := used.get(service.id)))


def summarize(context: Context, trips: list[Trip], unassigned: list[Unassigned],
             work: float, roster_bound: int) -> Summary:
    cost = round(sum(t.cost for t in trips), 2)
    bound = math.floor(lower_bound(context, trips) * 100) / 100
    reasons: dict[str, int] = defaultdict(int)
    for u in unassigned:
        reasons[u.reason.value] += 1
    modes: dict[str, int] = defaultdict(int)
    for t in trips:
        modes[t.mode] += 1
    return Summary(
        workers=len(context.request.workers),
        assigned=sum(len(t.passengers) for t in trips if not t.feeder),
        roster_bound_workers=roster_bound,
        unassigned=len(unassigned),
        unassigned_by_reason=dict(sorted(reasons.items())),
        trips_by_mode=dict(sorted(modes.items())),
        total_cost=cost,
        total_km=round(sum(t.distance_km for t in trips), 1),
        lower_bound_cost=bound,
        gap_pct=round(100 * (cost - bound) / bound, 2) if bound > 0 else 0.0,
        solve_seconds=round(work, 3),
        tables=report_tables(context.request, trips, unassigned),
        trains=_trains(context, trips),
        moved_to_hub=_moved_to_hub(context, trips),
    )


def _moved_to_hub(context: Context, trips: list[Trip]) -> int | None:
    """Door to door: riders registered at a pickup point who board at no stop there
    (they make their own way to the hub); None without door to door."""
    request = context.request
    if not request.door_to_door:
        return None
    point = {w.id: w.pickup_point for w in request.workers if w.pickup_point is not None}
    boarded = {w for t in trips for s in t.stops if s.kind == "pickup"
               for w in s.workers if point.get(w) == s.place}
    return sum(w in point and w not in boarded for t in trips if not t.feeder
               for w in t.passengers)
