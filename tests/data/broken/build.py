"""(Re)build the broken-plan fixtures: ``python tests/data/broken/build.py``.

Each fixture ``<Invariant>.json`` holds a small valid request, a plan for it that
breaks exactly one invariant of SPEC §5 (or of the plan's own consistency), the family
of checks in ``charterplan.check`` that must report it, and what was broken. The plan
starts as the planner's own plan of one of two base requests (buses with door to door;
a bus station, a rail station and a train), then one thing is broken: the plan, or the
request it is checked against. Where the break would also upset a figure derived from
it (the summary, a cost), that figure is mended, so that one family alone objects.
The unbroken pairs go to ``sound/``. The script checks every fixture it writes, and
refuses to write one that another family also objects to.
"""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from charterplan import parse_request, plan
from charterplan.check import check_plan
from charterplan.io.plan_json import parse_plan
from charterplan.io.request import request_digest

HERE = Path(__file__).resolve().parent
Json = dict[str, Any]

STAFF = [{"id": ident, "name": name, "roles": roles, "phone": phone, **extra,
          "available_from": "2020-02-19", "available_until": "2020-03-31"}
         for ident, name, roles, phone, extra in [
             ("E1", "刘干部", ["escort"], "13100001111", {}),
             ("E2", "陈干部", ["escort"], "13100002222", {}),
             ("E3", "杨干部", ["escort"], "13100003333", {}),
             ("M1", "周医生", ["medic"], "13200001111", {}),
             ("M2", "吴护士", ["medic"], "13200002222", {}),
             ("M3", "郑医生", ["medic"], "13200003333", {})]]


def _worker(ident: str, name: str, destination: str, last: str, **extra: Any) -> Json:
    return {"id": ident, "name": name, "township": "晃州镇", "destination": destination,
            "earliest_departure": "2020-02-20", "latest_arrival": last,
            "health": {"status": "cleared"}, **extra}


BUS: Json = {
    "plan_id": "broken-bus",
    "hubs": [{"id": "XH", "name": "新晃汽车站", "kind": "bus_station", "lat": 27.359,
              "lon": 109.174, "open": "06:00", "close": "18:00", "slot_minutes": 10,
              "max_departures_per_slot": 1}],
    "pickup_points": [{"id": "P-BS", "name": "波洲镇集合点", "township": "波洲镇",
                       "lat": 27.284, "lon": 109.222}],
    "destinations": [
        {"id": "DG1", "name": "东莞电子厂", "city": "东莞市", "province": "广东省",
         "lat": 23.021, "lon": 113.752},
        {"id": "CS", "name": "长沙机械厂", "city": "长沙市", "province": "湖南省",
         "lat": 28.228, "lon": 112.939}],
    "workers": [
        _worker("W1", "张三", "DG1", "2020-02-20", captain_volunteer=True),
        _worker("W2", "李四", "DG1", "2020-02-20"),
        _worker("W3", "王芳", "DG1", "2020-02-20", township="波洲镇", pickup_point="P-BS"),
        _worker("W4", "赵六", "CS", "2020-02-20", group="G1"),
        _worker("W5", "钱七", "CS", "2020-02-20", group="G1"),
        _worker("W6", "孙八", "CS", "2020-02-20", health={
            "status": "quarantine", "quarantine_until": "2020-02-28"}),
        _worker("W7", "周九", "CS", "2020-02-20")],
    "bus_types": [{"id": "C45", "seats": 45, "load_factor": 0.5, "reserved_seats": 2,
                   "fixed_cost": 2000, "cost_per_km": 7, "available_per_day": 4}],
    "staff": STAFF,
    "policy": {"door_to_door": True},
}

