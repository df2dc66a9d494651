"""One hub's buses as the merge stage sees them: its bus types, neighbour graph and
fleet, the routes over sets of drop-offs, what a bus costs, and a bus taking more
riders (:meth:`Hub.joined`) where its route, type and every rider's window allow."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Mapping, Sequence

import networkx as nx

from charterplan.model import BusType
from charterplan.shared.bus_route import BusRoute
from charterplan.shared.context import DAY, HUB_TOKEN, Context
from charterplan.shared.packing import Bus
from charterplan.shared.routes import RouteMemo, best_route, too_long
from charterplan.shared.units import Unit, day_window, deadlines_of
from charterplan.solvers.assignment import bus_cost
from charterplan.stages.s2_areas import neighbours

__all__ = ["Hub", "cost_on", "in_some_slot", "route_over", "stops_of"]


def stops_of(bus: Bus) -> tuple[str, ...]:
    return tuple(sorted({d for u in bus.units for d in u.destinations}))


def route_over(context: Context, hub: str, stops: tuple[str, ...],
           memo: RouteMemo | None = None) -> BusRoute:
    return best_route(context, hub, stops, (), frozenset({HUB_TOKEN}), memo)


def cost_on(bus_type: BusType, route: BusRoute) -> float:
    return bus_cost(bus_type, route.km, route.extra_cost)


def in_some_slot(context: Context, bus: Bus, route: BusRoute) -> bool:
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


class Hub:
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
        dests = sorted({d for b in buses for d in stops_of(b)})
        self.graph: nx.Graph = neighbours(context, dests)
        self.used: defaultdict[tuple[str, int], int] = defaultdict(int, used)
        self.caps = caps
        self.most_seats = max((k.capacity for k in self.kinds), default=0)
        self.routes: dict[tuple[str, ...], BusRoute | None] = {}
        # the routes of trials, most never run: kept while the hub merges, not for
        # the whole plan (they would fill the memory at a province's scale)
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
                found = route_over(self.context, self.hub, stops, self.built)
                if too_long(self.context, found, True):
                    found = None
            self.routes[stops] = found
        return self.routes[stops]

    def cap(self, kind: BusType, day: int) -> int:
        """How many buses of ``kind`` the hub may run on ``day``."""
        return kind.available_per_day if self.caps is None else self.caps.get((kind.id, day), 0)

    def days(self, units: Sequence[Unit]) -> range:
        """The days on which all of ``units`` may leave, by their windows alone (a
        day outside them fails :func:`in_some_slot` for certain)."""
        grid = self.context.grids[self.hub]
        return range(grid.first_at_or_after(max(u.earliest for u in units)) // DAY,
                     min(u.latest_departure for u in units) // DAY + 1)

    def own_cost(self, bus: Bus) -> float:
        """What ``bus`` costs on the shortest route over the drop-offs it serves (a
        bus of the assignment may run a pattern with more)."""
        route = route_over(self.context, self.hub, stops_of(bus), self.built)
        return cost_on(self.by_id[bus.bus_type], route)

    def cost_of(self, bus: Bus) -> float:
        """What ``bus`` costs on its own route (a bus this stage made runs the route
        of its stops)."""
        return cost_on(self.by_id[bus.bus_type], bus.pattern)

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
            k.id == a.bus_type if keep_kind else
            self.used[k.id, a.day] - (a.bus_type == k.id) - (freed == (k.id, a.day))
            < self.cap(k, a.day))]
        if not free:
            return None
        kind = min(free, key=lambda k: (cost_on(k, route), k.id))
        if cost_on(kind, route) >= below:
            return None
        bus = Bus(area=a.area, hub=a.hub, bus_type=kind.id, capacity=kind.capacity, wave=a.wave,
                  day=a.day, pattern=route, units=(*a.units, *units))
        return bus if in_some_slot(self.context, bus, route) else None

    def merged(self, a: Bus, b: Bus, load: int, stops: tuple[str, ...]) -> Bus | None:
        """The one bus that takes the riders of ``a`` and ``b`` (``load`` seats) to
        ``stops`` (their drop-offs), on ``a``'s day or else on ``b``'s, or None."""
        bus = self.joined(a, b.units, load, stops, (b.bus_type, b.day))
        if bus is None and b.day != a.day:
            bus = self.joined(b, a.units, load, stops, (a.bus_type, a.day))
        return bus

    def drops(self, j: int, bus: Bus) -> dict[str, tuple[int, frozenset[str],
                                                          frozenset[str], range]]:
        """For each drop-off of ``bus`` (bus ``j`` of the cluster, perhaps as a trial
        changes it), its riders' seats, their drop-offs, the drop-offs of the rest, and
        the days they may all leave on."""
        if self._by_drop.get(j, (None,))[0] is not bus:
            split = {}
            for drop in stops_of(bus):
                moving = [u for u in bus.units if drop in u.destinations]
                split[drop] = (
                    sum(u.size for u in moving),
                    frozenset(d for u in moving for d in u.destinations),
                    frozenset(d for u in bus.units if drop not in u.destinations
                              for d in u.destinations),
                    self.days(moving))
            self._by_drop[j] = (bus, split)
        return self._by_drop[j][1]

    def reach(self, stops: frozenset[str]) -> frozenset[str]:
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
        key = (bus.bus_type if load <= bus.capacity else load, stops)
        if key not in self._prices:
            kinds = [self.by_id[bus.bus_type]] if load <= bus.capacity else [
                k for k in self.kinds if k.capacity >= load]
            route = self.route(tuple(sorted(stops))) if kinds else None
            self._prices[key] = (None if route is None else
                                 min(cost_on(k, route) for k in kinds))
        return self._prices[key]

    def undo(self, swapped: list[tuple[str, str, int]]) -> None:
        """Give back the vehicles a dissolving that failed had swapped."""
        for old, new, day in reversed(swapped):
            self.used[new, day] -= 1
            self.used[old, day] += 1
