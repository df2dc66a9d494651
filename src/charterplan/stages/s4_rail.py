"""Rail: the carriages and feeder buses that units sent by train ride.

Which trains a unit may take is eligibility's (:func:`~charterplan.stages.s1_eligibility.
rail_options`). Feeders leave in the latest slot that makes the boarding cut-off, so
riders do not wait at the station for hours; the timetable places them as late as it
can. After the assignment, each service's riders from every area are pooled into its
carriages (groups whole, loads balanced), then each bus station's riders of a service
into its feeders, within the feeder buses the assignment counted. A rider needs both
legs: :func:`connected` removes riders whose other leg is gone, and vehicles left with
fewer than two riders (a captain and a deputy) — until nothing changes.
"""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from charterplan.model import Reason, Unassigned
from charterplan.shared.context import DAY, Context
from charterplan.shared.packing import Bus
from charterplan.shared.railnet import Service
from charterplan.shared.routes import feeder_leaves, feeder_route
from charterplan.shared.units import RailRider, Unit

__all__ = ["Carriage", "Connected", "Railway", "board", "connected"]

Packer = Callable[[list[Unit], list[int]], tuple[list[list[Unit]], list[Unit]]]
"""Packs units into vehicles of the given seats; returns the loads and the units left."""

RIDERS_PER_VEHICLE = 2
"""Fewest riders of a carriage or feeder: it needs a captain and a different deputy."""


@dataclass(frozen=True, slots=True)
class Carriage:
    """Carriage ``number`` of ``service`` with its riders."""

    service: Service
    number: int
    units: tuple[Unit, ...] = ()

    @property
    def load(self) -> int:
        """Seats taken."""
        return sum(u.size for u in self.units)

    @property
    def hub(self) -> str:
        """The rail station the carriage leaves from."""
        return self.service.hub

    @property
    def departure(self) -> int:
        """Minute the train leaves."""
        return self.service.departure

    def alights(self, context: Context) -> dict[str, str]:
        """The stop each rider alights at."""
        return {w: context.rail.serving[d] for u in self.units
                for w, d in zip(u.workers, _destinations(context, u), strict=True)}

    def arrival(self, context: Context) -> int:
        """Minute the train reaches the last stop a rider alights at."""
        return max(self.service.arrival(stop) for stop in self.alights(context).values())

    def back(self, context: Context) -> int:
        """Minute the escort and medic are back: they return by train in the same time."""
        return 2 * self.arrival(context) - self.departure


def _destinations(context: Context, unit: Unit) -> list[str]:
    return [context.destination_of[w] for w in unit.workers]


@dataclass(frozen=True, slots=True)
class Railway:
    """Carriages and feeder buses with riders, and the riders they could not take."""

    carriages: tuple[Carriage, ...]
    feeders: tuple[Bus, ...]
    left: tuple[Unassigned, ...]


def _balanced(units: list[Unit], rooms: list[int]) -> tuple[list[list[Unit]], list[Unit]]:
    """Units into vehicles of ``rooms`` seats, each to the one with most room left
    (biggest units first, so groups find room whole); and those that fit nowhere."""
    loads: list[list[Unit]] = [[] for _ in rooms]
    free = list(rooms)
    left = []
    for unit in sorted(units, key=lambda u: -u.size):
        best = max(range(len(free)), key=lambda i: (free[i], -i), default=None)
        if best is None or free[best] < unit.size:
            left.append(unit)
            continue
        loads[best].append(unit)
        free[best] -= unit.size
    return loads, left


def _by_readiness(units: list[Unit], rooms: list[int]) -> tuple[list[list[Unit]], list[Unit]]:
    """Units into feeders in the order they may leave, filling one feeder after another,
    so that the few ready only just in time share a feeder instead of holding every
    feeder back to the last slot; and those that fit nowhere."""
    loads: list[list[Unit]] = [[] for _ in rooms]
    free = list(rooms)
    left = []
    for unit in sorted(units, key=lambda u: (u.earliest, -u.size)):
        spot = next((i for i in range(len(free)) if free[i] >= unit.size), None)
        if spot is None:
            left.append(unit)
            continue
        loads[spot].append(unit)
        free[spot] -= unit.size
    return loads, left


def _fewest(pack: Packer, units: list[Unit], rooms: list[int], first: int) -> (
        tuple[list[list[Unit]], list[Unit]]):
    """``pack`` into the first ``first`` of ``rooms``, adding vehicles one at a time
    while some unit fits nowhere and vehicles remain."""
    take = first
    loads, over = pack(units, rooms[:take])
    while over and take < len(rooms):
        take += 1
        loads, over = pack(units, rooms[:take])
    return loads, over


def _no_room(units: Sequence[Unit], what: str) -> list[Unassigned]:
    return [Unassigned(worker=w, reason=Reason.NO_VEHICLE_CAPACITY, detail=what)
            for u in units for w in u.workers]


def board(context: Context, riders: Sequence[RailRider],
          feeders: Mapping[tuple[str, str, str], int]) -> Railway:
    """Carriages and feeders for ``riders``; ``feeders[(hub, service, bus type)]`` is
    how many feeder buses of that type the assignment counted. A worker may appear
    twice in ``left``; the first entry is the reason."""
    services = context.rail.services
    by_service: dict[str, list[RailRider]] = defaultdict(list)
    for rider in riders:
        by_service[rider.service].append(rider)
    carriages: list[Carriage] = []
    left: list[Unassigned] = []
    seated: list[RailRider] = []
    for service_id in sorted(by_service, key=lambda s: services[s].index):
        service = services[service_id]
        group = by_service[service_id]
        seats = sum(r.unit.size for r in group)
        loads, over = _fewest(_balanced, [r.unit for r in group],
                              [service.capacity] * service.carriages,
                              math.ceil(seats / service.capacity))
        carriages += [Carriage(service, n, tuple(units)) for n, units in enumerate(loads, 1)]
        left += _no_room(over, f"every carriage of {service.id} is full")
        gone = {u.workers for u in over}
        seated += [r for r in group if r.unit.workers not in gone]
    buses, stranded = _feeders(context, seated, feeders)
    left += _no_room(stranded, "no feeder bus has room to the train's station")
    linked = connected(carriages, buses)
    left += linked.lost  # repeats the stranded: the first reason wins
    return Railway(tuple(c for c in linked.carriages if c.units),
                   tuple(b for b in linked.feeders if b.units), tuple(left))


