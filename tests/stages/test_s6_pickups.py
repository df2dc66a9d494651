"""Door to door: riders board at their pickup points, on their bus or a county feeder."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

from charterplan import parse_request, plan
from charterplan.check import check_plan
from charterplan.io._roster import PASSENGER_COLUMNS, Roster
from charterplan.io.plan_json import dump_plan
from charterplan.model import Plan, Reason, Trip
from charterplan.samples import generate_request
from tests.conftest import worker

POINTS = [  # around the county seat XH: two near each other, one 40 km off
    {"id": "P1", "name": "扶罗镇集合点", "township": "扶罗镇", "lat": 27.25, "lon": 109.10},
    {"id": "P2", "name": "中寨镇集合点", "township": "中寨镇", "lat": 27.27, "lon": 109.13},
    {"id": "P3", "name": "凉伞镇集合点", "township": "凉伞镇", "lat": 27.70, "lon": 109.30},
]


def _plan(base: dict[str, Any], *workers: dict[str, Any], **policy: Any) -> tuple[Any, Plan]:
    base["pickup_points"] = POINTS
    base["workers"] = list(workers)
    base["policy"] = policy
    request = parse_request(base)
    return request, plan(request)


def _points(result: Plan) -> dict[str, str]:
    """Where each rider first boards (a feeder's riders: at its pickup stop)."""
    first: dict[str, tuple[Any, str]] = {}
    for trip in result.trips:
        for stop in (s for s in trip.stops if s.kind == "pickup"):
            for w in stop.workers:
                if w not in first or stop.eta < first[w][0]:
                    first[w] = (stop.eta, stop.place)
    return {w: place for w, (_, place) in first.items()}


def _feeders(result: Plan) -> list[Trip]:
    return [t for t in result.trips if t.feeder]


def test_door_to_door_is_on_when_workers_have_pickup_points(base: dict[str, Any]) -> None:
    """Left unset, door to door is on exactly when some worker has a pickup point."""
    base["pickup_points"] = POINTS
    base["workers"] = [worker("W1", pickup_point="P1"), worker("W2")]
    assert parse_request(base).door_to_door
    base["workers"] = [worker("W1"), worker("W2")]
    assert not parse_request(base).door_to_door
    base["policy"] = {"door_to_door": False}
    base["workers"] = [worker("W1", pickup_point="P1"), worker("W2")]
    assert not parse_request(base).door_to_door


def test_the_bus_collects_near_points_on_its_way(base: dict[str, Any]) -> None:
    """Riders at two points near the hub board their bus there, hub riders at the hub:
    one trip, no feeder, nobody moved, every invariant kept."""
    riders = [worker("W1", pickup_point="P1"), worker("W2", pickup_point="P2"),
              worker("W3"), worker("W4", pickup_point="P1")]
    request, result = _plan(base, *riders)
    assert check_plan(request, result) == []
    assert _points(result) == {"W1": "P1", "W2": "P2", "W3": "XH", "W4": "P1"}
    (trip,) = result.trips
    kinds = [(s.kind, s.place) for s in trip.stops]
    assert kinds[0] == ("pickup", "XH") and kinds[-1] == ("dropoff", "DG1")
    assert [s.eta for s in trip.stops] == sorted(s.eta for s in trip.stops)
    assert result.summary.moved_to_hub == 0


def test_a_point_beyond_the_detour_limit_gets_a_county_feeder(base: dict[str, Any]) -> None:
    """P3 is 40 km off and the bus may detour 20 km: a county feeder collects its two
    riders and is back at the hub 30 min (the policy) before their bus leaves; it is
    marked feeder, takes no slot and is crewed by the bus's escort and medic."""
    riders = [worker("W1"), worker("W2"), worker("W3", pickup_point="P3"),
              worker("W4", pickup_point="P3")]
    request, result = _plan(base, *riders, max_detour_km=20.0)
    assert check_plan(request, result) == []
    (feeder,) = _feeders(result)
    (bus,) = (t for t in result.trips if not t.feeder)
    assert [(s.kind, s.place, s.workers) for s in feeder.stops] == [
        ("pickup", "P3", ("W3", "W4")), ("dropoff", "XH", ("W3", "W4"))]
    assert feeder.arrival + timedelta(minutes=30) <= bus.departure
    assert (feeder.escort, feeder.medic) == (bus.escort, bus.medic)
    assert feeder.convoy is None and "-J" in feeder.id
    assert _points(result) == {"W1": "XH", "W2": "XH", "W3": "P3", "W4": "P3"}
    assert result.summary.moved_to_hub == 0
    assert result.summary.assigned == 4  # feeder riders are counted once


def test_the_manifests_show_the_feeder_and_the_change_at_the_hub(base: dict[str, Any]) -> None:
    """The bus's manifest says which feeder brought a rider; the feeder's lists the bus
    each rider changes to."""
    riders = [worker("W1"), worker("W2"), worker("W3", pickup_point="P3"),
              worker("W4", pickup_point="P3")]
    request, result = _plan(base, *riders, max_detour_km=20.0)
    (feeder,) = _feeders(result)
    (bus,) = (t for t in result.trips if not t.feeder)
    roster = Roster(request, result.trips)
    column = PASSENGER_COLUMNS.index("上车点")
    rows = {row[1]: row for row in roster.passengers(bus)}
    assert rows["工人W3"][column] == f"新晃汽车站（接驳车 {feeder.id}，凉伞镇集合点上车）"
    assert rows["工人W1"][column] == "新晃汽车站"
    titles = [title for title, _, _ in roster.tables(feeder)]
    assert "换乘班车" in titles
    (change,) = roster.bus_connections(feeder)
    assert change[0] == bus.id and change[-1] == "2"


def test_a_bus_calls_at_no_more_pickup_points_than_the_policy_allows(
        base: dict[str, Any]) -> None:
    """One point a bus: the others' riders come by county feeder; all board at their
    point and nobody is left."""
    riders = [worker(f"W{k}", pickup_point=f"P{k % 3 + 1}") for k in range(6)]
    request, result = _plan(base, *riders, max_pickups_per_bus=1)
    assert check_plan(request, result) == []
    for trip in result.trips:
        assert len({s.place for s in trip.stops if s.kind == "pickup"} - {"XH"}) <= 1
    point = {r["id"]: r["pickup_point"] for r in riders}
    assert _points(result) == point
    assert result.unassigned == ()


def test_switched_off_everyone_boards_at_the_hub(base: dict[str, Any]) -> None:
    """Door to door off: every rider boards at the hub and no moved count is kept."""
    riders = [worker("W1", pickup_point="P1"), worker("W2", pickup_point="P3")]
    request, result = _plan(base, *riders, door_to_door=False)
    assert check_plan(request, result) == []
    assert set(_points(result).values()) == {"XH"}
    assert result.summary.moved_to_hub is None
    assert "moved_to_hub" not in dump_plan(result)


def test_check_catches_a_rider_boarding_at_the_wrong_point(base: dict[str, Any]) -> None:
    """A rider of P1 listed at P2's stop is reported under invariant 10."""
    riders = [worker("W1", pickup_point="P1"), worker("W2", pickup_point="P2")]
    request, result = _plan(base, *riders)
    (trip,) = result.trips
    stops = tuple(s.model_copy(update={"place": "P2"}) if s.place == "P1" else s
                  for s in trip.stops)
    broken = result.model_copy(update={"trips": (trip.model_copy(update={"stops": stops}),)})
    assert any(v.invariant == 10 and "boards at P2" in v.message
               for v in check_plan(request, broken))


def _lone_remote_rider(**policy: Any) -> dict[str, Any]:
    """Two workers at the hub and one at P3, 40 km off, all to DG1: within 20 km of
    detour the bus cannot call at P3, and a feeder for one rider has no deputy."""
    return {"workers": [worker("W1"), worker("W2"), worker("W3", pickup_point="P3")],
            "max_detour_km": 20.0, **policy}


def test_a_rider_nothing_collects_makes_their_own_way_when_the_policy_says_so(
        base: dict[str, Any]) -> None:
    """With the fallback (the default) the lone P3 rider boards at the hub; the summary
    counts them and the manifest says they come on their own."""
    options = _lone_remote_rider()
    request, result = _plan(base, *options.pop("workers"), **options)
    assert check_plan(request, result) == []
    assert result.unassigned == () and _feeders(result) == []
    assert result.summary.moved_to_hub == 1
    (trip,) = result.trips
    rows = {row[1]: row for row in Roster(request, result.trips).passengers(trip)}
    column = PASSENGER_COLUMNS.index("上车点")
    assert rows["工人W3"][column] == "新晃汽车站（原集合点：凉伞镇集合点，自行到站）"


def test_without_the_fallback_the_lone_rider_is_left(base: dict[str, Any]) -> None:
    """Switched off, the lone P3 rider is left (window_infeasible, saying why), the
    others travel, and check refuses the hub boarding the fallback would give."""
    options = _lone_remote_rider(pickup_fallback_to_hub=False)
    request, result = _plan(base, *options.pop("workers"), **options)
    assert check_plan(request, result) == []
    (left,) = result.unassigned
    assert (left.worker, left.reason) == ("W3", Reason.WINDOW_INFEASIBLE)
    assert "pickup point" in left.detail
    assert result.summary.moved_to_hub == 0
    lenient = request.model_copy(update={"policy": request.policy.model_copy(
        update={"pickup_fallback_to_hub": True})})
    fallback = plan(lenient)
    assert any(v.invariant == 10 and "W3 boards at XH, not at P3" in v.message
               for v in check_plan(request, fallback))


def test_check_catches_a_feeder_that_reaches_the_hub_too_late(base: dict[str, Any]) -> None:
    """A county feeder back at the hub 10 min before its riders' bus leaves breaks the
    30 min connection (invariant 1)."""
    riders = [worker("W1"), worker("W2"), worker("W3", pickup_point="P3"),
              worker("W4", pickup_point="P3")]
    request, result = _plan(base, *riders, max_detour_km=20.0)
    (feeder,) = _feeders(result)
    (bus,) = (t for t in result.trips if not t.feeder)
    late = bus.departure - timedelta(minutes=10)
    stops = (feeder.stops[0], feeder.stops[1].model_copy(update={"eta": late}))
    moved = feeder.model_copy(update={"stops": stops, "arrival": late,
                                      "back_at_hub": late + timedelta(minutes=10)})
    broken = result.model_copy(update={"trips": tuple(
        moved if t.id == feeder.id else t for t in result.trips)})
    assert any(v.invariant == 1 and "less than 30 min" in v.message
               for v in check_plan(request, broken))


def test_every_rider_boards_at_their_point_on_a_generated_county() -> None:
    """On a generated county (half the workers at eleven township points), without the
    hub fallback, every passenger with a pickup point boards there (their bus's stop or
    a feeder's), and the plan keeps every invariant."""
    data = generate_request(300, 7, 2020)
    data["policy"] = {**data["policy"], "pickup_fallback_to_hub": False}
    request = parse_request(data)
    assert request.door_to_door
    result = plan(request)
    assert check_plan(request, result) == []
    point = {w.id: w.pickup_point for w in request.workers}
    boarded = _points(result)
    carried = [w for t in result.trips if not t.feeder for w in t.passengers]
    assert carried and all(boarded[w] == (point[w] or "XH") for w in carried)
    assert result.summary.moved_to_hub == 0


def test_door_to_door_is_the_same_in_worker_processes(base: dict[str, Any]) -> None:
    """With feeders and collecting buses, the plan is byte for byte the same with the
    areas solved in two worker processes."""
    riders = [worker("W1"), worker("W2"), worker("W3", pickup_point="P3"),
              worker("W4", "CS"), worker("W5", "CS", pickup_point="P1"),
              worker("W6", "CS", pickup_point="P3"), worker("W7", pickup_point="P3")]
    request, result = _plan(copy.deepcopy(base), *riders, max_detour_km=20.0)
    assert dump_plan(plan(request, jobs=2)) == dump_plan(result)
