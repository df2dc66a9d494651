"""The independent check on rail: carriages follow their service, riders alight at the
stop serving their destination, feeders reach the train before the boarding cut-off.

One small request (a bus station, a rail station, a train with three stops) and a plan
for it built by hand: the check passes it, and finds each defect put into a copy.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest
from pydantic import BaseModel

from charterplan import parse_request
from charterplan.check import Violation, check_plan
from charterplan.model import (
    Convoy,
    Plan,
    PlanRequest,
    PlanStatus,
    Reason,
    Stop,
    Summary,
    TrainUse,
    Trip,
    Unassigned,
)
from tests.conftest import worker

ZONE = ZoneInfo("Asia/Shanghai")
STATION = {"id": "XHW", "name": "新晃西站", "kind": "rail_station", "lat": 27.36,
           "lon": 109.10, "open": "06:00", "close": "22:00", "slot_minutes": 30,
           "max_departures_per_slot": 1}
SERVICE = {
    "id": "G1", "hub": "XHW", "departure": "2020-02-20T10:00", "carriages": 3,
    "seats_per_carriage": 118, "load_factor": 0.5, "cost_per_carriage": 20000,
    "stops": [
        {"id": "CSS", "name": "长沙南", "lat": 28.15, "lon": 113.07,
         "arrival": "2020-02-20T12:30"},
        {"id": "GZN", "name": "广州南", "lat": 22.99, "lon": 113.27,
         "arrival": "2020-02-20T15:30"},
        {"id": "SZB", "name": "深圳北", "lat": 22.61, "lon": 114.03,
         "arrival": "2020-02-20T16:00"},
    ],
}
PLACES = [  # CS lies 15 km from CSS, SZ 5 km from SZB, HZ some 700 km from any stop
    {"id": "SZ", "name": "深圳电子厂", "city": "深圳市", "province": "广东省",
     "lat": 22.65, "lon": 114.05},
    {"id": "HZ", "name": "杭州服装厂", "city": "杭州市", "province": "浙江省",
     "lat": 30.27, "lon": 120.15},
]
M = TypeVar("M", bound=BaseModel)
RIDERS = ("W1", "W2", "W3", "W4", "W5")
CALLS = {"CSS": ("W1", "W2"), "GZN": ("W5",), "SZB": ("W3", "W4")}


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime(2020, 2, 20, hour, minute, tzinfo=ZONE)


def _request(base: dict[str, Any], service: dict[str, Any] = SERVICE,
             **policy: Any) -> PlanRequest:
    base["hubs"].append(STATION)
    base["rail_services"] = [service]
    base["destinations"][0]["rail_station"] = "GZN"  # DG1 names its stop
    base["destinations"] += PLACES
    base["staff"][2]["hub"] = base["staff"][3]["hub"] = "XHW"
    base["workers"] = [worker("W1", "CS"), worker("W2", "CS"), worker("W3", "SZ"),
                       worker("W4", "SZ"), worker("W5", "DG1"), worker("W6", "HZ")]
    base["policy"] = policy
    return parse_request(base)


def _feeder(riders: tuple[str, ...] = RIDERS, arrival: datetime | None = None) -> Trip:
    """The bus from the county bus station to the rail station (some 10 road km),
    leaving at 08:00 and there at ``arrival`` (08:30)."""
    arrival = arrival or _at(8, 30)
    return Trip(
        id="XH-0220-F01", mode="bus", vehicle_type="C45", hub="XH", departure=_at(8),
        arrival=arrival, back_at_hub=arrival + timedelta(minutes=30),
        stops=(Stop(kind="pickup", place="XH", eta=_at(8), workers=riders),
               Stop(kind="dropoff", place="XHW", eta=arrival, workers=riders)),
        passengers=riders, captain=riders[0], deputy_captain=riders[1], escort="S0",
        medic="S1", convoy=None, drivers=1, distance_km=20.0, cost=2000 + 7 * 20.0,
        feeder=True)


def _carriage(number: int = 1, calls: Mapping[str, tuple[str, ...]] = CALLS) -> Trip:
    """Carriage ``number`` of G1, its riders alighting at ``calls``."""
    riders = tuple(w for stop in calls.values() for w in stop)
    etas = {"CSS": _at(12, 30), "GZN": _at(15, 30), "SZB": _at(16)}
    drops = tuple(Stop(kind="dropoff", place=p, eta=etas[p], workers=w)
                  for p, w in calls.items())
    return Trip(
        id=f"G1-{number:02d}", mode="rail", vehicle_type="G1", hub="XHW", carriage=number,
        departure=_at(10), arrival=drops[-1].eta,
        back_at_hub=drops[-1].eta + (drops[-1].eta - _at(10)),
        stops=(Stop(kind="pickup", place="XHW", eta=_at(10), workers=riders), *drops),
        passengers=riders, captain=riders[0], deputy_captain=riders[1], escort="S2",
        medic="S3", convoy="XHW-0220-G1", drivers=0, distance_km=1100.0, cost=20000.0)


def _plan(trips: tuple[Trip, ...], unassigned: tuple[str, ...] = ("W6",)) -> Plan:
    """A plan of ``trips`` whose convoy and summary agree with them."""
    rail = [t for t in trips if t.mode == "rail"]
    cost = sum(t.cost for t in trips)
    train = TrainUse(service="G1", hub="XHW", departure=_at(10), carriages_used=len(rail),
                     carriages=3, riders=sum(len(t.passengers) for t in rail),
                     cost=sum(t.cost for t in rail))
    summary = Summary(
        workers=6, assigned=sum(len(t.passengers) for t in trips if not t.feeder),
        unassigned=len(unassigned),
        unassigned_by_reason={"no_vehicle_capacity": len(unassigned)} if unassigned else {},
        trips_by_mode=dict(Counter(t.mode for t in trips)),
        total_cost=cost, total_km=sum(t.distance_km for t in trips), lower_bound_cost=cost,
        gap_pct=0.0, solve_seconds=0.0, tables={}, trains=(train,) if rail else ())
    convoy = Convoy(id="XHW-0220-G1", hub="XHW", area="长沙南、广州南、深圳北",
                    trips=tuple(t.id for t in rail), leader=rail[0].escort if rail else "")
    return Plan(
        plan_id="unit", request_sha256="0" * 64, seed=0, status=PlanStatus.FEASIBLE,
        trips=trips, convoys=(convoy,) if rail else (),
        unassigned=tuple(Unassigned(worker=w, reason=Reason.NO_VEHICLE_CAPACITY, detail="")
                         for w in unassigned),
        summary=summary)


def _with(item: M, **update: Any) -> M:
    return item.model_copy(update=update)


def _found(found: list[Violation], invariant: int, text: str) -> bool:
    return any(v.invariant == invariant and text in v.message for v in found)


@pytest.fixture
def request_(base: dict[str, Any]) -> PlanRequest:
    """The rail request with the default policy."""
    return _request(base)


def test_the_hand_built_plan_holds_every_invariant(request_: PlanRequest) -> None:
    """One feeder and one carriage, every rule of the contract kept: no violation."""
    assert check_plan(request_, _plan((_feeder(), _carriage()))) == []


def test_a_stop_eta_other_than_the_trains_arrival(request_: PlanRequest) -> None:
    """An ETA at CSS half an hour before the train gets there is refused."""
    carriage = _carriage()
    stops = tuple(_with(s, eta=_at(12)) if s.place == "CSS" else s for s in carriage.stops)
    found = check_plan(request_, _plan((_feeder(), _with(carriage, stops=stops))))
    assert _found(found, 3, "reaches CSS at 2020-02-20T12:00:00+08:00, but G1 arrives")


def test_a_rider_alighting_short_of_their_serving_stop(request_: PlanRequest) -> None:
    """W1 goes to CS, which CSS serves: alighting at GZN is refused."""
    calls = {"CSS": ("W2",), "GZN": ("W5", "W1"), "SZB": ("W3", "W4")}
    found = check_plan(request_, _plan((_feeder(), _carriage(calls=calls))))
    assert _found(found, 10, "W1 alights at GZN, not at CSS")


def test_a_named_rail_station_wins_over_the_nearest_stop(request_: PlanRequest) -> None:
    """DG1 names GZN; SZB is nearer to it, but W5 may not alight there."""
    calls = {"CSS": ("W1", "W2"), "SZB": ("W3", "W4", "W5")}
    found = check_plan(request_, _plan((_feeder(), _carriage(calls=calls))))
    assert _found(found, 10, "W5 alights at SZB, not at GZN")


def test_a_rail_rider_whose_destination_no_stop_serves(request_: PlanRequest) -> None:
    """HZ lies far from every stop: W6 may not go by rail at all."""
    riders = (*RIDERS, "W6")
    calls = {"CSS": ("W1", "W2"), "GZN": ("W5",), "SZB": ("W3", "W4", "W6")}
    result = _plan((_feeder(riders), _carriage(calls=calls)), unassigned=())
    found = check_plan(request_, result)
    assert _found(found, 10, "W6 rides rail, but no stop within 50.0 km serves HZ")
    assert [v for v in found if "W6" not in v.message] == []


def test_the_rail_radius_decides_which_destinations_rail_serves(base: dict[str, Any]) -> None:
    """With a 10 km radius CSS (15 km off) no longer serves CS; SZB still serves SZ
    (5 km off), and DG1 names its stop."""
    request = _request(base, rail_radius_km=10.0)
    found = check_plan(request, _plan((_feeder(), _carriage())))
    assert {v.message for v in found} == {
        f"{w} rides rail, but no stop within 10.0 km serves CS" for w in ("W1", "W2")}


def test_a_feeder_arriving_after_the_boarding_cut_off(request_: PlanRequest) -> None:
    """Reaching the station at 09:30 leaves 30 min before the 10:00 train, not 60."""
    found = check_plan(request_, _plan((_feeder(arrival=_at(9, 30)), _carriage())))
    assert _found(found, 1, "feeder rider W1 reaches XHW at 2020-02-20T09:30:00+08:00, "
                  "less than 60 min before train G1-01")


def test_the_cut_off_is_the_policys(base: dict[str, Any]) -> None:
    """With a 20 min cut-off the same feeder is in time."""
    request = _request(base, rail_cutoff_minutes=20)
    assert check_plan(request, _plan((_feeder(arrival=_at(9, 30)), _carriage()))) == []


def test_a_feeder_rider_with_no_train(request_: PlanRequest) -> None:
    """W5 rides the feeder but no carriage (and is listed as unassigned)."""
    calls = {"CSS": ("W1", "W2"), "SZB": ("W3", "W4")}
    found = check_plan(request_, _plan((_feeder(), _carriage(calls=calls)),
                                       unassigned=("W5", "W6")))
    assert _found(found, 1, "feeder rider W5 rides 0 rail trips, not one")


def test_a_feeder_rider_on_two_feeders(request_: PlanRequest) -> None:
    """A second feeder carrying W1 and W2 again is refused."""
    again = _with(_feeder(("W1", "W2")), id="XH-0220-F02", escort="S4", medic="S5")
    found = check_plan(request_, _plan((_feeder(), again, _carriage())))
    assert _found(found, 1, "rides 2 feeders")


def test_a_feeder_must_drop_its_riders_at_a_rail_station(request_: PlanRequest) -> None:
    """A feeder that takes its riders to an employer (CS) instead is refused."""
    feeder = _feeder()
    drop = _with(feeder.stops[-1], place="CS")
    found = check_plan(request_, _plan((_with(feeder, stops=(feeder.stops[0], drop)),
                                        _carriage())))
    assert _found(found, 10, "feeder rider W1 alights at CS, not at a rail station")
    assert _found(found, 1, "feeder rider W1 alights at CS, but their train G1-01 leaves XHW")


def test_a_feeder_is_a_bus_under_the_road_rules(request_: PlanRequest) -> None:
    """Reaching the station 2 min after leaving is faster than the road allows."""
    feeder = _feeder(arrival=_at(8, 2))
    found = check_plan(request_, _plan((feeder, _carriage())))
    assert _found(found, 3, "reaches XHW at")


def test_feeder_riders_are_cleared_on_the_feeders_departure(base: dict[str, Any]) -> None:
    """W3's quarantine ends and W4's window opens at 09:00: in time for the 10:00 train,
    not for the 08:00 feeder."""
    _request(base)
    base["workers"][2]["health"] = {"status": "quarantine",
                                    "quarantine_until": "2020-02-20T09:00"}
    base["workers"][3]["earliest_departure"] = "2020-02-20T09:00"
    found = check_plan(parse_request(base), _plan((_feeder(), _carriage())))
    assert _found(found, 2, "passenger W3 is not cleared on 2020-02-20T08:00:00+08:00")
    assert _found(found, 3, "W4 leaves before their earliest departure")
    assert all(v.subject == "trip XH-0220-F01" for v in found)


def test_too_many_passengers_for_a_carriage(base: dict[str, Any]) -> None:
    """Eight seats at half load leave four places for five riders."""
    request = _request(base, {**SERVICE, "seats_per_carriage": 8})
    found = check_plan(request, _plan((_feeder(), _carriage())))
    assert _found(found, 4, "carries 5 passengers, more than 4")


def test_two_carriages_with_one_number(request_: PlanRequest) -> None:
    """Two carriages both numbered 1 are refused, though each is sound on its own."""
    first = _carriage(1, {"CSS": ("W1", "W2")})
    second = _with(_carriage(1, {"GZN": ("W5",), "SZB": ("W3", "W4")}), id="G1-02",
                   escort="S4", medic="S5", captain="W5", deputy_captain="W3")
    found = check_plan(request_, _plan((_feeder(), first, second)))
    assert [(v.invariant, v.subject) for v in found] == [(8, "rail service G1")]


def test_summary_trains_must_agree_with_the_carriages(request_: PlanRequest) -> None:
    """A whole-train view claiming two carriages and the wrong cost is refused."""
    result = _plan((_feeder(), _carriage()))
    train = _with(result.summary.trains[0], carriages_used=2, cost=40000.0)
    summary = result.summary.model_copy(update={"trains": (train,)})
    found = check_plan(request_, result.model_copy(update={"summary": summary}))
    assert _found(found, 0, "carriages_used 2, but 1 carriages run")
    assert _found(found, 0, "cost 40000.0, but its carriages cost 20000.00")


def test_summary_trains_must_list_every_service_used(request_: PlanRequest) -> None:
    """A plan whose carriages run but whose summary lists no train is refused."""
    result = _plan((_feeder(), _carriage()))
    summary = result.summary.model_copy(update={"trains": ()})
    found = check_plan(request_, result.model_copy(update={"summary": summary}))
    assert _found(found, 0, "trains lists services [], but the carriages use ['G1']")


@pytest.mark.parametrize(("update", "invariant", "text"), [
    ({"hub": "XH"}, 0, "hub XH, but G1 leaves XHW"),
    ({"cost": 15000.0}, 0, "cost 15000.0 is not 20000.0"),
    ({"distance_km": 500.0}, 0, "distance 500.0 km is under the line's"),
    ({"drivers": 1}, 0, "a carriage is no feeder and has no drivers"),
    ({"departure": _at(9, 45)}, 3, "leaves 2020-02-20T09:45:00+08:00, but G1 leaves"),
    ({"back_at_hub": _at(20)}, 3, "back at the hub sooner than the train takes to return"),
])
def test_a_carriage_follows_its_service(request_: PlanRequest, update: dict[str, Any],
                                        invariant: int, text: str) -> None:
    """Hub, cost, distance, drivers, departure and return are the service's."""
    found = check_plan(request_, _plan((_feeder(), _with(_carriage(), **update))))
    assert _found(found, invariant, text)


