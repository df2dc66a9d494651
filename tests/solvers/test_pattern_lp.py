"""The covering LP's bound (charterplan.solvers.pattern_lp): below the integer optimum,
equal to the LP optimum when column generation ends, valid when it stops early, and
the same number on every run."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from charterplan.solvers.pattern_lp import CoverProblem, cover_bound
from tests.strategies import cover_problems


def _columns(problem: CoverProblem) -> list[tuple[int, int, int, list[int]]]:
    """Every (pattern, type, day) and the classes a bus of it may carry."""
    first = min(a for a, _ in problem.days)
    last = max(b for _, b in problem.days)
    out = []
    for (p, stops), k, t in itertools.product(enumerate(problem.patterns),
                                             range(len(problem.capacity)),
                                             range(first, last + 1)):
        eligible = [c for c, (d, (a, b)) in enumerate(zip(problem.dest, problem.days, strict=True))
                    if d in stops and a <= t <= b]
        if eligible:
            out.append((p, k, t, eligible))
    return out


def _optimum(problem: CoverProblem) -> float | None:
    """The cheapest set of whole buses carrying every rider, by CP-SAT without limits
    (None: the fleet cannot carry them)."""
    model = cp_model.CpModel()
    total = sum(problem.demand)
    cost, cover = [], [[] for _ in problem.demand]
    fleet: dict[tuple[int, int], list[cp_model.IntVar]] = {}
    for p, k, t, eligible in _columns(problem):
        buses = model.new_int_var(0, total, "")
        loads = [model.new_int_var(0, problem.demand[c], "") for c in eligible]
        model.add(sum(loads) <= problem.capacity[k] * buses)
        for c, load in zip(eligible, loads, strict=True):
            cover[c].append(load)
        fleet.setdefault((k, t), []).append(buses)
        cost.append(round(problem.cost[p][k] * 100) * buses)
    for c, loads in enumerate(cover):
        model.add(sum(loads) >= problem.demand[c])
    for (k, _), buses in fleet.items():
        model.add(sum(buses) <= problem.available[k])
    model.minimize(sum(cost))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    status = solver.solve(model)
    if status == cp_model.INFEASIBLE:
        return None
    assert status == cp_model.OPTIMAL
    return solver.objective_value / 100


def _lp_optimum(problem: CoverProblem) -> float | None:
    """The covering LP solved whole: per column a fractional bus count and its loads
    (each class's at most its riders a bus), by GLOP (None: the fleet is too small)."""
    solver = pywraplp.Solver.CreateSolver("GLOP")
    inf = solver.infinity()
    cover = [solver.Constraint(float(n), inf) for n in problem.demand]
    fleet: dict[tuple[int, int], pywraplp.Constraint] = {}
    objective = solver.Objective()
    for p, k, t, eligible in _columns(problem):
        buses = solver.NumVar(0, inf, "")
        objective.SetCoefficient(buses, problem.cost[p][k])
        row = fleet.setdefault((k, t), solver.Constraint(-inf, problem.available[k]))
        row.SetCoefficient(buses, 1)
        seats = solver.Constraint(-inf, 0)
        seats.SetCoefficient(buses, -problem.capacity[k])
        for c in eligible:
            load = solver.NumVar(0, inf, "")
            seats.SetCoefficient(load, 1)
            cover[c].SetCoefficient(load, 1)
            most = solver.Constraint(-inf, 0)
            most.SetCoefficient(load, 1)
            most.SetCoefficient(buses, -min(problem.demand[c], problem.capacity[k]))
    objective.SetMinimization()
    status = solver.Solve()
    if status == pywraplp.Solver.INFEASIBLE:
        return None
    assert status == pywraplp.Solver.OPTIMAL
    return float(objective.Value())


@settings(max_examples=60, deadline=None)
@given(cover_problems())
def test_bound_is_below_the_integer_optimum(problem: CoverProblem) -> None:
    """The bound never exceeds the cheapest whole-bus solution, proven optimal by CP-SAT."""
    optimum = _optimum(problem)
    if optimum is not None:
        assert cover_bound(problem).value <= optimum + 1e-6


@settings(max_examples=60, deadline=None)
@given(cover_problems())
def test_bound_reaches_the_lp_optimum_and_stays_below_it_early(problem: CoverProblem) -> None:
    """Column generation that runs out of columns gives the LP optimum of the whole
    model; stopped after 0, 1 or 2 rounds it gives Farley's bound, never above it."""
    whole = _lp_optimum(problem)
    if whole is None:
        return
    found = cover_bound(problem, max_rounds=100)
    assert found.optimal
    assert whole * (1 - 0.003) - 1e-6 <= found.value <= whole + 1e-6
    for rounds in (0, 1, 2):
        assert cover_bound(problem, max_rounds=rounds).value <= whole + 1e-6


@settings(max_examples=20, deadline=None)
@given(cover_problems())
def test_bound_is_the_same_number_every_run(problem: CoverProblem) -> None:
    """Rounds are counted, not timed: two runs give the same float."""
    assert cover_bound(problem) == cover_bound(problem)
