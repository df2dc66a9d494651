"""SPEC §5.4 (seats), §5.7 (hub opening hours and slots) and §5.8 (each bus type's
daily fleet)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, datetime

from charterplan.check._facts import Facts, Violation, feeds_hub
from charterplan.model import (
    Plan,
)

__all__ = ["check_capacity", "check_fleet", "check_slots"]


def check_capacity(f: Facts, plan: Plan) -> Iterator[Violation]:
    """4: seats within floor(seats × load factor) − reserved; vehicle types exist."""
    for trip in plan.trips:
        if trip.mode == "bus":
            bus = f.bus_types.get(trip.vehicle_type)
            if bus is None:
                yield Violation(4, f"trip {trip.id}", f"unknown bus type {trip.vehicle_type!r}")
                continue
            limit = math.floor(bus.seats * bus.load_factor + 1e-9) - bus.reserved_seats
            if bus.hub is not None and bus.hub != trip.hub:
                yield Violation(4, f"trip {trip.id}", f"bus type {bus.id} runs only from "
                                f"{bus.hub}, not {trip.hub}")
            hub = f.hubs.get(trip.hub)
            if hub is None or hub.kind != "bus_station":
                yield Violation(4, f"trip {trip.id}", f"{trip.hub!r} is not a bus station")
        else:
            service = f.services.get(trip.vehicle_type)
            if service is None:
                yield Violation(4, f"trip {trip.id}", f"unknown rail service {trip.vehicle_type!r}")
                continue
            limit = math.floor(service.seats_per_carriage * service.load_factor + 1e-9)
        if len(trip.passengers) > limit:
            yield Violation(4, f"trip {trip.id}",
                            f"carries {len(trip.passengers)} passengers, more than {limit}")


def check_slots(f: Facts, plan: Plan) -> Iterator[Violation]:
    """7: departures inside opening hours; no slot over its limit. A county feeder
    boards nobody at the hub (it leaves empty for the pickup points), so it takes no
    slot."""
    per_slot: Counter[tuple[str, date, int]] = Counter()
    counted: set[tuple[str, str, datetime]] = set()
    for trip in plan.trips:
        if feeds_hub(trip):
            continue
        hub = f.hubs.get(trip.hub)
        if hub is None:
            yield Violation(7, f"trip {trip.id}", f"unknown hub {trip.hub!r}")
            continue
        local = f.local(trip.departure)
        if not hub.open <= local.time() <= hub.close:
            yield Violation(7, f"trip {trip.id}", f"leaves {local:%H:%M}, outside "
                            f"{hub.open:%H:%M}–{hub.close:%H:%M} at {hub.id}")
            continue
        key = (trip.hub, trip.vehicle_type, trip.departure)
        if trip.mode == "rail":
            if key in counted:
                continue
            counted.add(key)
        opening = datetime.combine(local.date(), hub.open, tzinfo=f.zone)
        slot = int((local - opening).total_seconds() // 60) // hub.slot_minutes
        per_slot[trip.hub, local.date(), slot] += 1
    for (hub_id, day, slot), count in per_slot.items():
        limit = f.hubs[hub_id].max_departures_per_slot
        if count > limit:
            yield Violation(7, f"hub {hub_id}",
                            f"{count} departures in slot {slot} of {day}, more than {limit}")


def check_fleet(f: Facts, plan: Plan) -> Iterator[Violation]:
    """8: buses per type and day within the fleet; carriages within each train."""
    per_day = Counter((t.vehicle_type, f.local(t.departure).date())
                      for t in plan.trips if t.mode == "bus")
    for (kind, day), count in per_day.items():
        bus = f.bus_types.get(kind)
        if bus is not None and count > bus.available_per_day:
            yield Violation(8, f"bus type {kind}", f"{count} departures on {day}, "
                            f"more than {bus.available_per_day}")
    carriages: dict[str, list[int | None]] = defaultdict(list)
    for trip in plan.trips:
        if trip.mode == "rail":
            carriages[trip.vehicle_type].append(trip.carriage)
    for service_id, used in carriages.items():
        service = f.services.get(service_id)
        if service is None:
            continue
        if len(used) != len(set(used)) or any(
                c is None or not 1 <= c <= service.carriages for c in used):
            yield Violation(8, f"rail service {service_id}",
                            f"carriages {sorted(c or 0 for c in used)} are not distinct "
                            f"numbers in 1..{service.carriages}")
