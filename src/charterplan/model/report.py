"""The county's daily report tables of a plan, from the request and the plan's trips:
the planner's summary and the campaign (for published and new trips together) both
make them here."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from charterplan.model.plan import ReportTable, Trip, Unassigned
from charterplan.model.request import PlanRequest

__all__ = ["report_tables"]


def report_tables(request: PlanRequest, trips: Sequence[Trip],
                  unassigned: Sequence[Unassigned]) -> dict[str, ReportTable]:
    """The county's daily tables: 附件2 demand by township, 附件4 destinations by
    township, and departures by day (buses, feeders among them, rail carriages; riders
    counted once, a rail rider on the train's day; cost of every vehicle)."""
    dest = {d.id: d for d in request.destinations}
    riding = {w for t in trips if not t.feeder for w in t.passengers}
    left = {u.worker for u in unassigned}
    health = {u.worker for u in unassigned if u.reason.value in (
        "health_not_cleared", "quarantine_past_window")}
    townships = sorted({w.township for w in request.workers})
    counts: dict[str, list[int]] = {t: [0, 0, 0, 0, 0] for t in townships}
    for w in request.workers:
        row = counts[w.township]
        for k, flag in enumerate((True, w.poverty_registered, w.id in riding,
                                  w.id in left, w.id in health)):
            row[k] += int(flag)
    demand = [(town, *counts[town]) for town in townships]
    flows: Counter[tuple[str, str, str, bool]] = Counter()
    for w in request.workers:
        d = dest[w.destination]
        flows[d.province, d.city, w.township, w.id in riding] += 1
    places = sorted({(p, c) for p, c, _, _ in flows})
    columns = ["务工省份", "务工城市"] + [f"{t} {s}" for t in townships
                                          for s in ("已安排", "待安排")]
    by_place = [(p, c, *(flows[p, c, t, r] for t in townships for r in (True, False)))
                for p, c in places]
    days: dict[str, list[Trip]] = defaultdict(list)
    for trip in trips:
        days[trip.departure.date().isoformat()].append(trip)
    poor = {w.id for w in request.workers if w.poverty_registered}
    # A rail rider is counted once, on the day of the train; a feeder adds buses and cost.
    by_day = [(day, sum(t.mode == "bus" for t in ts), sum(t.feeder for t in ts),
               sum(t.mode == "rail" for t in ts),
               sum(len(t.passengers) for t in ts if not t.feeder),
               sum(len(t.passengers) for t in ts if t.mode == "rail"),
               sum(p in poor for t in ts if not t.feeder for p in t.passengers),
               round(sum(t.cost for t in ts), 2)) for day, ts in sorted(days.items())]
    return {
        "demand_by_township": ReportTable(
            title="农民工返岗需求汇总表（附件2）",
            columns=("乡镇", "计划返岗总数", "贫困户返岗人数", "安排统一乘车", "未能安排",
                     "其中健康原因"),
            rows=tuple(demand)),
        "destinations_by_township": ReportTable(
            title="农民工返岗去向汇总表（附件4）", columns=tuple(columns), rows=tuple(by_place)),
        "departures_by_day": ReportTable(
            title="每日发车汇总",
            columns=("日期", "汽车车次", "其中接驳车", "火车车厢", "人数", "其中乘火车",
                     "贫困户人数", "费用（元）"),
            rows=tuple(by_day)),
    }
