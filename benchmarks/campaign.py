"""A 21-day campaign on a ledger, simulated: ``python -m benchmarks.campaign``.

Takes a county request (default the sample county, ``data/sample/request.json``; or a
generated one with ``--workers``) and plays it out day by day from its first day:
workers register over the first ten days (one to three days before they can leave),
3 % cancel, 5 % change health status (cleared workers go into quarantine for a few
days, others are cleared), 2 % do not show up at boarding. Each day: ``intake`` the
day's registrations and changes, ``plan`` from that day, ``publish`` up to the end of
the next day, ``board`` and ``arrive`` the trips leaving that day.

Prints a Markdown table of what RESULTS.md records: workers departed, cost per worker
departed against a one-shot plan that knew every final record on day 1, published
trips changed (other than riders leaving or taking free seats), unpublished assignments
moved per day, the day-10 ``campaign plan`` time against a plain ``plan`` of the same
workers, and the ledger's size on disk.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import charterplan.campaign as campaign
from benchmarks.generate import generate_request
from charterplan import parse_request
from charterplan.campaign import ledger
from charterplan.model import Trip
from charterplan.pipeline import plan as plan_request

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample" / "request.json"
DAYS = 21
REGISTRATION_DAYS = 10


def _day_of(text: str) -> date:
    return datetime.fromisoformat(text).date() if "T" in text else date.fromisoformat(text)


def script(request: dict[str, Any], seed: int) -> dict[int, list[dict[str, Any]]]:
    """Each day's intake items: registrations, then cancellations and health changes."""
    rng = random.Random(seed)
    first = min(_day_of(w["earliest_departure"]) for w in request["workers"])
    days: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for record in request["workers"]:
        leaves = (_day_of(record["earliest_departure"]) - first).days
        registers = min(REGISTRATION_DAYS - 1, max(0, leaves - rng.randint(1, 3)))
        days[registers].append(record)
        draw = rng.random()
        later = min(DAYS - 1, registers + rng.randint(1, 3))
        if draw < 0.03:
            days[later].append({"id": record["id"], "status": "cancelled"})
        elif draw < 0.08:
            changed = dict(record)
            if record["health"]["status"] == "cleared":
                until = first + timedelta(days=later + rng.randint(1, 4))
                changed["health"] = {"status": "quarantine", "quarantine_until": str(until)}
            else:
                changed["health"] = {"status": "cleared"}
            days[later].append(changed)
    return days


def final_request(request: dict[str, Any], days: dict[int, list[dict[str, Any]]]
                  ) -> dict[str, Any]:
    """The request a one-shot plan on day 1 would have had, knowing every final record."""
    final: dict[str, dict[str, Any] | None] = {}
    for day in sorted(days):
        for item in days[day]:
            final[item["id"]] = None if item.get("status") == "cancelled" else item
    return {**request, "workers": [w for w in final.values() if w is not None]}


def simulate(request: dict[str, Any], folder: Path, seed: int, keep: bool = True,
             timing_runs: int = 3, stability: float | None = None) -> dict[str, Any]:
    """Play the campaign out; return its figures. One line a day on stderr, so that a
    run stopped part-way still tells how far it got."""
    started = time.perf_counter()
    rng = random.Random(seed + 1)
    no_shows = {w["id"] for w in request["workers"] if rng.random() < 0.02}
    county = {k: v for k, v in request.items() if k != "workers"}
    (folder / "county.json").write_text(json.dumps(county, ensure_ascii=False), "utf-8")
    db = folder / "ledger.db"
    campaign.init(db, folder / "county.json")
    days = script(request, seed)
    first = min(_day_of(w["earliest_departure"]) for w in request["workers"])
    published_as: dict[str, Trip] = {}
    moved: list[int] = []
    timing = (0.0, 0.0)
    changed_trips = set()
    freed = filled = 0
    decisions = []
    for k in range(DAYS):
        today = first + timedelta(days=k)
        with ledger.transaction(db) as connection:
            gone = {r.id for r in connection.execute(ledger.workers.select().where(
                ledger.workers.c.state.in_(("departed", "arrived"))))}
        items = [i for i in days.get(k, []) if not (i.get("status") and i["id"] in gone)]
        if items:
            path = folder / f"day{k:02d}.json"
            path.write_text(json.dumps(items, ensure_ascii=False), "utf-8")
            campaign.intake(db, path, today)
        with ledger.transaction(db) as connection:
            unpublished = {r.id for r in connection.execute(ledger.trips.select().where(
                ledger.trips.c.published.is_(False)))}
        if k == REGISTRATION_DAYS - 1 and timing_runs:
            timing = _time_day(db, folder, today, keep, timing_runs, stability)
        planning = time.perf_counter()
        result = campaign.plan(db, today, keep=keep, stability=stability)
        plan_s = time.perf_counter() - planning
        decisions.append(result.decision)
        freed += result.freed_seats
        filled += result.filled_seats
        moved.append(sum(1 for c in result.changes if c.from_trip in unpublished
                         and c.to_trip))
        for trip in result.plan.trips:
            if trip.id in published_as and _moved(published_as[trip.id], trip):
                changed_trips.add(trip.id)
        for trip_id in campaign.publish(db, str(today + timedelta(days=1))):
            published_as.setdefault(trip_id, next(
                t for t in result.plan.trips if t.id == trip_id))
        with ledger.transaction(db) as connection:
            leaving = [Trip.model_validate_json(r.body) for r in connection.execute(
                ledger.trips.select().where(ledger.trips.c.status == "published",
                                            ledger.trips.c.day == str(today)))]
        for trip in sorted(leaving, key=lambda t: (t.feeder is False, t.id)):
            present = [w for w in trip.passengers if w not in no_shows]
            campaign.board(db, trip.id, present)
            campaign.arrive(db, trip.id)
        size = sum(p.stat().st_size for p in folder.glob("ledger.db*")) / 2**20
        print(f"day {k + 1:2d} {today}: intake {len(items)}, plan {plan_s:.1f} s "
              f"({result.decision}), moved {moved[-1]}, seats freed {result.freed_seats} "
              f"taken {result.filled_seats}, published {len(published_as)}, "
              f"leaving {len(leaving)} trips, ledger {size:.1f} MB, "
              f"{time.perf_counter() - started:.0f} s so far", file=sys.stderr, flush=True)
    with ledger.transaction(db) as connection:
        rows = list(connection.execute(ledger.trips.select()))
        boarded = list(connection.execute(ledger.boardings.select().where(
            ledger.boardings.c.present.is_(True))))
    ran = [Trip.model_validate_json(r.body) for r in rows if r.status in ("departed", "arrived")]
    trip_of = {t.id: t for t in ran}
    departed = {b.worker_id for b in boarded if not trip_of[b.trip_id].feeder}
    size = sum(p.stat().st_size for p in folder.glob("ledger.db*"))
    return {"workers": len(request["workers"]), "departed": len(departed),
            "cost": sum(t.cost for t in ran), "moved": moved, "freed": freed, "filled": filled,
            "changed_trips": len(changed_trips), "published": len(published_as),
            "day10_s": timing[0], "plain_s": timing[1],
            "ledger_mb": size / 2**20, "kept_days": sum(d.startswith("kept") for d in decisions),
            "decisions": decisions, "days": days,
            "first": first}


