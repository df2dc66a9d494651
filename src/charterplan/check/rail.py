"""Rail trips: carriages within the service's (SPEC §5.8), seats per carriage (§5.4),
the service's stops and times."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from charterplan.check._facts import TOLERANCE, Facts, Violation, on_time
from charterplan.model import (
    Plan,
    RailService,
    Trip,
)

__all__ = ["check_carriage", "check_rail"]


def check_rail(f: Facts, plan: Plan) -> Iterator[Violation]:
    """0 and 3: each carriage follows its service: it leaves the service's hub at its
    departure with every rider boarding there, calls at the service's stops in their
    order at their arrival times, costs a carriage, has no driver, is no feeder, runs at
    least the great-circle km of its calls, and is back (escort and medic by train) no
    sooner than the ride out takes."""
    for trip in plan.trips:
        service = f.services.get(trip.vehicle_type)
        if trip.mode == "rail" and service is not None:  # unknown: reported as capacity
            yield from check_carriage(f, trip, service)


def check_carriage(f: Facts, trip: Trip, service: RailService) -> Iterator[Violation]:
    """One carriage against its service (see the rail contract of :func:`check_rail`)."""
    subject = f"trip {trip.id}"
    if trip.hub != service.hub:
        yield Violation(0, subject, f"hub {trip.hub}, but {service.id} leaves {service.hub}")
    if trip.feeder or trip.drivers != 0:
        yield Violation(0, subject, f"a carriage is no feeder and has no drivers (got "
                        f"feeder={trip.feeder}, drivers={trip.drivers})")
    if abs(trip.cost - service.cost_per_carriage) > 0.01:
        yield Violation(0, subject, f"cost {trip.cost} is not {service.cost_per_carriage}")
    if not on_time(trip.departure, service.departure):
        yield Violation(3, subject, f"leaves {trip.departure.isoformat()}, but {service.id} "
                        f"leaves {service.departure.isoformat()}")
    first = trip.stops[0] if trip.stops else None
    if (first is None or first.kind != "pickup" or first.place != service.hub
            or set(first.workers) != set(trip.passengers)
            or not on_time(first.eta, service.departure)):
        yield Violation(0, subject, f"does not start with every passenger boarding at "
                        f"{service.hub} at the departure")
    calls = {s.id: (index, s) for index, s in enumerate(service.stops)}
    order: list[int] = []
    for stop in trip.stops[1:]:
        call = calls.get(stop.place) if stop.kind == "dropoff" else None
        if call is None:
            yield Violation(0, subject, f"{stop.kind} at {stop.place}, which is no drop-off "
                            f"at a stop of {service.id}")
            continue
        index, rail_stop = call
        order.append(index)
        if not on_time(stop.eta, rail_stop.arrival):
            yield Violation(3, subject, f"reaches {stop.place} at {stop.eta.isoformat()}, "
                            f"but {service.id} arrives {rail_stop.arrival.isoformat()}")
    if any(b <= a for a, b in itertools.pairwise(order)):
        yield Violation(0, subject, f"drop-offs are not in the order {service.id} calls")
    if trip.back_at_hub < trip.arrival + (trip.arrival - trip.departure):
        yield Violation(3, subject, "back at the hub sooner than the train takes to return")
    from geopy.distance import geodesic  # not loaded by import charterplan

    hub = f.hubs.get(service.hub)
    path = ([] if hub is None else [(hub.lat, hub.lon)]) + [
        (service.stops[i].lat, service.stops[i].lon) for i in order]
    km = sum(float(geodesic(a, b).km) for a, b in itertools.pairwise(path))
    if trip.distance_km < km * (1 - TOLERANCE):
        yield Violation(0, subject,
                        f"distance {trip.distance_km} km is under the line's {km:.1f}")
