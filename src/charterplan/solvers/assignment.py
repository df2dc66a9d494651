"""CP-SAT model that chooses departure waves, drop-off patterns and bus types.

Workers are aggregated: a *demand* is a number of identical units (same destinations,
size, priority and feasible waves), so the model's size grows with destinations and
days, not with workers. A *wave* is a departure day with a time that every rider of a
bus in it can leave at. Variables:

* ``x[c, w]`` — units of demand ``c`` leaving in wave ``w`` (split into units that may
  ride any pattern and units whose deadline allows only the direct pattern);
* ``y[p, w, t]`` — buses of type ``t`` running pattern ``p`` in wave ``w``;
* ``g[q, p, w, t]`` — seats those buses give to destination set ``q``;
* ``r[c, o]`` — units of demand ``c`` sent by rail choice ``o`` (a train service),
  within the seats the area may take on it; ``f[o, t]`` — feeder buses of type ``t``
  to its station, which count against the fleet and slots of the feeders' day like
  any bus. A train and its feeders carry riders of many areas, so a rider is priced at
  their seat's share of a carriage and a feeder (``RailChoice.seat_cost``), not at
  whole vehicles; carriages and feeders are filled across areas afterwards;
* ``u[c]`` — units left behind, penalised above any vehicle's cost (poor households far
  above, so they are served first when vehicles run short).

Bus or train is thus one decision, by total cost: a carriage's cost plus its riders'
feeders against the buses they would otherwise fill.

The model is solved with one worker and a deterministic time limit, so the same input
and seed give the same answer; a wall-clock limit stays as a safety bound only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from ortools.sat.python import cp_model

__all__ = ["BusKind", "Demand", "Problem", "RailChoice", "Solution", "bus_cost", "solve"]

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class BusKind:
    """A bus type as the model sees it; ``cost`` of a pattern is fixed + per_km × km."""

    id: str
    capacity: int
    fixed_cost: float
    cost_per_km: float


@dataclass(frozen=True, slots=True)
class RailChoice:
    """A train service as an area's model sees it: each rider costs ``seat_cost`` (their
    share of a carriage and of a feeder bus), within the area's seats on it
    (:attr:`Problem.seat_caps`). Riders reach the train's station on feeder buses that
    leave on ``feeder_day``; None when the train leaves from the area's hub."""

    service: str
    seat_cost: float
    feeder_day: int | None


@dataclass(frozen=True, slots=True)
class Demand:
    """``count`` identical units of ``size`` seats bound for destination set ``dests``.

    ``any_waves`` are waves in which a unit may ride any pattern containing ``dests``;
    ``direct_waves`` those in which only the pattern that is exactly ``dests`` is fast
    enough. ``priority`` counts poor-household members per unit. ``rails`` are the
    rail choices (indices into :attr:`Problem.rails`) a unit may take instead.
    """

    dests: frozenset[str]
    size: int
    priority: int
    count: int
    any_waves: tuple[int, ...]
    direct_waves: tuple[int, ...]
    rails: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Problem:
    """One area's assignment problem. Money is in yuan, distances in km.

    A bus running pattern ``p`` costs its type's fixed cost and cost per km over
    ``pattern_km[p]``, plus ``pattern_extra[p]`` (its extra drivers).

    ``wave_day[w]`` is the day of wave ``w``; ``fleet_caps[(kind, day)]`` and
    ``slot_caps[day]`` bound the buses this area may use (missing: zero), and
    ``seat_caps[service]`` the riders it may send on each rail choice's service.
    """

    patterns: tuple[frozenset[str], ...]
    pattern_km: tuple[float, ...]
    pattern_extra: tuple[float, ...]
    kinds: tuple[BusKind, ...]
    wave_day: tuple[int, ...]
    demands: tuple[Demand, ...]
    fleet_caps: dict[tuple[str, int], int]
    slot_caps: dict[int, int]
    min_passengers: int
    effort: float
    seed: int
    time_limit_s: float
    rails: tuple[RailChoice, ...] = ()
    seat_caps: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Solution:
    """Chosen values; keys as in :class:`Problem`'s indices."""

    any_units: dict[tuple[int, int], int]
    direct_units: dict[tuple[int, int], int]
    left: dict[int, int]
    buses: dict[tuple[int, int, int], int]
    seats: dict[tuple[frozenset[str], int, int, int], int]
    optimal: bool
    work: float
    rail_units: dict[tuple[int, int], int] = field(default_factory=dict)
    feeders: dict[tuple[int, int], int] = field(default_factory=dict)


