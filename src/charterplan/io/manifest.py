"""Manifests (乘车名单): one CSV per trip and one printable HTML page for all trips.

Every text here masks ID numbers and phones (:mod:`charterplan.io.masking`). CSV files
are UTF-8 with a byte-order mark, so that a county office's spreadsheet opens them with
the right characters. The HTML page has no script and no external asset; every text in
it is escaped.
"""

from __future__ import annotations

from html import escape
from os import PathLike
from pathlib import Path

from charterplan.io._files import csv_text, file_name
from charterplan.io._roster import PASSENGER_COLUMNS, ROUTE_COLUMNS, Roster
from charterplan.model import Plan, PlanRequest, Trip

__all__ = ["PASSENGER_COLUMNS", "manifest_csv", "manifests_html", "write_manifests"]

_STYLE = (
    "@page{size:A4 landscape;margin:12mm}"
    "body{font-family:'Noto Sans CJK SC','Microsoft YaHei',SimSun,sans-serif;font-size:10pt}"
    "section{break-after:page;page-break-after:always}"
    "section:last-of-type{break-after:auto;page-break-after:auto}"
    "h1{font-size:14pt;margin:0 0 6px}h2{font-size:11pt;margin:10px 0 4px}"
    "table{border-collapse:collapse;width:100%}thead{display:table-header-group}"
    "td,th{border:1px solid #444;padding:2px 4px;text-align:left}th{background:#eee}"
    "table.head{width:auto}p.sign{margin-top:14px}"
)


def _csv(roster: Roster, trip: Trip) -> str:
    return csv_text([
        *roster.header(trip), (), ("路线",), ROUTE_COLUMNS, *roster.route(trip), (),
        PASSENGER_COLUMNS, *roster.passengers(trip),
    ])


def manifest_csv(request: PlanRequest, trip: Trip) -> str:
    """One trip's manifest as CSV text: header block, route with ETAs, one row per passenger."""
    return _csv(Roster(request), trip)


def _table(columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{escape(v)}</td>" for v in row) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _section(roster: Roster, trip: Trip) -> str:
    head = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>"
                   for k, v in roster.header(trip))
    return (f"<section><h1>乘车名单 {escape(trip.id)}</h1><table class='head'>{head}</table>"
            f"<h2>路线</h2>{_table(ROUTE_COLUMNS, roster.route(trip))}"
            f"<h2>乘客</h2>{_table(PASSENGER_COLUMNS, roster.passengers(trip))}"
            "<p class='sign'>跟车干部签字：__________　医务人员签字：__________　"
            "车长签字：__________</p></section>")


def manifests_html(request: PlanRequest, plan: Plan) -> str:
    """A printable page: one section per trip, a page break between trips."""
    roster = Roster(request)
    sections = [_section(roster, trip) for trip in plan.trips] or ["<p>本计划没有车次。</p>"]
    return ("<!doctype html>\n<html lang='zh-CN'><head><meta charset='utf-8'>"
            f"<title>乘车名单 {escape(plan.plan_id)}</title><style>{_STYLE}</style></head>"
            "<body>\n" + "\n".join(sections) + "\n</body></html>\n")


def write_manifests(request: PlanRequest, plan: Plan, folder: str | PathLike[str]) -> list[Path]:
    """Write ``manifests/<trip-id>.csv`` for every trip and ``manifests.html`` into ``folder``.

    Trip ids are made safe as file names. Returns the paths written.
    """
    roster, root = Roster(request), Path(folder)
    (root / "manifests").mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for trip in plan.trips:
        path = root / "manifests" / f"{file_name(trip.id)}.csv"
        while path in written:  # two ids that differ only in unsafe characters
            path = path.with_name(f"{path.stem}_.csv")
        path.write_text(_csv(roster, trip), encoding="utf-8", newline="")
        written.append(path)
    page = root / "manifests.html"
    page.write_text(manifests_html(request, plan), encoding="utf-8", newline="")
    return [*written, page]
