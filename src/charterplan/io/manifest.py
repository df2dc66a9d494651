"""Manifests (乘车名单): one CSV per trip and one printable HTML page for all trips.

A bus's manifest has its route and passengers; a rail carriage's (``G1234次 3号车厢``)
also says where each employer meets its workers, the last leg being the employer's
(用工单位到站接站); a feeder bus's (接驳车) names the train and carriage each rider
changes to and the boarding cut-off. Every text here masks ID numbers and phones
(:mod:`charterplan.io.masking`). CSV files are UTF-8 with a byte-order mark, so that a
county office's spreadsheet opens them with the right characters. The HTML page has no
script and no external asset; every text in it is escaped.
"""

from __future__ import annotations

from html import escape
from os import PathLike
from pathlib import Path

from charterplan.io._files import csv_text, file_name
from charterplan.io._html import head_table, page, table
from charterplan.io._roster import PASSENGER_COLUMNS, Roster
from charterplan.model import Plan, PlanRequest, Trip

__all__ = ["PASSENGER_COLUMNS", "manifest_csv", "manifests_html", "write_manifests"]


def _csv(roster: Roster, trip: Trip) -> str:
    rows: list[tuple[str, ...]] = [(roster.title(trip),), *roster.header(trip)]
    for heading, columns, body in roster.tables(trip):
        rows += [(), (heading,), columns, *body]
    return csv_text(rows)


def manifest_csv(request: PlanRequest, trip: Trip, plan: Plan | None = None) -> str:
    """One trip's manifest as CSV text: title, header block, route with ETAs, then (a
    feeder) the trains its riders change to or (a carriage) the handover to each
    employer, then one row per passenger.

    ``plan`` links a feeder to its riders' carriages; without it they are not named.
    """
    return _csv(Roster(request, plan.trips if plan else ()), trip)


def _section(roster: Roster, trip: Trip) -> str:
    tables = "".join(f"<h2>{escape(heading)}</h2>{table(columns, body)}"
                     for heading, columns, body in roster.tables(trip))
    return (f"<section><h1>{escape(roster.title(trip))}</h1>{head_table(roster.header(trip))}"
            f"{tables}<p class='sign'>跟车干部签字：__________　医务人员签字：__________　"
            "车长签字：__________</p></section>")


def manifests_html(request: PlanRequest, plan: Plan) -> str:
    """A printable page: one section per trip, a page break between trips."""
    roster = Roster(request, plan.trips)
    return page(f"乘车名单 {plan.plan_id}", [_section(roster, trip) for trip in plan.trips],
                "本计划没有车次。")


def write_manifests(request: PlanRequest, plan: Plan, folder: str | PathLike[str]) -> list[Path]:
    """Write ``manifests/<trip-id>.csv`` for every trip and ``manifests.html`` into ``folder``.

    Trip ids are made safe as file names. Returns the paths written.
    """
    roster, root = Roster(request, plan.trips), Path(folder)
    (root / "manifests").mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for trip in plan.trips:
        path = root / "manifests" / f"{file_name(trip.id)}.csv"
        while path in written:  # two ids that differ only in unsafe characters
            path = path.with_name(f"{path.stem}_.csv")
        path.write_text(_csv(roster, trip), encoding="utf-8", newline="")
        written.append(path)
    path = root / "manifests.html"
    path.write_text(manifests_html(request, plan), encoding="utf-8", newline="")
    return [*written, path]
