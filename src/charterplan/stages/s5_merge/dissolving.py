"""Dissolving a bus: each of its units rides another bus of the hub, in free seats or
on a larger type, its route extended; a unit that fits nowhere as it is may take the
place of a host's riders to one drop-off, whom a third bus takes (a hand-over)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import NamedTuple

from charterplan.shared.packing import Bus
from charterplan.shared.units import Unit
from charterplan.stages.s5_merge.hub import Hub

__all__ = ["dissolve", "hand_over", "room_by_hand_over"]

_Trial = tuple[Bus, float, frozenset[str], int]
"""A bus as a dissolving would change it: the bus, its cost, drop-offs and seats taken."""


class _Entry(NamedTuple):
    """Another bus of the hub, as a hand-over's third bus or host sees it."""

    place: int
    """The bus's place in the hub's list."""
    bus: Bus
    cost: float
    stops: frozenset[str]
    """Its drop-offs."""
    seats: int
    """Seats taken."""


def dissolve(hub: Hub, buses: list[Bus], cost: list[float], stops: list[frozenset[str]],
            seats: list[int], alive: list[int], a: int) -> None:
    """Dissolve bus ``a`` if each of its units fits on another bus of a day the unit
    may leave on (its route extended to the unit's drop-offs, its type kept or
    swapped for a larger one with a vehicle left that day) and that costs less than
    ``a``; each unit goes where it adds least, the larger units first, and a unit
    that fits nowhere as it is goes where a hand-over makes room (:func:`room_by_hand_over`).

    Buses leave nearly full, so a few riders whose companions all left earlier
    would otherwise ride a coach of their own; a 22-seat coach that becomes a 24-seat
    one for two of them costs a fraction of a bus of their own."""
    most = hub.context.request.policy.max_dropoffs_per_bus
    days = [hub.days([u]) for u in buses[a].units]
    hosts = [j for j in alive if j != a and any(buses[j].day in d for d in days)]
    if sum(hub.most_seats - seats[j] for j in hosts) < seats[a]:
        return
    trial: dict[int, _Trial] = {}

    def view(j: int) -> _Trial:
        return trial.get(j, (buses[j], cost[j], stops[j], seats[j]))

    swapped: list[tuple[str, str, int]] = []  # (from type, to type, day), to undo

    def take(moves: dict[int, _Trial]) -> None:
        for j, taken in moves.items():
            bus, before = taken[0], view(j)[0]
            if bus.bus_type != before.bus_type:
                hub.used[before.bus_type, bus.day] -= 1
                hub.used[bus.bus_type, bus.day] += 1
                swapped.append((before.bus_type, bus.bus_type, bus.day))
            trial[j] = taken

    extra = 0.0
    for unit, on in sorted(zip(buses[a].units, days, strict=True),
                           key=lambda pair: -pair[0].size):
        best: tuple[float, int, _Trial] | None = None
        mine = frozenset(unit.destinations)
        for j in hosts:
            host, host_cost, host_stops, load = view(j)
            union = host_stops | mine
            if (load + unit.size > hub.most_seats or buses[j].day not in on
                    or len(union) > most):
                continue
            # worth trying only if cheaper than the best host so far and than ``a``
            limit = min(best[0] if best else float("inf"), cost[a] - extra - 1e-6)
            bus = hub.joined(host, [unit], load + unit.size, tuple(sorted(union)),
                              keep_kind=load + unit.size <= host.capacity,
                              below=host_cost + limit)
            if bus is not None:
                price = hub.cost_of(bus)
                if best is None or price - host_cost < best[0]:
                    best = (price - host_cost, j, (bus, price, union, load + unit.size))
        found = ((best[0], {best[1]: best[2]}) if best is not None else
                 room_by_hand_over(hub, view, alive, a, unit, on, cost[a] - extra - 1e-6))
        if found is None:
            hub.undo(swapped)
            return
        extra += found[0]
        take(found[1])
    for j, (bus, price, drops, load) in trial.items():
        buses[j], cost[j], stops[j], seats[j] = bus, price, drops, load
    hub.used[buses[a].bus_type, buses[a].day] -= 1
    alive.remove(a)

