"""Door to door's fallback to the hub: who gathers at the hub instead of their point.

With ``policy.door_to_door`` a worker with a pickup point is collected there; with
``policy.pickup_fallback_to_hub`` as well, :func:`charterplan.pipeline.plan` plans the
request again with some of them gathering at their hub (``Context.at_hub``), as a
county transport office tells a worker whom no bus can collect to come to the bus
station. Two rules choose them from a plan:

* :func:`uncollected` — the workers it leaves for want of buses, company or staff, or
  whom the ride via their point makes late (:data:`FALLBACK`): each of them, once;
* :func:`crowded_out` — when it leaves workers for want of buses or crews, the riders
  of the emptiest collecting buses that ran in their windows: a bus calling at pickup
  points takes a coach and a crew that a fuller bus from the hub could use.

Both look at the plan only, so the plans stay deterministic.
"""

from __future__ import annotations

from datetime import timedelta

from charterplan.model import Plan, Reason
from charterplan.shared.context import Context

__all__ = ["FALLBACK", "SHORTAGES", "crowded_out", "uncollected"]

FALLBACK = frozenset({Reason.NO_VEHICLE_CAPACITY, Reason.BELOW_MIN_PASSENGERS, Reason.NO_STAFF,
                      Reason.WINDOW_INFEASIBLE, Reason.QUARANTINE_PAST_WINDOW})
"""Reasons for which a worker whom door to door was to collect gathers at the hub
instead: buses, company or staff ran short, or — timed on the ride via their pickup
point — no departure arrives in time (one from the hub may). Health and group reasons
are not: the hub changes nothing for them."""

SHORTAGES = frozenset({Reason.NO_VEHICLE_CAPACITY, Reason.NO_STAFF})
"""Reasons that say a resource ran out: buses of the day, hub slots, escorts and medics."""


def _falls_back(context: Context) -> bool:
    policy = context.request.policy
    return policy.door_to_door and policy.pickup_fallback_to_hub


def uncollected(context: Context, plan: Plan) -> frozenset[str]:
    """Workers ``plan`` leaves for a reason in :data:`FALLBACK` whom it was to collect
    at their pickup point (not yet in ``context.at_hub``). A group's members are left
    with one reason, so they move together. Empty without the fallback."""
    if not _falls_back(context):
        return frozenset()
    points = {w.id for w in context.request.workers if w.pickup_point is not None}
    return frozenset(u.worker for u in plan.unassigned if u.reason in FALLBACK
                     and u.worker in points and u.worker not in context.at_hub)


def crowded_out(context: Context, plan: Plan) -> frozenset[str]:
    """The riders collected at pickup points by the buses that crowd out the workers
    ``plan`` leaves for want of buses or crews (:data:`SHORTAGES`).

    For each such worker, in id order, the collecting bus with the fewest collected
    riders (then the earliest, then by id) not chosen yet whose time overlaps the
    worker's window — from its departure until its crew is back and rested, which
    covers its day's coaches too. Empty without the fallback."""
    if not _falls_back(context):
        return frozenset()
    rest = timedelta(hours=context.request.policy.staff_rest_hours)
    workers = {w.id: w for w in context.request.workers}
    collecting = []
    for trip in plan.trips:
        picked = tuple(w for s in trip.stops if s.kind == "pickup" and s.place != trip.hub
                       for w in s.workers)
        if trip.mode == "bus" and picked:
            collecting.append((len(picked), trip.departure, trip.id, trip.back_at_hub, picked))
    chosen: dict[str, tuple[str, ...]] = {}
    for left in plan.unassigned:  # in worker order
        if left.reason not in SHORTAGES:
            continue
        worker = workers[left.worker]
        near = [c for c in collecting if c[2] not in chosen
                and c[1] <= worker.latest_arrival and c[3] + rest >= worker.earliest_departure]
        if near:
            _, _, trip_id, _, picked = min(near)
            chosen[trip_id] = picked
    return frozenset(w for picked in chosen.values() for w in picked)