def _fen(yuan: float) -> int:
    return round(yuan * 100)


def bus_cost(kind: BusKind, km: float, extra: float = 0.0) -> float:
    """Cost of one bus of ``kind`` over a closed route of ``km``, plus ``extra``."""
    return kind.fixed_cost + kind.cost_per_km * km + extra


Key = tuple[frozenset[str], int]
"""(destination set, wave)."""


@dataclass
class _Vars:
    """The model's variables, keyed as in :class:`Solution`."""

    x_any: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    x_dir: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    left: dict[int, cp_model.IntVar] = field(default_factory=dict)
    y: dict[tuple[int, int, int], cp_model.IntVar] = field(default_factory=dict)
    y_max: dict[tuple[int, int, int], int] = field(default_factory=dict)
    g: dict[tuple[frozenset[str], int, int, int], cp_model.IntVar] = field(
        default_factory=dict)
    r: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    f: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)


def _demand_vars(model: cp_model.CpModel, p: Problem, v: _Vars) -> dict[Key, int]:
    """Units per demand and wave; returns the most seats each (dests, wave) can want."""
    riders: dict[Key, int] = defaultdict(int)
    for c, d in enumerate(p.demands):
        for w in d.any_waves:
            v.x_any[c, w] = model.new_int_var(0, d.count, f"xa{c}_{w}")
            riders[d.dests, w] += d.size * d.count
        for w in d.direct_waves:
            v.x_dir[c, w] = model.new_int_var(0, d.count, f"xd{c}_{w}")
            riders[d.dests, w] += d.size * d.count
        for o in d.rails:
            v.r[c, o] = model.new_int_var(0, d.count, f"r{c}_{o}")
        v.left[c] = model.new_int_var(0, d.count, f"u{c}")
        model.add(sum(v.x_any[c, w] for w in d.any_waves)
                  + sum(v.x_dir[c, w] for w in d.direct_waves)
                  + sum(v.r[c, o] for o in d.rails) + v.left[c] == d.count)
    return riders


