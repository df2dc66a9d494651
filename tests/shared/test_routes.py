"""Routes: stop order by enumeration or OR-Tools routing, and their timing."""

from __future__ import annotations

import itertools
from typing import Any

from charterplan import parse_request
from charterplan.shared.context import build_context
from charterplan.shared.routes import _path, best_route, route


def _context(base: dict[str, Any]) -> Any:
    base["destinations"] = [
        {"id": f"D{k}", "name": f"厂{k}", "city": "东莞市", "province": "广东省",
         "lat": 23.0 + 0.03 * (k % 3), "lon": 113.7 + 0.04 * (k // 3)} for k in range(9)]
    return build_context(parse_request(base))


def test_routing_finds_the_shortest_path_the_enumeration_finds(base: dict[str, Any]) -> None:
    context = _context(base)
    places = ("D1", "D4", "D5", "D7", "D8")
    found = _path(context, "XH", places, "XH")

    def length(order: tuple[str, ...]) -> float:
        path = ["XH", *order, "XH"]
        return float(context.places.road_km(path[:-1], path[1:]).diagonal().sum())

    best = min(itertools.permutations(places), key=length)
    assert sorted(found) == sorted(places)
    assert length(found) <= length(best) + 1e-6


def test_a_route_beyond_enumeration_visits_every_stop_once(base: dict[str, Any]) -> None:
    context = _context(base)
    stops = tuple(f"D{k}" for k in range(9))
    pattern = best_route(context, "XH", stops)
    assert sorted(pattern.stops) == sorted(stops)
    arrivals = pattern.arrivals(6 * 60)
    assert list(arrivals) == sorted(arrivals)


def test_best_route_is_the_shortest_of_every_order_in_python_or_numpy(
        base: dict[str, Any]) -> None:
    """Up to three drop-offs the orders are summed in Python, beyond with numpy: either
    way the route is the shortest of all orders, built with route() one by one, the
    first calls' names breaking ties (a route and its reverse)."""
    context = _context(base)
    for stops in (("D2", "D5", "D7"), ("D1", "D3", "D4", "D8"), ("D0", "D2", "D4", "D6", "D8")):
        found = best_route(context, "XH", stops)
        orders = [route(context, "XH", order) for order in itertools.permutations(stops)]
        shortest = min(p.km for p in orders)
        best = min((p for p in orders if p.km <= shortest + 1e-6),
                   key=lambda p: (p.km, p.stops))
        assert found.stops == best.stops and found.km == best.km
