"""Report tables as CSV: the daily tables of the plan's summary, its trains (专列及包车厢
汇总, when the plan uses any) and the unassigned list."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from os import PathLike
from pathlib import Path
from zoneinfo import ZoneInfo

from charterplan.io._files import csv_text, file_name, money
from charterplan.io.trains import trains_table
from charterplan.model import (
    HealthStatus,
    Plan,
    PlanRequest,
    Reason,
    ReportTable,
    Unassigned,
    Worker,
)

__all__ = ["REASON_LABELS", "UNASSIGNED_COLUMNS", "explain", "reason_counts", "table_csv",
           "unassigned_csv", "unassigned_rows", "write_reports"]

REASON_LABELS: dict[Reason, str] = {
    Reason.HEALTH_NOT_CLEARED: "健康状况未通过",
    Reason.QUARANTINE_PAST_WINDOW: "隔离期晚于出行时间",
    Reason.WINDOW_INFEASIBLE: "出行时间内无法到达",
    Reason.NO_VEHICLE_CAPACITY: "车辆或发车班次不足",
    Reason.BELOW_MIN_PASSENGERS: "同行人数不足发车",
    Reason.NO_STAFF: "跟车干部或医务人员不足",
    Reason.GROUP_SPLIT_REFUSED: "同组人员无法同车",
}
"""The Chinese label of each reason code, as the unassigned list prints it."""


def reason_counts(counts: Mapping[str, int]) -> str:
    """``unassigned_by_reason`` for a person at a terminal: each code with its Chinese
    label and count (``健康状况未通过 health_not_cleared 101, …``)."""
    labels = {r.value: label for r, label in REASON_LABELS.items()}
    return ", ".join(f"{labels.get(k, k)} {k} {v}" for k, v in counts.items())


UNASSIGNED_COLUMNS = ("工人编号", "姓名", "乡镇", "目的地", "原因", "说明", "reason", "detail")
"""The unassigned list's columns: Chinese for people, then the reason code and the
planner's detail (English) for machines."""

_HEALTH = {HealthStatus.SYMPTOMATIC: "有症状，暂不能出行",
           HealthStatus.UNVERIFIED: "健康状况未核验"}
_MEMBER = re.compile(r"member (\S+) cannot travel: (\w+)")


def _day(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else "未填"


def explain(u: Unassigned, workers: dict[str, Worker], zone: ZoneInfo) -> str:
    """Why a worker is left out, in Chinese, from the reason and the worker's own data
    (the planner's ``detail`` is English, for machines and engineers)."""
    w = workers.get(u.worker)
    if w is None:
        return REASON_LABELS.get(u.reason, u.reason.value)
    health, latest = w.health, _day(w.latest_arrival, zone)
    match u.reason:
        case Reason.HEALTH_NOT_CLEARED if health.status in _HEALTH:
            return _HEALTH[health.status]
        case Reason.HEALTH_NOT_CLEARED if health.status == HealthStatus.QUARANTINE and (
                health.quarantine_until is None):
            return "隔离中，未定解除日期"
        case Reason.HEALTH_NOT_CLEARED:
            return (f"健康证明有效期至{_day(health.certificate_valid_until, zone)}，"
                    f"最早出发{_day(w.earliest_departure, zone)}前后无可乘班次")
        case Reason.QUARANTINE_PAST_WINDOW:
            return (f"隔离期至{_day(health.quarantine_until, zone)}，"
                    f"解除后无法在{latest}前到岗")
        case Reason.WINDOW_INFEASIBLE:
            return (f"最早出发{_day(w.earliest_departure, zone)}至最迟到岗{latest}之间，"
                    "没有能按时到达的班次")
        case Reason.GROUP_SPLIT_REFUSED:
            found = _MEMBER.search(u.detail)
            if found is None:
                return f"同行组{w.group or ''}无法同车出行，同组不拆分"
            member = workers.get(found[1])
            who = member.name if member else found[1]
            code = next((r for r in Reason if r.value == found[2]), None)
            why = REASON_LABELS.get(code, found[2]) if code else found[2]
            return f"同行组{w.group or ''}中{who}不能出行（{why}），同组不拆分，全组未安排"
        case Reason.NO_VEHICLE_CAPACITY:
            return "可出发的日期内车辆或发车班次已满"
        case Reason.BELOW_MIN_PASSENGERS:
            return "同方向同行人数不足最少发车人数"
        case Reason.NO_STAFF:
            return "可出发的日期内没有空闲的跟车干部和医务人员"
    return REASON_LABELS.get(u.reason, u.reason.value)


def table_csv(table: ReportTable) -> str:
    """A report table as CSV text: one header row, then the rows, money to 2 decimals.

    The title is the workbook sheet's (``plan.xlsx``) and the README's, not a line here,
    so that a CSV reader finds the header on the first line.
    """
    return csv_text([table.columns, *[[money(v) if isinstance(v, float) else v for v in row]
                                      for row in table.rows]])


def unassigned_rows(request: PlanRequest, plan: Plan) -> list[tuple[str, ...]]:
    """Workers left out, one row each (columns: ``UNASSIGNED_COLUMNS``)."""
    workers = {w.id: w for w in request.workers}
    places = {d.id: d.name for d in request.destinations}
    zone = ZoneInfo(request.timezone)
    rows: list[tuple[str, ...]] = []
    for u in plan.unassigned:
        w = workers.get(u.worker)
        rows.append((u.worker, w.name if w else "", w.township if w else "",
                     places.get(w.destination, w.destination) if w else "",
                     REASON_LABELS.get(u.reason, u.reason.value), explain(u, workers, zone),
                     u.reason.value, u.detail))
    return rows


def unassigned_csv(request: PlanRequest, plan: Plan) -> str:
    """Workers left out: id, name, township, destination, reason and why in Chinese,
    then the reason code and the planner's detail."""
    return csv_text([UNASSIGNED_COLUMNS, *unassigned_rows(request, plan)])


def write_reports(request: PlanRequest, plan: Plan, folder: str | PathLike[str]) -> list[Path]:
    """Write ``reports/<table-name>.csv`` for each summary table, ``reports/trains.csv``
    when the plan uses a rail service, and ``unassigned.csv``.

    Returns the paths written.
    """
    root = Path(folder)
    (root / "reports").mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, table in plan.summary.tables.items():
        path = root / "reports" / f"{file_name(name)}.csv"
        path.write_text(table_csv(table), encoding="utf-8", newline="")
        written.append(path)
    trains = trains_table(request, plan)
    if trains.rows:
        path = root / "reports" / "trains.csv"
        while path in written:  # a summary table of that name
            path = path.with_name(f"{path.stem}_.csv")
        path.write_text(table_csv(trains), encoding="utf-8", newline="")
        written.append(path)
    path = root / "unassigned.csv"
    path.write_text(unassigned_csv(request, plan), encoding="utf-8", newline="")
    return [*written, path]
