"""Sharing buses across areas: two buses of one hub whose riders fit on one bus, one
route and one departure become that bus; a bus whose riders fit in the free seats of
others (or in the seats of a larger type they swap for), on days they may leave on, is
dissolved.

Areas keep the assignment model small (at most ``max_area_destinations`` employers
each), so the model never sees that a half-empty bus of one area could take the
riders of a half-empty bus of the next area, whose employers lie a few km away. This
stage does. Per hub and cluster of neighbouring employers (a component of the areas'
neighbour graph), it merges the pair of buses that saves the most — the cost of both
on their own routes against one bus of the cheapest type that seats them all on the
shortest route over their drop-offs, on the day of one of the two — while

- the drop-offs stay a valid pattern: at most ``max_dropoffs_per_bus``, each pair
  within ``dropoff_radius_km`` (the areas' own neighbour test), nobody detoured beyond
  ``max_detour_km``;
- every rider can still leave in their window and arrive in time: some slot of that
  day meets every rider's earliest departure, latest departure and deadlines on the
  merged route;
- the type used has a bus left that day (``available_per_day``, counting the buses
  merged);

and repeats until no merge saves anything. Then, the emptiest first, a bus is
dissolved if each of its units fits on another bus, of any day the unit may leave on
(in its free seats, or on a larger type with a vehicle left that day; its route
extended to the unit's drop-off under the same rules), and the extensions cost less
than the bus. A unit no bus can take as it is may take the place of a host's riders
to one drop-off, whom a third bus takes (one going there already, or with a drop-off
to spare nearby), under the same rules for both. Buses with pickup points and
feeders are left as they are. The merged bus keeps the area and wave of the bus whose
day it takes, so it may join that area's convoy. Fewer buses never need more slots or
staff, yet a merged bus has a narrower window: :func:`charterplan.pipeline.plan` merges
a hub again, keeping apart the buses of riders the timetable would leave, if the
merges leave more of them than the hub's buses unmerged.

Hubs merge apart, each within its share of the fleet, so a runner may merge them in
worker processes or on a cluster (:func:`merge_buses`).
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

import networkx as nx

from charterplan.model import BusType
from charterplan.shared.bus_route import BusRoute
from charterplan.shared.context import DAY, HUB_TOKEN, Context
from charterplan.shared.packing import Bus
from charterplan.shared.routes import RouteMemo, best_route, too_long
from charterplan.shared.runner import Runner, run_in_order
from charterplan.shared.units import Unit, day_window, deadlines_of
from charterplan.solvers._problem import apportion
from charterplan.solvers.assignment import BusKind, bus_cost
from charterplan.stages.s2_areas import neighbours

__all__ = ["merge_buses"]

_Trial = tuple[Bus, float, frozenset[str], int]
"""A bus as a dissolving would change it: the bus, its cost, drop-offs and seats taken."""
_Entry = tuple[int, Bus, float, frozenset[str], int]
"""A bus's place in the hub's list, then its :data:`_Trial`."""


def _stops(bus: Bus) -> tuple[str, ...]:
    return tuple(sorted({d for u in bus.units for d in u.destinations}))


def _route(context: Context, hub: str, stops: tuple[str, ...],
           memo: RouteMemo | None = None) -> BusRoute:
    return best_route(context, hub, stops, (), frozenset({HUB_TOKEN}), memo)


def _cost(kind: BusType, route: BusRoute) -> float:
    return bus_cost(BusKind(kind.id, kind.capacity, kind.fixed_cost, kind.cost_per_km),
                    route.km, route.extra_cost)


def _window(context: Context, bus: Bus, route: BusRoute) -> bool:
    """Whether some slot of ``bus``'s day lets every rider leave in their window and
    arrive in time on ``route`` (the window :mod:`~charterplan.stages.s6_timetable` gives
    the bus is then not empty).

    Leaving later (almost) never arrives earlier, so the earliest slot every rider may
    take is the one to try: one timing of the route instead of each rider's latest
    slot, which would time it at a score of departures, nearly all new to the memo of a
    route that exists only as a trial. The slot tried is timed, so a merge it allows
    is sound; in the rare case where a later slot would arrive a few minutes earlier
    (``tests/stages/test_driving.py``) a merge is missed."""
    lo, last = day_window(context.grids[bus.hub], bus.day, bus.units)
    if lo > last or min(u.latest_departure for u in bus.units) < lo:
        return False
    deadlines = deadlines_of(bus.units)
    # arriving in time at the wheel without a stop is needed and needs no driving rules
    ahead = dict(zip(route.calls, itertools.accumulate(m + d for m, d in route.legs),
                     strict=False))
    dwell = dict(zip(route.calls, (d for _, d in route.legs), strict=False))
    return (all(lo + ahead[stop] - dwell[stop] <= by for stop, by in deadlines.items())
            and route.in_time(lo, tuple(deadlines.items())))


class _Hub:
    """The merging of one hub's buses: its types, neighbour graph, the vehicles it runs
    (``used``) and may run (``caps``, by type and day; without, each type's daily
    fleet)."""

    def __init__(self, context: Context, hub: str, buses: Sequence[Bus],
                 used: Mapping[tuple[str, int], int],
                 caps: Mapping[tuple[str, int], int] | None = None) -> None:
        self.context = context
        self.hub = hub
        self.kinds = sorted(context.bus_types_at.get(hub, ()), key=lambda k: k.id)
        self.by_id = {k.id: k for k in context.request.bus_types}
        dests = sorted({d for b in buses for d in _stops(b)})
        self.graph: nx.Graph = neighbours(context, dests)
        self.used: defaultdict[tuple[str, int], int] = defaultdict(int, used)
        self.caps = caps
        self.most_seats = max((k.capacity for k in self.kinds), default=0)
        self.routes: dict[tuple[str, ...], BusRoute | None] = {}
        # the patterns of trials, most never run: kept while the hub merges, not for
        # the whole plan (at 1,000,000 workers they were 0.9 GB)
        self.built: RouteMemo = {}
        self._near: dict[frozenset[str], frozenset[str]] = {}
        self._prices: dict[tuple[str | int, frozenset[str]], float | None] = {}
        # the riders of the cluster's bus j by drop-off, with the bus they describe
        self._by_drop: dict[int, tuple[Bus, dict[str, tuple[
            int, frozenset[str], frozenset[str], range]]]] = {}

    def route(self, stops: tuple[str, ...]) -> BusRoute | None:
        """The shortest route over ``stops`` if they make a valid pattern: at most
        ``max_dropoffs_per_bus``, pairwise neighbours, nobody from the hub detoured
        beyond ``max_detour_km``; else None."""
        if stops not in self.routes:
            policy = self.context.request.policy
            found: BusRoute | None = None
            if len(stops) <= policy.max_dropoffs_per_bus and all(
                    self.graph.has_edge(x, y) for x, y in itertools.combinations(stops, 2)):
                found = _route(self.context, self.hub, stops, self.built)
                if too_long(self.context, found, True):
                    found = None
            self.routes[stops] = found
        return self.routes[stops]

    def cap(self, kind: BusType, day: int) -> int:
        """How many buses of ``kind`` the hub may run on ``day``."""
        return kind.available_per_day if self.caps is None else self.caps.get((kind.id, day), 0)

    def days(self, units: Sequence[Unit]) -> range:
        """The days on which all of ``units`` may leave, by their windows alone (a
        day outside them fails :func:`_window` for certain)."""
        grid = self.context.grids[self.hub]
        return range(grid.first_at_or_after(max(u.earliest for u in units)) // DAY,
                     min(u.latest_departure for u in units) // DAY + 1)

    def own_cost(self, bus: Bus) -> float:
        """What ``bus`` costs on the shortest route over the drop-offs it serves (a
        bus of the assignment may run a pattern with more)."""
        return _cost(self.by_id[bus.kind], _route(self.context, self.hub, _stops(bus), self.built))

    def cost_of(self, bus: Bus) -> float:
        """What ``bus`` costs on its own route (a bus this stage made runs the route
        of its stops)."""
        return _cost(self.by_id[bus.kind], bus.pattern)

    def joined(self, a: Bus, units: Sequence[Unit], load: int, stops: tuple[str, ...],
               freed: tuple[str, int] | None = None, keep_kind: bool = False,
               below: float = float("inf")) -> Bus | None:
        """Bus ``a`` taking ``units`` as well (``load`` seats in all), on its day, to
        ``stops`` (all their drop-offs), or None. The type may change to one with a bus
        left that day, counting the bus (type, day) ``freed`` by the change; with
        ``keep_kind`` it may not. None too when it would cost ``below`` or more: the
        windows, the dear part, are checked only for a bus worth having."""
        if load > (a.capacity if keep_kind else self.most_seats):
            return None
        route = self.route(stops)
        if route is None:
            return None
        free = [k for k in self.kinds if k.capacity >= load and (
            k.id == a.kind if keep_kind else
            self.used[k.id, a.day] - (a.kind == k.id) - (freed == (k.id, a.day))
            < self.cap(k, a.day))]
        if not free:
            return None
        kind = min(free, key=lambda k: (_cost(k, route), k.id))
        if _cost(kind, route) >= below:
            return None
        bus = Bus(area=a.area, hub=a.hub, kind=kind.id, capacity=kind.capacity, wave=a.wave,
                  day=a.day, pattern=route, units=[*a.units, *units])
        return bus if _window(self.context, bus, route) else None

    def merged(self, a: Bus, b: Bus, load: int, stops: tuple[str, ...]) -> Bus | None:
        """The one bus that takes the riders of ``a`` and ``b`` (``load`` seats) to
        ``stops`` (their drop-offs), on ``a``'s day or else on ``b``'s, or None."""
        bus = self.joined(a, b.units, load, stops, (b.kind, b.day))
        if bus is None and b.day != a.day:
            bus = self.joined(b, a.units, load, stops, (a.kind, a.day))
        return bus

    def run(self, buses: list[Bus]) -> list[Bus]:
        """Merge the best pair until no merge saves anything; buses keep their order,
        a merged bus takes the place of the first of its two."""
        cost = [self.own_cost(b) for b in buses]
        stops = [frozenset(_stops(b)) for b in buses]
        seats = [b.load for b in buses]
        days = [self.days(b.units) for b in buses]
        most = self.context.request.policy.max_dropoffs_per_bus
        alive = list(range(len(buses)))
        pairs: dict[tuple[int, int], tuple[float, Bus, float]] = {}  # saving, bus, its cost

        def consider(i: int, j: int) -> None:
            union = stops[i] | stops[j]
            if len(union) > most or (buses[i].day not in days[j]
                                     and buses[j].day not in days[i]):
                return
            bus = self.merged(buses[i], buses[j], seats[i] + seats[j], tuple(sorted(union)))
            if bus is not None:
                price = self.cost_of(bus)
                if cost[i] + cost[j] - price > 1e-6:
                    pairs[i, j] = (cost[i] + cost[j] - price, bus, price)

        for i, j in itertools.combinations(alive, 2):
            consider(i, j)
        while pairs:
            (i, j), (_, bus, price) = max(pairs.items(), key=lambda kv: (
                kv[1][0], -kv[0][0], -kv[0][1]))
            before = {(buses[i].kind, buses[i].day), (buses[j].kind, buses[j].day)}
            self.used[buses[i].kind, buses[i].day] -= 1
            self.used[buses[j].kind, buses[j].day] -= 1
            self.used[bus.kind, bus.day] += 1
            buses[i] = bus
            cost[i] = price
            stops[i] = stops[i] | stops[j]
            seats[i] += seats[j]
            days[i] = range(max(days[i].start, days[j].start), min(days[i].stop, days[j].stop))
            alive.remove(j)
            pairs = {k: v for k, v in pairs.items() if not {i, j} & set(k)}
            if (bus.kind, bus.day) not in before:
                # a pair that needed this type's last bus that day may no longer fit
                for pair, (_, other, _) in list(pairs.items()):
                    if (other.kind, other.day) == (bus.kind, bus.day):
                        del pairs[pair]
                        consider(*pair)
            for k in alive:
                if k != i:
                    consider(min(i, k), max(i, k))
        for a in sorted(alive, key=lambda i: (seats[i], i)):
            self._spread(buses, cost, stops, seats, alive, a)
        return [buses[i] for i in alive]

    def _spread(self, buses: list[Bus], cost: list[float], stops: list[frozenset[str]],
                seats: list[int], alive: list[int], a: int) -> None:
        """Dissolve bus ``a`` if each of its units fits on another bus of a day the unit
        may leave on (its route extended to the unit's drop-offs, its type kept or
        swapped for a larger one with a vehicle left that day) and that costs less than
        ``a``; each unit goes where it adds least, the larger units first, and a unit
        that fits nowhere as it is goes where a hand-over makes room (:meth:`_relay`).

        Buses leave nearly full, so a few riders whose companions all left earlier
        would otherwise ride a coach of their own: at 100,000 workers 213 buses of at
        most four riders cost 4.5 % of the plan. A 22-seat coach that becomes a 24-seat
        one for two of them costs an eighth of a bus of their own."""
        most = self.context.request.policy.max_dropoffs_per_bus
        days = [self.days([u]) for u in buses[a].units]
        hosts = [j for j in alive if j != a and any(buses[j].day in d for d in days)]
        if sum(self.most_seats - seats[j] for j in hosts) < seats[a]:
            return
        trial: dict[int, _Trial] = {}

        def view(j: int) -> _Trial:
            return trial.get(j, (buses[j], cost[j], stops[j], seats[j]))

        swapped: list[tuple[str, str, int]] = []  # (from type, to type, day), to undo

        def take(moves: dict[int, _Trial]) -> None:
            for j, taken in moves.items():
                bus, before = taken[0], view(j)[0]
                if bus.kind != before.kind:
                    self.used[before.kind, bus.day] -= 1
                    self.used[bus.kind, bus.day] += 1
                    swapped.append((before.kind, bus.kind, bus.day))
                trial[j] = taken

        extra = 0.0
        for unit, on in sorted(zip(buses[a].units, days, strict=True),
                               key=lambda pair: -pair[0].size):
            best: tuple[float, int, _Trial] | None = None
            mine = frozenset(unit.destinations)
            for j in hosts:
                host, host_cost, host_stops, load = view(j)
                union = host_stops | mine
                if (load + unit.size > self.most_seats or buses[j].day not in on
                        or len(union) > most):
                    continue
                # worth trying only if cheaper than the best host so far and than ``a``
                limit = min(best[0] if best else float("inf"), cost[a] - extra - 1e-6)
                bus = self.joined(host, [unit], load + unit.size, tuple(sorted(union)),
                                  keep_kind=load + unit.size <= host.capacity,
                                  below=host_cost + limit)
                if bus is not None:
                    price = self.cost_of(bus)
                    if best is None or price - host_cost < best[0]:
                        best = (price - host_cost, j, (bus, price, union, load + unit.size))
            found = ((best[0], {best[1]: best[2]}) if best is not None else
                     self._relay(view, alive, a, unit, on, cost[a] - extra - 1e-6))
            if found is None:
                self._undo(swapped)
                return
            extra += found[0]
            take(found[1])
        for j, (bus, price, drops, load) in trial.items():
            buses[j], cost[j], stops[j], seats[j] = bus, price, drops, load
        self.used[buses[a].kind, buses[a].day] -= 1
        alive.remove(a)

    def _relay(self, view: Callable[[int], _Trial], alive: list[int], a: int, unit: Unit,
               on: range, limit: float) -> tuple[float, dict[int, _Trial]] | None:
        """Room for ``unit`` (of bus ``a``, leaving on a day of ``on``) on a bus whose
        drop-offs or seats are all taken: that host hands the riders of one of its
        drop-offs to a third bus, and takes ``unit`` in their place. Returns what the two
        changes add, when less than ``limit``, and the two buses changed; else None.

        Most small buses left after dissolving at 100,000 workers had a neighbouring
        host on their day whose three drop-offs were all taken. Hand-overs are priced
        on their routes first, and timed (the dear part) cheapest first until the next
        could not be cheaper than one found."""
        most = self.context.request.policy.max_dropoffs_per_bus
        mine = frozenset(unit.destinations)
        by_day: dict[int, list[_Entry]] = defaultdict(list)
        going: dict[tuple[str, int], list[_Entry]] = defaultdict(list)
        room: dict[int, list[_Entry]] = defaultdict(list)  # buses with a drop-off free
        for k in alive:
            if k != a:
                entry = (k, *view(k))
                by_day[entry[1].day].append(entry)
                for stop in entry[3]:
                    going[stop, entry[1].day].append(entry)
                if len(entry[3]) < most:
                    room[entry[1].day].append(entry)
        days = sorted(by_day)

        def takers(j: int, drop: str, size: int, goes: frozenset[str], leave: range,
                   ) -> Iterator[_Entry]:
            """The buses other than ``j``, on a day of ``leave``, that drop at ``drop``
            or near it with a drop-off to spare, and have the seats and drop-offs for
            ``size`` riders to ``goes``."""
            for day in days:
                if day in leave:
                    for entry in going[drop, day]:
                        if (entry[0] != j and entry[4] + size <= self.most_seats
                                and len(entry[3] | goes) <= most):
                            yield entry
                    for entry in room[day]:
                        if (entry[0] != j and entry[4] + size <= self.most_seats
                                and drop not in entry[3] and len(entry[3] | goes) <= most
                                and drop in self._reach(entry[3])):
                            yield entry

        # what the host's side adds, for hand-overs some bus could take: the host's
        # new route is the dear part to price, so it is priced only for those
        hosts: list[tuple[float, int, str]] = []
        for j, host, host_cost, host_stops, load in (
                entry for day in days if day in on for entry in by_day[day]):
            if len(host_stops | mine) <= most and load + unit.size <= self.most_seats:
                continue  # it could take the unit as it is
            for drop, (size, goes, rest, leave) in self._drops(j, host).items():
                if (drop in mine or load - size + unit.size > self.most_seats
                        or next(takers(j, drop, size, goes, leave), None) is None):
                    continue
                kept = self.price(host, load - size + unit.size, rest | mine)
                if kept is not None and kept - host_cost < limit:
                    hosts.append((kept - host_cost, j, drop))
        best: tuple[float, dict[int, _Trial]] | None = None
        for gave, j, drop in sorted(hosts):
            bound = best[0] if best else limit
            if gave >= bound:
                break
            size, goes, _, leave = self._drops(j, view(j)[0])[drop]
            options = []
            for k, other, other_cost, other_stops, other_load in takers(j, drop, size, goes,
                                                                        leave):
                took = self.price(other, other_load + size, other_stops | goes)
                if took is not None and gave + took - other_cost < bound:
                    options.append((gave + took - other_cost, k))
            for added, k in sorted(options):
                if best is not None and added >= best[0]:
                    break
                found = self._hand_over(j, view(j), view(k), unit, drop,
                                        best[0] if best else limit)
                if found is not None:
                    best = (found[0], {k: found[1], j: found[2]})
                    break  # the cheapest this host can do
        return best

    def _drops(self, j: int, bus: Bus) -> dict[str, tuple[int, frozenset[str],
                                                          frozenset[str], range]]:
        """For each drop-off of ``bus`` (bus ``j`` of the cluster, perhaps as a trial
        changes it), its riders' seats, their drop-offs, the drop-offs of the rest, and
        the days they may all leave on."""
        if self._by_drop.get(j, (None,))[0] is not bus:
            split = {}
            for drop in _stops(bus):
                moving = [u for u in bus.units if drop in u.destinations]
                split[drop] = (
                    sum(u.size for u in moving),
                    frozenset(d for u in moving for d in u.destinations),
                    frozenset(d for u in bus.units if drop not in u.destinations
                              for d in u.destinations),
                    self.days(moving))
            self._by_drop[j] = (bus, split)
        return self._by_drop[j][1]

    def _reach(self, stops: frozenset[str]) -> frozenset[str]:
        """Where a bus dropping at ``stops`` may drop as well: the stops themselves and
        the places that neighbour every one of them."""
        if stops not in self._near:
            self._near[stops] = frozenset.intersection(
                *(frozenset(self.graph[d]) | {d} for d in stops))
        return self._near[stops]

    def price(self, bus: Bus, load: int, stops: frozenset[str]) -> float | None:
        """What ``bus`` would cost with ``load`` seats taken and ``stops`` for
        drop-offs, on its type if they fit, else on the cheapest that seats them (vehicles
        left that day not counted); None if they make no valid pattern or no type seats
        them."""
        key = (bus.kind if load <= bus.capacity else load, stops)
        if key not in self._prices:
            kinds = [self.by_id[bus.kind]] if load <= bus.capacity else [
                k for k in self.kinds if k.capacity >= load]
            route = self.route(tuple(sorted(stops))) if kinds else None
            self._prices[key] = (None if route is None else
                                 min(_cost(k, route) for k in kinds))
        return self._prices[key]

    def _hand_over(self, j: int, host: _Trial, other: _Trial, unit: Unit, drop: str,
                   limit: float) -> tuple[float, _Trial, _Trial] | None:
        """``other`` taking the riders ``host`` (bus ``j``) drops at ``drop``, and
        ``host`` taking ``unit`` instead, each on its day and in every rider's window:
        what that adds when less than ``limit``, and the two buses; else None."""
        bus, cost, _, load = host
        third, third_cost, third_stops, third_load = other
        size, goes, rest, _ = self._drops(j, bus)[drop]
        moving = [u for u in bus.units if drop in u.destinations]
        staying = [u for u in bus.units if drop not in u.destinations]
        drops = third_stops | goes
        took = self.joined(third, moving, third_load + size, tuple(sorted(drops)),
                           keep_kind=third_load + size <= third.capacity,
                           below=third_cost + limit)
        if took is None:
            return None
        took_cost = self.cost_of(took)
        # the host may need the type the third bus gave up, or the one it took
        self.used[third.kind, third.day] -= 1
        self.used[took.kind, took.day] += 1
        rest = rest | set(unit.destinations)
        gave = self.joined(replace(bus, units=staying), [unit], load - size + unit.size,
                           tuple(sorted(rest)), keep_kind=load - size + unit.size <= bus.capacity,
                           below=cost + limit - (took_cost - third_cost))
        self.used[took.kind, took.day] -= 1
        self.used[third.kind, third.day] += 1
        if gave is None:
            return None
        gave_cost = self.cost_of(gave)
        return (took_cost - third_cost + gave_cost - cost,
                (took, took_cost, drops, third_load + size),
                (gave, gave_cost, rest, load - size + unit.size))

    def _undo(self, swapped: list[tuple[str, str, int]]) -> None:
        """Give back the vehicles a dissolving that failed had swapped."""
        for old, new, day in reversed(swapped):
            self.used[new, day] -= 1
            self.used[old, day] += 1


def merge_buses(context: Context, buses: Sequence[Bus],
                progress: Callable[[int, int], None] | None = None, *,
                run: Runner = run_in_order, running: Sequence[Bus] = ()) -> tuple[Bus, ...]:
    """The buses with pairs merged where that saves money; see the module docstring.

    Hubs merge apart, mapped by ``run`` (a worker process or a cluster's, as for the
    areas: at a province's scale, and with wide drop-off patterns, this stage took
    most of the time on one core). So that none waits on another, each hub gets its
    share of each type's daily fleet beforehand (:func:`_fleet_caps`); ``running``
    are buses that take vehicles but are not merged (feeders). The answer is the same
    whichever runner merged. ``progress(done, total)`` hears of each hub merged."""
    mergeable: dict[str, list[int]] = defaultdict(list)
    for n, bus in enumerate(buses):
        if bus.feeder is None and not bus.pattern.pickups and all(
                not u.pickups for u in bus.units):
            mergeable[bus.hub].append(n)
    hubs = [hub for hub in sorted(mergeable) if len(mergeable[hub]) >= 2]
    used, caps = _fleet_caps(context, [*buses, *running],
                             {hub: [buses[n] for n in mergeable[hub]] for hub in hubs})
    routes: dict[str, RouteMemo] = {hub: {} for hub in hubs}
    for key, route in context.routes.items():
        if key[0] in routes:
            routes[key[0]][key] = route
    jobs = [_HubJob(_for_hub(context, routes[hub]), hub,
                    tuple(buses[n] for n in mergeable[hub]), used[hub], caps[hub])
            for hub in hubs]
    report = progress or (lambda done, total: None)
    report(0, len(jobs))
    out: list[Bus | None] = list(buses)
    for done, (job, merged) in enumerate(zip(jobs, run(_merge_hub, jobs), strict=True), 1):
        # a worker process returns copies: give back the plan's own units and rules
        same = {u: u for bus in job.buses for u in bus.units}
        for n, after in zip(mergeable[job.hub], merged, strict=True):
            out[n] = None if after is None else replace(
                after, units=[same[u] for u in after.units],
                pattern=(after.pattern if after.pattern.rules is context.rules
                         else replace(after.pattern, rules=context.rules)))
        report(done, len(jobs))
    return tuple(b for b in out if b is not None)


@dataclass(frozen=True, slots=True)
class _HubJob:
    """What merging one hub's buses needs, picklable for a worker process: the
    context without what the stage never reads (:func:`_for_hub`), the hub's
    mergeable buses, and how many buses of each (type, day) it runs and may run."""

    context: Context
    hub: str
    buses: tuple[Bus, ...]
    used: dict[tuple[str, int], int]
    caps: dict[tuple[str, int], int]


def _merge_hub(job: _HubJob) -> list[Bus | None]:
    """The hub's buses, each merged one in the place of the first of its pair and None
    for those merged into others or dissolved."""
    merging = _Hub(job.context, job.hub, job.buses, job.used, job.caps)
    # a bus's drop-offs are neighbours, so they lie in one cluster of the graph
    cluster = {d: min(c) for c in nx.connected_components(merging.graph) for d in c}
    groups: dict[str, list[int]] = defaultdict(list)
    for n, bus in enumerate(job.buses):
        groups[cluster[bus.units[0].destinations[0]]].append(n)
    out: list[Bus | None] = list(job.buses)
    for _, members in sorted(groups.items()):
        if len(members) < 2:
            continue
        merged = merging.run([job.buses[n] for n in members])
        for n in members:
            out[n] = None
        for n, bus in zip(members, merged, strict=False):
            out[n] = bus
    return out


def _for_hub(context: Context, routes: RouteMemo) -> Context:
    """``context`` as one hub's merge reads it (a worker process is sent it): without
    the workers and staff, and with ``routes``, those built so far from that hub."""
    return replace(
        context, request=context.request.model_copy(update={"workers": (), "staff": ()}),
        destination_of={}, feeder_slots={}, routes=routes)


def _fleet_caps(context: Context, running: Sequence[Bus],
                merging: Mapping[str, Sequence[Bus]]) -> tuple[
        dict[str, dict[tuple[str, int], int]], dict[str, dict[tuple[str, int], int]]]:
    """Per merging hub, the buses it runs and the most it may run of each (type, day):
    what it runs, and a share of what no hub runs of that day's fleet (of ``running``
    buses, every bus of the plan), in proportion to the buses it merges that day.
    Merges and dissolvings use fewer buses, and swaps for a larger type use the share."""
    used: dict[str, dict[tuple[str, int], int]] = {hub: defaultdict(int) for hub in merging}
    total: dict[tuple[str, int], int] = defaultdict(int)
    for bus in running:
        total[bus.kind, bus.day] += 1
        if bus.hub in used:
            used[bus.hub][bus.kind, bus.day] += 1
    caps = {hub: dict(counts) for hub, counts in used.items()}
    per_day = {hub: Counter(bus.day for bus in buses) for hub, buses in merging.items()}
    days = sorted({day for counts in per_day.values() for day in counts})
    for kind in sorted(context.request.bus_types, key=lambda k: k.id):
        for day in days:
            weights = {hub: per_day[hub][day] for hub in merging
                       if kind in context.bus_types_at.get(hub, ())}
            spare = kind.available_per_day - total[kind.id, day]
            for hub, share in apportion(spare, weights).items():
                if share:
                    caps[hub][kind.id, day] = used[hub][kind.id, day] + share
    return {hub: dict(counts) for hub, counts in used.items()}, caps
