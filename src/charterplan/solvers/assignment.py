"""CP-SAT model that chooses departure waves, drop-off patterns and bus types.

Workers are aggregated: a *demand* is a number of identical units (same destinations,
size, priority and feasible waves), so the model's size grows with destinations and
days, not with workers. A *wave* is a departure day with a time that every rider of a
bus in it can leave at. Variables:

* ``x[c, w]`` — units of demand ``c`` leaving in wave ``w`` (split into units that may
  ride any pattern and units whose deadline allows only the direct pattern);
* ``y[p, w, t]`` — buses of type ``t`` running pattern ``p`` in wave ``w``;
* ``g[q, p, w]`` — seats the buses of pattern ``p`` in wave ``w``, of every type, give
  to destination set ``q``. Their sum lies between the buses' minimum load and their
  seats; any such total can be split over the types bus by bus, so a seat variable per
  type would only repeat the same choice (a quarter of the model, measured:
  benchmarks/RESULTS.md); :func:`~charterplan.solvers._problem.typed_seats` makes the
  split after the solve;
* ``r[c, o]`` — units of demand ``c`` sent by rail choice ``o`` (a train service),
  within the seats the area may take on it; ``f[o, t]`` — feeder buses of type ``t``
  to its station, which count against the fleet and slots of the feeders' day like
  any bus. A train and its feeders carry riders of many areas, so a rider is priced at
  their seat's share of a carriage and a feeder (``RailChoice.seat_cost``), not at
  whole vehicles; carriages and feeders are filled across areas afterwards;
* ``u[c]`` — units left behind, penalised above any vehicle's cost (poor households far
  above, so they are served first when vehicles run short).

In a campaign, units the last plan sent on a day (``Demand.stay``) cost a little more
when sent by bus on another day (:func:`move_fen`): the stability term of SPEC §10.

Bus or train is thus one decision, by total cost: a carriage's cost plus its riders'
feeders against the buses they would otherwise fill.

The model is solved with one worker and a deterministic time limit, so the same input
and seed give the same answer; a wall-clock limit stays as a safety bound only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Container, Hashable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar, cast

from ortools.sat.python import cp_model

from charterplan._stop import stoppable
from charterplan.solvers._problem import (
    AssignmentProblem,
    Demand,
    Keys,
    RailChoice,
    Solution,
    Start,
    bus_cost,
    bus_fen,
    departures_left,
    duty_days,
    typed_seats,
)
from charterplan.solvers._start import construct

__all__ = ["AssignmentProblem", "Demand", "RailChoice", "Solution", "bus_cost", "departures_left",
           "duty_days", "move_fen", "solve"]

K = TypeVar("K", bound=Hashable)


def _fen(yuan: float) -> int:
    return round(yuan * 100)


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
    g: dict[tuple[frozenset[str], int, int], cp_model.IntVar] = field(default_factory=dict)
    r: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    f: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)


_sum = cp_model.LinearExpr.sum
_weighted = cp_model.LinearExpr.weighted_sum


def _demand_vars(model: cp_model.CpModel, p: AssignmentProblem, v: _Vars) -> dict[Key, int]:
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


def _rail_vars(model: cp_model.CpModel, p: AssignmentProblem, v: _Vars) -> None:
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
        for t, kind in enumerate(p.bus_types):
            ub = min(p.fleet_caps.get((kind.id, day), 0), p.slot_caps.get(day, 0),
                     -(-most[o] // kind.capacity))
            if ub > 0:
                v.f[o, t] = model.new_int_var(0, ub, f"f{o}_{t}")
        model.add(total <= sum(p.bus_types[t].capacity * v.f[o, t]
                               for t in range(len(p.bus_types)) if (o, t) in v.f))


def _bus_vars(model: cp_model.CpModel, p: AssignmentProblem, v: _Vars,
              riders: dict[Key, int]) -> None:
    """Buses per pattern, wave and type, with the seats they give each destination set."""
    shareable = {(d.dests, w) for d in p.demands for w in d.any_waves}
    dest_sets = sorted({q for q, _ in riders}, key=sorted)
    most_buses = {day: [min(p.fleet_caps.get((kind.id, day), 0), p.slot_caps.get(day, 0))
                        for kind in p.bus_types] for day in set(p.wave_day)}
    for pi, pattern in enumerate(p.patterns):
        fits = [q for q in dest_sets if q <= pattern]
        for w, day in enumerate(p.wave_day):
            served = [q for q in fits
                      if (q, w) in riders and (q == pattern or (q, w) in shareable)]
            potential = sum(riders[q, w] for q in served)
            types = []
            for t, cap in enumerate(most_buses[day]):
                ub = min(cap, potential // p.min_passengers)
                if ub > 0:
                    v.y[pi, w, t] = model.new_int_var(0, ub, f"y{pi}_{w}_{t}")
                    v.y_max[pi, w, t] = ub
                    types.append(t)
            if not types:
                continue
            most = sum(p.bus_types[t].capacity * v.y_max[pi, w, t] for t in types)
            for q in served:
                v.g[q, pi, w] = model.new_int_var(0, min(riders[q, w], most), f"g{pi}_{w}")
            seats = _sum([v.g[q, pi, w] for q in served])
            buses = [v.y[pi, w, t] for t in types]
            model.add(seats <= _weighted(buses, [p.bus_types[t].capacity for t in types]))
            model.add(seats >= p.min_passengers * _sum(buses))


def _balance(model: cp_model.CpModel, p: AssignmentProblem, v: _Vars,
             riders: dict[Key, int]) -> None:
    """Seats given to each destination set equal the units sent; only units that may
    ride any pattern take seats on shared patterns."""
    seats: dict[Key, list[cp_model.IntVar]] = defaultdict(list)
    shared: dict[Key, list[cp_model.IntVar]] = defaultdict(list)
    for (q, pi, w), var in v.g.items():
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


def _resource_limits(model: cp_model.CpModel, p: AssignmentProblem, v: _Vars) -> None:
    """Buses per type and day within the fleet; departures per day within the slots;
    buses keeping a crew on a day within the crews (``crew_days``, ``crew_caps``)."""
    per_kind: dict[tuple[str, int], list[cp_model.IntVar]] = defaultdict(list)
    per_day: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    for (_, w, t), var in v.y.items():
        per_kind[p.bus_types[t].id, p.wave_day[w]].append(var)
        per_day[p.wave_day[w]].append(var)
    for (o, t), var in v.f.items():
        day = p.rails[o].feeder_day
        assert day is not None
        per_kind[p.bus_types[t].id, day].append(var)
        per_day[day].append(var)
    for key, buses in per_kind.items():
        model.add(_sum(buses) <= p.fleet_caps.get(key, 0))
    for day, buses in per_day.items():
        model.add(_sum(buses) <= p.slot_caps.get(day, 0))
    # the rolling crew cap: a bus keeps its crew for the days duty_days gives
    for day in sorted({d for leaves in per_day for d in duty_days(p, leaves)}):
        window = [d for d in per_day if day in duty_days(p, d)]
        if p.crew_caps.get(day, 0) >= sum(p.slot_caps.get(d, 0) for d in window):
            continue  # the slots keep within the crews
        on_duty = [var for d in window for var in per_day[d]]
        model.add(_sum(on_duty) <= p.crew_caps.get(day, 0))


def _prices(p: AssignmentProblem) -> tuple[
        dict[tuple[int, int], int], dict[int, int], dict[int, int]]:
    """Fen per bus (pattern, type), per rail seat (choice) and per unit left (demand): a
    unit left costs more than any vehicle per worker, and each poor-household member
    more than a full bus of other workers."""
    costs = {(pi, t): bus_fen(p, pi, t)
             for pi in range(len(p.patterns)) for t in range(len(p.bus_types))}
    seat = {o: _fen(choice.seat_cost) for o, choice in enumerate(p.rails)}
    base = max([*costs.values(), *seat.values()], default=0) + 1
    max_cap = max((k.capacity for k in p.bus_types), default=1)
    penalty = {c: base * ((d.size - d.priority) + d.priority * (max_cap + 1))
               for c, d in enumerate(p.demands)}
    return costs, seat, penalty


def move_fen(p: AssignmentProblem) -> dict[tuple[int, int], int]:
    """Fen per unit of demand ``c`` sent in wave ``w`` on another day than its ``stay``:
    ``weight`` of a seat on the cheapest full bus of its own pattern (else of any
    pattern that serves it), times its size. A move then pays only where it saves more
    than that share of a rider's cost: the campaign's "keep within 2 %" rule, worker by
    worker."""
    out: dict[tuple[int, int], int] = {}
    per_seat: dict[frozenset[str], float] = {}
    for c, d in enumerate(p.demands):
        if d.stay is None:
            continue
        day, weight = d.stay
        if d.dests not in per_seat:
            own = [pi for pi, key in enumerate(p.patterns) if key == d.dests]
            serving = own or [pi for pi, key in enumerate(p.patterns) if d.dests <= key]
            per_seat[d.dests] = min((bus_fen(p, pi, t) / kind.capacity for pi in serving
                                     for t, kind in enumerate(p.bus_types)), default=0.0)
        fen = round(weight * per_seat[d.dests] * d.size)
        for w in (*d.any_waves, *d.direct_waves):
            if p.wave_day[w] != day and fen:
                out[c, w] = fen
    return out


def _objective(model: cp_model.CpModel, p: AssignmentProblem, v: _Vars) -> None:
    """Bus costs and rail seats in fen, plus a penalty per unit left (:func:`_prices`)
    and per unit moved off its day (:func:`move_fen`)."""
    costs, seat, penalty = _prices(p)
    moves = move_fen(p)
    # a fen per feeder keeps their count (a shared resource) tight
    terms = ([(costs[pi, t], var) for (pi, _, t), var in v.y.items()]
             + [(seat[o] * p.demands[c].size, var) for (c, o), var in v.r.items()]
             + [(1, var) for var in v.f.values()]
             + [(penalty[c], var) for c, var in v.left.items()]
             + [(fen, var) for key, fen in moves.items()
                for var in (v.x_any.get(key), v.x_dir.get(key)) if var is not None])
    model.minimize(_weighted([var for _, var in terms], [fen for fen, _ in terms]))


@dataclass(frozen=True, slots=True)
class _TypedSeats:
    """Seats per bus type, as the start sees them: a destination set's seats on a
    pattern in a wave, on a type that has buses there. Asked, not listed: the list
    would hold every seat variable once per type."""

    seats: Container[tuple[frozenset[str], int, int]]
    buses: Container[tuple[int, int, int]]

    def __contains__(self, key: object) -> bool:
        q, pi, w, t = cast(tuple[frozenset[str], int, int, int], key)
        return (q, pi, w) in self.seats and (pi, w, t) in self.buses


def _keys(v: _Vars) -> Keys:
    """The model's variables as the constructed start sees them: seats per bus type."""
    return Keys(v.y, _TypedSeats(v.g, v.y), v.r, v.f)


