"""What the ledger tells: status counts, a worker's story, close contacts, the
三天一通报 report. Read-only; each in one transaction, so a view is consistent."""

from __future__ import annotations

import json
import os
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from charterplan.campaign import ledger as L
from charterplan.campaign.commands import county_of
from charterplan.campaign.errors import CampaignError
from charterplan.io.masking import mask_id_number, mask_phone
from charterplan.model import Trip

__all__ = ["REPORT_COLUMNS", "report", "status", "trace", "worker_story"]


def status(db: str | os.PathLike[str]) -> dict[str, Any]:
    """Counts of workers by state, overall and per township."""
    with L.transaction(db) as connection:
        rows = list(connection.execute(select(L.workers.c.state, L.workers.c.township)))
        versions = connection.execute(select(L.plan_versions.c.version)).scalars().all()
        trips = Counter(r.status for r in connection.execute(select(L.trips.c.status)))
    by_town: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        by_town[row.township][row.state] += 1
    return {"workers": len(rows), "by_state": dict(sorted(Counter(r.state for r in rows).items())),
            "by_township": {t: dict(sorted(c.items())) for t, c in sorted(by_town.items())},
            "plan_versions": len(versions), "trips_by_status": dict(sorted(trips.items()))}


def worker_story(db: str | os.PathLike[str], worker: str) -> dict[str, Any]:
    """A worker's whole history: record (masked), state, events, the trip of every plan
    version, boardings and arrivals."""
    with L.transaction(db) as connection:
        row = connection.execute(select(L.workers).where(L.workers.c.id == worker)).first()
        if row is None:
            raise CampaignError(f"no worker {worker!r} in the ledger")
        events = list(connection.execute(select(L.worker_events).where(
            L.worker_events.c.worker_id == worker).order_by(L.worker_events.c.seq)))
        plans = list(connection.execute(select(
            L.plan_versions.c.version, L.plan_versions.c.day, L.assignments.c.trip_id)
            .join(L.assignments, (L.assignments.c.version == L.plan_versions.c.version)
                  & (L.assignments.c.worker_id == worker), isouter=True)
            .order_by(L.plan_versions.c.version)))
        boardings = list(connection.execute(select(L.boardings).where(
            L.boardings.c.worker_id == worker)))
        arrived = {r.trip_id: r.recorded_at for r in connection.execute(select(L.arrivals))}
    record = json.loads(row.record)
    record["id_number"] = mask_id_number(record.get("id_number")) or None
    record["phone"] = mask_phone(record.get("phone")) or None
    return {
        "worker": worker, "state": row.state, "trip": row.trip_id, "reason": row.reason,
        "record": record,
        "events": [{"day": e.day, "kind": e.kind, "source": e.source, "row": e.row,
                    "before": _masked(e.before), "after": _masked(e.after)} for e in events],
        "plans": [{"version": p.version, "day": p.day, "trip": p.trip_id} for p in plans],
        "boardings": [{"trip": b.trip_id, "present": bool(b.present),
                       "arrived": b.trip_id in arrived} for b in boardings],
    }


def _masked(text: str | None) -> Any:
    if text is None:
        return None
    value = json.loads(text)
    if isinstance(value, dict):
        for key, mask in (("id_number", mask_id_number), ("phone", mask_phone)):
            if value.get(key):
                value[key] = mask(value[key])
    return value


TRACE_COLUMNS = ("trip", "date", "role", "id", "name", "phone", "boarded")


def trace(db: str | os.PathLike[str], worker: str) -> list[tuple[str, ...]]:
    """Everyone who shared a vehicle with ``worker`` (a worker or staff id): riders,
    captain and deputy, escort, medic and drivers, on every trip the worker boarded or
    is booked on, feeders and rail carriages included. Phones are masked."""
    with L.transaction(db) as connection:
        county = county_of(connection)
        records = {r.id: json.loads(r.record) for r in connection.execute(select(L.workers))}
        trips = [(r, Trip.model_validate_json(r.body)) for r in connection.execute(
            select(L.trips).where(L.trips.c.published.is_(True)))]
        boarded: dict[str, dict[str, bool]] = defaultdict(dict)
        for b in connection.execute(select(L.boardings)):
            boarded[b.trip_id][b.worker_id] = bool(b.present)
        drivers: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
        for d in connection.execute(select(L.trip_drivers).order_by(
                L.trip_drivers.c.trip_id, L.trip_drivers.c.seat)):
            drivers[d.trip_id].append((d.name, d.phone))
    staff = {s["id"]: s for s in county.get("staff", [])}
    if worker not in records and worker not in staff:
        raise CampaignError(f"no worker or staff member {worker!r} in the ledger")
    rows: list[tuple[str, ...]] = []
    for _row, trip in sorted(trips, key=lambda rt: (rt[1].departure, rt[1].id)):
        seen = boarded.get(trip.id)
        aboard = [w for w in trip.passengers if seen is None or seen.get(w)]
        if worker not in aboard and worker not in (trip.escort, trip.medic):
            continue
        day = trip.departure.date().isoformat()
        flag = "listed" if seen is None else "yes"
        for rider in aboard:
            if rider == worker:
                continue
            role = ("captain" if rider == trip.captain else "deputy_captain"
                    if rider == trip.deputy_captain else "rider")
            record = records.get(rider, {})
            rows.append((trip.id, day, role, rider, record.get("name", ""),
                         mask_phone(record.get("phone")), flag))
        for role, person in (("escort", trip.escort), ("medic", trip.medic)):
            if person != worker:
                info = staff.get(person, {})
                rows.append((trip.id, day, role, person, info.get("name", ""),
                             mask_phone(info.get("phone")), flag))
        # named at boarding (campaign board --driver); before that, the plan's count
        named = drivers.get(trip.id, [])
        for k in range(1, max(trip.drivers, len(named)) + 1):
            name, phone = named[k - 1] if k <= len(named) else ("(not named yet)", None)
            rows.append((trip.id, day, "driver", f"{trip.id}/driver{k}", name,
                         mask_phone(phone), flag))
    return rows


