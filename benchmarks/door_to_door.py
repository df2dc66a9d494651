"""What collecting at the township pickup points costs: ``python -m benchmarks.door_to_door``.

Plans each request twice, with ``policy.door_to_door`` off (everyone gathers at the
hub) and on (the default when workers have pickup points), and prints a Markdown
table: wall time, workers carried, cost, and door to door's ratios to the hub plan;
how the riders with a pickup point board (their bus calls there, a county feeder
collects them, or they make their own way: ``moved_to_hub``) and the feeders run.
The requests: the sample (``--sample``) and generated counties (``--sizes``).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from charterplan import parse_request, plan
from charterplan.model import Plan, PlanRequest
from charterplan.samples import generate_request

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample" / "request.json"


def boarding(request: PlanRequest, result: Plan) -> tuple[int, int, int, int]:
    """Riders carried who registered at a pickup point: collected by their bus (or the
    feeder to their train), by a county feeder, moved to the hub; and the county
    feeders run."""
    point = {w.id: w.pickup_point for w in request.workers if w.pickup_point is not None}
    feeders = [t for t in result.trips if t.feeder and t.mode == "bus"
               and any(s.kind == "dropoff" and s.place == t.hub for s in t.stops)]
    fed = {w for t in feeders for w in t.passengers}
    by_bus = {w for t in result.trips if t.mode == "bus" and t not in feeders
              for s in t.stops if s.kind == "pickup" for w in s.workers
              if point.get(w) == s.place}  # a rail feeder's riders included
    carried = {w for t in result.trips if not t.feeder for w in t.passengers if w in point}
    return len(carried & by_bus), len(carried & fed), len(carried - by_bus - fed), len(feeders)


def run(name: str, data: dict[str, Any], jobs: int) -> None:
    """Plan ``data`` with door to door off and on; print the two rows."""
    rows = []
    for on in (False, None):
        data["policy"] = {**data.get("policy", {}), "door_to_door": on}
        request = parse_request(data)
        started = time.perf_counter()
        result = plan(request, jobs=jobs)
        rows.append((request, result, time.perf_counter() - started))
    (_, hub, hub_s), (request, door, door_s) = rows
    by_bus, fed, moved, feeders = boarding(request, door)
    for label, result, seconds in (("off", hub, hub_s), ("on", door, door_s)):
        s = result.summary
        ratios = (f"{s.total_cost / hub.summary.total_cost:.3f} | {seconds / hub_s:.2f}"
                  if result is door else "— | —")
        points = (f"{by_bus} | {fed} | {moved} | {feeders}" if result is door
                  else "— | — | — | —")
        print(f"| {name} | {label} | {seconds:.1f} | {s.assigned} | {s.total_cost:,.0f} | "
              f"{ratios} | {points} |", flush=True)


def main() -> None:
    """Plan the requests asked for and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="2000,10000",
                        help="generated requests' workers, comma-separated ('' for none)")
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-sample", action="store_true", help="skip the sample request")
    args = parser.parse_args()
    print("| request | door to door | plan s | carried | cost | cost / hub plan "
          "| time / hub plan | collected by their bus | by a county feeder "
          "| moved to the hub | county feeders |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    if not args.no_sample:
        run("sample", json.loads(SAMPLE.read_text(encoding="utf-8")), args.jobs)
    for size in filter(None, args.sizes.split(",")):
        run(f"{int(size):,} × {args.days}", generate_request(int(size), args.days, args.seed),
            args.jobs)


if __name__ == "__main__":
    main()
