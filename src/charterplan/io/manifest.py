"""What a person reads: per-trip manifests (乘车名单), a printable page, report tables.

Every text here masks ID numbers and phones (:mod:`charterplan.io.masking`). CSV files
are UTF-8 with a byte-order mark, so that a county office's spreadsheet opens them with
the right characters.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Iterable, Sequence
from datetime import datetime

from charterplan.io.masking import mask_id_number, mask_phone
from charterplan.model import Plan, PlanRequest, Reason, ReportTable, Trip

__all__ = ["REASON_LABELS", "manifest_csv", "manifests_html", "table_csv", "unassigned_csv"]

REASON_LABELS = {
    Reason.HEALTH_NOT_CLEARED: "健康状况未通过",
    Reason.QUARANTINE_PAST_WINDOW: "隔离期晚于出行时间",
    Reason.WINDOW_INFEASIBLE: "出行时间内无法到达",
    Reason.NO_VEHICLE_CAPACITY: "车辆或发车班次不足",
    Reason.BELOW_MIN_PASSENGERS: "同行人数不足发车",
    Reason.NO_STAFF: "跟车干部或医务人员不足",
    Reason.GROUP_SPLIT_REFUSED: "同组人员无法同车",
}

PASSENGER_COLUMNS = ("序号", "姓名", "性别", "身份证号", "电话", "乡镇", "村", "上车点",
                     "下车点", "务工单位", "城市", "企业联系人", "预计到达")


def _csv(rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return "\ufeff" + buffer.getvalue()


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


class _Names:
    """Names of places, staff and workers of a request."""

    def __init__(self, request: PlanRequest) -> None:
        self.places: dict[str, str] = {}
        for items in (request.hubs, request.pickup_points, request.destinations):
            for item in items:
                self.places.setdefault(item.id, item.name)
        self.staff = {s.id: s for s in request.staff}
        self.workers = {w.id: w for w in request.workers}
        self.destinations = {d.id: d for d in request.destinations}

    def person(self, staff_id: str) -> str:
        person = self.staff.get(staff_id)
        if person is None:
            return staff_id
        return f"{person.name} {mask_phone(person.phone)}".strip()


def _header(trip: Trip, names: _Names) -> list[tuple[str, str]]:
    route = " → ".join(f"{names.places.get(s.place, s.place)} {s.eta:%m-%d %H:%M}"
                       for s in trip.stops)
    return [
        ("车次", trip.id), ("出发时间", _when(trip.departure)),
        ("发车站", names.places.get(trip.hub, trip.hub)), ("车型", trip.vehicle_type),
        ("编组", trip.convoy or ""), ("跟车干部", names.person(trip.escort)),
        ("医务人员", names.person(trip.medic)),
        ("车长", names.workers[trip.captain].name if trip.captain in names.workers else ""),
        ("副车长", names.workers[trip.deputy_captain].name
         if trip.deputy_captain in names.workers else ""),
        ("路线", route), ("人数", str(len(trip.passengers))),
    ]


def _passenger_rows(trip: Trip, names: _Names) -> list[tuple[object, ...]]:
    boards = {w: s for s in trip.stops if s.kind == "pickup" for w in s.workers}
    alights = {w: s for s in trip.stops if s.kind == "dropoff" for w in s.workers}
    rows: list[tuple[object, ...]] = []
    for n, worker_id in enumerate(trip.passengers, start=1):
        w = names.workers[worker_id]
        dest = names.destinations[w.destination]
        contact = " ".join(filter(None, [dest.contact, mask_phone(dest.contact_phone)]))
        up, down = boards.get(worker_id), alights.get(worker_id)
        rows.append((n, w.name, w.gender or "", mask_id_number(w.id_number),
                     mask_phone(w.phone), w.township, w.village or "",
                     names.places.get(up.place, up.place) if up else "",
                     names.places.get(down.place, down.place) if down else "",
                     dest.name, dest.city, contact, _when(down.eta) if down else ""))
    return rows


def manifest_csv(request: PlanRequest, trip: Trip) -> str:
    """One trip's manifest as CSV text: a header block, then one row per passenger."""
    names = _Names(request)
    return _csv([*_header(trip, names), (), PASSENGER_COLUMNS,
                 *_passenger_rows(trip, names)])


def table_csv(table: ReportTable) -> str:
    """A report table as CSV text, its title on the first line."""
    return _csv([(table.title,), table.columns, *table.rows])


def unassigned_csv(request: PlanRequest, plan: Plan) -> str:
    """Workers left out, with the reason code, its Chinese label and the detail."""
    names = _Names(request)
    rows = [("工人编号", "姓名", "乡镇", "目的地", "原因代码", "原因", "说明")]
    for u in plan.unassigned:
        w = names.workers[u.worker]
        rows.append((u.worker, w.name, w.township, names.places.get(w.destination, ""),
                     u.reason.value, REASON_LABELS[u.reason], u.detail))
    return _csv(rows)


def manifests_html(request: PlanRequest, plan: Plan) -> str:
    """A printable page: one section per trip, a page break between trips."""
    names = _Names(request)
    e = html.escape
    parts = ["<!doctype html><html lang='zh'><head><meta charset='utf-8'>",
             f"<title>乘车名单 {e(plan.plan_id)}</title><style>",
             "body{font-family:sans-serif;font-size:11pt}section{page-break-after:always}",
             "table{border-collapse:collapse;width:100%}td,th{border:1px solid #444;",
             "padding:2px 4px}th{background:#eee}</style></head><body>"]
    for trip in plan.trips:
        parts.append(f"<section><h2>乘车名单 {e(trip.id)}</h2><table>")
        parts += [f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in _header(trip, names)]
        parts.append("</table><p></p><table><tr>")
        parts += [f"<th>{e(c)}</th>" for c in PASSENGER_COLUMNS]
        parts.append("</tr>")
        for row in _passenger_rows(trip, names):
            parts.append("<tr>" + "".join(f"<td>{e(str(v))}</td>" for v in row) + "</tr>")
        parts.append("</table></section>")
    parts.append("</body></html>\n")
    return "".join(parts)
