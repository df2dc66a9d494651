"""The per-day CVRP every peer solves, and the runner that times a peer on a request.

From the units that may travel (:func:`charterplan.stages.s1_eligibility.screen`), each
unit leaves on its first feasible day: the day of the first slot of its hub at or after
its earliest departure. Per (hub, day) the peers see a plain capacitated VRP:

- depot: the hub; clients: *chunks* of one destination's riders of that day, packed
  unit by unit in deadline order into at most the smallest bus capacity of the hub, so
  that every chunk fits every bus (a destination may be visited by several buses, and a
  bus may take several chunks of one destination at zero distance);
- vehicles: the hub's bus types, ``available_per_day`` of each (capped at the number of
  chunks), capacity ``BusType.capacity``; on a day whose riders outnumber those seats
  (everyone leaves on their first day, so a busy day can), the type cheapest per seat
  gets the buses it lacks, so the CVRP stays feasible, and the ``fleet`` count of
  :mod:`benchmarks.peers.policy` reports the excess;
- distances: road km (great circle × road factor), as integers of 100 m for solvers;
  costs in fen: fixed ``100 × fixed_cost`` per bus used, ``10 × cost_per_km`` per 100 m.

Peers know nothing of charterplan's drop-off rules. ``build_problems(context,
rules=True)`` adds them to each day as far as a CVRP with time windows can state them
(:class:`DayRules`), for a peer that is told them.

Peers return routes without times: :func:`stagger` then dispatches each day's buses as a
clerk would, most urgent first, each in the first free departure slot at or after its
riders are ready.

The figures reported are recomputed by :mod:`benchmarks.peers.policy` in yuan from the
float road km of each route, with charterplan's cost model.
"""

from __future__ import annotations

import importlib
import itertools
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, TypeVar

import networkx as nx
import numpy as np
from numpy.typing import NDArray

from charterplan.geo import UNIT_M, to_units
from charterplan.model import BusType, PlanRequest
from charterplan.shared.bus_route import BusRoute
from charterplan.shared.context import DAY, NEVER, Context, build_context
from charterplan.shared.routes import route as charter_route
from charterplan.shared.units import Unit
from charterplan.stages.s1_eligibility import screen
from charterplan.stages.s2_areas import neighbours

__all__ = [
    "INSTALL_HINT",
    "Chunk",
    "DayPlan",
    "DayProblem",
    "DayRules",
    "PeerResult",
    "Piece",
    "Route",
    "build_problems",
    "cheapest_per_seat",
    "chunk",
    "day_rules",
    "fixed_fen",
    "offsets",
    "optional_module",
    "per_unit_fen",
    "pieces",
    "routes_of",
    "run_peer",
    "run_routes",
    "solve_all",
    "stagger",
    "unit_keys",
    "within_radius",
]

INSTALL_HINT = "install the benchmark peers with: pip install 'charterplan[bench]'"
FEN_PER_YUAN = 100
UNITS_PER_KM = 1000 // UNIT_M

P = TypeVar("P")
T = TypeVar("T")

DayPlan = list[tuple[int, tuple[int, ...]]]
"""A solved day: (index of the bus type in ``DayProblem.kinds``, chunk indices in order)."""


@dataclass(frozen=True, slots=True)
class Chunk:
    """Riders of one destination who ride one bus together (a CVRP client).

    ``deadline`` is the earliest latest-arrival of its riders there, ``ready`` the
    latest first slot any of its riders may take (minutes since the context's epoch),
    ``units`` the keys of the units (first worker id) it holds riders of and
    ``expires`` the earliest end of validity of its riders' health certificates.
    """

    destination: str
    demand: int
    deadline: int
    ready: int
    units: tuple[str, ...]
    expires: int = NEVER