def _time_day(db: Path, folder: Path, today: date, keep: bool, runs: int,
              stability: float | None) -> tuple[float, float]:
    """Medians of ``runs`` ``campaign plan`` runs of the day (each on a copy of the
    ledger) and of as many plain plans of the same workers, alternated."""
    ours, plain = [], []
    for k in range(runs):
        copy = folder / f"copy{k}.db"
        shutil.copyfile(db, copy)  # no command runs now: the files are consistent
        for suffix in ("-wal", "-shm"):
            if Path(f"{db}{suffix}").exists():
                shutil.copyfile(f"{db}{suffix}", f"{copy}{suffix}")
        started = time.perf_counter()
        result = campaign.plan(copy, today, keep=keep, stability=stability)
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        plan_request(result.request)
        plain.append(time.perf_counter() - started)
        for path in folder.glob(f"copy{k}.db*"):
            path.unlink()
    return statistics.median(ours), statistics.median(plain)


def _moved(announced: Trip, now: Trip) -> bool:
    """A published trip changed in anything but riders leaving or taking free seats."""
    same = ("vehicle_type", "hub", "departure", "escort", "medic", "carriage", "drivers")
    return (any(getattr(announced, n) != getattr(now, n) for n in same)
            or [s.place for s in announced.stops] != [s.place for s in now.stops])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, help="a generated county of this many "
                        "workers over 14 days (default: the sample county)")
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--no-keep", action="store_true",
                        help="re-plan the unpublished trips every day (no stability rule)")
    parser.add_argument("--stability", default="0.02", metavar="SHARE|none",
                        help="what moving a worker off their day in the last plan costs "
                        "the planner, as a share of a seat (none: nothing; default 0.02)")
    parser.add_argument("--timing-runs", type=int, default=3,
                        help="day-10 runs of `campaign plan` and of a plain plan (0: none)")
    parser.add_argument("--folder", type=Path, help="keep the ledger and the day files "
                        "here (default: a temporary folder)")
    args = parser.parse_args()
    request = (generate_request(args.workers, 14, seed=args.seed) if args.workers
               else json.loads(SAMPLE.read_text(encoding="utf-8")))
    stability = None if args.stability == "none" else float(args.stability)
    if args.folder:
        args.folder.mkdir(parents=True)
        figures = simulate(request, args.folder, args.seed, not args.no_keep, args.timing_runs,
                           stability)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            figures = simulate(request, Path(tmp), args.seed, not args.no_keep,
                               args.timing_runs, stability)
    print("one-shot plan of the final records ...", file=sys.stderr, flush=True)
    one_shot = plan_request(parse_request(final_request(request, figures["days"])))
    shot_riders = one_shot.summary.assigned
    shot = one_shot.summary.total_cost / max(1, shot_riders)
    ours = figures["cost"] / max(1, figures["departed"])
    moved = figures["moved"]
    print("| workers | departed | one-shot carried | cost/worker | one-shot cost/worker | "
          "ratio | published trips | published changed | seats freed / taken | "
          "moved per day (median, max, total) | days kept | day-10 plan s | plain plan s | "
          "ratio | ledger MB |")
    print("|" + "---|" * 15)
    print(f"| {figures['workers']} | {figures['departed']} | {shot_riders} | {ours:.1f} | "
          f"{shot:.1f} | {ours / shot:.3f} | {figures['published']} | "
          f"{figures['changed_trips']} | {figures['freed']} / {figures['filled']} | "
          f"{statistics.median(moved):g}, {max(moved)}, {sum(moved)} | "
          f"{figures['kept_days']} / {DAYS} | "
          f"{figures['day10_s']:.2f} | {figures['plain_s']:.2f} | "
          f"{figures['day10_s'] / max(figures['plain_s'], 1e-9):.2f} | "
          f"{figures['ledger_mb']:.1f} |")
    reasons = Counter(re.sub(r"\d+(\.\d+)?", "N", d) for d in figures["decisions"])
    print("\nthe last plan's unpublished trips, day by day: "
          + "; ".join(f"{why} ({n} days)" for why, n in reasons.most_common()))


if __name__ == "__main__":
    main()
