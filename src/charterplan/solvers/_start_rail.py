"""The constructed start's trains: which demands go by rail, and the feeder buses that
take them to the train's station."""

from __future__ import annotations

from collections import defaultdict

from charterplan.solvers._problem import AssignmentProblem, Keys, Start, bus_cost

__all__ = ["add_feeders", "construct_rail"]


def construct_rail(p: AssignmentProblem, keys: Keys, start: Start, left: dict[int, int],
                    used: dict[tuple[str, int], int], per_day: dict[int, int],
                    pattern_of: dict[frozenset[str], int], rail_first: bool) -> None:
    """Send by train the demands that no bus can take, then those whose rail seat is
    cheaper than a seat on a bus of their own pattern, most saved first; with
    ``rail_first``, every demand that may go by train, thinnest flow first. Each unit
    takes the cheapest of its trains with seats left. The bus is counted as full as
    the riders of its destination set could fill it: a thin flow never fills a bus."""
    seat = {o: choice.seat_cost for o, choice in enumerate(p.rails)}
    fed = {o for o in range(len(p.rails)) for t in range(len(p.bus_types))
           if (o, t) in keys.feeders}
    flow: dict[frozenset[str], int] = defaultdict(int)
    for d in p.demands:
        flow[d.dests] += d.size * d.count
    order: dict[int, tuple[bool, float]] = {}  # (a bus could take it, then the key)
    options: dict[int, list[int]] = {}
    for c, d in enumerate(p.demands):
        mine = sorted((o for o in d.rails if (c, o) in keys.rail
                       and (p.rails[o].feeder_day is None or o in fed)),
                      key=lambda o: (seat[o], o))
        pi = pattern_of.get(d.dests)
        if not mine:
            continue
        if pi is None or not (d.any_waves or d.direct_waves):
            order[c], options[c] = (False, 0.0), mine
            continue
        by_bus = min((bus_cost(k, p.pattern_km[pi], p.pattern_extra[pi])
                      / min(k.capacity, flow[d.dests]) for k in p.bus_types), default=float("inf"))
        if rail_first:
            order[c], options[c] = (True, flow[d.dests]), mine
        elif seat[mine[0]] < by_bus:
            order[c] = (True, seat[mine[0]] - by_bus)
            options[c] = [o for o in mine if seat[o] < by_bus]
    room = {o: p.seat_caps.get(choice.service, 0) for o, choice in enumerate(p.rails)}
    sent: dict[int, dict[int, int]] = defaultdict(dict)
    for c in sorted(order, key=lambda c: (order[c], c)):
        size = p.demands[c].size
        for o in options[c]:
            n = min(left[c] - sum(units.get(c, 0) for units in sent.values()), room[o] // size)
            if n > 0:
                sent[o][c] = n
                room[o] -= n * size
    for o, units in sorted(sent.items()):
        day = p.rails[o].feeder_day
        if day is not None:
            add_feeders(p, keys, start, o, day, units, used, per_day)
        for c, n in units.items():
            if n:
                start.rail[c, o] = n
                left[c] -= n


def add_feeders(p: AssignmentProblem, keys: Keys, start: Start, o: int, day: int,
                units: dict[int, int],
             used: dict[tuple[str, int], int], per_day: dict[int, int]) -> None:
    """Feeder buses on ``day`` for the ``units`` per demand sent by rail choice ``o``,
    largest type first within the fleet and the day's departures; the units sent last
    stay home (are taken out of ``units``) when the feeders run out."""
    riders = sum(p.demands[c].size * n for c, n in units.items())
    slots = p.slot_caps.get(day, 0) - per_day[day]
    fleet = []
    for t in sorted(range(len(p.bus_types)), key=lambda t: (-p.bus_types[t].capacity, t)):
        kind = p.bus_types[t]
        n = min(slots, p.fleet_caps.get((kind.id, day), 0) - used[kind.id, day])
        if (o, t) in keys.feeders and n > 0:
            fleet.append((t, n))
            slots -= n
    seats = sum(p.bus_types[t].capacity * n for t, n in fleet)
    for c in reversed(list(units)):
        drop = min(units[c], max(0, -(-(riders - seats) // p.demands[c].size)))
        units[c] -= drop
        riders -= drop * p.demands[c].size
    for t, n in fleet:
        take = min(n, -(-riders // p.bus_types[t].capacity))
        if take > 0:
            riders -= take * p.bus_types[t].capacity
            start.feeders[o, t] = take
            used[p.bus_types[t].id, day] += take
            per_day[day] += take
