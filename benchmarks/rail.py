"""What chartered carriages save: ``python -m benchmarks.rail --workers N --days D --repeat K``.

Generates one request with Xinhuang West's rail services and about half the workers
(``--share``) bound for employers within reach of a rail stop
(``generate_request(..., rail=True, rail_share=...)``), then plans it three ways:

- the clerk's bus-only plan (``benchmarks/clerk.py``) of the request without rail;
- charterplan on the request without rail (no services, no rail station, no
  ``rail_station`` on employers, no staff based at the station): buses only;
- charterplan on the request as generated: buses, carriages and feeder buses.

Each charterplan run is a fresh process (``--one bus|rail`` prints its JSON line), the
two modes alternating ``--repeat`` times. The Markdown table gives per plan the median
wall seconds, workers carried, cost per worker carried, trips by mode, the ratios
ours / clerk cost per worker and time / bus-only time, and the violations ``check``
finds in the plan; the lines under it compare them with issue 3's targets (at least
20 % cheaper than the clerk, at most twice the time).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from typing import Any

from benchmarks.clerk import clerk_plan
from benchmarks.generate import generate_request
from benchmarks.measure import plan_once
from charterplan.check import check_plan

__all__ = ["main", "measure_mode", "without_rail"]

COLUMNS = ("plan", "plan s (median)", "workers carried", "cost/worker", "buses",
           "of which feeders", "carriages", "rail riders", "cost/worker ÷ clerk",
           "time ÷ bus only", "status", "check violations", "unassigned by reason")


def without_rail(data: dict[str, Any]) -> dict[str, Any]:
    """The request ``data`` as it would be with no rail: no services, no rail-station
    hubs, no ``rail_station`` on destinations, no staff based at a rail station."""
    rail_hubs = {h["id"] for h in data["hubs"] if h["kind"] == "rail_station"}
    out = {k: v for k, v in data.items() if k != "rail_services"}
    out["hubs"] = [h for h in data["hubs"] if h["id"] not in rail_hubs]
    out["destinations"] = [{k: v for k, v in d.items() if k != "rail_station"}
                           for d in data["destinations"]]
    out["staff"] = [s for s in data["staff"] if s.get("hub") not in rail_hubs]
    return out


def measure_mode(mode: str, workers: int, days: int, seed: int, jobs: int,
                 share: float) -> dict[str, Any]:
    """Plan the generated request once, bus only (``mode`` "bus", with the clerk's plan
    of the same request) or with rail ("rail"); return timings and figures."""
    data = generate_request(workers, days, seed, rail=True, rail_share=share)
    if mode == "bus":
        data = without_rail(data)
    figures, request, result = plan_once(data, jobs)
    buses = [t for t in result.trips if t.mode == "bus"]
    out: dict[str, Any] = {
        "mode": mode, "workers": workers, "days": days, "seed": seed, "jobs": jobs,
        "share": share, **figures,
        # feeders to a train (a county feeder, door to door, drops at its own hub)
        "buses": len(buses), "feeders": sum(t.feeder and t.stops[-1].place != t.hub
                                            for t in buses),
        "carriages": sum(t.mode == "rail" for t in result.trips),
        "rail_riders": sum(len(t.passengers) for t in result.trips if t.mode == "rail"),
        "trains": len(result.summary.trains),
        "violations": len(check_plan(request, result)),
    }
    if mode == "bus":
        started = time.perf_counter()
        clerk = clerk_plan(request)
        out |= {"clerk_s": round(time.perf_counter() - started, 3),
                "clerk_workers": clerk.workers, "clerk_buses": clerk.buses,
                "clerk_cost": clerk.cost,
                "clerk_cost_per_worker": round(clerk.cost_per_worker, 2)}
    return out


def _run(mode: str, args: argparse.Namespace) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.rail", "--one", mode, "--workers",
         str(args.workers), "--days", str(args.days), "--seed", str(args.seed), "--jobs",
         str(args.jobs), "--share", str(args.share)],
        check=True, stdout=subprocess.PIPE, text=True)  # its stderr shows a failure
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _table(bus: list[dict[str, Any]], rail: list[dict[str, Any]]) -> list[str]:
    """The Markdown table and the target lines for the runs of both modes."""
    first_bus, first_rail = bus[0], rail[0]
    clerk = first_bus["clerk_cost_per_worker"]
    bus_s = statistics.median(r["plan_s"] for r in bus)
    rail_s = statistics.median(r["plan_s"] for r in rail)

    def left(run: dict[str, Any]) -> str:
        return ", ".join(f"{k} {v}" for k, v in run["unassigned"].items()) or "-"

    rows = [
        ("clerk, bus only", f"{first_bus['clerk_s']:.2f}", first_bus["clerk_workers"],
         f"{clerk:.1f}", first_bus["clerk_buses"], 0, 0, 0, "1.000", "-", "-", "-", "-"),
        *((name, f"{seconds:.2f}", run["assigned"], f"{run['cost_per_worker']:.1f}",
           run["buses"], run["feeders"], run["carriages"], run["rail_riders"],
           f"{run['cost_per_worker'] / clerk:.3f}" if clerk else "-",
           f"{seconds / bus_s:.2f}" if bus_s else "-", run["status"], run["violations"],
           left(run))
          for name, seconds, run in (("charterplan, bus only", bus_s, first_bus),
                                     ("charterplan, bus + rail", rail_s, first_rail))),
    ]
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in rows]
    change = first_rail["cost_per_worker"] / clerk - 1 if clerk else 0.0
    slower = rail_s / bus_s if bus_s else 0.0
    lines += [
        "",
        f"Cost per worker carried, bus + rail against the clerk: {change:+.1%} (target "
        f"-20 % or less: {'met' if change <= -0.2 else 'not met'}); against charterplan "
        f"bus only: {first_rail['cost_per_worker'] / first_bus['cost_per_worker'] - 1:+.1%}.",
        f"Plan time with rail / bus only: {slower:.2f} (target at most 2: "
        f"{'met' if slower <= 2 else 'not met'}).",
    ]
    return lines


def main() -> None:
    """Run the three plans and print the table (or, with ``--one``, one JSON line)."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2000)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--share", type=float, default=0.5,
                        help="share of the workers bound for rail-line cities")
    parser.add_argument("--one", choices=("bus", "rail"),
                        help="plan once in this process and print one JSON line")
    args = parser.parse_args()
    if not 0 <= args.share <= 1:
        parser.error(f"--share {args.share} is not between 0 and 1")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.one:
        print(json.dumps(measure_mode(args.one, args.workers, args.days, args.seed,
                                      args.jobs, args.share), ensure_ascii=False))
        return
    bus: list[dict[str, Any]] = []
    rail: list[dict[str, Any]] = []
    for _ in range(args.repeat):
        bus.append(_run("bus", args))
        rail.append(_run("rail", args))
    print(f"{args.workers} workers over {args.days} days, seed {args.seed}, "
          f"{args.share:.0%} bound for rail-line cities, jobs {args.jobs}:")
    print()
    print("\n".join(_table(bus, rail)), flush=True)
    print(f"<!-- plan_s bus {[r['plan_s'] for r in bus]}, "
          f"rail {[r['plan_s'] for r in rail]} -->", file=sys.stderr)


if __name__ == "__main__":
    main()
