"""Matching without groups: one min-cost flow whose integer weights rank the three aims.

The network (docs/design.md, "Job matching", has the proof that the weights cannot
trade one aim for another)::

    class (cost class, poor) --0--> cost class --cost[k, v]--> vacancy v --0--> sink
    class -----------------W_poor or W_other (left unmatched)-----------------> sink

Every class supplies its seekers; the sink takes them all. With ``C`` the largest
arc cost and ``K`` the smaller of the numbers of cost classes and vacancies,
``W_other = K·C + 1`` and ``W_poor = 2·W_other``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from ortools.graph.python import min_cost_flow

from charterplan.errors import SolverError
from charterplan.matching._instance import Instance

__all__ = ["Classes", "hand_out", "solve_flow", "unmatched_weights"]


class Classes:
    """Seekers (by index) grouped by (cost class, poor), in order of first appearance."""

    def __init__(self, instance: Instance, members: Sequence[int]) -> None:
        index: dict[tuple[int, bool], int] = {}
        self.members: list[list[int]] = []
        for s in members:
            c = index.setdefault((int(instance.key_of[s]), instance.seekers[s].poor),
                                 len(index))
            if c == len(self.members):
                self.members.append([])
            self.members[c].append(s)
        self.key = np.array([k for k, _ in index], dtype=np.int64)
        self.poor = np.array([p for _, p in index], dtype=np.bool_)
        self.count = np.array([len(m) for m in self.members], dtype=np.int64)


def unmatched_weights(max_cost: int, num_keys: int, num_vacancies: int) -> tuple[int, int]:
    """(W_poor, W_other): the cost of leaving a poor / another seeker unmatched.

    A simple residual cycle changes the matched counts by at most one each and the
    third aim by at most ``min(num_keys, num_vacancies) · max_cost``, so these weights
    make every cycle that improves an earlier aim cost less than zero.
    """
    w_other = min(num_keys, num_vacancies) * max_cost + 1
    return 2 * w_other, w_other


def solve_flow(instance: Instance, members: Sequence[int]) -> NDArray[np.int64]:
    """Each member's vacancy index (−1: unmatched), lexicographically optimal.

    Raises:
        SolverError: if OR-Tools does not report an optimal flow.
    """
    classes = Classes(instance, members)
    num_classes = len(classes.members)
    keys, node_of_class = np.unique(classes.key, return_inverse=True)
    num_keys, num_vac = len(keys), len(instance.vacancies)
    supply_of_key = np.bincount(node_of_class, weights=classes.count,
                                minlength=num_keys).astype(np.int64)
    rows, cols = np.nonzero(instance.reach[keys])
    arc_cost = instance.cost[keys[rows], cols]
    w_poor, w_other = unmatched_weights(int(arc_cost.max(initial=0)), num_keys, num_vac)

    first_key, first_vac = num_classes, num_classes + num_keys
    sink = first_vac + num_vac
    class_ids = np.arange(num_classes, dtype=np.int64)
    tails = np.concatenate([class_ids, class_ids, first_key + rows,
                            first_vac + np.arange(num_vac)])
    heads = np.concatenate([first_key + node_of_class, np.full(num_classes, sink),
                            first_vac + cols, np.full(num_vac, sink)])
    capacities = np.concatenate([classes.count, classes.count,
                                 np.minimum(supply_of_key[rows], instance.capacity[cols]),
                                 instance.capacity])
    costs = np.concatenate([np.zeros(num_classes, dtype=np.int64),
                            np.where(classes.poor, w_poor, w_other),
                            arc_cost, np.zeros(num_vac, dtype=np.int64)])
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(tails, heads, capacities, costs)
    supplies = np.zeros(sink + 1, dtype=np.int64)
    supplies[:num_classes] = classes.count
    supplies[sink] = -int(classes.count.sum())
    flow.set_nodes_supplies(np.arange(sink + 1), supplies)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise SolverError(f"min-cost flow for the match ended with status {status.name}")
    flows = flow.flows(np.arange(flow.num_arcs()))
    matched = flows[:num_classes]
    placed = flows[2 * num_classes:2 * num_classes + len(rows)]
    key_flows: dict[int, list[tuple[int, int]]] = {}
    for r, v, n in zip(keys[rows].tolist(), cols.tolist(), placed.tolist(), strict=True):
        if n:
            key_flows.setdefault(r, []).append((v, n))
    return hand_out(instance, classes, matched, key_flows)


def hand_out(instance: Instance, classes: Classes, matched: NDArray[np.int64],
             key_flows: dict[int, list[tuple[int, int]]]) -> NDArray[np.int64]:
    """Turn class counts into seekers: each class's first ``matched[c]`` seekers are
    matched; a cost class's matched seekers take its vacancy places in vacancy order.

    Seekers of one class are alike in every aim, so taking them in input order loses
    nothing and makes the answer repeat.
    """
    vacancy_of = np.full(len(instance.seekers), -1, dtype=np.int64)
    chosen: dict[int, list[int]] = {}
    for c, members in enumerate(classes.members):
        chosen.setdefault(int(classes.key[c]), []).extend(members[:int(matched[c])])
    for key, seekers in chosen.items():
        seekers.sort()
        at = 0
        for v, n in sorted(key_flows.get(key, [])):
            vacancy_of[seekers[at:at + n]] = v
            at += n
        if at != len(seekers):
            raise SolverError(f"cost class {key}: {len(seekers)} matched, {at} placed")
    return vacancy_of
