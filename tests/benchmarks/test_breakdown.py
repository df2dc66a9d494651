"""The cost breakdown of benchmarks.breakdown: parts that add up, thin and lone buses."""

from __future__ import annotations

import math

from benchmarks.breakdown import PARTS, breakdown
from benchmarks.peers import ortools_routing
from benchmarks.peers.common import Route, build_problems
from benchmarks.peers.policy import route_cost
from charterplan.model import PlanRequest
from charterplan.shared.context import build_context


def test_the_parts_add_up_to_the_cost_and_none_is_negative(
        tiny_request: PlanRequest) -> None:
    context = build_context(tiny_request)
    routes = ortools_routing.run(tiny_request).routes
    found = breakdown(context, routes)
    assert found["buses"] == len(routes) > 0
    assert math.isclose(sum(found[p] for p in PARTS),  # each part rounded to the fen
                        sum(route_cost(context, r) for r in routes), abs_tol=0.02)
    assert all(found[p] >= -1e-6 for p in PARTS)


def test_a_thin_bus_runs_alone_until_another_leaves_for_its_drop_off(
        tiny_request: PlanRequest) -> None:
    """One drop of riders on a bus of its own is thin, and alone; a second bus to the
    same drop-off that day, and it is no longer alone."""
    context = build_context(tiny_request)
    problem = next(p for p in build_problems(context)
                   if any(c.demand < 0.75 * p.kinds[0].capacity for c in p.chunks))
    drop = next(c for c in problem.chunks if c.demand < 0.75 * problem.kinds[0].capacity)
    bus = Route(problem.hub, problem.day, problem.kinds[0], problem.day * 1440 + 360, (drop,))
    lone = breakdown(context, [bus])
    assert (lone["thin"], lone["alone"]) == (1, 1)
    assert lone["fill_and_type"] > 0 and math.isclose(lone["far_drop"], 0, abs_tol=1e-9)
    assert lone["alone_parts"]["fill_and_type"] == lone["fill_and_type"]
    assert breakdown(context, [bus, bus])["alone"] == 0
