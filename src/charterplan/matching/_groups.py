"""Matching with groups: CP-SAT, one solve per aim with the earlier optima fixed.

Seekers outside groups stay aggregated: an integer ``x[c, v]`` counts class ``c``'s
seekers at vacancy ``v``. A group is one Boolean ``y[g, v]`` per vacancy it can take
whole (every member in reach, enough places). The aims are solved in order:
maximise poor seekers matched; fix that value and maximise seekers matched; fix that
too and minimise the third aim's cost. Each solve starts from the previous answer
(a hint), runs on one worker within a deterministic-time budget, so the match repeats.

Two exact reductions keep the model small (docs/design.md has the proofs): a class
needs only its cheapest vacancies holding as many places as there are seekers, a
group the cheapest holding enough that one must keep room for it; and the min-cost
flow with groups allowed to split bounds each aim, so a solve that reaches its
bound is proven at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from numpy.typing import NDArray
from ortools.sat.python import cp_model

from charterplan._stop import stoppable
from charterplan.errors import SolverError
from charterplan.matching._flow import Classes, hand_out, solve_flow
from charterplan.matching._instance import Instance

__all__ = ["MAX_CP_SAT_PAIRS", "Aims", "aims_of", "place_groups", "solve_groups"]

MAX_CP_SAT_PAIRS = 2_000_000
"""Above this many (class or group) × vacancy pairs, groups are placed, not solved."""

_FOUND = (cp_model.OPTIMAL, cp_model.FEASIBLE)


Aims = tuple[int, int, int]


def aims_of(instance: Instance, vacancy_of: NDArray[np.int64]) -> Aims:
    """(poor matched, matched, cost) of an assignment."""
    taken = np.flatnonzero(vacancy_of >= 0)
    poor = sum(instance.seekers[s].poor for s in taken.tolist())
    cost = int(instance.pair_cost(instance.key_of[taken], vacancy_of[taken]).sum())
    return poor, len(taken), cost


def cheapest(cost: NDArray[np.int64], reach: NDArray[np.bool_],
             capacity: NDArray[np.int64], seekers: int, size: int = 1) -> list[int]:
    """The vacancies an optimal match needs for a unit of ``size`` seekers whose cost
    at each vacancy is ``cost``: the cheapest in reach (ties by index) with room for it,
    up to the first prefix whose places exceed ``seekers − size`` by more than ``size − 1``
    per vacancy, so that some vacancy of the prefix always has room for the unit."""
    fits = np.flatnonzero(reach & (capacity >= size))
    order = fits[np.lexsort((fits, cost[fits]))]
    room = np.cumsum(capacity[order]) - (np.arange(len(order)) + 1) * (size - 1)
    enough = np.flatnonzero(room >= seekers - size + 1)
    return sorted((order if not len(enough) else order[:enough[0] + 1]).tolist())


def solve_groups(instance: Instance, singles: Sequence[int],
                 groups: Sequence[Sequence[int]], max_deterministic_time: float,
                 ) -> tuple[NDArray[np.int64], bool]:
    """Each seeker's vacancy index (−1: unmatched), and whether all three aims were
    proven optimal.

    Raises:
        SolverError: if CP-SAT finds no solution (the empty match always is one).
    """
    model = cp_model.CpModel()
    classes = Classes(instance, singles)
    capacity = instance.capacity.tolist()
    load: list[list[cp_model.LinearExprT]] = [[] for _ in capacity]
    poor_terms: list[cp_model.LinearExprT] = []
    all_terms: list[cp_model.LinearExprT] = []
    cost_terms: list[cp_model.LinearExprT] = []

    everyone = len(singles) + sum(len(members) for members in groups)
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    class_cost, class_reach = instance.rows(classes.key)
    for c, count in enumerate(classes.count.tolist()):
        row = []
        for v in cheapest(class_cost[c], class_reach[c], instance.capacity, everyone):
            var = model.new_int_var(0, min(count, capacity[v]), f"x{c}_{v}")
            x[c, v] = var
            row.append(var)
            load[v].append(var)
            cost_terms.append(int(class_cost[c, v]) * var)
        if row:
            model.add(sum(row) <= count)
        all_terms.extend(row)
        if classes.poor[c]:
            poor_terms.extend(row)

    y: dict[tuple[int, int], cp_model.IntVar] = {}
    for g, members in enumerate(groups):
        size, poor = len(members), sum(instance.seekers[m].poor for m in members)
        member_cost, member_reach = instance.rows(instance.key_of[list(members)])
        cost = member_cost.sum(axis=0)
        row = []
        for v in cheapest(cost, np.asarray(member_reach.all(axis=0)), instance.capacity,
                          everyone, size):
            var = model.new_bool_var(f"y{g}_{v}")
            y[g, v] = var
            row.append(var)
            load[v].append(size * var)
            cost_terms.append(int(cost[v]) * var)
        model.add_at_most_one(row)
        all_terms.extend(size * var for var in row)
        poor_terms.extend(poor * var for var in row if poor)

    for v, terms in enumerate(load):
        if terms:
            model.add(sum(terms) <= capacity[v])

    # the flow that lets groups split bounds each aim while the earlier ones are at it
    loose = solve_flow(instance, [*singles, *(s for members in groups for s in members)])
    bounds = aims_of(instance, loose)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_deterministic_time = max_deterministic_time
    solver.parameters.catch_sigint_signal = False  # the command line stops it (_stop)
    proven, at_bound = True, True
    aims = ((sum(poor_terms), 1), (sum(all_terms), 1), (sum(cost_terms), -1))
    for (expression, sense), bound in zip(aims, bounds, strict=True):
        if at_bound:
            model.add(sense * expression <= sense * bound)
        if sense > 0:
            model.maximize(expression)
        else:
            model.minimize(expression)
        with stoppable(solver):
            status = solver.solve(model)
        if status not in _FOUND:
            raise SolverError(f"CP-SAT found no match (status {solver.status_name(status)})")
        proven &= status == cp_model.OPTIMAL
        value = int(solver.value(expression))
        at_bound &= value == bound
        model.clear_hints()  # type: ignore[no-untyped-call]  # OR-Tools leaves it unannotated
        for var in (*x.values(), *y.values()):
            model.add_hint(var, solver.value(var))
        model.add(sense * expression >= sense * value)

    matched = np.zeros(len(classes.members), dtype=np.int64)
    key_flows: dict[int, list[tuple[int, int]]] = {}
    for (c, v), var in x.items():
        n = int(solver.value(var))
        if n:
            matched[c] += n
            key_flows.setdefault(int(classes.key[c]), []).append((v, n))
    vacancy_of = hand_out(instance, classes, matched, key_flows)
    for (g, v), var in y.items():
        if solver.value(var):
            vacancy_of[list(groups[g])] = v
    return vacancy_of, proven


def place_groups(instance: Instance, singles: Sequence[int],
                 groups: Sequence[Sequence[int]]) -> tuple[NDArray[np.int64], Aims]:
    """A match for instances too large for CP-SAT, and the split flow's aims (a bound).

    The flow that lets groups split is solved first; groups it kept whole stay where
    they are, the others go whole (most poor members first, then the largest) to a
    vacancy in reach of every member that still has room, if any (not 县内 if all are
    health-cleared, where the split flow put most of them, the cheapest); then the
    flow matches the seekers outside groups to the places left. The answer is optimal
    when it reaches the split flow's aims.
    """
    everyone = [*singles, *(s for members in groups for s in members)]
    loose = solve_flow(instance, everyone)
    vacancy_of = np.full(len(instance.seekers), -1, dtype=np.int64)
    room = instance.capacity.copy()
    unplaced = []
    for members in groups:
        chosen = set(loose[list(members)].tolist())
        if len(chosen) == 1 and -1 not in chosen:
            v = chosen.pop()
            vacancy_of[list(members)] = v
            room[v] -= len(members)
        else:
            unplaced.append(members)
    unplaced.sort(key=lambda m: (-sum(instance.seekers[s].poor for s in m), -len(m)))
    local = np.array([v.local for v in instance.vacancies], dtype=np.bool_)
    for members in unplaced:
        keys = instance.key_of[list(members)]
        cost, reach = instance.rows(keys)
        fits = np.flatnonzero(reach.all(axis=0) & (room >= len(members)))
        if len(fits):
            # where the split flow put most of them; 县内 places last for the health-cleared,
            # who are the only ones who can go elsewhere
            there = np.bincount(loose[list(members)][loose[list(members)] >= 0],
                                minlength=len(room))[fits]
            spare = local[fits] & bool(instance.cleared[keys].all())
            v = int(fits[np.lexsort((fits, cost.sum(axis=0)[fits], -there, spare))][0])
            vacancy_of[list(members)] = v
            room[v] -= len(members)
    if singles:
        rest = solve_flow(replace(instance, capacity=room), singles)
        vacancy_of[list(singles)] = rest[list(singles)]
    return vacancy_of, aims_of(instance, loose)
