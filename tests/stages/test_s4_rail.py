"""Rail: the network's queries and the choice between bus and train."""

from __future__ import annotations

from typing import Any

import pytest

from charterplan import parse_request, plan
from charterplan.check import check_plan
from charterplan.samples import generate_request
from charterplan.shared.context import build_context
from charterplan.shared.units import Unit
from charterplan.stages import s3_assign as assign_stage
from charterplan.stages.s4_rail import _by_readiness, _even_out

DONGGUAN = (23.021, 113.752)


def _request(workers: int, *, deadline: str = "2020-02-22", radius: float = 50.0,
             cost: float = 12000, rail: bool = True) -> dict[str, Any]:
    """Workers from Xinhuang to a Dongguan employer; a train from a station nearby
    reaches Dongguan the same afternoon."""
    service = {"id": "G1", "hub": "XHW", "departure": "2020-02-21T09:00",
               "stops": [{"id": "GZS", "name": "广州南", "lat": 23.117, "lon": 113.25,
                          "arrival": "2020-02-21T14:00"},
                         {"id": "DGS", "name": "东莞", "lat": DONGGUAN[0] + 0.01,
                          "lon": DONGGUAN[1], "arrival": "2020-02-21T14:40"}],
               "carriages": 4, "seats_per_carriage": 118, "load_factor": 0.5,
               "cost_per_carriage": cost}
    return {
        "plan_id": "rail",
        "hubs": [{"id": "XH", "name": "新晃汽车站", "kind": "bus_station", "lat": 27.359,
                  "lon": 109.174, "open": "06:00", "close": "18:00"},
                 {"id": "XHW", "name": "新晃西站", "kind": "rail_station", "lat": 27.40,
                  "lon": 109.20, "open": "06:00", "close": "22:00"}],
        "destinations": [{"id": "DG1", "name": "东莞电子厂", "city": "东莞市",
                          "province": "广东省", "lat": DONGGUAN[0], "lon": DONGGUAN[1]},
                         {"id": "CS1", "name": "长沙鞋业", "city": "长沙市",
                          "province": "湖南省", "lat": 28.228, "lon": 112.939}],
        "rail_services": [service] if rail else [],
        "workers": [{"id": f"W{n:03d}", "name": f"工人{n}", "township": "A",
                     "destination": "DG1" if n % 4 else "CS1",
                     "earliest_departure": "2020-02-21", "latest_arrival": deadline,
                     "health": {"status": "cleared"}} for n in range(workers)],
        "bus_types": [{"id": "C45", "seats": 45, "fixed_cost": 2400, "cost_per_km": 7.5,
                       "available_per_day": 20}],
        "staff": [{"id": f"S{k}", "name": f"干部{k}", "roles": ["escort", "medic"],
                   "available_from": "2020-02-20", "available_until": "2020-03-10"}
                  for k in range(40)],
        "policy": {"rail_radius_km": radius},
    }


def test_the_network_answers_serving_stops_and_services() -> None:
    """Destinations are served by the nearest stop within the radius, or the one they
    name; services_to lists the services calling at a stop."""
    context = build_context(parse_request(_request(4)))
    assert context.rail.serving == {"DG1": "DGS"}  # 长沙 lies far from every stop
    assert [s.id for s in context.rail.services_to("DGS")] == ["G1"]
    named = _request(4)
    named["destinations"][0]["rail_station"] = "GZS"
    assert build_context(parse_request(named)).rail.serving["DG1"] == "GZS"
    assert build_context(parse_request(_request(4, radius=0.5))).rail.serving == {}


def test_a_full_train_beats_buses_and_the_rest_ride_buses() -> None:
    request = parse_request(_request(160))
    result = plan(request)
    assert check_plan(request, result) == []
    rail = [t for t in result.trips if t.mode == "rail"]
    dongguan = {w.id for w in request.workers if w.destination == "DG1"}
    # 120 riders: two carriages run full-ish, a third would run nearly empty
    assert len(rail) == 2
    assert sum(len(t.passengers) for t in rail) > 0.75 * len(dongguan)
    assert all(set(t.passengers) <= dongguan for t in rail)
    assert {t.stops[-1].place for t in result.trips if t.feeder} == {"XHW"}
    assert result.summary.trains[0].carriages_used == len(rail)
    bus_only = plan(parse_request(_request(160, rail=False)))
    assert result.summary.total_cost < bus_only.summary.total_cost


@pytest.mark.parametrize("radius", [0.5, 50.0])
def test_a_nearly_empty_carriage_or_no_stop_leaves_workers_on_buses(radius: float) -> None:
    request = parse_request(_request(12, radius=radius))
    result = plan(request)
    assert check_plan(request, result) == []
    assert [t for t in result.trips if t.mode == "rail"] == []
    assert result.summary.assigned == 12


