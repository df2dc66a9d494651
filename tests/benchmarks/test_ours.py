"""Our own plan as routes: faithful to its trips, and judged clean by the peers' yardstick."""

from __future__ import annotations

import pytest

from benchmarks.peers.ours import breaches, plan_routes
from benchmarks.peers.policy import KEYS, route_km
from charterplan import parse_request, plan
from charterplan.model import Plan, PlanRequest
from charterplan.samples import generate_request
from charterplan.shared.context import build_context


@pytest.fixture(params=[False, True], ids=["at the hub", "door to door"])
def planned(request: pytest.FixtureRequest) -> tuple[PlanRequest, Plan]:
    """The tiny request (see conftest), everyone boarding at the hub or, door to door,
    at their township pickup point, and our plan of it."""
    data = generate_request(60, 2, seed=7)
    # without the fallback, every rider with a point boards there
    data["policy"] = {**data.get("policy", {}), "door_to_door": request.param,
                      "pickup_fallback_to_hub": False}
    parsed = parse_request(data)
    return parsed, plan(parsed, jobs=1)


def test_our_buses_as_routes_keep_their_riders_stops_length_and_times(
        planned: tuple[PlanRequest, Plan]) -> None:
    request, result = planned
    context = build_context(request)
    routes = plan_routes(context, result)
    buses = [t for t in result.trips if t.mode == "bus" and not t.feeder]
    assert len(routes) == len(buses) > 0
    assert any(r.pickups for r in routes) == request.door_to_door
    for trip, route in zip(buses, routes, strict=True):
        assert route.load == len(trip.passengers)
        assert route.kind.id == trip.vehicle_type and route.hub == trip.hub
        assert route_km(context, route) <= trip.distance_km < route_km(context, route) + 0.1
        dropoffs = [s for s in trip.stops if s.kind == "dropoff"]
        assert route.stops == tuple(s.place for s in dropoffs)
        assert list(route.arrivals(context)) == [context.minute(s.eta) for s in dropoffs]


def test_our_plan_breaks_no_policy_the_peers_are_judged_by(
        planned: tuple[PlanRequest, Plan]) -> None:
    request, result = planned
    assert breaches(build_context(request), result) == dict.fromkeys(KEYS, 0)
