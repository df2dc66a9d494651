"""Routing by enumeration, exact for a few nodes: Held-Karp paths over every subset of
customers, then the best split of the customers into routes."""

from __future__ import annotations

import numpy as np

from charterplan.errors import SolverError
from charterplan.solvers._routing_problem import Routes, RoutingProblem, routes_of

__all__ = ["enumerate_routes"]

_INF = np.iinfo(np.int64).max // 4


def _best_paths(problem: RoutingProblem, end: int) -> list[tuple[int, tuple[int, ...]]]:
    """Held-Karp: for each subset of customers (a bit mask), the shortest path from the
    depot through all of them to ``end``, as (distance, stops)."""
    cs = problem.customers
    d = problem.distances
    m = len(cs)
    # best[mask][j]: shortest depot -> ... -> cs[j] visiting exactly mask (j in mask)
    best = [[_INF] * m for _ in range(1 << m)]
    parent = [[-1] * m for _ in range(1 << m)]
    for j in range(m):
        best[1 << j][j] = int(d[0, cs[j]])
    for mask in range(1, 1 << m):
        for j in range(m):
            here = best[mask][j]
            if here >= _INF:
                continue
            for k in range(m):
                if mask >> k & 1:
                    continue
                step = here + int(d[cs[j], cs[k]])
                if step < best[mask | 1 << k][k]:
                    best[mask | 1 << k][k] = step
                    parent[mask | 1 << k][k] = j
    paths: list[tuple[int, tuple[int, ...]]] = [(0, ())]
    for mask in range(1, 1 << m):
        last = min(range(m), key=lambda j: best[mask][j] + int(d[cs[j], end])
                   if mask >> j & 1 else _INF)
        length = best[mask][last] + int(d[cs[last], end])
        stops, here, j = [], mask, last
        while j >= 0:
            stops.append(cs[j])
            here, j = here & ~(1 << j), parent[here][j]
        paths.append((length, tuple(reversed(stops))))
    return paths


def enumerate_routes(problem: RoutingProblem) -> Routes:
    """Exact: the cheapest route per vehicle and subset of customers, then the cheapest
    split of the customers among the vehicles (dynamic programming over subsets)."""
    cs = problem.customers
    m, full = len(cs), (1 << len(cs)) - 1
    fleet = problem.fleet_size
    load = [sum(problem.demands[cs[j]] for j in range(m) if mask >> j & 1)
            for mask in range(full + 1)]
    size = [mask.bit_count() for mask in range(full + 1)]
    paths = {end: _best_paths(problem, end) for end in problem.end_nodes}
    # cover[mask] = (cost, trips) of the cheapest way to serve mask with vehicles so far
    cover: list[tuple[int, tuple[tuple[int, tuple[int, ...]], ...]] | None] = (
        [(0, ())] + [None] * full)
    for v in range(fleet):
        cap, end = problem.vehicle_capacity(v), problem.vehicle_end(v)
        route_cost = [
            _INF if load[s] > cap or (problem.max_stops or m) < size[s]
            else paths[end][s][0] + (problem.fixed_cost if s else 0)
            for s in range(full + 1)]
        nxt = list(cover)
        for mask, entry in enumerate(cover):
            if entry is None:
                continue
            rest = full & ~mask
            sub = rest
            while sub:
                if route_cost[sub] < _INF:
                    cost = entry[0] + route_cost[sub]
                    old = nxt[mask | sub]
                    if old is None or cost < old[0]:
                        nxt[mask | sub] = (cost, (*entry[1], (v, paths[end][sub][1])))
                sub = (sub - 1) & rest
        cover = nxt
    answer = cover[full]
    if answer is None:
        raise SolverError(f"no routes serve all {m} customers with {problem.fleet_size} "
                          f"vehicles")
    return routes_of(problem, list(answer[1]), optimal=True)