def _rail_vars(model: cp_model.CpModel, p: Problem, v: _Vars) -> None:
    """Seats and feeder buses for each rail choice's riders."""
    riders: dict[int, list[cp_model.LinearExprT]] = defaultdict(list)
    most: dict[int, int] = defaultdict(int)
    for (c, o), var in v.r.items():
        riders[o].append(p.demands[c].size * var)
        most[o] += p.demands[c].size * p.demands[c].count
    for o in sorted(riders):
        choice = p.rails[o]
        total = cp_model.LinearExpr.sum(riders[o])
        model.add(total <= p.seat_caps.get(choice.service, 0))
        day = choice.feeder_day
        if day is None:
            continue
        for t, kind in enumerate(p.kinds):
            ub = min(p.fleet_caps.get((kind.id, day), 0), p.slot_caps.get(day, 0),
                     -(-most[o] // kind.capacity))
            if ub > 0:
                v.f[o, t] = model.new_int_var(0, ub, f"f{o}_{t}")
        model.add(total <= sum(p.kinds[t].capacity * v.f[o, t]
                               for t in range(len(p.kinds)) if (o, t) in v.f))


def _bus_vars(model: cp_model.CpModel, p: Problem, v: _Vars, riders: dict[Key, int]) -> None:
    """Buses per pattern, wave and type, with the seats they give each destination set."""
    shareable = {(d.dests, w) for d in p.demands for w in d.any_waves}
    dest_sets = sorted({q for q, _ in riders}, key=sorted)
    for pi, pattern in enumerate(p.patterns):
        fits = [q for q in dest_sets if q <= pattern]
        for w, day in enumerate(p.wave_day):
            served = [q for q in fits
                      if (q, w) in riders and (q == pattern or (q, w) in shareable)]
            potential = sum(riders[q, w] for q in served)
            for t, kind in enumerate(p.kinds):
                ub = min(p.fleet_caps.get((kind.id, day), 0), p.slot_caps.get(day, 0),
                         potential // p.min_passengers)
                if ub <= 0:
                    continue
                v.y[pi, w, t] = model.new_int_var(0, ub, f"y{pi}_{w}_{t}")
                v.y_max[pi, w, t] = ub
                for q in served:
                    v.g[q, pi, w, t] = model.new_int_var(
                        0, min(riders[q, w], kind.capacity * ub), f"g{pi}_{w}_{t}")
                seats = sum(v.g[q, pi, w, t] for q in served)
                model.add(seats <= kind.capacity * v.y[pi, w, t])
                model.add(seats >= p.min_passengers * v.y[pi, w, t])


def _balance(model: cp_model.CpModel, p: Problem, v: _Vars, riders: dict[Key, int]) -> None:
    """Seats given to each destination set equal the units sent; only units that may
    ride any pattern take seats on shared patterns."""
    seats: dict[Key, list[cp_model.IntVar]] = defaultdict(list)
    shared: dict[Key, list[cp_model.IntVar]] = defaultdict(list)
    for (q, pi, w, _), var in v.g.items():
        seats[q, w].append(var)
        if p.patterns[pi] != q:
            shared[q, w].append(var)
    need_any: dict[Key, list[cp_model.LinearExprT]] = defaultdict(list)
    need_dir: dict[Key, list[cp_model.LinearExprT]] = defaultdict(list)
    for (c, w), var in v.x_any.items():
        need_any[p.demands[c].dests, w].append(p.demands[c].size * var)
    for (c, w), var in v.x_dir.items():
        need_dir[p.demands[c].dests, w].append(p.demands[c].size * var)
    total = cp_model.LinearExpr.sum
    for key in riders:
        model.add(total(seats[key]) == total(need_any[key] + need_dir[key]))
        if shared[key]:
            model.add(total(shared[key]) <= total(need_any[key]))


def _resource_limits(model: cp_model.CpModel, p: Problem, v: _Vars) -> None:
    """Buses per type and day within the fleet; departures per day within the slots."""
    per_kind: dict[tuple[str, int], list[cp_model.IntVar]] = defaultdict(list)
    per_day: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    for (_, w, t), var in v.y.items():
        per_kind[p.kinds[t].id, p.wave_day[w]].append(var)
        per_day[p.wave_day[w]].append(var)
    for (o, t), var in v.f.items():
        day = p.rails[o].feeder_day
        assert day is not None
        per_kind[p.kinds[t].id, day].append(var)
        per_day[day].append(var)
    for key, buses in per_kind.items():
        model.add(sum(buses) <= p.fleet_caps.get(key, 0))
    for day, buses in per_day.items():
        model.add(sum(buses) <= p.slot_caps.get(day, 0))


def _prices(p: Problem) -> tuple[dict[tuple[int, int], int], dict[int, int], dict[int, int]]:
    """Fen per bus (pattern, type), per rail seat (choice) and per unit left (demand): a
    unit left costs more than any vehicle per worker, and each poor-household member
    more than a full bus of other workers."""
    costs = {(pi, t): _fen(bus_cost(k, km, extra))
             for pi, (km, extra) in enumerate(zip(p.pattern_km, p.pattern_extra, strict=True))
             for t, k in enumerate(p.kinds)}
    seat = {o: _fen(choice.seat_cost) for o, choice in enumerate(p.rails)}
    base = max([*costs.values(), *seat.values()], default=0) + 1
    max_cap = max((k.capacity for k in p.kinds), default=1)
    penalty = {c: base * ((d.size - d.priority) + d.priority * (max_cap + 1))
               for c, d in enumerate(p.demands)}
    return costs, seat, penalty


def _objective(model: cp_model.CpModel, p: Problem, v: _Vars) -> None:
    """Bus costs and rail seats in fen, plus a penalty per unit left (:func:`_prices`)."""
    costs, seat, penalty = _prices(p)
    # a fen per feeder keeps their count (a shared resource) tight
    model.minimize(sum(costs[pi, t] * var for (pi, _, t), var in v.y.items())
                   + sum(seat[o] * p.demands[c].size * var for (c, o), var in v.r.items())
                   + sum(v.f.values())
                   + sum(penalty[c] * var for c, var in v.left.items()))


@dataclass
class _Start:
    """A constructed solution, in the model's variables."""

    sent: dict[tuple[int, int], int] = field(default_factory=lambda: defaultdict(int))
    buses: dict[tuple[int, int, int], int] = field(default_factory=lambda: defaultdict(int))
    seats: dict[tuple[frozenset[str], int, int, int], int] = field(
        default_factory=lambda: defaultdict(int))
    rail: dict[tuple[int, int], int] = field(default_factory=lambda: defaultdict(int))
    feeders: dict[tuple[int, int], int] = field(default_factory=lambda: defaultdict(int))


def _construct_rail(p: Problem, v: _Vars, start: _Start, left: dict[int, int],
                    used: dict[tuple[str, int], int], per_day: dict[int, int]) -> None:
    """Send by train the demands whose rail seat is cheaper than a seat on a full bus
    of their own pattern, or that no bus can take."""
    seat = {o: choice.seat_cost for o, choice in enumerate(p.rails)}
    kind_of = {o: max((t for t in range(len(p.kinds)) if (o, t) in v.f),
                      key=lambda t: (p.kinds[t].capacity, -t), default=-1)
               for o in range(len(p.rails))}
    pattern_of = {q: pi for pi, q in enumerate(p.patterns)}
    wanted: dict[int, list[int]] = defaultdict(list)
    for c, d in enumerate(p.demands):
        options = [o for o in d.rails if (c, o) in v.r
                   and (p.rails[o].feeder_day is None or kind_of[o] >= 0)]
        if not options:
            continue
        pi = pattern_of.get(d.dests)
        by_bus = min((bus_cost(k, p.pattern_km[pi], p.pattern_extra[pi]) / k.capacity
                      for k in p.kinds), default=float("inf")) if (
            pi is not None and (d.any_waves or d.direct_waves)) else float("inf")
        best = min(options, key=lambda o: (seat[o], o))
        if seat[best] < by_bus:
            wanted[best].append(c)
    for o, demands in sorted(wanted.items()):
        choice = p.rails[o]
        room = p.seat_caps.get(choice.service, 0)
        sent = {}
        for c in demands:
            d = p.demands[c]
            n = min(left[c], room // d.size)
            if n:
                sent[c] = n
                room -= n * d.size
        riders = sum(p.demands[c].size * n for c, n in sent.items())
        if not riders:
            continue
        t, day = kind_of[o], choice.feeder_day
        feeders = 0
        if day is not None:
            kind = p.kinds[t]
            feeders = -(-riders // kind.capacity)
            if (used[kind.id, day] + feeders > p.fleet_caps.get((kind.id, day), 0)
                    or per_day[day] + feeders > p.slot_caps.get(day, 0)):
                continue
            used[kind.id, day] += feeders
            per_day[day] += feeders
            start.feeders[o, t] = feeders
        for c, n in sent.items():
            start.rail[c, o] = n
            left[c] -= n


def _construct(p: Problem, v: _Vars) -> tuple[_Start, dict[int, int]]:
    """Dispatch when forced, fill to capacity: wave by wave, a bus leaves for units that
    cannot wait any longer, filled with units that could also go later and, while seats
    remain, with units for nearby destinations or boarding elsewhere (when a pattern
    allows them). Returns the start and the units left per demand."""
    start = _Start()
    left = {c: d.count for c, d in enumerate(p.demands)}
    last = {c: max(d.any_waves + d.direct_waves, default=-1) for c, d in enumerate(p.demands)}
    cover = _Cover(p, v)
    used: dict[tuple[str, int], int] = defaultdict(int)
    per_day: dict[int, int] = defaultdict(int)
    _construct_rail(p, v, start, left, used, per_day)
    by_size = sorted(range(len(p.kinds)), key=lambda t: -p.kinds[t].capacity)
    for w, day in enumerate(p.wave_day):
        ready = [c for c, d in enumerate(p.demands)
                 if left[c] and (w in d.any_waves or w in d.direct_waves)]
        ready.sort(key=lambda c: (last[c], -p.demands[c].size, c))
        while per_day[day] < p.slot_caps.get(day, 0):
            due = [c for c in ready if left[c] and last[c] == w]
            if not due:
                break
            first = max(due, key=lambda c: (p.demands[c].size * left[c], -c))
            home = p.demands[first].dests
            exact = w in p.demands[first].direct_waves
            kind = next((t for t in by_size if cover(home, w, t, exact) is not None and used[
                p.kinds[t].id, day] < p.fleet_caps.get((p.kinds[t].id, day), 0)), None)
            load = {} if kind is None else _fill(p, w, kind, [first, *ready], left, cover)
            stops = frozenset().union(*(p.demands[c].dests for c in load))
            seated = sum(p.demands[c].size * n for c, n in load.items())
            if kind is None or seated < p.min_passengers:
                ready = [c for c in ready if not (c in due and p.demands[c].dests == home)]
                continue
            exact = any(w in p.demands[c].direct_waves for c in load)
            kind, pi = min(((t, pi) for t in by_size if p.kinds[t].capacity >= seated
                            and used[p.kinds[t].id, day] < p.fleet_caps.get((p.kinds[t].id, day), 0)
                            and (pi := cover(stops, w, t, exact)) is not None),
                           key=lambda tp: (bus_cost(p.kinds[tp[0]], p.pattern_km[tp[1]],
                                                    p.pattern_extra[tp[1]]), tp))
            for c, n in load.items():
                left[c] -= n
                start.sent[c, w] += n
                start.seats[p.demands[c].dests, pi, w, kind] += n * p.demands[c].size
            start.buses[pi, w, kind] += 1
            used[p.kinds[kind].id, day] += 1
            per_day[day] += 1
    return start, left


@dataclass
class _Cover:
    """The pattern a constructed bus runs for the destination sets it carries: the one
    that is exactly them (riders who may ride only that), else the cheapest holding
    them all, among those with buses of the type in the wave."""

    p: Problem
    v: _Vars
    exact: dict[frozenset[str], int] = field(init=False)
    cheapest: list[int] = field(init=False)

    def __post_init__(self) -> None:
        self.exact = {q: pi for pi, q in enumerate(self.p.patterns)}
        self.cheapest = sorted(range(len(self.p.patterns)), key=lambda pi: (
            self.p.pattern_km[pi] + self.p.pattern_extra[pi], pi))

    def __call__(self, keys: frozenset[str], w: int, kind: int, exact: bool) -> int | None:
        if exact or keys in self.exact:
            pi = self.exact.get(keys)
            return pi if (pi, w, kind) in self.v.y else None
        return next((pi for pi in self.cheapest if (pi, w, kind) in self.v.y
                     and keys <= self.p.patterns[pi]), None)


def _fill(p: Problem, w: int, kind: int, candidates: list[int], left: dict[int, int],
          cover: _Cover) -> dict[int, int]:
    """Units per demand for one bus of ``kind`` in wave ``w``, in candidate order.

    The bus starts with the first candidate's destinations and widens to another
    destination set only while some pattern with a variable in this wave holds the
    widened set and nobody aboard (or boarding) may ride the direct pattern only."""
    load: dict[int, int] = defaultdict(int)
    room = p.kinds[kind].capacity
    stops = p.demands[candidates[0]].dests
    exclusive = False
    for c in candidates:
        d = p.demands[c]
        only_direct = w in d.direct_waves
        widened = stops | d.dests
        if widened != stops and (exclusive or only_direct
                                 or cover(widened, w, kind, False) is None):
            continue
        if only_direct and d.dests != stops:
            continue
        n = min(left[c] - load[c], room // d.size)
        if n <= 0:
            continue
        load[c] += n
        room -= n * d.size
        stops = widened
        exclusive = exclusive or only_direct
    return {c: n for c, n in load.items() if n}


def _hint(model: cp_model.CpModel, p: Problem, v: _Vars) -> tuple[_Start, dict[int, int]]:
    """Give CP-SAT the constructed solution as a complete hint; return it."""
    start, left = _construct(p, v)
    for (c, w), var in {**v.x_any, **v.x_dir}.items():  # a wave is one or the other
        model.add_hint(var, start.sent[c, w])
    for c, var in v.left.items():
        model.add_hint(var, left[c])
    for bus_key, var in v.y.items():
        model.add_hint(var, start.buses[bus_key])
    for seat_key, var in v.g.items():
        model.add_hint(var, start.seats[seat_key])
    for rail_key, var in v.r.items():
        model.add_hint(var, start.rail[rail_key])
    for feeder_key, var in v.f.items():
        model.add_hint(var, start.feeders[feeder_key])
    return start, left


def _start_cost(p: Problem, start: _Start, left: dict[int, int]) -> int:
    """The objective of a constructed solution, in fen."""
    costs, seat, penalty = _prices(p)
    return (sum(costs[pi, t] * n for (pi, _, t), n in start.buses.items())
            + sum(seat[o] * p.demands[c].size * n for (c, o), n in start.rail.items())
            + sum(start.feeders.values()) + sum(penalty[c] * n for c, n in left.items()))


def _from_start(p: Problem, start: _Start, left: dict[int, int], work: float) -> Solution:
    """The constructed solution as the solver's answer."""
    sent = {k: n for k, n in start.sent.items() if n}
    return Solution(
        any_units={(c, w): n for (c, w), n in sent.items() if w in p.demands[c].any_waves},
        direct_units={(c, w): n for (c, w), n in sent.items()
                      if w not in p.demands[c].any_waves},
        left={c: n for c, n in left.items() if n},
        buses={k: n for k, n in start.buses.items() if n},
        seats={k: n for k, n in start.seats.items() if n},
        optimal=False, work=work,
        rail_units={k: n for k, n in start.rail.items() if n},
        feeders={k: n for k, n in start.feeders.items() if n},
    )


def solve(problem: Problem) -> Solution:
    """Solve ``problem``; return the best solution found within its limits.

    There always is one: leaving every unit behind is feasible, and CP-SAT finds a
    first solution before it improves it. On a large model CP-SAT may spend its effort
    before it reaches the constructed start (:func:`_construct`); the start is then the
    answer, so that a bigger model never plans worse than dispatching when forced.
    """
    model = cp_model.CpModel()
    v = _Vars()
    riders = _demand_vars(model, problem, v)
    _bus_vars(model, problem, v, riders)
    _rail_vars(model, problem, v)
    _balance(model, problem, v, riders)
    _resource_limits(model, problem, v)
    _objective(model, problem, v)
    start, start_left = _hint(model, problem, v)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = problem.seed
    solver.parameters.max_deterministic_time = problem.effort
    solver.parameters.max_time_in_seconds = max(problem.time_limit_s, 0.01)
    solver.parameters.linearization_level = 2  # the capacity rows' LP proves the bounds
    status = solver.solve(model)
    if (status not in (cp_model.OPTIMAL, cp_model.FEASIBLE)
            or solver.objective_value > _start_cost(problem, start, start_left)):
        return _from_start(problem, start, start_left, solver.deterministic_time)

    def chosen(variables: Mapping[K, cp_model.IntVar]) -> dict[K, int]:
        return {k: value for k, var in variables.items() if (value := solver.value(var))}

    return Solution(
        any_units=chosen(v.x_any),
        direct_units=chosen(v.x_dir),
        left=chosen(v.left),
        buses=chosen(v.y),
        seats=chosen(v.g),
        optimal=status == cp_model.OPTIMAL,
        work=solver.deterministic_time,
        rail_units=chosen(v.r),
        feeders=chosen(v.f),
    )