def _hint(model: cp_model.CpModel, p: AssignmentProblem, v: _Vars) -> tuple[Start, dict[int, int]]:
    """Give CP-SAT the constructed solution as a complete hint; return it and the units
    it leaves per demand. With trains, the cheaper of two starts: one sends by rail
    only the riders a train saves money on, counting buses full, the other everyone
    it can (buses to thin flows run far from full)."""
    keys = _keys(v)
    starts = [construct(p, keys)] + ([construct(p, keys, rail_first=True)] if p.rails else [])
    start, left = min(starts, key=lambda sl: _start_cost(p, *sl))
    _add_hint(model, v, start, left)
    return start, left


def _add_hint(model: cp_model.CpModel, v: _Vars, start: Start, left: Mapping[int, int]) -> None:
    """Hint every variable of the model with its value in ``start`` (in one go: a
    model has thousands, and ``CpModel.add_hint`` takes them one by one)."""
    seats: dict[tuple[frozenset[str], int, int], int] = defaultdict(int)
    for (q, pi, w, _), n in start.seats.items():
        seats[q, pi, w] += n
    sent = {**v.x_any, **v.x_dir}  # a demand's wave is one or the other
    hinted = [
        *((var, start.sent[key]) for key, var in sent.items()),
        *((var, left[c]) for c, var in v.left.items()),
        *((var, start.buses[key]) for key, var in v.y.items()),
        *((var, seats[key]) for key, var in v.g.items()),
        *((var, start.rail[key]) for key, var in v.r.items()),
        *((var, start.feeders[key]) for key, var in v.f.items()),
    ]
    hint = model.proto.solution_hint
    hint.vars.extend([var.index for var, _ in hinted])
    hint.values.extend([int(value) for _, value in hinted])


