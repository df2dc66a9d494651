"""A lower bound on the cost of carrying riders on buses that run fixed drop-off
patterns: the LP relaxation of the set-covering model, by column generation with
GLOP.

A *column* is one bus: a pattern (a set of destinations it may drop at), a bus type,
a departure day and how many riders of each *class* it carries. A class is riders to
one destination who may leave on the same days (a range). The master LP buys
fractional buses so that every class is carried, with at most ``available`` buses of
a type a day. Pricing is exact by enumeration: for a pattern, type and day, the most
a bus can earn at the duals is its seats filled with the best-paid eligible riders, a
greedy fill (the loads' polytope is an interval box under one capacity).

The bound is read from the duals, never from the restricted master, as the better of
two valid at any round: Farley's ``(π·demand + μ·available) / max(1, θ)``, with ``θ``
the largest ratio of a column's dual value to its cost over every column, and the
Lagrangian ``π·demand + Σ available · min(0, least reduced cost)`` per type and day
(the cover rows relaxed, the fleet kept). Farley's equals the LP optimum once no column
prices out; column generation stops when the bound is within :data:`GAP` of the
master's value, Wentges-smoothed duals price. Rounds are counted, not timed, so the bound is the
same number on every run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from ortools.linear_solver import pywraplp

__all__ = ["CoverBound", "CoverProblem", "cover_bound"]


@dataclass(frozen=True, slots=True)
class CoverProblem:
    """Classes of riders, patterns and bus types of one hub.

    ``demand[c]`` riders of class ``c`` go to destination ``dest[c]`` and may leave
    on days ``days[c]`` (first, last; inclusive). ``patterns[p]`` lists the
    destinations a bus may serve together; ``cost[p][k]`` is at most what a bus of
    type ``k`` running pattern ``p`` (or any route over the same drop-offs) costs.
    A type seats ``capacity[k]`` riders and leaves at most ``available[k]`` times a day.
    """

    demand: Sequence[int]
    dest: Sequence[int]
    days: Sequence[tuple[int, int]]
    patterns: Sequence[Sequence[int]]
    cost: Sequence[Sequence[float]]
    capacity: Sequence[int]
    available: Sequence[int]
    buses: Sequence[tuple[int, int, float, dict[int, int]]] = ()
    """Buses known to run (a plan's): type, day, cost and riders by class; they start
    the column generation near the optimum."""


@dataclass(frozen=True, slots=True)
class CoverBound:
    """The valid bound, whether column generation reached the LP optimum, its rounds."""

    value: float
    optimal: bool
    rounds: int


MAX_ROUNDS = 15
"""Rounds of column generation before the bound is taken from the duals as they are."""


def cover_bound(problem: CoverProblem, max_rounds: int = MAX_ROUNDS) -> CoverBound:
    """A lower bound on the cost of any set of buses, each running a pattern within
    its type's capacity and daily availability, that carries every class on one of its
    days (see the module docstring)."""
    if sum(problem.demand) == 0:
        return CoverBound(0.0, True, 0)
    pricing = _Pricing.of(problem)
    master = _Master(problem, pricing)
    demand = np.asarray(problem.demand, dtype=float)
    available = np.asarray(problem.available, dtype=float)[:, None]
    cost = pricing.cost[pricing.row_pattern]

    def price(duals: _Duals) -> tuple[float, NDArray[np.float64], NDArray[np.float64]]:
        """The better of Farley's and Lagrange's bounds at ``duals``, the columns'
        reduced costs and their loads."""
        cover, fleet = duals
        value, take = pricing.values(cover)
        earn = value + fleet[:, pricing.row_day - pricing.first_day].T
        theta = max(1.0, float(np.max(earn / cost)), float(np.max(cover)) / master.penalty)
        farley = float(cover[:-1] @ demand + np.sum(fleet * available)) / theta
        # Lagrange, the cover rows relaxed and the fleet kept: each type and day runs its
        # whole fleet on its most negative column, or nothing
        worst = np.zeros((len(problem.capacity), pricing.horizon))
        np.minimum.at(worst.T, pricing.row_day - pricing.first_day, cost - value)
        lagrange = float(cover[:-1] @ demand + np.sum(worst * available))
        return max(farley, lagrange), cost - earn, take

    best, centre, rounds = 0.0, None, 0
    while True:
        solved = master.solve()
        if solved is None:
            return CoverBound(best, False, rounds)
        rmp, duals = solved
        bound, reduced, take = price(duals)
        if bound > best:
            best, centre = bound, duals
        optimal = best >= rmp - GAP * abs(rmp)
        if optimal or rounds >= max_rounds:
            break
        rounds += 1
        # Wentges smoothing: price towards the duals of the best bound so far, which
        # damps the duals' swings; where that finds nothing, at the master's own
        assert centre is not None
        near = (SMOOTHING * centre[0] + (1 - SMOOTHING) * duals[0],
                SMOOTHING * centre[1] + (1 - SMOOTHING) * duals[1])
        bound, near_reduced, near_take = price(near)
        if bound > best:
            best, centre = bound, near
        chosen = _most_negative(near_reduced, len(problem.demand))
        if not any(reduced[r, k] < -1e-6 for r, k in chosen):
            chosen, near_take = _most_negative(reduced, len(problem.demand)), take
        for r, k in chosen:
            seats = near_take[r, :, k]
            master.add(k, int(pricing.row_day[r]), pricing.cost[pricing.row_pattern[r], k],
                       {int(pricing.classes[r, j]): int(seats[j])
                        for j in np.flatnonzero(seats)})
    return CoverBound(max(0.0, best), optimal, rounds)


GAP = 0.002
"""Column generation stops once the best bound is this close to the master's value."""

SMOOTHING = 0.5
"""Weight of the best bound's duals in the duals that price (Wentges)."""

_Duals = tuple[NDArray[np.float64], NDArray[np.float64]]
"""The cover rows' duals (and a zero for the padding class), the fleet rows' by type
and day."""


class _Master:
    """The restricted master LP, solved by GLOP as columns come."""

    def __init__(self, problem: CoverProblem, pricing: _Pricing) -> None:
        solver = pywraplp.Solver.CreateSolver("GLOP")
        assert solver is not None
        self.solver = solver
        infinity = solver.infinity()
        self.cover = [solver.Constraint(float(n), infinity) for n in problem.demand]
        self.fleet = {(k, t): solver.Constraint(-infinity, float(problem.available[k]))
                      for k in range(len(problem.capacity)) for t in pricing.day_range}
        self.first_day, self.horizon = pricing.first_day, pricing.horizon
        self.types = len(problem.capacity)
        self.objective = solver.Objective()
        self.objective.SetMinimization()
        # artificial riders make every master feasible; their price only weakens the
        # bound if they stay in the solution, never makes it invalid. Twice the dearest
        # bus a rider keeps them out while the fleet allows, and GLOP's numbers tame
        self.penalty = 2.0 * float(np.max(pricing.cost))
        for row in self.cover:
            slack = solver.NumVar(0.0, infinity, "")
            row.SetCoefficient(slack, 1.0)
            self.objective.SetCoefficient(slack, self.penalty)
        for c, (d, (first, _)) in enumerate(zip(problem.dest, problem.days, strict=True)):
            # a starting column per class: one bus of each type on its first day
            for k, seats in enumerate(problem.capacity):
                self.add(k, first, pricing.cost[pricing.single[d], k],
                         {c: min(seats, problem.demand[c])})
        for bus in problem.buses:
            self.add(*bus)

    def add(self, kind: int, day: int, cost: float, loads: dict[int, int]) -> None:
        """One bus of type ``kind`` leaving on ``day``, carrying ``loads`` by class."""
        bus = self.solver.NumVar(0.0, self.solver.infinity(), "")
        self.objective.SetCoefficient(bus, float(cost))
        self.fleet[kind, day].SetCoefficient(bus, 1.0)
        for c, n in sorted(loads.items()):
            self.cover[c].SetCoefficient(bus, float(n))

    def solve(self) -> tuple[float, _Duals] | None:
        """The master's value and duals, clipped to their signs; None if GLOP finds no
        optimum."""
        if self.solver.Solve() != pywraplp.Solver.OPTIMAL:
            return None
        cover = np.maximum([*(row.dual_value() for row in self.cover), 0.0], 0.0)
        fleet = np.zeros((self.types, self.horizon))
        for (k, t), row in self.fleet.items():
            fleet[k, t - self.first_day] = min(row.dual_value(), 0.0)
        return self.objective.Value(), (cover, fleet)


def _most_negative(reduced: NDArray[np.float64], count: int) -> list[tuple[int, int]]:
    """The (row, type) of up to ``count`` columns of most negative reduced cost, ties
    by position, so that the rounds repeat exactly."""
    flat = reduced.ravel()
    negative = np.flatnonzero(flat < -1e-6)
    order = negative[np.lexsort((negative, flat[negative]))][:count]
    types = reduced.shape[1]
    return [(int(i) // types, int(i) % types) for i in order]


@dataclass(frozen=True, slots=True)
class _Pricing:
    """Every (pattern, day) as a row of the classes it may carry, padded with a class
    of no riders (the last index), for pricing all columns at once with numpy."""

    classes: NDArray[np.intp]
    """(rows, width): eligible class indices."""
    row_pattern: NDArray[np.intp]
    row_day: NDArray[np.intp]
    cost: NDArray[np.float64]
    """(patterns, types)."""
    demand: NDArray[np.float64]
    capacity: NDArray[np.float64]
    single: dict[int, int]
    """The pattern of each destination alone."""
    first_day: int
    horizon: int

    @property
    def day_range(self) -> range:
        return range(self.first_day, self.first_day + self.horizon)

    @classmethod
    def of(cls, problem: CoverProblem) -> _Pricing:
        first = min(a for a, _ in problem.days)
        last = max(b for _, b in problem.days)
        by_dest: dict[int, list[int]] = {}
        for c, d in enumerate(problem.dest):
            by_dest.setdefault(d, []).append(c)
        rows: list[list[int]] = []
        row_pattern: list[int] = []
        row_day: list[int] = []
        for p, stops in enumerate(problem.patterns):
            for t in range(first, last + 1):
                eligible = [c for d in stops for c in by_dest.get(d, ())
                            if problem.days[c][0] <= t <= problem.days[c][1]]
                if eligible:
                    rows.append(eligible)
                    row_pattern.append(p)
                    row_day.append(t)
        none = len(problem.demand)
        width = max(len(r) for r in rows)
        classes = np.full((len(rows), width), none, dtype=np.intp)
        for i, r in enumerate(rows):
            classes[i, :len(r)] = r
        single = {stops[0]: p for p, stops in enumerate(problem.patterns) if len(stops) == 1}
        return cls(classes=classes, row_pattern=np.asarray(row_pattern, dtype=np.intp),
                   row_day=np.asarray(row_day, dtype=np.intp),
                   cost=np.asarray(problem.cost, dtype=float),
                   demand=np.asarray([*problem.demand, 0], dtype=float),
                   capacity=np.asarray(problem.capacity, dtype=float), single=single,
                   first_day=first, horizon=last - first + 1)

    def values(self, duals: NDArray[np.float64]
               ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """The most each row's bus of each type earns at ``duals`` (rows, types), and
        the riders per eligible class that earn it (rows, width, types): seats go to
        the best-paid classes first, each up to its riders."""
        price = duals[self.classes]
        order = np.argsort(-price, axis=1, kind="stable")
        price = np.take_along_axis(price, order, axis=1)
        riders = np.where(price > 0, self.demand[np.take_along_axis(self.classes, order,
                                                                    axis=1)], 0.0)
        before = np.cumsum(riders, axis=1) - riders
        take = np.clip(self.capacity[None, None, :] - before[:, :, None], 0.0,
                       riders[:, :, None])
        value = np.einsum("rw,rwk->rk", price, take)
        # back to the rows' own order of classes
        unsorted = np.empty_like(take)
        np.put_along_axis(unsorted, order[:, :, None], take, axis=1)
        return value, unsorted
