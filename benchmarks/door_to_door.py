"""What collecting at the township pickup points costs: ``python -m benchmarks.door_to_door``.

Plans one generated request twice, with ``policy.door_to_door`` off (everyone gathers at
the hub) and on, and prints a Markdown table of wall time, cost per worker carried,
buses, gap to the lower bound and workers left, by reason.
"""

from __future__ import annotations

import argparse
import time

from benchmarks.generate import generate_request
from charterplan import parse_request
from charterplan.pipeline import plan


def main() -> None:
    """Run both plans and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=2000)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    data = generate_request(args.workers, args.days, args.seed)
    print("| door_to_door | plan s | assigned | buses | cost/worker | gap % | unassigned |")
    print("|---|---|---|---|---|---|---|")
    for on in (False, True):
        data["policy"] = {**data.get("policy", {}), "door_to_door": on}
        started = time.perf_counter()
        result = plan(parse_request(data), jobs=args.jobs)
        s = result.summary
        left = ", ".join(f"{k} {v}" for k, v in s.unassigned_by_reason.items())
        print(f"| {on} | {time.perf_counter() - started:.1f} | {s.assigned} | "
              f"{len(result.trips)} | {s.total_cost / max(1, s.assigned):.0f} | "
              f"{s.gap_pct} | {left} |", flush=True)


if __name__ == "__main__":
    main()
