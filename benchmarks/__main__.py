"""The benchmark suite: ``python -m benchmarks [--sizes 2000,10000] [--days 7,14] ...``.

Each size and horizon is planned ``--repeat`` times, every run in a fresh process (so
peak memory is the run's own); the suite prints a Markdown table of medians to paste
into ``benchmarks/RESULTS.md`` together with the command line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from typing import Any

COLUMNS = ("workers", "days", "jobs", "plan s (median)", "parse s", "peak MB", "status",
           "buses", "cost/worker", "bound/worker", "gap %", "clerk cost/worker",
           "ours/clerk", "unassigned by reason")


def _run(workers: int, days: int, seed: int, jobs: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.measure", "--workers", str(workers),
         "--days", str(days), "--seed", str(seed), "--jobs", str(jobs)],
        check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _row(runs: list[dict[str, Any]]) -> tuple[object, ...]:
    first = runs[0]
    median = statistics.median(r["plan_s"] for r in runs)
    return (first["workers"], first["days"], first["jobs"], f"{median:.2f}",
            f"{statistics.median(r['parse_s'] for r in runs):.2f}",
            f"{max(r['peak_mb'] for r in runs):.0f}", first["status"], first["buses"],
            f"{first['cost_per_worker']:.1f}", f"{first['bound_per_worker']:.1f}",
            f"{first['gap_pct']:.2f}", f"{first['clerk_cost_per_worker']:.1f}",
            f"{first['cost_per_worker'] / first['clerk_cost_per_worker']:.3f}",
            ", ".join(f"{k} {v}" for k, v in first["unassigned"].items()) or "-")


def main() -> None:
    """Run the suite and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="2000,10000")
    parser.add_argument("--days", default="14")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    for size in (int(s) for s in args.sizes.split(",")):
        for days in (int(d) for d in args.days.split(",")):
            runs = [_run(size, days, args.seed, args.jobs) for _ in range(args.repeat)]
            print("| " + " | ".join(map(str, _row(runs))) + " |", flush=True)
            print(f"<!-- {size}x{days}: plan_s {[r['plan_s'] for r in runs]} -->",
                  file=sys.stderr)


if __name__ == "__main__":
    main()
