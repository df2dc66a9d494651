"""Routes: stop order by enumeration or OR-Tools routing, and their timing."""

from __future__ import annotations

import itertools
from typing import Any

from charterplan import parse_request
from charterplan.stages.context import build_context
from charterplan.stages.routes import _path, best_route


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