RAIL: Json = {
    "plan_id": "broken-rail",
    "hubs": [
        {"id": "XH", "name": "新晃汽车站", "kind": "bus_station", "lat": 27.359,
         "lon": 109.174, "open": "06:00", "close": "18:00", "slot_minutes": 10,
         "max_departures_per_slot": 2},
        {"id": "XHW", "name": "新晃西站", "kind": "rail_station", "lat": 27.36,
         "lon": 109.10, "open": "06:00", "close": "22:00", "slot_minutes": 30,
         "max_departures_per_slot": 1}],
    "destinations": [
        {"id": "SZ", "name": "深圳电子厂", "city": "深圳市", "province": "广东省",
         "lat": 22.65, "lon": 114.05},
        {"id": "CS", "name": "长沙机械厂", "city": "长沙市", "province": "湖南省",
         "lat": 28.228, "lon": 112.939}],
    # deadlines no coach makes (1,000 road km to Shenzhen by 17:00): the train does
    "workers": [_worker(f"R{k}", f"工人{k}", dest, by) for k, (dest, by) in enumerate(
        [("SZ", "2020-02-20T17:00")] * 3 + [("CS", "2020-02-20T13:00")] * 2, 1)],
    "bus_types": [{"id": "C45", "seats": 45, "load_factor": 0.5, "reserved_seats": 2,
                   "fixed_cost": 2000, "cost_per_km": 7, "available_per_day": 4}],
    "rail_services": [{
        "id": "G1", "hub": "XHW", "departure": "2020-02-20T10:00", "carriages": 3,
        "seats_per_carriage": 118, "load_factor": 0.5, "cost_per_carriage": 500,
        "stops": [
            {"id": "CSS", "name": "长沙南", "lat": 28.15, "lon": 113.07,
             "arrival": "2020-02-20T12:30"},
            {"id": "SZB", "name": "深圳北", "lat": 22.61, "lon": 114.03,
             "arrival": "2020-02-20T16:00"}]}],
    "staff": STAFF,
    "policy": {},
}


# door to door with a county feeder: the bus may not detour the 80 km to 凉伞镇, so a
# feeder brings its three riders to the hub; nobody may make their own way there
DOOR: Json = {
    **copy.deepcopy(BUS), "plan_id": "broken-door",
    "pickup_points": [{"id": "P-LS", "name": "凉伞镇集合点", "township": "凉伞镇",
                       "lat": 27.70, "lon": 109.30}],
    "workers": [
        _worker("W1", "张三", "DG1", "2020-02-21"), _worker("W2", "李四", "DG1", "2020-02-21"),
        *(_worker(ident, name, "DG1", "2020-02-21", township="凉伞镇", pickup_point="P-LS")
          for ident, name in (("W3", "王芳"), ("W4", "赵六"), ("W5", "钱七")))],
    "policy": {"max_detour_km": 20, "pickup_fallback_to_hub": False},
}


def planned(request: Json) -> Json:
    """The planner's own plan of ``request``, as plan.json holds it."""
    return json.loads(plan(parse_request(request)).model_dump_json())


def families(request: Json, plan_data: Json) -> set[str]:
    """The families of checks that object to ``plan_data`` for ``request``."""
    return {v.family for v in check_plan(parse_request(request),
                                         parse_plan(json.dumps(plan_data)))}


def _trip(plan_data: Json, ident: str) -> Json:
    (trip,) = (t for t in plan_data["trips"] if t["id"] == ident)
    return trip


def _item(items: list[Json], ident: str) -> Json:
    (item,) = (i for i in items if i["id"] == ident)
    return item


def _cost_more(plan_data: Json, trip: str, extra: float) -> None:
    """``trip`` costs ``extra`` more, and the summary's total says so."""
    _trip(plan_data, trip)["cost"] = round(_trip(plan_data, trip)["cost"] + extra, 2)
    plan_data["summary"]["total_cost"] = round(plan_data["summary"]["total_cost"] + extra, 2)


# The bus base plans two buses on 20 Feb: T1 06:00 to Dongguan (W1, W2 at the hub,
# W3 at her pickup point; E1, M1), T2 06:10 to Changsha (W4, W5 of group G1, W7;
# E2, M2); W6 is in quarantine, unassigned. The rail base plans a feeder from the bus
# station (08:50, 09:00 at the rail station) and carriage 1 of train G1 (10:00).
T1, T2, FEEDER, CARRIAGE = "XH-0220-001", "XH-0220-002", "XH-0220-001", "G1-01"

Breaker = Callable[[Json, Json], None]
CASES: dict[str, tuple[Json, str, int, str, Breaker]] = {}


def case(name: str, base: Json, family: str, invariant: int, breaks: str
         ) -> Callable[[Breaker], Breaker]:
    """Register the fixture ``name``: ``breaks`` says what the function breaks."""
    def register(breaker: Breaker) -> Breaker:
        CASES[name] = (base, family, invariant, breaks, breaker)
        return breaker
    return register


@case("EveryoneOnce", BUS, "everyone-once", 1, "W6 is neither on a trip nor unassigned")
def _(request: Json, plan_data: Json) -> None:
    plan_data["unassigned"] = []
    plan_data["summary"].update(unassigned=0, unassigned_by_reason={})


@case("Feeder", RAIL, "feeders", 1,
      "the feeder reaches the rail station 30 min before the train, inside the 60 min cut-off")
