"""Report tables as CSV: the daily tables of the plan's summary, its trains (专列及包车厢
汇总, when the plan uses any) and the unassigned list."""

from __future__ import annotations

from os import PathLike
from pathlib import Path

from charterplan.io._files import csv_text, file_name
from charterplan.io.trains import trains_table
from charterplan.model import Plan, PlanRequest, Reason, ReportTable

__all__ = ["REASON_LABELS", "table_csv", "unassigned_csv", "write_reports"]

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

UNASSIGNED_COLUMNS = ("工人编号", "姓名", "乡镇", "目的地", "原因代码", "原因", "说明")


def table_csv(table: ReportTable) -> str:
    """A report table as CSV text: its title on the first line, then columns and rows."""
    return csv_text([(table.title,), table.columns, *table.rows])


def unassigned_csv(request: PlanRequest, plan: Plan) -> str:
    """Workers left out: id, name, township, destination, reason code and label, detail."""
    workers = {w.id: w for w in request.workers}
    places = {d.id: d.name for d in request.destinations}
    rows: list[tuple[str, ...]] = [UNASSIGNED_COLUMNS]
    for u in plan.unassigned:
        w = workers.get(u.worker)
        rows.append((u.worker, w.name if w else "", w.township if w else "",
                     places.get(w.destination, w.destination) if w else "",
                     u.reason.value, REASON_LABELS.get(u.reason, u.reason.value), u.detail))
    return csv_text(rows)


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