def room_by_hand_over(hub: Hub, view: Callable[[int], _Trial], alive: list[int], a: int, unit: Unit,
           on: range, limit: float) -> tuple[float, dict[int, _Trial]] | None:
    """Room for ``unit`` (of bus ``a``, leaving on a day of ``on``) on a bus whose
    drop-offs or seats are all taken: that host hands the riders of one of its
    drop-offs to a third bus, and takes ``unit`` in their place. Returns what the two
    changes add, when less than ``limit``, and the two buses changed; else None.

    A small bus left after dissolving often has a neighbouring host on its day
    whose drop-offs are all taken. Hand-overs are priced
    on their routes first, and timed (the dear part) cheapest first until the next
    could not be cheaper than one found."""
    most = hub.context.request.policy.max_dropoffs_per_bus
    mine = frozenset(unit.destinations)
    by_day: dict[int, list[_Entry]] = defaultdict(list)
    going: dict[tuple[str, int], list[_Entry]] = defaultdict(list)
    room: dict[int, list[_Entry]] = defaultdict(list)  # buses with a drop-off free
    for k in alive:
        if k != a:
            entry = _Entry(k, *view(k))
            by_day[entry.bus.day].append(entry)
            for stop in entry.stops:
                going[stop, entry.bus.day].append(entry)
            if len(entry.stops) < most:
                room[entry.bus.day].append(entry)
    days = sorted(by_day)

    def takers(j: int, drop: str, size: int, goes: frozenset[str], leave: range,
               ) -> Iterator[_Entry]:
        """The buses other than ``j``, on a day of ``leave``, that drop at ``drop``
        or near it with a drop-off to spare, and have the seats and drop-offs for
        ``size`` riders to ``goes``."""
        for day in days:
            if day in leave:
                for entry in going[drop, day]:
                    if (entry.place != j and entry.seats + size <= hub.most_seats
                            and len(entry.stops | goes) <= most):
                        yield entry
                for entry in room[day]:
                    if (entry.place != j and entry.seats + size <= hub.most_seats
                            and drop not in entry.stops and len(entry.stops | goes) <= most
                            and drop in hub.reach(entry.stops)):
                        yield entry

    # what the host's side adds, for hand-overs some bus could take: the host's
    # new route is the dear part to price, so it is priced only for those
    hosts: list[tuple[float, int, str]] = []
    for j, host, host_cost, host_stops, load in (
            entry for day in days if day in on for entry in by_day[day]):
        if len(host_stops | mine) <= most and load + unit.size <= hub.most_seats:
            continue  # it could take the unit as it is
        for drop, (size, goes, rest, leave) in hub.drops(j, host).items():
            if (drop in mine or load - size + unit.size > hub.most_seats
                    or next(takers(j, drop, size, goes, leave), None) is None):
                continue
            kept = hub.price(host, load - size + unit.size, rest | mine)
            if kept is not None and kept - host_cost < limit:
                hosts.append((kept - host_cost, j, drop))
    best: tuple[float, dict[int, _Trial]] | None = None
    for gave, j, drop in sorted(hosts):
        bound = best[0] if best else limit
        if gave >= bound:
            break
        size, goes, _, leave = hub.drops(j, view(j)[0])[drop]
        options = []
        for k, other, other_cost, other_stops, other_load in takers(j, drop, size, goes,
                                                                    leave):
            took = hub.price(other, other_load + size, other_stops | goes)
            if took is not None and gave + took - other_cost < bound:
                options.append((gave + took - other_cost, k))
        for added, k in sorted(options):
            if best is not None and added >= best[0]:
                break
            found = hand_over(hub, j, view(j), view(k), unit, drop,
                                    best[0] if best else limit)
            if found is not None:
                best = (found[0], {k: found[1], j: found[2]})
                break  # the cheapest this host can do
    return best

def hand_over(hub: Hub, j: int, host: _Trial, other: _Trial, unit: Unit, drop: str,
               limit: float) -> tuple[float, _Trial, _Trial] | None:
    """``other`` taking the riders ``host`` (bus ``j``) drops at ``drop``, and
    ``host`` taking ``unit`` instead, each on its day and in every rider's window:
    what that adds when less than ``limit``, and the two buses; else None."""
    bus, cost, _, load = host
    third, third_cost, third_stops, third_load = other
    size, goes, rest, _ = hub.drops(j, bus)[drop]
    moving = [u for u in bus.units if drop in u.destinations]
    staying = [u for u in bus.units if drop not in u.destinations]
    drops = third_stops | goes
    took = hub.joined(third, moving, third_load + size, tuple(sorted(drops)),
                       keep_kind=third_load + size <= third.capacity,
                       below=third_cost + limit)
    if took is None:
        return None
    took_cost = hub.cost_of(took)
    # the host may need the type the third bus gave up, or the one it took
    hub.used[third.bus_type, third.day] -= 1
    hub.used[took.bus_type, took.day] += 1
    rest = rest | set(unit.destinations)
    gave = hub.joined(replace(bus, units=tuple(staying)), [unit], load - size + unit.size,
                       tuple(sorted(rest)), keep_kind=load - size + unit.size <= bus.capacity,
                       below=cost + limit - (took_cost - third_cost))
    hub.used[took.bus_type, took.day] -= 1
    hub.used[third.bus_type, third.day] += 1
    if gave is None:
        return None
    gave_cost = hub.cost_of(gave)
    return (took_cost - third_cost + gave_cost - cost,
            (took, took_cost, drops, third_load + size),
            (gave, gave_cost, rest, load - size + unit.size))