def _(request: Json, plan_data: Json) -> None:
    feeder = _trip(plan_data, FEEDER)
    feeder["stops"][-1]["eta"] = feeder["arrival"] = "2020-02-20T09:30+08:00"
    feeder["back_at_hub"] = "2020-02-20T09:50+08:00"


def _county_feeder(plan_data: Json) -> tuple[Json, Json]:
    """The door base's county feeder and the bus its riders go on with."""
    (feeder,) = (t for t in plan_data["trips"] if t["feeder"])
    (bus,) = (t for t in plan_data["trips"] if not t["feeder"])
    return feeder, bus


@case("CountyFeeder", DOOR, "feeders", 1,
      "the county feeder is back at the hub 10 min before its riders' bus leaves, "
      "inside the 30 min connection")
def _(request: Json, plan_data: Json) -> None:
    feeder, bus = _county_feeder(plan_data)
    leaves = datetime.fromisoformat(bus["departure"])
    stay = datetime.fromisoformat(feeder["back_at_hub"]) - datetime.fromisoformat(
        feeder["arrival"])
    feeder["stops"][-1]["eta"] = feeder["arrival"] = (
        leaves - timedelta(minutes=10)).isoformat()
    feeder["back_at_hub"] = (leaves - timedelta(minutes=10) + stay).isoformat()


@case("Pickup", DOOR, "boarding", 10,
      "a rider of 凉伞镇 is off the county feeder: they board their bus at the hub, which "
      "the policy does not allow (the summary counts them as moved, so it agrees)")
def _(request: Json, plan_data: Json) -> None:
    feeder, _ = _county_feeder(plan_data)
    (rider,) = (w for w in feeder["passengers"]
                if w not in (feeder["captain"], feeder["deputy_captain"]))
    feeder["passengers"].remove(rider)
    for stop in feeder["stops"]:
        stop["workers"].remove(rider)
    plan_data["summary"]["moved_to_hub"] = 1


@case("Cleared", BUS, "cleared", 2, "W1's health certificate expired the day before T1")
def _(request: Json, plan_data: Json) -> None:
    _item(request["workers"], "W1")["health"]["certificate_valid_until"] = "2020-02-19"


@case("Window", BUS, "windows", 3, "W7 must arrive by 12:00; T2 arrives 14:48")
def _(request: Json, plan_data: Json) -> None:
    _item(request["workers"], "W7")["latest_arrival"] = "2020-02-20T12:00"


@case("DrivingTimes", BUS, "driving", 3, "T2 reaches Changsha, 500 road km away, in 2 h")
def _(request: Json, plan_data: Json) -> None:
    trip = _trip(plan_data, T2)
    trip["stops"][-1]["eta"] = trip["arrival"] = "2020-02-20T08:10+08:00"


@case("NightBan", BUS, "night-ban", 3,
      "the hub opens at midnight and T2 leaves at 03:00, inside the coach night ban")
def _(request: Json, plan_data: Json) -> None:
    request["hubs"][0]["open"] = "00:00"
    _trip(plan_data, T2)["departure"] = "2020-02-20T03:00+08:00"


@case("Capacity", BUS, "capacity", 4, "the bus type seats 4 at load factor 0.5: 2 a bus")
def _(request: Json, plan_data: Json) -> None:
    request["bus_types"][0].update(seats=4, reserved_seats=0)


@case("MissingMedic", BUS, "staff", 5, "T1's medic is null")
def _(request: Json, plan_data: Json) -> None:
    _trip(plan_data, T1)["medic"] = None


@case("StaffOverlap", BUS, "staff", 5, "T1's escort and medic also staff T2, which "
      "leaves ten minutes after T1")
def _(request: Json, plan_data: Json) -> None:
    _trip(plan_data, T2).update(escort="E1", medic="M1")
    _item(plan_data["convoys"], _trip(plan_data, T2)["convoy"])["leader"] = "E1"


@case("StaffAvailability", BUS, "staff", 5, "E2 is available from 07:00, after T2 leaves")
def _(request: Json, plan_data: Json) -> None:
    _item(request["staff"], "E2")["available_from"] = "2020-02-20T07:00"


@case("StaffRole", BUS, "staff", 5, "T2's medic is E3, an escort")
def _(request: Json, plan_data: Json) -> None:
    _trip(plan_data, T2)["medic"] = "E3"


@case("Captain", BUS, "crew", 6, "T1's deputy captain is its captain")
def _(request: Json, plan_data: Json) -> None:
    trip = _trip(plan_data, T1)
    trip["deputy_captain"] = trip["captain"]


