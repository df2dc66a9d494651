"""The lower bounds of stages/s8_assemble/bound.py: every bus of a plan is a column of
the LP (its riders' days, its drop-off pattern, its cost), so the LP bound holds for the
plans the planner makes; both bounds lie below the cost; the LP is at least the radial."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from hypothesis import given, settings

from charterplan import parse_request, plan, read_request
from charterplan.shared.context import DAY, build_context
from charterplan.stages.s2_areas import neighbours
from charterplan.stages.s8_assemble.bound import _detour, pattern_cost, rider_days
from tests.strategies import requests


@settings(max_examples=15, deadline=None)
@given(requests())
def test_every_bus_of_a_plan_is_a_column_of_the_lp(data: dict[str, Any]) -> None:
    """A bus leaves on a day each of its riders may leave, drops at a pattern (a clique
    of neighbours, at most max_dropoffs_per_bus) and costs no less than that pattern's
    column on its type: the rules the LP assumes are rules every plan keeps."""
    request = parse_request(data)
    result = plan(request)
    context = build_context(request)
    workers = {w.id: w for w in request.workers}
    for trip in result.trips:
        if trip.mode != "bus" or trip.feeder:
            continue
        day = context.minute(trip.departure) // DAY
        for w in trip.passengers:
            first, last = rider_days(context, trip.hub, workers[w])
            assert first <= day <= last, (trip.id, w)
        stops = tuple(sorted({workers[w].destination for w in trip.passengers}))
        assert len(stops) <= request.policy.max_dropoffs_per_bus
        graph = neighbours(context, list(stops))
        assert all(graph.has_edge(a, b) for a, b in itertools.combinations(stops, 2))
        riders = [workers[w] for t in result.trips if t.hub == trip.hub and t.mode == "bus"
                  and not t.feeder for w in t.passengers]
        cost = pattern_cost(context, trip.hub, stops, _detour(context, riders))
        assert cost is not None, trip.id
        kinds = [k.id for k in context.bus_types_at[trip.hub]]
        assert cost[kinds.index(trip.vehicle_type)] <= trip.cost + 0.01, trip.id


@settings(max_examples=15, deadline=None)
@given(requests())
def test_both_bounds_lie_below_the_cost(data: dict[str, Any]) -> None:
    """lower_bound_cost is the larger bound, the LP bound is at least the radial one,
    and neither exceeds what the plan costs."""
    summary = plan(parse_request(data)).summary
    assert summary.lp_bound_cost is not None and summary.radial_bound_cost is not None
    assert summary.lower_bound_cost == max(summary.lp_bound_cost, summary.radial_bound_cost)
    assert summary.radial_bound_cost <= summary.lp_bound_cost <= summary.total_cost + 0.01


def test_lp_bound_proves_the_minimal_plan_optimal() -> None:
    """On the minimal request (six riders, two employers) the LP bound meets the cost
    to the cent's rounding, where the radial bound is far below: the plan is optimal.
    Everyone boards at the hub (door to door off): the LP does not price pickups."""
    path = Path(__file__).parents[1] / "data" / "valid" / "minimal.json"
    request = read_request(path)
    hub_only = request.policy.model_copy(update={"door_to_door": False})
    summary = plan(request.model_copy(update={"policy": hub_only})).summary
    assert summary.lp_bound_cost is not None and summary.radial_bound_cost is not None
    assert summary.total_cost - 0.5 <= summary.lp_bound_cost <= summary.total_cost
    assert summary.radial_bound_cost < 0.5 * summary.total_cost