def _model(problem: AssignmentProblem) -> tuple[
        cp_model.CpModel, _Vars, tuple[Start, dict[int, int]]]:
    """The area's model with the constructed start as its hint, and that start."""
    model = cp_model.CpModel()
    v = _Vars()
    riders = _demand_vars(model, problem, v)
    _bus_vars(model, problem, v, riders)
    _rail_vars(model, problem, v)
    _balance(model, problem, v, riders)
    _resource_limits(model, problem, v)
    _objective(model, problem, v)
    return model, v, _hint(model, problem, v)


def _start_cost(p: AssignmentProblem, start: Start, left: dict[int, int]) -> int:
    """The objective of a constructed solution, in fen."""
    costs, seat, penalty = _prices(p)
    moves = move_fen(p)
    return (sum(costs[pi, t] * n for (pi, _, t), n in start.buses.items())
            + sum(moves.get(key, 0) * n for key, n in start.sent.items())
            + sum(seat[o] * p.demands[c].size * n for (c, o), n in start.rail.items())
            + sum(start.feeders.values()) + sum(penalty[c] * n for c, n in left.items()))


def _from_start(p: AssignmentProblem, start: Start, left: dict[int, int], work: float) -> Solution:
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


def solve(problem: AssignmentProblem) -> Solution:
    """Solve ``problem``; return the best solution found within its limits.

    The constructed start (:func:`~charterplan.solvers._start.construct`) is a solution
    of the model, so there always is one: on a large model CP-SAT may spend its effort
    before it reaches that start, which is then the answer, so that a bigger model never
    plans worse than dispatching when forced.
    """
    model, v, (start, start_left) = _model(problem)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = problem.seed
    solver.parameters.max_deterministic_time = problem.effort
    solver.parameters.max_time_in_seconds = max(problem.time_limit_s, 0.01)
    solver.parameters.linearization_level = 2  # the capacity rows' LP proves the bounds
    # That LP is within a fraction of a per cent of the optimum, so branching on it finds
    # cheaper plans sooner than the default search; presolve costs more wall time than it
    # saves on models of a few hundred variables (measured: benchmarks/RESULTS.md).
    solver.parameters.search_branching = solver.parameters.SearchBranching.LP_SEARCH
    solver.parameters.cp_model_presolve = False
    solver.parameters.catch_sigint_signal = False  # an interrupt stops the plan: _stop.py
    with stoppable(solver):
        status = solver.solve(model)
    if (status not in (cp_model.OPTIMAL, cp_model.FEASIBLE)
            or solver.objective_value > _start_cost(problem, start, start_left)):
        return _from_start(problem, start, start_left, solver.deterministic_time)

    def chosen(variables: Mapping[K, cp_model.IntVar]) -> dict[K, int]:
        return {k: value for k, var in variables.items() if (value := solver.value(var))}

    buses = chosen(v.y)
    return Solution(
        any_units=chosen(v.x_any),
        direct_units=chosen(v.x_dir),
        left=chosen(v.left),
        buses=buses,
        seats=typed_seats(problem, buses, chosen(v.g)),
        optimal=status == cp_model.OPTIMAL,
        work=solver.deterministic_time,
        rail_units=chosen(v.r),
        feeders=chosen(v.f),
    )
