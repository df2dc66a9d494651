"""The plan's own consistency (invariant 0): drivers, convoys, and a summary that
adds up to the trips."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterator

from charterplan.check._facts import TOLERANCE, Facts, Violation, feeds_hub, on_time, riders_of
from charterplan.model import (
    Plan,
    Trip,
)

__all__ = ["check_consistency", "check_convoys", "check_driver_counts", "check_drivers",
           "check_summary", "check_trains_summary", "moved_count"]


def check_consistency(f: Facts, plan: Plan) -> Iterator[Violation]:
    """0: ids, costs, distances, convoys and summary agree with the trips."""
    ids = Counter(t.id for t in plan.trips)
    for trip_id, count in ids.items():
        if count > 1:
            yield Violation(0, f"trip {trip_id}", f"id used {count} times")
    for trip in plan.trips:
        bus = f.bus_types.get(trip.vehicle_type)
        if trip.mode == "bus" and bus is not None:
            share = f.request.policy.feeder_fixed_cost_share if feeds_hub(trip) else 1.0
            cost = (bus.fixed_cost * share + bus.cost_per_km * trip.distance_km
                    + (trip.drivers - 1) * f.request.policy.cost_per_extra_driver)
            if abs(trip.cost - cost) > 0.01 + 1e-6 * cost:
                yield Violation(0, f"trip {trip.id}", f"cost {trip.cost} is not {cost:.2f}")
            places = [trip.hub] + [s.place for s in trip.stops if s.place in f.coords]
            km = sum(f.road(a, b) for a, b in zip(places, [*places[1:], trip.hub],
                                                   strict=True))
            if trip.distance_km < km * (1 - TOLERANCE):
                yield Violation(0, f"trip {trip.id}",
                                f"distance {trip.distance_km} km is under the route's {km:.1f}")


def check_driver_counts(f: Facts, plan: Plan) -> Iterator[Violation]:
    """0: each bus of a known type has as many drivers as its outward journey needs."""
    for trip in plan.trips:
        if trip.mode == "bus" and trip.vehicle_type in f.bus_types:
            yield from check_drivers(f, trip)


def check_drivers(f: Facts, trip: Trip) -> Iterator[Violation]:
    """Two drivers exactly when the outward journey is longer than the policy allows
    one driver (when that rule is on), else one."""
    policy = f.request.policy
    places = [trip.hub] + [s.place for s in trip.stops if s.place in f.coords]
    outward = sum(f.road(a, b) for a, b in itertools.pairwise(places))
    limit = policy.two_drivers_above_km
    if policy.two_drivers and outward > limit * (1 + TOLERANCE):
        needed = {2}
    elif policy.two_drivers and outward >= limit * (1 - TOLERANCE):
        needed = {1, 2}  # too close to the limit to tell on a different Earth model
    else:
        needed = {1}
    if trip.drivers not in needed:
        yield Violation(0, f"trip {trip.id}", f"has {trip.drivers} drivers for an outward "
                        f"journey of {outward:.0f} road km; expected {min(needed)}")


def check_convoys(f: Facts, plan: Plan) -> Iterator[Violation]:
    """0: convoys list known trips, trips name the convoy that lists them, and each
    convoy's leader escorts one of its trips."""
    trips = {t.id: t for t in plan.trips}
    listed: dict[str, str] = {}
    for convoy in plan.convoys:
        for trip_id in convoy.trips:
            listed[trip_id] = convoy.id
            if trip_id not in trips:
                yield Violation(0, f"convoy {convoy.id}", f"lists unknown trip {trip_id}")
        if not convoy.leader:
            yield Violation(0, f"convoy {convoy.id}", "has no leader")
        elif convoy.leader not in {trips[t].escort for t in convoy.trips if t in trips}:
            yield Violation(0, f"convoy {convoy.id}",
                            f"leader {convoy.leader} escorts none of its trips")
    for trip in plan.trips:
        if trip.convoy != listed.get(trip.id):
            yield Violation(0, f"trip {trip.id}", f"convoy {trip.convoy} does not list it")