def test_a_train_carries_workers_no_bus_gets_there_in_time() -> None:
    # by 15:00 on the day they leave: no coach covers 1,000 km by then, the train does;
    # two riders in a 59-seat carriage, since nothing else takes them
    request = parse_request(_request(8, deadline="2020-02-21T15:00"))
    result = plan(request)
    assert check_plan(request, result) == []
    carried = {w for t in result.trips if t.mode == "rail" for w in t.passengers}
    to_dongguan = {w.id for w in request.workers if w.destination == "DG1"}
    assert carried == to_dongguan
    assert result.unassigned == ()  # 长沙 is near enough for a coach



def test_feeders_to_an_early_train_take_no_slot_inside_the_night_ban() -> None:
    """A train at 05:40, stations open all night, one bus a slot and feeders of ten
    seats: the feeders take the slots from 05:30 back, and those inside the ban
    (02:00-05:00), from which a feeder would wait at the station for its end and still
    be in time, are not slots: the feeders before 05:00 leave by 01:45."""
    data = _request(40, deadline="2020-02-21T15:00")
    for hub in data["hubs"]:
        hub.update(open="00:00", max_departures_per_slot=1)
    data["rail_services"][0]["departure"] = "2020-02-21T05:40"
    data["bus_types"][0]["seats"] = 10
    data["policy"]["rail_cutoff_minutes"] = 0
    request = parse_request(data)
    result = plan(request)
    assert check_plan(request, result) == []
    leaves = sorted(t.departure.strftime("%H:%M") for t in result.trips if t.feeder)
    assert len(leaves) > 3 and leaves[-3:] == ["05:00", "05:15", "05:30"]
    assert all(not "02:00" <= at < "05:00" for at in leaves), leaves

def test_areas_share_a_train_by_seats_so_small_areas_all_ride_it() -> None:
    # six employers near Dongguan, each its own area with 19 riders: 114 riders fill
    # two of the train's four carriages. Shared in whole carriages, the six areas
    # would ask for six and two of them would be sent by bus.
    data = _request(0)
    data["destinations"] = [
        {"id": f"DG{k}", "name": f"东莞{k}厂", "city": "东莞市", "province": "广东省",
         "lat": DONGGUAN[0] + 0.02 * k, "lon": DONGGUAN[1]} for k in range(6)]
    data["workers"] = [
        {"id": f"W{n:03d}", "name": f"工人{n}", "township": "A", "destination": f"DG{n % 6}",
         "earliest_departure": "2020-02-21", "latest_arrival": "2020-02-22",
         "health": {"status": "cleared"}} for n in range(114)]
    data["policy"]["max_area_destinations"] = 1
    request = parse_request(data)
    result = plan(request)
    assert check_plan(request, result) == []
    rail = [t for t in result.trips if t.mode == "rail"]
    assert sum(len(t.passengers) for t in rail) == 114
    assert len(rail) == 2


def test_a_lone_last_feeder_rider_gets_a_companion_from_the_feeder_before() -> None:
    """47 riders on feeders of 24 and 22 seats and one more: packed in the order they
    may leave, the third feeder would take one rider and not run; it takes the last
    ready of the second instead, which keeps 21."""
    units = [Unit((f"W{i:02d}",), "XH", (("E1", 10_000),), i, 10_000, 0) for i in range(47)]
    rooms = [24, 22, 22]
    loads, over = _by_readiness(units, rooms)
    assert [len(load) for load in loads] == [24, 22, 1] and not over
    _even_out(loads, rooms)
    assert [len(load) for load in loads] == [24, 21, 2]
    assert loads[2] == [units[45], units[46]]


def test_thin_carriages_are_withdrawn_again_while_that_pays(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The sample county (2,000 workers over 14 days, with rail): withdrawing the thin
    last carriages once sent their riders to other trains, whose last carriages then
    ran with 10 and 14 riders of 59. Rounds of withdrawing run every carriage at least
    half full, for less money, and carry as many."""
    request = parse_request(generate_request(2000, 14, 2020, rail=True))
    rounds = plan(request)
    monkeypatch.setattr(assign_stage, "TRIM_ROUNDS", 1)
    once = plan(request)
    assert check_plan(request, rounds) == []
    seats = {s.id: s.capacity for s in build_context(request).rail.services.values()}
    rail = [t for t in rounds.trips if t.mode == "rail"]
    assert all(2 * len(t.passengers) >= seats[t.vehicle_type] for t in rail)
    assert any(2 * len(t.passengers) < seats[t.vehicle_type]
               for t in once.trips if t.mode == "rail")
    assert rounds.summary.total_cost < once.summary.total_cost
    assert rounds.summary.assigned == once.summary.assigned