@dataclass(frozen=True)
class DayRules:
    """Charterplan's drop-off rules for one day's CVRP, node by node as in
    :attr:`DayProblem.km`.

    - ``max_stops``: ``max_dropoffs_per_bus``, to be counted per chunk (a bus taking two
      chunks of one destination counts two; chunks fill the smallest bus, so only a
      larger bus can);
    - ``apart[i, j]``: the destinations of nodes ``i`` and ``j`` lie farther apart than
      ``dropoff_radius_km`` (charterplan's own neighbour test), so no bus should drive
      from one to the other (a route may still call at two such destinations with a
      third between them);
    - ``minutes[i, j]``: minutes from leaving node ``i`` to reaching node ``j``, coach
      driving rules included: from the hub, those of the direct trip leaving at the
      hub's first slot of the day; between two drop-offs within the radius, what the
      second adds to that trip to the first (its stop excluded);
    - ``stop_minutes``: the stop at each drop-off.

    Chunk deadlines and ready times are the time windows. Not stated: the detour
    limit, and how the driving rules make a bus leaving later wait out the night.
    """

    max_stops: int
    apart: NDArray[np.bool_] = field(repr=False)
    minutes: NDArray[np.int64] = field(repr=False)
    stop_minutes: int

    def on(self, nodes: Sequence[int]) -> DayRules:
        """The rules between ``nodes`` (indices into these), in that order."""
        cells = np.ix_(nodes, nodes)
        return replace(self, apart=self.apart[cells], minutes=self.minutes[cells])


@dataclass(frozen=True)
class DayProblem:
    """The CVRP of one hub and day: ``km[0]`` is the hub, ``km[i + 1]`` chunk ``i``;
    ``rules`` if the peer is told charterplan's drop-off rules."""

    hub: str
    day: int
    kinds: tuple[BusType, ...]
    chunks: tuple[Chunk, ...]
    km: NDArray[np.float64] = field(repr=False)
    rules: DayRules | None = None

    def distance_units(self) -> NDArray[np.int64]:
        """Road distances in whole 100 m units, as the solvers take them."""
        return to_units(self.km)

    def fleet(self) -> tuple[int, ...]:
        """Buses of each kind offered to the solver, in ``kinds`` order.

        ``available_per_day`` of each (never more than the chunks); if first-fit
        decreasing cannot pack the day's chunks into those buses, the kind cheapest per
        seat gets as many more as the leftover chunks need (a breach of the fleet that
        the policy check counts), so that the CVRP is always feasible.
        """
        sizes = [min(kind.available_per_day, len(self.chunks)) for kind in self.kinds]
        free = sorted((k.capacity for n, k in zip(sizes, self.kinds, strict=True)
                       for _ in range(n)), reverse=True)
        left: list[int] = []
        for demand in sorted((c.demand for c in self.chunks), reverse=True):
            slot = next((i for i, room in enumerate(free) if room >= demand), None)
            if slot is None:
                left.append(demand)
            else:
                free[slot] -= demand
        if left:
            cheap = cheapest_per_seat(self.kinds)
            extra: list[int] = []
            for demand in left:
                slot = next((i for i, room in enumerate(extra) if room >= demand), None)
                if slot is None:
                    extra.append(self.kinds[cheap].capacity - demand)
                else:
                    extra[slot] -= demand
            sizes[cheap] += len(extra)
        return tuple(sizes)

    def vehicle_kinds(self) -> list[int]:
        """Index into ``kinds`` of every vehicle offered, one entry per bus."""
        return [k for k, n in enumerate(self.fleet()) for _ in range(n)]

    @property
    def riders(self) -> int:
        """Seats demanded that day at that hub."""
        return sum(c.demand for c in self.chunks)


def cheapest_per_seat(kinds: Sequence[BusType]) -> int:
    """Index of the bus type cheapest per seat on a 1,000 km trip (the first of equals)."""
    return min(range(len(kinds)), key=lambda i: (
        (kinds[i].fixed_cost + 1000 * kinds[i].cost_per_km) / kinds[i].capacity, i))


