"""An upper bound on the workers a roster lets any plan carry: the LP relaxation of a
flow of riders over departure days, held to the crews, buses and slots of each day.

Riders of a *flow* (one hub, one set of destinations, the days they may leave on) leave
on their days; a bus seats at most ``seats`` of them, so each rider takes at least
``1/seats`` of a bus and of its crew, and that crew is kept from the departure's day
for ``blocked[d]`` days (:mod:`charterplan.shared.crews`; a bus to several
destinations keeps its crew at least as long as to any one of them). Each day, the
crews kept by every hub's riders stay within what its roster gives (each pool: a hub's
people and those of no hub; all people together), and the riders leaving within the
seats of the day's fleet and slots. Groups, minimum loads and stop orders are
relaxed, so the LP optimum, rounded down, bounds every plan from above.

Solved by GLOP (OR-Tools' simplex), which is deterministic.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from ortools.linear_solver import pywraplp

__all__ = ["Flow", "RosterProblem", "merge_flows", "roster_bound"]


@dataclass(frozen=True, slots=True)
class Flow:
    """``riders`` of ``hub`` who may leave on any of ``days``; a bus leaving on
    ``days[i]`` keeps its crew ``blocked[i]`` days (0: not at all) and seats at most
    ``seats`` of them."""

    hub: str
    riders: int
    days: tuple[int, ...]
    blocked: tuple[int, ...]
    seats: int


@dataclass(frozen=True, slots=True)
class RosterProblem:
    """The flows, and what each day gives: ``crews[(pool, day)]`` — most buses keeping
    a crew of the pool on the day (pool: a hub, or "" for every hub together; missing:
    no limit), ``seats[(hub, day)]`` and ``seats[("", day)]`` — most riders the day's
    fleet and slots can seat at a hub and in all (missing: no limit)."""

    flows: tuple[Flow, ...]
    crews: Mapping[tuple[str, int], int]
    seats: Mapping[tuple[str, int], int]


def roster_bound(problem: RosterProblem) -> int:
    """The most riders of ``problem``'s flows any plan carries (see the module)."""
    if not problem.flows:
        return 0
    solver = pywraplp.Solver.CreateSolver("GLOP")
    assert solver is not None, "OR-Tools comes with GLOP"
    objective = solver.Objective()
    objective.SetMaximization()
    crew_rows: dict[tuple[str, int], pywraplp.Constraint] = {}
    seat_rows: dict[tuple[str, int], pywraplp.Constraint] = {}

    def row(rows: dict[tuple[str, int], pywraplp.Constraint],
            limits: Mapping[tuple[str, int], int], key: tuple[str, int]) -> (
            pywraplp.Constraint | None):
        if key not in limits:
            return None
        if key not in rows:
            rows[key] = solver.Constraint(-solver.infinity(), limits[key])
        return rows[key]

    for f, flow in enumerate(problem.flows):
        total = solver.Constraint(0, flow.riders)
        for i, (day, blocked) in enumerate(zip(flow.days, flow.blocked, strict=True)):
            var = solver.NumVar(0, flow.riders, f"n{f}_{i}")
            objective.SetCoefficient(var, 1)
            total.SetCoefficient(var, 1)
            for pool in (flow.hub, ""):
                if (seat := row(seat_rows, problem.seats, (pool, day))) is not None:
                    seat.SetCoefficient(var, 1)
                for d in range(day, day + blocked):
                    if (crew := row(crew_rows, problem.crews, (pool, d))) is not None:
                        crew.SetCoefficient(var, crew.GetCoefficient(var) + 1 / flow.seats)
    status = solver.Solve()
    assert status == pywraplp.Solver.OPTIMAL, "a bounded LP with a feasible zero"
    # rounded down with a margin for the simplex's tolerances: carried counts are whole
    return math.floor(float(objective.Value()) + 1e-6)


def merge_flows(flows: list[Flow]) -> tuple[Flow, ...]:
    """``flows`` with those alike (hub, days, blocked days, seats) summed: fewer
    columns, the same LP."""
    riders: dict[tuple[str, tuple[int, ...], tuple[int, ...], int], int] = defaultdict(int)
    for f in flows:
        riders[f.hub, f.days, f.blocked, f.seats] += f.riders
    return tuple(Flow(hub, n, days, blocked, seats)
                 for (hub, days, blocked, seats), n in sorted(riders.items()))