def test_drop_offs_in_the_service_order(request_: PlanRequest) -> None:
    """Calling at SZB before CSS is refused even with each ETA right."""
    carriage = _carriage()
    pickup, css, gzn, szb = carriage.stops
    found = check_plan(request_, _plan((_feeder(), _with(carriage,
                                                         stops=(pickup, szb, css, gzn)))))
    assert _found(found, 0, "drop-offs are not in the order G1 calls")


def test_the_carriage_starts_with_everyone_boarding_at_the_station(
        request_: PlanRequest) -> None:
    """A pickup listing only some riders is refused."""
    carriage = _carriage()
    pickup = _with(carriage.stops[0], workers=("W1", "W2"))
    found = check_plan(request_, _plan((_feeder(), _with(
        carriage, stops=(pickup, *carriage.stops[1:])))))
    assert _found(found, 0, "does not start with every passenger boarding at XHW")


def test_carriage_staff_belong_to_the_rail_station(request_: PlanRequest) -> None:
    """S0 serves no hub and may escort the carriage; S2 serves XHW and may not ride
    the feeder from XH."""
    carriage = _with(_carriage(), escort="S0", medic="S3")
    feeder = _with(_feeder(), escort="S2", medic="S1")
    found = check_plan(request_, _plan((feeder, carriage)))
    assert [v.message for v in found] == ["escort S2 serves XHW"]


def test_captain_and_deputy_of_a_carriage_and_of_a_feeder(request_: PlanRequest) -> None:
    """Invariant 6 holds on carriages and feeders as on buses."""
    carriage = _with(_carriage(), deputy_captain="W1")
    feeder = _with(_feeder(), captain="W6")
    found = check_plan(request_, _plan((feeder, carriage)))
    assert _found(found, 6, "captain and deputy are the same person")
    assert _found(found, 6, "captain W6 is not a passenger")
