"""Matching without groups: one min-cost flow whose integer weights rank the three aims.

A seeker's cost at a vacancy is road km + region penalty (unless the vacancy fits the
region wish) + trade penalty (likewise), so the network prices the three parts in
three layers and never lists every class against every vacancy (docs/design.md,
"Job matching", has the network, why it is exact and why the weights cannot trade
one aim for another)::

    class (cost class, poor) --0--> cost class --0 or trade penalty--> trade node
      --0 or region penalty--> fit node --road km--> vacancy --0--> sink
    class ------------------W_poor or W_other (left unmatched)------------------> sink

A trade node is (place, region wish, health, poverty, the wished trade or any trade);
a fit node replaces the region wish by the wished region or any region and leads
to every vacancy in reach that fits both. Every class supplies its seekers and the
sink takes them all. With ``C`` the largest arc cost and ``n`` the number of nodes,
``W_other = n·C + 1`` and ``W_poor = 2·W_other``.
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


def unmatched_weights(max_cost: int, num_nodes: int) -> tuple[int, int]:
    """(W_poor, W_other): the cost of leaving a poor / another seeker unmatched.

    A simple residual cycle changes the matched counts by at most one each and the
    third aim by at most ``num_nodes · max_cost``, so these weights make every cycle
    that improves an earlier aim cost less than zero.
    """
    w_other = num_nodes * max_cost + 1
    return 2 * w_other, w_other


class _Network:
    """Arcs added layer by layer, each node named by a hashable key."""

    def __init__(self) -> None:
        self.index: dict[object, int] = {}
        self.tails: list[NDArray[np.int64]] = []
        self.heads: list[NDArray[np.int64]] = []
        self.caps: list[NDArray[np.int64]] = []
        self.costs: list[NDArray[np.int64]] = []

    def node(self, name: object) -> int:
        return self.index.setdefault(name, len(self.index))

    def add(self, tails: Sequence[int] | NDArray[np.int64],
            heads: Sequence[int] | NDArray[np.int64],
            caps: Sequence[int] | NDArray[np.int64] | int,
            costs: Sequence[int] | NDArray[np.int64] | int) -> None:
        tails = np.asarray(tails, dtype=np.int64)
        self.tails.append(tails)
        self.heads.append(np.asarray(heads, dtype=np.int64))
        self.caps.append(np.broadcast_to(np.asarray(caps, dtype=np.int64), tails.shape))
        self.costs.append(np.broadcast_to(np.asarray(costs, dtype=np.int64), tails.shape))


def solve_flow(instance: Instance, members: Sequence[int]) -> NDArray[np.int64]:
    """Each member's vacancy index (−1: unmatched), lexicographically optimal.

    Raises:
        SolverError: if OR-Tools does not report an optimal flow.
    """
    classes = Classes(instance, members)
    num_classes, num_vac = len(classes.members), len(instance.vacancies)
    total = int(classes.count.sum())
    keys, node_of_class = np.unique(classes.key, return_inverse=True)
    places, regions, trades, cleared, poor = instance.parts(keys)
    region_named, trade_named = instance.wishes(regions, trades)
    pr, pt = instance.region_penalty, instance.trade_penalty

    net = _Network()
    class_nodes = [net.node(("class", c)) for c in range(num_classes)]
    key_nodes = [net.node(("key", int(k))) for k in keys]
    sink = net.node("sink")
    vac_nodes = np.array([net.node(("vacancy", v)) for v in range(num_vac)], dtype=np.int64)
    # layer 2: trade fit (the wished trade, or any trade at the trade penalty)
    to_trade: list[tuple[int, int, int]] = []
    for i, k in enumerate(key_nodes):
        base = (int(places[i]), int(regions[i]), bool(cleared[i]), bool(poor[i]))
        if trade_named[i] and pt > 0:
            to_trade.append((k, net.node(("trade", *base, int(trades[i]))), 0))
        to_trade.append((k, net.node(("trade", *base, -1)), pt if trade_named[i] else 0))
    # layer 3: region fit (the wished region, or any region at the region penalty)
    to_region: list[tuple[int, int, int]] = []
    wished = {r: bool(n) for r, n in zip(regions.tolist(), region_named.tolist(), strict=True)}
    for name, node in list(net.index.items()):
        if not (isinstance(name, tuple) and name[0] == "trade"):
            continue
        _, place, region, ok, is_poor, trade = name
        if wished[region] and pr > 0:
            to_region.append((node, net.node(("fit", place, region, trade, ok, is_poor)), 0))
        to_region.append((node, net.node(("fit", place, -1, trade, ok, is_poor)),
                          pr if wished[region] else 0))
    # layer 4: the vacancies in reach that fit, at their road km
    fit_tails, fit_heads, fit_costs, fit_vacancy = [], [], [], []
    for name, node in list(net.index.items()):
        if not (isinstance(name, tuple) and name[0] == "fit"):
            continue
        _, place, region, trade, ok, is_poor = name
        found = np.flatnonzero(instance.fits(place, region, trade, ok, is_poor))
        fit_tails.append(np.full(len(found), node, dtype=np.int64))
        fit_heads.append(vac_nodes[found])
        fit_costs.append(instance.km(place)[found])
        fit_vacancy.append(found)

    max_cost = max(pr, pt, *(int(c.max(initial=0)) for c in fit_costs))
    w_poor, w_other = unmatched_weights(max_cost, len(net.index))
    net.add(class_nodes, [key_nodes[n] for n in node_of_class], classes.count, 0)
    net.add(class_nodes, [sink] * num_classes, classes.count,
            np.where(classes.poor, w_poor, w_other))
    for arcs in (to_trade, to_region):
        if arcs:
            net.add([a[0] for a in arcs], [a[1] for a in arcs], total, [a[2] for a in arcs])
    num_before_fit = sum(len(t) for t in net.tails)
    for fit_tail, fit_head, fit_cost, found in zip(fit_tails, fit_heads, fit_costs,
                                                   fit_vacancy, strict=True):
        net.add(fit_tail, fit_head, instance.capacity[found], fit_cost)
    net.add(vac_nodes, [sink] * num_vac, instance.capacity, 0)

    tails, heads = np.concatenate(net.tails), np.concatenate(net.heads)
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(tails, heads, np.concatenate(net.caps),
                                              np.concatenate(net.costs))
    supplies = np.zeros(len(net.index), dtype=np.int64)
    supplies[class_nodes] = classes.count
    supplies[sink] = -total
    flow.set_nodes_supplies(np.arange(len(net.index)), supplies)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise SolverError(f"min-cost flow for the match ended with status {status.name}")
    flows = flow.flows(np.arange(flow.num_arcs()))
    matched = flows[:num_classes]
    key_flows = _key_flows(net, tails, heads, flows, num_classes, num_before_fit,
                           np.concatenate(fit_vacancy) if fit_vacancy else np.zeros(0, int),
                           dict(zip(key_nodes, keys.tolist(), strict=True)))
    return hand_out(instance, classes, matched, key_flows)


def _key_flows(net: _Network, tails: NDArray[np.int64], heads: NDArray[np.int64],
               flows: NDArray[np.int64], num_classes: int, first_fit: int,
               fit_vacancy: NDArray[np.int64], key_of_node: dict[int, int],
               ) -> dict[int, list[tuple[int, int]]]:
    """Split the flow into (cost class, vacancy, seekers): a node passes on what came in,
    first in first out, along its arcs in order. Every path through a node costs the
    same downstream whichever class it came from, so any split is as good."""
    bundles: dict[int, list[list[int]]] = {}
    for a in np.flatnonzero(flows[:num_classes]).tolist():  # class → cost class
        head = int(heads[a])
        bundles.setdefault(head, []).append([key_of_node[head], int(flows[a])])
    key_flows: dict[int, list[tuple[int, int]]] = {}
    last = first_fit + len(fit_vacancy)
    for a in (2 * num_classes + np.flatnonzero(flows[2 * num_classes:last])).tolist():
        tail, head, amount = int(tails[a]), int(heads[a]), int(flows[a])
        queue = bundles[tail]
        while amount:
            key, have = queue[0]
            take = min(have, amount)
            if a >= first_fit:
                key_flows.setdefault(key, []).append((int(fit_vacancy[a - first_fit]), take))
            else:
                bundles.setdefault(head, []).append([key, take])
            amount -= take
            if take == have:
                queue.pop(0)
            else:
                queue[0][1] -= take
    return key_flows


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
