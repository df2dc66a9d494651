"""Areas and drop-off patterns."""

from __future__ import annotations

from typing import Any

from charterplan import parse_request
from charterplan.shared.context import build_context
from charterplan.shared.routes import best_route
from charterplan.stages.s1_eligibility import screen
from charterplan.stages.s2_areas import build_areas
from tests.conftest import worker


def test_nearby_employers_share_an_area_distant_ones_do_not(base: dict[str, Any]) -> None:
    """The two Dongguan employers (13 km apart) form one area with a two-stop pattern;
    Changsha is an area of its own."""
    base["workers"] = [worker("A", "DG1"), worker("B", "DG2"), worker("C", "CS")]
    context = build_context(parse_request(base))
    areas = build_areas(context, screen(context).units)
    assert sorted(a.destinations for a in areas) == [("CS",), ("DG1", "DG2")]
    dongguan = next(a for a in areas if len(a.destinations) == 2)
    assert sorted(len(p.stops) for p in dongguan.patterns) == [1, 1, 2]


def test_best_route_visits_the_nearer_stop_first(base: dict[str, Any]) -> None:
    """From Xinhuang, the shortest closed route over Changsha and Dongguan is the same
    either way round, and offsets grow along the route."""
    context = build_context(parse_request(base))
    pattern = best_route(context, "XH", ("CS", "DG1"))
    assert pattern.arrivals(360)[0] < pattern.arrivals(360)[1]
    assert pattern.km >= 2 * context.ride_km["XH", "DG1"] - 1e-6


def test_large_areas_are_cut_to_the_limit(base: dict[str, Any]) -> None:
    """Six employers within the radius and a limit of two are cut into pieces of at
    most two that together hold every employer once."""
    base["destinations"] = [
        {"id": f"E{i}", "name": f"厂{i}", "city": "东莞市", "province": "广东省",
         "lat": 23.0 + 0.01 * i, "lon": 113.7} for i in range(6)]
    base["policy"] = {"max_area_destinations": 2}
    base["workers"] = [worker(f"W{i}", f"E{i}") for i in range(6)]
    context = build_context(parse_request(base))
    areas = build_areas(context, screen(context).units)
    assert all(len(a.destinations) <= 2 for a in areas)
    assert sorted(d for a in areas for d in a.destinations) == [f"E{i}" for i in range(6)]


def test_a_city_is_cut_by_when_its_riders_travel_not_by_place(base: dict[str, Any]) -> None:
    """Four employers of one city, every one within the radius of every other: those
    whose riders travel in the first days share an area, those who travel a week later
    the other, although north to south the city would pair an early with a late one."""
    base["destinations"] = [
        {"id": f"E{i}", "name": f"厂{i}", "city": "东莞市", "province": "广东省",
         "lat": 23.0 + 0.01 * i, "lon": 113.7} for i in range(4)]
    base["policy"] = {"max_area_destinations": 2}
    early, late = ("2020-02-20", "2020-02-22"), ("2020-02-27", "2020-02-29")
    base["workers"] = [worker(f"W{i}{n}", f"E{i}", *(early if i in (0, 3) else late))
                       for i in range(4) for n in range(3)]
    context = build_context(parse_request(base))
    areas = build_areas(context, screen(context).units)
    assert sorted(a.destinations for a in areas) == [("E0", "E3"), ("E1", "E2")]


def test_a_wide_radius_cuts_far_neighbours_apart_before_near_ones(
        base: dict[str, Any]) -> None:
    """Two pairs of employers 2 km apart, the pairs 100 km apart, all within a 200 km
    radius. Each employer shares more travel days with its counterpart in the other
    pair than with its near neighbour, yet a bus between the pairs would run 100 km
    out of its way: the pairs are the areas, not north-to-south halves."""
    spots = {"A1": (23.000, 113.70), "A2": (23.002, 113.72),
             "B1": (23.001, 114.70), "B2": (23.003, 114.72)}
    base["destinations"] = [
        {"id": ident, "name": ident, "city": "东莞市", "province": "广东省",
         "lat": lat, "lon": lon} for ident, (lat, lon) in spots.items()]
    base["policy"] = {"max_area_destinations": 2, "dropoff_radius_km": 200}
    days = {"1": ("2020-02-20", "2020-02-22"), "2": ("2020-02-21", "2020-02-23")}
    base["workers"] = [worker(f"W{ident}{n}", ident, *days[ident[1]])
                       for ident in spots for n in range(3)]
    context = build_context(parse_request(base))
    areas = build_areas(context, screen(context).units)
    assert sorted(a.destinations for a in areas) == [("A1", "A2"), ("B1", "B2")]
