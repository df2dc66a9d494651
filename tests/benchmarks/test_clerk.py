"""The clerk's plan as routes: the same figures as before, dispatched like a peer's."""

from __future__ import annotations

import pytest

from benchmarks.clerk import clerk_plan, clerk_routes, run
from charterplan.model import PlanRequest
from charterplan.shared.context import DAY, build_context


def test_the_clerks_figures_are_those_of_the_cost_only_clerk(tiny_request: PlanRequest) -> None:
    """Figures of ``clerk_plan`` before it was built on routes (same request)."""
    plan = clerk_plan(tiny_request)
    assert (plan.workers, plan.buses) == (58, 20)
    assert plan.cost == pytest.approx(367066.65962945647, abs=1e-6)
    assert plan.km == pytest.approx(41582.22128392752, abs=1e-6)


def test_the_clerk_as_a_peer_costs_what_clerk_plan_says(tiny_request: PlanRequest) -> None:
    plan, peer = clerk_plan(tiny_request), run(tiny_request)
    assert (peer.name, peer.buses, peer.riders) == ("clerk", plan.buses, plan.workers)
    assert peer.cost_yuan == pytest.approx(plan.cost)
    assert peer.violations["overload"] == 0 and peer.violations["group_split"] == 0


def test_a_clerks_bus_leaves_at_the_first_slot_all_its_riders_may_take(
        tiny_request: PlanRequest) -> None:
    context = build_context(tiny_request)
    routes = clerk_routes(context)
    assert all(r.departure == max(d.ready for d in r.drops) for r in routes)
    assert all(r.departure // DAY == r.day for r in routes)
    dispatched = run(tiny_request).routes
    for before, after in zip(routes, dispatched, strict=True):
        grid = context.grids[after.hub]
        assert after.drops == before.drops and after.departure >= before.departure
        assert after.departure == grid.first_at_or_after(after.departure)  # on a slot
