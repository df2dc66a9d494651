"""A valid request (tests/data/valid/minimal.json) and a plan for it built by hand."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from charterplan.io import read_request
from charterplan.model import (
    Convoy,
    Plan,
    PlanRequest,
    PlanStatus,
    Reason,
    ReportTable,
    Stop,
    Summary,
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