@dataclass(frozen=True)
class Route:
    """One bus: its drops in visiting order and when it leaves (minutes since epoch).

    ``day`` is the day it was planned for; ``pickups`` the township pickup points it
    calls at before the drop-offs (peers and the clerk take everyone at the hub).
    """

    hub: str
    day: int
    kind: BusType
    departure: int
    drops: tuple[Chunk, ...]
    pickups: tuple[str, ...] = ()

    @property
    def stops(self) -> tuple[str, ...]:
        """Destinations called at, consecutive visits of one place merged."""
        return tuple(dest for dest, _ in itertools.groupby(d.destination for d in self.drops))

    @property
    def stop_of_drop(self) -> tuple[int, ...]:
        """For each drop, the index of its stop in :attr:`stops`."""
        runs = itertools.groupby(d.destination for d in self.drops)
        return tuple(n for n, (_, run) in enumerate(runs) for _ in run)

    @property
    def load(self) -> int:
        """Riders on board."""
        return sum(d.demand for d in self.drops)

    def pattern(self, context: Context) -> BusRoute:
        """Charterplan's route of this bus: hub, pickups, stops and back to the hub."""
        return charter_route(context, self.hub, self.stops, self.pickups)

    def arrivals(self, context: Context) -> tuple[int, ...]:
        """Minute of arrival at each stop, timed as charterplan times its own buses (the
        coach driving rules included)."""
        return self.pattern(context).arrivals(self.departure)[len(self.pickups):]


@dataclass(frozen=True)
class PeerResult:
    """A peer's plan in charterplan's terms (cost in yuan, km on the road)."""

    name: str
    buses: int
    cost_yuan: float
    km: float
    seconds: float
    violations: dict[str, int]
    riders: int = 0
    routes: tuple[Route, ...] = field(default=(), repr=False)


def optional_module(name: str, peer: str, package: str) -> Any:
    """Import ``name`` (a module of an optional peer) or say how to install it."""
    try:
        return importlib.import_module(name)
    except ImportError as error:
        raise ImportError(f"the {peer} peer needs {package}; {INSTALL_HINT}") from error


def fixed_fen(kind: BusType) -> int:
    """A bus's fixed cost in whole fen."""
    return round(kind.fixed_cost * FEN_PER_YUAN)


def per_unit_fen(kind: BusType) -> int:
    """A bus's cost per 100 m distance unit in whole fen."""
    return round(kind.cost_per_km * FEN_PER_YUAN / UNITS_PER_KM)


def unit_keys(units: Sequence[Unit]) -> dict[str, str]:
    """Worker id -> key of their unit (the unit's first worker id)."""
    return {w: unit.workers[0] for unit in units for w in unit.workers}


Piece = tuple[int, int, str, int, int]
"""Riders of one unit to one destination: (deadline, ready, unit key, seats, expires)."""


def pieces(context: Context, unit: Unit, riders: Iterable[str] | None = None) -> dict[str, Piece]:
    """The riders of ``unit`` (all its workers, or ``riders`` among them) by destination.

    Each piece is ready at the unit's first slot at or after its earliest departure.
    """
    ready = context.grids[unit.hub].first_at_or_after(unit.earliest)
    deadlines = dict(unit.deadlines)
    seats = Counter(context.destination_of[w] for w in (unit.workers if riders is None
                                                        else riders))
    return {dest: (deadlines[dest], ready, unit.workers[0], n, unit.latest_departure)
            for dest, n in sorted(seats.items())}


def _chunks(parts: list[Piece], dest: str, limit: int) -> list[Chunk]:
    """Pack pieces in deadline order into chunks of at most ``limit`` seats."""
    out: list[Chunk] = []
    current: list[Piece] = []
    for piece in sorted(parts):
        if current and sum(p[3] for p in current) + piece[3] > limit:
            out.append(chunk(dest, current))
            current = []
        current.append(piece)
    if current:
        out.append(chunk(dest, current))
    return out


