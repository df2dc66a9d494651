"""Summary figures: cost, lower bounds on it (:mod:`.bound`), and the daily report
tables (:func:`charterplan.model.report.report_tables`)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

from charterplan.model import Plan, Summary, TrainUse, Trip, Unassigned
from charterplan.model.report import report_tables
from charterplan.shared.context import Context
from charterplan.stages.s8_assemble.bound import bounds, lower_bound

__all__ = ["summarize", "with_lp_bound"]


def with_lp_bound(context: Context, plan: Plan) -> Plan:
    """``plan`` with the LP bound in its summary, and the better bound as
    ``lower_bound_cost``: worked out once, for the plan the re-planning rounds keep
    (:func:`summarize` leaves it out of the plans they weigh, which need only the cost)."""
    found = bounds(context, plan.trips)
    radial, lp = (math.floor(b * 100) / 100 for b in (found.radial, found.lp))
    bound = max(radial, lp)
    summary = plan.summary.model_copy(update={
        "lower_bound_cost": bound, "radial_bound_cost": radial, "lp_bound_cost": lp,
        "gap_pct": _gap(plan.summary.total_cost, bound)})
    return plan.model_copy(update={"summary": summary})


def _gap(cost: float, bound: float) -> float:
    """How far ``cost`` lies above ``bound``, %."""
    return round(100 * (cost - bound) / bound, 2) if bound > 0 else 0.0


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
        radial_bound_cost=bound,
        gap_pct=_gap(cost, bound),
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