REPORT_COLUMNS = ("乡镇", "登记人数", "已出发", "已到岗", "待出行合计", "其中已排车",
                  "其中已发布车次", "其中健康原因", "其中未到（no_show）", "其中运力不足",
                  "其中时间窗不可行", "其中其他原因", "已取消", "贫困户", "贫困户已出发")


def report(db: str | os.PathLike[str], day: date,
           out: str | os.PathLike[str] | None = None) -> tuple[list[tuple[Any, ...]], list[Path]]:
    """The 三天一通报 table per township as recorded up to the end of ``day``:
    registered, departed, arrived, pending by reason, cancelled, poor households.
    With ``out``, also ``report-<day>.csv`` and ``.xlsx`` there."""
    last = day.isoformat()
    with L.transaction(db) as connection:
        workers = list(connection.execute(select(L.workers)))
        events = list(connection.execute(select(L.worker_events).where(
            L.worker_events.c.day <= last).order_by(L.worker_events.c.seq)))
        version = connection.execute(select(L.plan_versions.c.plan).where(
            L.plan_versions.c.day <= last).order_by(L.plan_versions.c.version.desc())
            .limit(1)).scalar_one_or_none()
    reason_of: dict[str, str] = {}
    planned: set[str] = set()
    if version is not None:
        plan = json.loads(version)
        reason_of = {u["worker"]: u["reason"] for u in plan["unassigned"]}
        planned = {w for t in plan["trips"] for w in t["passengers"]}
    state: dict[str, str] = {}
    moves = {"registered": "pending", "registered again": "pending", "cancelled": "cancelled",
             "booked": "booked", "boarded": "departed", "no_show": "no_show",
             "arrived": "arrived", "free seat taken": "booked"}
    for event in events:
        now = state.get(event.worker_id, "pending")
        if event.kind in moves:
            state[event.worker_id] = moves[event.kind]
        elif event.kind in ("seat freed", "trip cancelled") and now == "booked":
            state[event.worker_id] = "pending"  # a cancelled worker stays cancelled
    towns: dict[str, Counter[str]] = defaultdict(Counter)
    for row in workers:
        if row.id not in state:
            continue  # registered after the day reported
        s, count = state[row.id], towns[row.township]
        count["registered"] += 1
        count["poor"] += bool(row.poverty)
        if s == "cancelled":
            count["cancelled"] += 1
            continue
        if s in ("departed", "arrived"):
            count["departed"] += 1
            count["poor departed"] += bool(row.poverty)
            count["arrived"] += s == "arrived"
            continue
        count["pending"] += 1
        reason = reason_of.get(row.id)
        key = ("booked" if s == "booked" else "no_show" if s == "no_show"
               else "planned" if row.id in planned and reason is None
               else "health" if reason in ("health_not_cleared", "quarantine_past_window")
               else "capacity" if reason in ("no_vehicle_capacity", "no_staff")
               else "window" if reason == "window_infeasible" else "other")
        count[key] += 1
    keys = ("registered", "departed", "arrived", "pending", "planned", "booked", "health",
            "no_show", "capacity", "window", "other", "cancelled", "poor", "poor departed")
    table: list[tuple[Any, ...]] = [(town, *(towns[town][k] for k in keys))
                                    for town in sorted(towns)]
    table.append(("合计", *(sum(towns[t][k] for t in towns) for k in keys)))
    written: list[Path] = []
    if out is not None:
        written = _write_report(Path(out), day, table)
    return table, written


def _write_report(folder: Path, day: date, table: list[tuple[Any, ...]]) -> list[Path]:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from charterplan.io._files import csv_text
    from charterplan.io.office.workbook import save

    folder.mkdir(parents=True, exist_ok=True)
    title = f"农民工返岗情况通报（截至 {day.isoformat()}）"
    csv_path = folder / f"report-{day.isoformat()}.csv"
    partial = csv_path.with_name("." + csv_path.name + ".partial")
    partial.write_text(csv_text([REPORT_COLUMNS, *table]), encoding="utf-8", newline="")
    partial.replace(csv_path)
    book = Workbook()
    sheet = book.create_sheet("通报")
    book.remove(book.worksheets[0])
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(list(REPORT_COLUMNS))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in table:
        sheet.append(list(row))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "B3"
    sheet.column_dimensions["A"].width = 14
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.print_title_rows = "1:2"
    xlsx_path = folder / f"report-{day.isoformat()}.xlsx"
    partial = xlsx_path.with_name("." + xlsx_path.name + ".partial")
    save(book, partial)  # the same report gives the same bytes
    partial.replace(xlsx_path)
    return [csv_path, xlsx_path]
