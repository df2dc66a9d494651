"""Train manifests (专列 / 包车厢名单): one per rail service the plan uses.

Each lists the train's carriages with their escort and medic, captain and deputy
(names and masked phones) and rider counts, the stops with how many alight from which
carriage, and where each employer meets its workers, the last leg being the
employer's (用工单位到站接站). Written as ``trains/<service>.csv`` and one printable
page ``trains.html`` that opens with the plan's rail summary (``summary.trains``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape
from os import PathLike
from pathlib import Path

from charterplan.io._files import csv_text, file_name
from charterplan.io._html import head_table, page, table
from charterplan.io._roster import (
    EMPLOYER_LEG,
    HANDOVER_COLUMNS,
    LAST_LEG,
    Roster,
    Table,
    carriage_name,
    train_name,
)
from charterplan.model import Plan, PlanRequest, ReportTable, TrainUse, Trip

__all__ = ["CARRIAGE_COLUMNS", "STOP_COLUMNS", "train_csv", "train_uses", "trains_html",
           "trains_table", "write_trains"]

CARRIAGE_COLUMNS = ("车厢", "编号", "人数", "跟车干部", "医务人员", "车长", "副车长", "下车站")
STOP_COLUMNS = ("站序", "车站", "时间", "上下车", "人数", "车厢")


def _carriages(request: PlanRequest, plan: Plan) -> dict[str, list[Trip]]:
    """Rail trips by service (the request's order), each service's in carriage order."""
    by_service: dict[str, list[Trip]] = {s.id: [] for s in request.rail_services}
    for trip in plan.trips:
        if trip.mode == "rail":
            by_service.setdefault(trip.vehicle_type, []).append(trip)
    return {s: sorted(ts, key=lambda t: (t.carriage or 0, t.id))
            for s, ts in by_service.items() if ts}


def train_uses(request: PlanRequest, plan: Plan) -> list[TrainUse]:
    """What the plan uses of each rail service: ``summary.trains``, and for a service
    with carriages in the plan but not there, the figures counted from its trips."""
    given = {t.service: t for t in plan.summary.trains}
    services = {s.id: s for s in request.rail_services}
    uses = list(plan.summary.trains)
    for service_id, trips in _carriages(request, plan).items():
        if service_id not in given:
            known = services.get(service_id)
            uses.append(TrainUse.of(service_id, trips[0].hub,
                                    known.carriages if known else len(trips), trips))
    return uses


def trains_table(request: PlanRequest, plan: Plan) -> ReportTable:
    """The plan's trains as a report table (专列及包车厢汇总), one row per service."""
    roster = Roster(request)
    return ReportTable(
        title="专列及包车厢汇总",
        columns=("车次", "发车站", "开车时间", "使用车厢", "车厢总数", "乘客人数", "费用（元）"),
        rows=tuple((train_name(u.service), roster.place(u.hub), roster.when(u.departure),
                    u.carriages_used, u.carriages, u.riders, u.cost)
                   for u in train_uses(request, plan)))


class _Train:
    """One service's manifest: title, header block and tables."""

    def __init__(self, roster: Roster, plan: Plan, use: TrainUse, trips: Sequence[Trip]) -> None:
        self.roster, self.use, self.trips = roster, use, trips
        self.convoy = next((c for c in plan.convoys if c.id == trips[0].convoy), None)

    def title(self) -> str:
        whole = self.use.carriages_used >= self.use.carriages
        return f"{'专列' if whole else '包车厢'}名单 {train_name(self.use.service)}"

    def header(self) -> list[tuple[str, str]]:
        r, use = self.roster, self.use
        leader = self.convoy.leader if self.convoy else self.trips[0].escort
        return [
            ("车次", train_name(use.service)), ("发车站", r.place(use.hub)),
            ("开车时间", r.when(use.departure)), ("编组", self.trips[0].convoy or ""),
            ("带队干部", r.staff_text(leader)),
            ("使用车厢", f"{use.carriages_used}节（共{use.carriages}节）"),
            ("乘客人数", str(use.riders)), ("费用（元）", f"{use.cost:.2f}"),
            ("最后一程", LAST_LEG),
        ]

    def _carriage(self, trip: Trip) -> tuple[str, ...]:
        r = self.roster
        drops = "、".join(f"{r.place(s.place)} {len(s.workers)}人"
                         for s in trip.stops if s.kind == "dropoff")
        return (carriage_name(trip), trip.id, str(len(trip.passengers)),
                r.staff_text(trip.escort), r.staff_text(trip.medic),
                r.worker_text(trip.captain), r.worker_text(trip.deputy_captain), drops)

    def _stops(self) -> list[tuple[str, ...]]:
        r, use = self.roster, self.use
        service = r.services.get(use.service)
        calls = [(s.id, s.arrival) for s in service.stops] if service else []
        etas: dict[str, datetime] = {}
        riders: dict[str, list[str]] = {}
        for trip in self.trips:
            for stop in trip.stops:
                if stop.kind == "dropoff" and stop.workers:
                    etas.setdefault(stop.place, stop.eta)
                    riders.setdefault(stop.place, []).extend(
                        [str(trip.carriage)] * len(stop.workers))
        called = {place for place, _ in calls}  # a plan's stop the service lacks: add it
        calls += sorted(((p, t) for p, t in etas.items() if p not in called), key=lambda c: c[1])
        all_cars = "、".join(str(t.carriage) for t in self.trips)
        rows: list[tuple[str, ...]] = [("1", r.place(use.hub), r.when(use.departure), "上车",
                 str(sum(len(t.passengers) for t in self.trips)), all_cars)]
        for n, (place, arrival) in enumerate(calls, start=2):
            cars = riders.get(place, [])
            rows.append((str(n), r.place(place), r.when(etas.get(place, arrival)), "下车",
                         str(len(cars)), "、".join(dict.fromkeys(cars))))
        return rows

    def tables(self) -> list[Table]:
        return [
            ("车厢", CARRIAGE_COLUMNS, [self._carriage(t) for t in self.trips]),
            ("停靠站", STOP_COLUMNS, self._stops()),
            (f"到站接站（{EMPLOYER_LEG}）", (*HANDOVER_COLUMNS, "车厢"),
             self.roster.handover(self.trips, with_carriages=True)),
        ]

    def csv(self) -> str:
        rows: list[tuple[str, ...]] = [(self.title(),), *self.header()]
        for heading, columns, body in self.tables():
            rows += [(), (heading,), columns, *body]
        return csv_text(rows)

    def html(self) -> str:
        tables = "".join(f"<h2>{escape(heading)}</h2>{table(columns, body)}"
                         for heading, columns, body in self.tables())
        return (f"<section><h1>{escape(self.title())}</h1>{head_table(self.header())}"
                f"{tables}<p class='sign'>带队干部签字：__________</p></section>")


def _trains(request: PlanRequest, plan: Plan) -> list[_Train]:
    roster = Roster(request, plan.trips)
    uses = {u.service: u for u in train_uses(request, plan)}
    return [_Train(roster, plan, uses[s], trips)
            for s, trips in _carriages(request, plan).items()]


def train_csv(request: PlanRequest, plan: Plan, service_id: str) -> str:
    """One service's train manifest as CSV text: title, header block, carriages, stops,
    handover to the employers.

    Raises:
        KeyError: the plan has no carriage of ``service_id``.
    """
    for train in _trains(request, plan):
        if train.use.service == service_id:
            return train.csv()
    raise KeyError(f"the plan has no carriage of rail service {service_id!r}")


def trains_html(request: PlanRequest, plan: Plan) -> str:
    """A printable page: the rail summary, then one section per train."""
    summary = trains_table(request, plan)
    overview = (f"<section><h1>{escape(summary.title)}</h1>"
                f"{table(summary.columns, [tuple(map(str, row)) for row in summary.rows])}"
                "</section>")
    sections = [train.html() for train in _trains(request, plan)]
    return page(f"专列及包车厢名单 {plan.plan_id}", [overview, *sections] if sections else [],
                "本计划没有乘火车的车厢。")


def write_trains(request: PlanRequest, plan: Plan, folder: str | PathLike[str]) -> list[Path]:
    """Write ``trains/<service>.csv`` for every rail service used and ``trains.html``
    into ``folder``; nothing when the plan has no rail trip. Returns the paths written."""
    trains = _trains(request, plan)
    if not trains:
        return []
    root = Path(folder)
    (root / "trains").mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for train in trains:
        path = root / "trains" / f"{file_name(train.use.service)}.csv"
        while path in written:  # two ids that differ only in unsafe characters
            path = path.with_name(f"{path.stem}_.csv")
        path.write_text(train.csv(), encoding="utf-8", newline="")
        written.append(path)
    path = root / "trains.html"
    path.write_text(trains_html(request, plan), encoding="utf-8", newline="")
    return [*written, path]
