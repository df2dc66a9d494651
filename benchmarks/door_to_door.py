"""What collecting at the township pickup points costs: ``python -m benchmarks.door_to_door``.

Plans one generated request three times: with ``policy.door_to_door`` off (everyone
gathers at the hub), on without ``pickup_fallback_to_hub`` and on with it (the default),
and prints a Markdown table of wall time, workers carried (and of them moved to the
hub), cost per worker carried, buses, gap to the lower bound and workers left, by
reason; then a lower bound on the buses door to door needs to carry every rider it
could carry without moving any to the hub (:func:`calls_bound`).
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict

from benchmarks.generate import generate_request
from charterplan import parse_request, plan
from charterplan.model import PlanRequest
from charterplan.shared.context import build_context
from charterplan.shared.waves import plan_waves
from charterplan.stages.s1_eligibility import screen
from charterplan.stages.s2_areas import build_areas


def calls_bound(request: PlanRequest) -> int:
    """Buses door to door needs at least, to carry every rider some bus can take.

    A bus serves one area and calls at most at ``max_pickups_per_bus`` points. In an
    area, the riders of one point whose departure waves share none need separate calls:
    the fewest calls that reach all of them is the fewest waves that stab their wave
    spans (greedy on right ends; a span from first to last wave only loosens it). So an
    area needs at least its calls / ``max_pickups_per_bus`` buses."""
    context = build_context(request)
    areas = build_areas(context, screen(context).units)
    buses = 0
    for area in areas:
        waves = plan_waves(area, context.grids[area.hub])
        spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for demand, units in zip(waves.demands, waves.members, strict=True):
            wave = sorted(demand.any_waves + demand.direct_waves)
            for point in {p for u in units for p in u.pickups} if wave else ():
                spans[point].append((wave[0], wave[-1]))
        calls = 0
        for intervals in spans.values():
            stab = -1
            for lo, hi in sorted(intervals, key=lambda iv: iv[1]):
                if lo > stab:
                    stab, calls = hi, calls + 1
        buses += -(-calls // request.policy.max_pickups_per_bus)
    return buses


def main() -> None:
    """Run both plans and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=2000)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    data = generate_request(args.workers, args.days, args.seed)
    print("| door_to_door | fallback | plan s | assigned | moved to hub | buses | cost/worker "
          "| gap % | unassigned |")
    print("|---|---|---|---|---|---|---|---|---|")
    for on, fallback in ((False, True), (True, False), (True, True)):
        data["policy"] = {**data.get("policy", {}), "door_to_door": on,
                          "pickup_fallback_to_hub": fallback}
        started = time.perf_counter()
        result = plan(parse_request(data), jobs=args.jobs)
        s = result.summary
        left = ", ".join(f"{k} {v}" for k, v in s.unassigned_by_reason.items())
        print(f"| {on} | {fallback if on else '—'} | {time.perf_counter() - started:.1f} | "
              f"{s.assigned} | {s.moved_to_hub if on else '—'} | {len(result.trips)} | "
              f"{s.total_cost / max(1, s.assigned):.0f} | {s.gap_pct} | {left} |", flush=True)
    print(f"\nDoor to door needs at least {calls_bound(parse_request(data))} buses to carry "
          "every rider a bus can take at their pickup point.")


if __name__ == "__main__":
    main()
