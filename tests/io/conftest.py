"""A valid request (tests/data/valid/minimal.json) and a plan for it built by hand; the
same request with a rail service, and a plan with a feeder bus and two carriages."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from charterplan.io import parse_request, read_request
from charterplan.model import (
    Convoy,
    Plan,
    PlanRequest,
    PlanStatus,
    Reason,
    ReportTable,
    Stop,
    Summary,
    TrainUse,
    Trip,
    Unassigned,
)

MINIMAL = Path(__file__).parents[1] / "data" / "valid" / "minimal.json"
ZONE = ZoneInfo("Asia/Shanghai")


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2020, 2, day, hour, minute, tzinfo=ZONE)


def _trip(ident: str, dest: str, workers: tuple[str, ...], day: int, hours: int,
          staff: tuple[str, str]) -> Trip:
    start, end = _at(day, 6), _at(day, 6) + timedelta(hours=hours, minutes=27)
    return Trip(
        id=ident, mode="bus", vehicle_type="C45", hub="XH", departure=start, arrival=end,
        back_at_hub=end + timedelta(hours=hours),
        stops=(Stop(kind="pickup", place="XH", eta=start, workers=workers),
               Stop(kind="dropoff", place=dest, eta=end, workers=workers)),
        passengers=workers, captain=workers[0], deputy_captain=workers[1],
        escort=staff[0], medic=staff[1], convoy=f"C-{ident}", distance_km=812.4,
        cost=7686.8)


@pytest.fixture(scope="session")
def request_() -> PlanRequest:
    """The minimal valid request."""
    return read_request(MINIMAL)


@pytest.fixture(scope="session")
def hand_plan() -> Plan:
    """A plan for the minimal request: two buses, one worker left out."""
    trips = (_trip("XH-0221-001", "CS", ("W4", "W5"), 21, 8, ("E1", "M1")),
             _trip("XH-0222-001", "DG1", ("W1", "W2", "W3"), 22, 14, ("E2", "M2")))
    table = ReportTable(title="每日发车汇总", columns=("日期", "车次", "人数"),
                        rows=(("2020-02-21", 1, 2), ("2020-02-22", 1, 3)))
    summary = Summary(
        workers=6, assigned=5, unassigned=1,
        unassigned_by_reason={"quarantine_past_window": 1}, trips_by_mode={"bus": 2},
        total_cost=15373.6, total_km=1624.8, lower_bound_cost=15000.0, gap_pct=2.49,
        solve_seconds=0.125, tables={"departures_by_day": table})
    return Plan(
        plan_id="minimal", request_sha256="0" * 64, seed=0, status=PlanStatus.OPTIMAL,
        trips=trips,
        convoys=tuple(Convoy(id=f"C-{t.id}", hub="XH", area="东莞" if "DG1" in t.stops[1].place
                             else "长沙", trips=(t.id,), leader=t.escort) for t in trips),
        unassigned=(Unassigned(worker="W6", reason=Reason.QUARANTINE_PAST_WINDOW,
                               detail="quarantine ends after the window"),),
        summary=summary)


RAIL = {
    "hubs": [{"id": "XHW", "name": "新晃西站", "kind": "rail_station", "lat": 27.37,
              "lon": 109.16, "close": "22:00"}],
    "destinations": [
        {"id": "GZ1", "name": "广州服装厂", "city": "广州市", "province": "广东省",
         "lat": 23.13, "lon": 113.26, "rail_station": "GZS", "contact": "黄主管",
         "contact_phone": "13900002222"}],
    "workers": [
        {"id": f"W{n}", "name": name, "gender": "女", "id_number": f"43122719960{n}0{n}777{n}",
         "phone": f"1580000{n}{n}{n}{n}", "township": "晃州镇", "destination": "GZ1",
         "earliest_departure": "2020-02-20", "latest_arrival": "2020-02-22",
         "health": {"status": "cleared"}} for n, name in ((7, "郑九"), (8, "冯十"))],
    "staff": [
        {"id": f"{role[0].upper()}{n}", "name": f"{name}", "roles": [role],
         "phone": f"1330000{n}{n}{n}{n}", "available_from": "2020-02-19",
         "available_until": "2020-03-31"}
        for n, (role, name) in enumerate((("escort", "蒋干部"), ("medic", "沈医生"),
                                          ("escort", "韩干部"), ("medic", "杨护士")), start=3)],
    "rail_services": [
        {"id": "G1234", "hub": "XHW", "departure": "2020-02-21T14:30", "carriages": 8,
         "cost_per_carriage": 6000, "stops": [
             {"id": "GZS", "name": "广州南站", "lat": 22.99, "lon": 113.27,
              "arrival": "2020-02-21T20:00"},
             {"id": "DGS", "name": "东莞站", "lat": 23.05, "lon": 113.75,
              "arrival": "2020-02-21T20:40"}]}],
}


@pytest.fixture(scope="session")
def rail_request() -> PlanRequest:
    """The minimal request with a rail station, a service G1234 calling at 广州南站 and
    东莞站, an employer in 广州 with a mobile contact, two more workers and staff."""
    data = json.loads(MINIMAL.read_text(encoding="utf-8"))
    for key, items in RAIL.items():
        data[key] = data.get(key, []) + items
    for dest in data["destinations"]:
        if dest["id"] == "DG1":
            dest["rail_station"] = "DGS"
    return parse_request(json.dumps(data, ensure_ascii=False))


def _carriage(number: int, to_gz: tuple[str, ...], to_dg: tuple[str, ...],
              staff: tuple[str, str]) -> Trip:
    riders = to_gz + to_dg
    return Trip(
        id=f"G1234-{number:02d}", mode="rail", vehicle_type="G1234", hub="XHW",
        carriage=number, departure=_at(21, 14, 30), arrival=_at(21, 20, 40),
        back_at_hub=_at(22, 2, 50),
        stops=(Stop(kind="pickup", place="XHW", eta=_at(21, 14, 30), workers=riders),
               Stop(kind="dropoff", place="GZS", eta=_at(21, 20), workers=to_gz),
               Stop(kind="dropoff", place="DGS", eta=_at(21, 20, 40), workers=to_dg)),
        passengers=riders, captain=riders[0], deputy_captain=riders[1], escort=staff[0],
        medic=staff[1], convoy="XHW-0221-G1234", drivers=0, distance_km=612.3, cost=6000.0)


@pytest.fixture(scope="session")
def rail_plan() -> Plan:
    """A plan for the rail request: a bus to 长沙, a feeder from the bus station to
    新晃西站, and carriages 1 and 2 of G1234 (W7 and W8 alight at 广州南站, the rest
    at 东莞站)."""
    riders = ("W1", "W2", "W3", "W7", "W8")
    feeder = Trip(
        id="XH-0221-002", mode="bus", vehicle_type="C45", hub="XH", departure=_at(21, 11),
        arrival=_at(21, 11, 40), back_at_hub=_at(21, 12, 20),
        stops=(Stop(kind="pickup", place="XH", eta=_at(21, 11), workers=riders),
               Stop(kind="dropoff", place="XHW", eta=_at(21, 11, 40), workers=riders)),
        passengers=riders, captain="W1", deputy_captain="W2", escort="E5", medic="M6",
        convoy=None, distance_km=6.2, cost=2043.4, feeder=True)
    trips = (_trip("XH-0221-001", "CS", ("W4", "W5"), 21, 8, ("E1", "M1")), feeder,
             _carriage(1, ("W7",), ("W1", "W2"), ("E2", "M2")),
             _carriage(2, ("W8",), ("W3",), ("E3", "M4")))
    train = TrainUse(service="G1234", hub="XHW", departure=_at(21, 14, 30), carriages_used=2,
                     carriages=8, riders=5, cost=12000.0)
    summary = Summary(
        workers=8, assigned=7, unassigned=1,
        unassigned_by_reason={"quarantine_past_window": 1},
        trips_by_mode={"bus": 2, "rail": 2}, total_cost=sum(t.cost for t in trips),
        total_km=sum(t.distance_km for t in trips), lower_bound_cost=17000.0, gap_pct=9.4,
        solve_seconds=0.25, tables={}, trains=(train,))
    return Plan(
        plan_id="minimal-rail", request_sha256="0" * 64, seed=0, status=PlanStatus.OPTIMAL,
        trips=trips,
        convoys=(Convoy(id="C-XH-0221-001", hub="XH", area="长沙", trips=("XH-0221-001",),
                        leader="E1"),
                 Convoy(id="XHW-0221-G1234", hub="XHW", area="广州南站、东莞站",
                        trips=("G1234-01", "G1234-02"), leader="E2")),
        unassigned=(Unassigned(worker="W6", reason=Reason.QUARANTINE_PAST_WINDOW,
                               detail="quarantine ends after the window"),),
        summary=summary)
