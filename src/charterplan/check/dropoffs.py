"""SPEC §5.10 (each passenger dropped at their destination, their train's stop or
their train's station) and where passengers board (door to door, detours)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from charterplan.check._facts import TOLERANCE, Facts, Violation, feeds_hub
from charterplan.model import (
    Plan,
)

__all__ = ["check_boarding", "check_dropoffs"]


def check_dropoffs(f: Facts, plan: Plan) -> Iterator[Violation]:
    """10: a bus rider alights at their destination, a rail rider at the stop serving
    it (a destination no stop serves goes by bus), a feeder rider at a rail station
    (their train's: see :func:`check_feeders`)."""
    stations = {h.id for h in f.request.hubs if h.kind == "rail_station"}
    for trip in plan.trips:
        where = {w: s.place for s in trip.stops if s.kind == "dropoff" for w in s.workers}
        for worker_id in trip.passengers:
            worker = f.workers.get(worker_id)
            place = where.get(worker_id)
            if worker is None or place is None:
                continue
            if feeds_hub(trip):
                continue  # at the hub, where their bus leaves: see check_feeders
            if trip.feeder:
                if place not in stations:
                    yield Violation(10, f"trip {trip.id}", f"feeder rider {worker_id} "
                                    f"alights at {place}, not at a rail station")
                continue
            expected = (f.serving(worker.destination) if trip.mode == "rail"
                        else worker.destination)
            if expected is None:
                yield Violation(10, f"trip {trip.id}", f"{worker_id} rides rail, but no stop "
                                f"within {f.request.policy.rail_radius_km} km serves "
                                f"{worker.destination}")
            elif place != expected:
                yield Violation(10, f"trip {trip.id}",
                                f"{worker_id} alights at {place}, not at {expected}")


def check_boarding(f: Facts, plan: Plan) -> Iterator[Violation]:
    """10 (door to door): a rider with a pickup point boards there — their bus's stop
    or a county feeder's lists them — or, only when the policy lets them make their
    own way (``pickup_fallback_to_hub``), at the hub; a rider a county feeder brings
    boards their bus at the hub, and one without a point boards at the hub. A bus
    calls at no more pickup points than the policy allows, and no rider rides more
    than ``max_detour_km`` beyond the direct road."""
    policy = f.request.policy
    door_to_door = f.request.door_to_door
    fed = {w for t in plan.trips if feeds_hub(t) for w in t.passengers}
    for trip in plan.trips:
        if trip.mode != "bus":
            continue
        points = [s.place for s in trip.stops if s.kind == "pickup" and s.place != trip.hub]
        if len(points) > policy.max_pickups_per_bus:
            yield Violation(10, f"trip {trip.id}", f"calls at {len(points)} pickup points, "
                            f"more than {policy.max_pickups_per_bus}")
        path = [trip.hub] + [s.place for s in trip.stops]
        if any(place not in f.coords for place in path):
            continue  # reported with the times
        along = [0.0, *itertools.accumulate(f.road(a, b) for a, b in itertools.pairwise(path))]
        board = {w: i for i, s in enumerate(trip.stops, 1) if s.kind == "pickup"
                 for w in s.workers}
        alight = {w: i for i, s in enumerate(trip.stops, 1) if s.kind == "dropoff"
                  for w in s.workers}
        for worker_id in trip.passengers:
            worker = f.workers.get(worker_id)
            if worker is None or worker_id not in board or worker_id not in alight:
                continue
            point = worker.pickup_point if door_to_door else None
            allowed = {point or trip.hub}
            if point and not feeds_hub(trip) and (
                    policy.pickup_fallback_to_hub or worker_id in fed):
                allowed.add(trip.hub)
            start, end = board[worker_id], alight[worker_id]
            if path[start] not in allowed:
                yield Violation(10, f"trip {trip.id}", f"{worker_id} boards at {path[start]}, "
                                f"not at {' or '.join(sorted(allowed))}")
            detour = along[end] - along[start] - f.road(path[start], path[end])
            if detour > policy.max_detour_km * (1 + TOLERANCE) + 0.1:
                yield Violation(10, f"trip {trip.id}", f"{worker_id} rides {detour:.0f} km "
                                f"beyond the direct road, more than {policy.max_detour_km}")