def moved_count(f: Facts, plan: Plan) -> int | None:
    """Door to door: riders registered at a pickup point whom no bus or county feeder
    collects there (they make their own way to the hub); None without door to door."""
    if not f.request.door_to_door:
        return None
    collected = {w for t in plan.trips if t.mode == "bus" for s in t.stops
                 if s.kind == "pickup" for w in s.workers
                 if (worker := f.workers.get(w)) is not None and worker.pickup_point == s.place}
    return sum(1 for _, w in riders_of(plan) if w not in collected
               and (worker := f.workers.get(w)) is not None and worker.pickup_point)


def check_summary(f: Facts, plan: Plan) -> Iterator[Violation]:
    """0: the summary and its trains agree with the trips."""
    s = plan.summary
    riders = sum(1 for _ in riders_of(plan))
    reasons = Counter(u.reason.value for u in plan.unassigned)
    modes = Counter(t.mode for t in plan.trips)
    cost = sum(t.cost for t in plan.trips)
    km = sum(t.distance_km for t in plan.trips)
    checks = [
        (s.workers == len(f.request.workers), f"workers {s.workers}"),
        (s.assigned == riders, f"assigned {s.assigned} but {riders} ride"),
        (s.unassigned == len(plan.unassigned), f"unassigned {s.unassigned}"),
        (s.unassigned_by_reason == dict(reasons), "unassigned_by_reason disagrees"),
        (s.trips_by_mode == dict(modes), "trips_by_mode disagrees"),
        (abs(s.total_cost - cost) <= 0.01 * (1 + len(plan.trips)), "total_cost disagrees"),
        (abs(s.total_km - km) <= 0.1 * (1 + len(plan.trips)), "total_km disagrees"),
        (not plan.trips or s.lower_bound_cost <= s.total_cost + 0.01,
         f"lower bound {s.lower_bound_cost} above the cost {s.total_cost}"),
        (s.roster_bound_workers is None or riders <= s.roster_bound_workers,
         f"{riders} ride, above the roster bound {s.roster_bound_workers}"),
        (s.moved_to_hub == (moved := moved_count(f, plan)),
         f"moved_to_hub {s.moved_to_hub}, but {moved} riders with a pickup point do not "
         "board there" if moved is not None else "moved_to_hub without door to door"),
    ]
    for ok, message in checks:
        if not ok:
            yield Violation(0, "summary", message)
    yield from check_trains_summary(plan, f)


def check_trains_summary(plan: Plan, f: Facts) -> Iterator[Violation]:
    """0: ``summary.trains`` has one entry per service used, in request order, that
    agrees with the service and with its carriages."""
    carriages: dict[str, list[Trip]] = defaultdict(list)
    for trip in plan.trips:
        if trip.mode == "rail":
            carriages[trip.vehicle_type].append(trip)
    order = [r.id for r in f.request.rail_services if r.id in carriages]
    listed = [t.service for t in plan.summary.trains]
    if listed != order:
        yield Violation(0, "summary", f"trains lists services {listed}, but the carriages "
                        f"use {order}")
    for train in plan.summary.trains:
        service, used = f.services.get(train.service), carriages.get(train.service, [])
        if service is None:
            yield Violation(0, "summary", f"train of unknown service {train.service!r}")
            continue
        cost = sum(t.cost for t in used)
        checks = [
            (train.hub == service.hub, f"hub {train.hub}, not {service.hub}"),
            (on_time(train.departure, service.departure),
             f"departure {train.departure.isoformat()}, not {service.departure.isoformat()}"),
            (train.carriages == service.carriages,
             f"carriages {train.carriages}, not {service.carriages}"),
            (train.carriages_used == len(used),
             f"carriages_used {train.carriages_used}, but {len(used)} carriages run"),
            (train.riders == sum(len(t.passengers) for t in used),
             f"riders {train.riders}, but {sum(len(t.passengers) for t in used)} ride"),
            (abs(train.cost - cost) <= 0.01 * (1 + len(used)),
             f"cost {train.cost}, but its carriages cost {cost:.2f}"),
        ]
        for ok, message in checks:
            if not ok:
                yield Violation(0, f"summary train {train.service}", message)