def _feeders(context: Context, riders: Sequence[RailRider],
             counted: Mapping[tuple[str, str, str], int]) -> tuple[list[Bus], list[Unit]]:
    """Feeder buses per bus station and service, fewest first, largest types first; a
    last feeder that would run with one rider takes another from the one before
    (:func:`_even_out`)."""
    kinds = {b.id: b for b in context.request.bus_types}
    pools: dict[tuple[str, str], list[Unit]] = defaultdict(list)
    for rider in riders:
        if rider.hub != context.rail.services[rider.service].hub:
            pools[rider.hub, rider.service].append(rider.unit)
    buses: list[Bus] = []
    stranded: list[Unit] = []
    for (hub, service_id), units in sorted(pools.items()):
        service = context.rail.services[service_id]
        budget = sorted(((kinds[k], n) for (h, s, k), n in counted.items()
                         if (h, s) == (hub, service_id) and n > 0),
                        key=lambda kn: (-kn[0].capacity, kn[0].id))
        fleet = [kind for kind, n in budget for _ in range(n)]
        seats = sum(u.size for u in units)
        take = 0
        while take < len(fleet) and sum(k.capacity for k in fleet[:take]) < seats:
            take += 1
        loads, over = _fewest(_by_readiness, units, [k.capacity for k in fleet], take)
        _even_out(loads, [k.capacity for k in fleet])
        stranded += over
        leaves = feeder_leaves(context, hub, service)
        pattern = feeder_route(context, hub, service.hub)
        cutoff = ((service.hub, service.departure - context.request.policy.rail_cutoff_minutes),)
        for kind, load in zip(fleet, loads, strict=False):
            if load:
                buses.append(Bus(f"{hub}→{service_id}", hub, kind.id, kind.capacity, leaves,
                                 leaves // DAY, pattern,
                                 tuple(dataclasses.replace(u, deadlines=cutoff) for u in load),
                                 feeder=service_id))
    return buses, stranded


def _even_out(loads: list[list[Unit]], rooms: Sequence[int]) -> None:
    """A feeder filled last with fewer than ``RIDERS_PER_VEHICLE`` riders would not run:
    it takes the last-ready units of the feeder filled before it, while that one keeps
    enough. In place."""
    for i in range(1, len(loads)):
        last, before = loads[i], loads[i - 1]
        while last and sum(u.size for u in last) < RIDERS_PER_VEHICLE and before:
            unit = before[-1]
            if (sum(u.size for u in before) - unit.size < RIDERS_PER_VEHICLE
                    or sum(u.size for u in last) + unit.size > rooms[i]):
                break
            last.insert(0, before.pop())


@dataclass(frozen=True, slots=True)
class Connected:
    """The vehicles of :func:`connected`, in the order given (emptied ones kept), and
    the carriage riders lost."""

    carriages: tuple[Carriage, ...]
    feeders: tuple[Bus, ...]
    lost: tuple[Unassigned, ...]


def connected(carriages: Sequence[Carriage], feeders: Sequence[Bus],
              reason: Reason = Reason.NO_VEHICLE_CAPACITY,
              why: str = "no feeder bus has room to the train's station") -> Connected:
    """The vehicles without the riders who lack a leg: a carriage rider gathering at
    another station needs a feeder seat and a feeder rider a carriage seat; a vehicle
    left with fewer than two riders does not run (its units are emptied). Repeats until
    nothing changes; the carriage riders lost get ``reason`` and ``why``."""
    carriages = list(carriages)
    feeders = list(feeders)
    lost: list[Unassigned] = []
    changed = True
    while changed:
        changed = False
        on_feeder = {(b.feeder, u.workers) for b in feeders for u in b.units}
        on_train = {(c.service.id, u.workers) for c in carriages for u in c.units}
        for i, carriage in enumerate(carriages):
            key = carriage.service.id
            missing = [u for u in carriage.units
                       if u.hub != carriage.service.hub and (key, u.workers) not in on_feeder]
            if missing and carriage.load - sum(u.size for u in missing) < RIDERS_PER_VEHICLE:
                missing = list(carriage.units)
            if carriage.units and carriage.load < RIDERS_PER_VEHICLE:
                missing = list(carriage.units)
            if missing:
                changed = True
                lost += [Unassigned(worker=w, reason=reason, detail=why)
                         for u in missing for w in u.workers]
                carriages[i] = dataclasses.replace(
                    carriage, units=tuple(u for u in carriage.units if u not in missing))
        for i, bus in enumerate(feeders):
            missing = [u for u in bus.units if (bus.feeder, u.workers) not in on_train]
            if bus.units and bus.load - sum(u.size for u in missing) < RIDERS_PER_VEHICLE:
                missing = list(bus.units)
            if missing:
                changed = True
                feeders[i] = dataclasses.replace(
                    bus, units=tuple(u for u in bus.units if u not in missing))
    return Connected(tuple(carriages), tuple(feeders), tuple(lost))