@case("Slot", BUS, "slots", 7, "T2 leaves at 06:05, in T1's slot, which holds one departure")
def _(request: Json, plan_data: Json) -> None:
    _trip(plan_data, T2)["departure"] = "2020-02-20T06:05+08:00"


@case("HubHours", BUS, "slots", 7, "T2 leaves at 05:30; the hub opens at 06:00")
def _(request: Json, plan_data: Json) -> None:
    _trip(plan_data, T2)["departure"] = "2020-02-20T05:30+08:00"


@case("FleetPerDay", BUS, "fleet", 8, "one bus of the type a day; two leave on 20 Feb")
def _(request: Json, plan_data: Json) -> None:
    request["bus_types"][0]["available_per_day"] = 1


@case("Carriages", RAIL, "fleet", 8, "the carriage is number 4 of a 3-carriage train")
def _(request: Json, plan_data: Json) -> None:
    _trip(plan_data, CARRIAGE)["carriage"] = 4


@case("Group", BUS, "groups", 9, "W1 (on T1) is of group G1, whose W4 and W5 ride T2")
def _(request: Json, plan_data: Json) -> None:
    _item(request["workers"], "W1")["group"] = "G1"


@case("Dropoff", BUS, "dropoffs", 10, "W2 works in Changsha but T1 takes them to Dongguan")
def _(request: Json, plan_data: Json) -> None:
    _item(request["workers"], "W2")["destination"] = "CS"


@case("Boarding", BUS, "boarding", 10,
      "W1, who gathers at the hub, boards T1 at W3's pickup point")
def _(request: Json, plan_data: Json) -> None:
    hub, point = _trip(plan_data, T1)["stops"][:2]
    hub["workers"].remove("W1")
    point["workers"].append("W1")


@case("Rail", RAIL, "rail", 3, "the carriage reaches 长沙南 at 12:45; the train arrives 12:30")
def _(request: Json, plan_data: Json) -> None:
    _trip(plan_data, CARRIAGE)["stops"][1]["eta"] = "2020-02-20T12:45+08:00"


@case("Cost", BUS, "consistency", 0, "T1 costs 1,000 more than its type and km make "
      "(and the summary's total agrees with the trips)")
def _(request: Json, plan_data: Json) -> None:
    _cost_more(plan_data, T1, 1000)


@case("Drivers", RAIL, "drivers", 0, "the 10 km feeder has two drivers (and pays for the "
      "second, so its cost agrees)")
def _(request: Json, plan_data: Json) -> None:
    _trip(plan_data, FEEDER)["drivers"] = 2
    _cost_more(plan_data, FEEDER, parse_request(request).policy.cost_per_extra_driver)


@case("Convoy", BUS, "convoys", 0, "T2 names no convoy, while its convoy lists it")
def _(request: Json, plan_data: Json) -> None:
    _trip(plan_data, T2)["convoy"] = None


@case("Summary", BUS, "summary", 0, "the summary says 5 assigned; 6 ride")
def _(request: Json, plan_data: Json) -> None:
    plan_data["summary"]["assigned"] = 5


def _dump(data: Json) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def main() -> int:
    """Write every fixture and the sound pairs; exit 1 if one breaks other families too."""
    sound = {"bus": (BUS, planned(BUS)), "rail": (RAIL, planned(RAIL)),
             "door": (DOOR, planned(DOOR))}
    bases = {id(BUS): "bus", id(RAIL): "rail", id(DOOR): "door"}
    (HERE / "sound").mkdir(exist_ok=True)
    for name, (request, plan_data) in sound.items():
        assert families(request, plan_data) == set(), name
        (HERE / "sound" / f"{name}.json").write_text(
            _dump({"request": request, "plan": plan_data}), encoding="utf-8")
    failed = 0
    for name, (base, family, invariant, breaks, breaker) in CASES.items():
        request, plan_data = copy.deepcopy(sound[bases[id(base)]])
        breaker(request, plan_data)
        plan_data["request_sha256"] = request_digest(parse_request(request))
        found = families(request, plan_data)
        if found != {family}:
            print(f"{name}: {family} expected, found {sorted(found)}", file=sys.stderr)
            failed = 1
            continue
        (HERE / f"{name}.json").write_text(_dump({
            "family": family, "invariant": invariant, "breaks": breaks,
            "request": request, "plan": plan_data}), encoding="utf-8")
    return failed


if __name__ == "__main__":
    sys.exit(main())