def chunk(dest: str, riders: Sequence[Piece]) -> Chunk:
    """One chunk of the pieces ``riders``, all bound for ``dest``."""
    return Chunk(destination=dest, demand=sum(p[3] for p in riders),
                 deadline=min(p[0] for p in riders), ready=max(p[1] for p in riders),
                 units=tuple(dict.fromkeys(p[2] for p in riders)),
                 expires=min(p[4] for p in riders))


def build_problems(context: Context, *, rules: bool = False) -> list[DayProblem]:
    """The per-(hub, day) CVRPs of a request, in (hub, day) order, with
    :class:`DayRules` if ``rules``."""
    by_day: dict[tuple[str, int], dict[str, list[Piece]]] = (
        defaultdict(lambda: defaultdict(list)))
    for unit in screen(context).units:
        for dest, piece in pieces(context, unit).items():
            by_day[unit.hub, piece[1] // DAY][dest].append(piece)
    problems = []
    for (hub, day), dests in sorted(by_day.items()):
        kinds = tuple(k for k in context.bus_types_at.get(hub, ())
                      if k.capacity > 0 and k.available_per_day > 0)
        if not kinds:
            continue
        limit = min(k.capacity for k in kinds)
        chunks = tuple(c for dest in sorted(dests) for c in _chunks(dests[dest], dest, limit))
        ids = [hub, *(c.destination for c in chunks)]
        problems.append(DayProblem(hub, day, kinds, chunks, context.places.road_km(ids, ids),
                                   day_rules(context, hub, ids, day) if rules else None))
    return problems


def day_rules(context: Context, hub: str, ids: Sequence[str], day: int) -> DayRules:
    """The :class:`DayRules` of the nodes ``ids`` (the hub, then each chunk's
    destination) of ``hub``, timed from its first slot of ``day``."""
    policy = context.request.policy
    places = list(dict.fromkeys(ids))
    near = neighbours(context, places[1:])
    leave = context.grids[hub].first_at_or_after(day * DAY)
    # place by place: apart unless neighbours, at the policy speed unless timed below
    joined = np.zeros((len(places), len(places)), dtype=bool)
    joined[1:, 1:] = nx.to_numpy_array(near, nodelist=places[1:], weight=None) > 0
    np.fill_diagonal(joined, True)
    joined[0, :] = joined[:, 0] = True
    minutes = np.ceil(context.places.road_km(places, places) / policy.bus_speed_kmh * 60
                      - 1e-9).astype(np.int64)
    for j, dest in enumerate(places[1:], start=1):
        minutes[0, j] = charter_route(context, hub, (dest,)).arrivals(leave)[0] - leave
    pos = {place: i for i, place in enumerate(places)}
    for a, b in near.edges:
        for one, two in ((a, b), (b, a)):
            times = charter_route(context, hub, (one, two)).arrivals(leave)
            minutes[pos[one], pos[two]] = max(0, times[1] - times[0] - policy.stop_minutes)
    return DayRules(policy.max_dropoffs_per_bus, ~joined, minutes,
                    policy.stop_minutes).on([pos[place] for place in ids])


def routes_of(problem: DayProblem, plan: DayPlan) -> list[Route]:
    """The routes of a solved day; each bus is ready when its last rider is. Told the
    rules, a bus calling beyond the radius is split (:func:`within_radius`).

    Raises ``ValueError`` unless the plan serves every chunk exactly once.
    """
    served = sorted(i for _, order in plan for i in order)
    if served != list(range(len(problem.chunks))):
        raise ValueError(f"hub {problem.hub} day {problem.day}: the plan serves chunks "
                         f"{served}, not each of the {len(problem.chunks)} chunks once")
    routes = []
    for kind, whole in plan:
        for order in within_radius(problem.rules, whole):
            drops = tuple(problem.chunks[i] for i in order)
            routes.append(Route(problem.hub, problem.day, problem.kinds[kind],
                                max(d.ready for d in drops), drops))
    return routes


def within_radius(rules: DayRules | None, order: tuple[int, ...]) -> list[tuple[int, ...]]:
    """The chunks ``order`` (indices, as a solver visits them) as buses that keep the
    drop-off radius of ``rules``: each chunk, in order, rides the first bus whose
    drop-offs all lie within the radius of its own, or a bus of its own.

    A solver told the rules drives no edge between drop-offs beyond the radius, but may
    call at two of them with a third between them; such a bus is split. Without rules
    (or with none to split) ``order`` is one bus, and an empty order none.
    """
    if rules is None or not order:
        return [order] if order else []
    buses: list[list[int]] = []
    for i in order:
        bus = next((b for b in buses if not rules.apart[i + 1, [j + 1 for j in b]].any()),
                   None)
        if bus is None:
            buses.append([i])
        else:
            bus.append(i)
    return [tuple(bus) for bus in buses]


def offsets(context: Context, route: Route) -> list[int]:
    """Minutes from departure to each stop of ``route`` (see :meth:`Route.arrivals`)."""
    return [a - route.departure for a in route.arrivals(context)]


def stagger(context: Context, routes: Sequence[Route]) -> list[Route]:
    """Give each bus a departure slot, as a dispatcher would.

    Per hub, day by day, buses go most urgent first (latest on-time departure), each in
    the first slot at or after its ``departure`` (when its riders are ready) that still
    has room; a bus that finds no room that day leaves on a later day.
    """
    latest = []
    for route in routes:
        offs = offsets(context, route)
        latest.append(min(d.deadline - offs[s]
                          for d, s in zip(route.drops, route.stop_of_drop, strict=True)))
    order = sorted(range(len(routes)), key=lambda i: (
        list(context.hubs).index(routes[i].hub), routes[i].day, latest[i],
        routes[i].departure, i))
    used: Counter[tuple[str, int]] = Counter()
    out: list[Route | None] = [None] * len(routes)
    for i in order:
        route = routes[i]
        grid = context.grids[route.hub]
        slot = grid.first_at_or_after(route.departure)
        while used[route.hub, slot] >= grid.per_slot:
            slot = grid.first_at_or_after(slot + 1)
        used[route.hub, slot] += 1
        out[i] = replace(route, departure=slot)
    return [r for r in out if r is not None]


def run_peer(request: PlanRequest, name: str, solve_day: Callable[..., DayPlan], *,
             seed: int = 0, jobs: int = 1, rules: bool = False) -> PeerResult:
    """Build the day problems (with :class:`DayRules` if ``rules``), solve each with
    ``solve_day``, dispatch and evaluate.

    ``jobs`` > 1 solves days in that many processes; see :func:`run_routes` for
    ``seconds``.
    """
    return run_routes(request, name, partial(_solve, solve_day=solve_day, seed=seed,
                                             jobs=jobs, rules=rules))


def _solve(context: Context, *, solve_day: Callable[..., DayPlan], seed: int,
           jobs: int, rules: bool) -> list[Route]:
    """The routes of every day problem of ``context`` as ``solve_day`` solves them."""
    problems = build_problems(context, rules=rules)
    plans = solve_all(partial(solve_day, seed=seed), problems, jobs)
    return [r for p, plan in zip(problems, plans, strict=True) for r in routes_of(p, plan)]


def solve_all(solve: Callable[[P], T], problems: Sequence[P], jobs: int) -> list[T]:
    """``solve`` of each problem, in order, in ``jobs`` processes if more than one."""
    if jobs > 1 and len(problems) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            return list(pool.map(solve, problems))
    return [solve(p) for p in problems]


def run_routes(request: PlanRequest, name: str,
               plan: Callable[[Context], Sequence[Route]]) -> PeerResult:
    """Plan ``request`` as routes with ``plan``, dispatch them (:func:`stagger`) and
    evaluate them.

    ``seconds`` is wall time from the parsed request to the dispatched routes
    (preparation included, the policy check not).
    """
    from benchmarks.peers.policy import evaluate

    start = time.perf_counter()
    context = build_context(request)
    routes = stagger(context, plan(context))
    seconds = time.perf_counter() - start
    return evaluate(context, name, routes, seconds)
