"""The 15 generated requests every change of the planner is judged on, and the comparison.

``python -m benchmarks.grid --out FILE [--policy JSON]`` plans each request of
:data:`GRID` once (``plan(request, jobs=2)``), with the policy fields of ``--policy``
over the generated ones, and writes a JSON line per request: seconds, workers carried,
cost per worker carried. ``python -m benchmarks.grid --compare BEFORE AFTER`` prints a
Markdown table of two such files side by side, with the mean change a worker and the
ratio of the total times. Costs are deterministic; times are for ratios only, taken on
one machine, one after the other.

The requests mix sizes (1,000-10,000 workers), horizons (7 and 14 days), seeds and
rail, so that a change which helps one kind of county and hurts another shows.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from benchmarks.generate import add_policy_option, generate_request
from charterplan import parse_request, plan

__all__ = ["GRID", "compare", "run"]

GRID: tuple[tuple[int, int, int, bool], ...] = (
    (1000, 7, 2020, False), (1000, 14, 2020, False), (2000, 7, 2020, True),
    (2000, 14, 2020, True), (3000, 14, 2020, False), (3000, 7, 7, False),
    (4000, 14, 2020, True), (5000, 14, 11, False), (5000, 7, 11, True),
    (10000, 7, 2020, False), (10000, 14, 2020, False), (10000, 7, 7, False),
    (10000, 14, 7, False), (3000, 7, 5, True), (3000, 14, 9, True))
"""(workers, days, seed, rail) of each request, in the order of the RESULTS.md tables."""


def run(policy: dict[str, Any], grid: Sequence[tuple[int, int, int, bool]] = GRID,
        jobs: int = 2) -> Iterator[dict[str, Any]]:
    """Plan each request of ``grid`` with ``policy`` over its own; yield its figures."""
    for workers, days, seed, rail in grid:
        request = parse_request(generate_request(workers, days, seed, rail=rail,
                                                 policy=policy))
        start = time.perf_counter()
        summary = plan(request, jobs=jobs).summary
        yield {"workers": workers, "days": days, "seed": seed, "rail": rail,
               "s": round(time.perf_counter() - start, 2), "carried": summary.assigned,
               "cost_per_worker": round(summary.total_cost / max(summary.assigned, 1), 2)}


def compare(before: Sequence[dict[str, Any]], after: Sequence[dict[str, Any]],
            out: TextIO) -> float:
    """Write the Markdown table of ``before`` against ``after`` to ``out``; return the
    mean change of the cost a worker, in per cent."""
    out.write("| workers | days | seed | rail | before s, cost/worker (carried) "
              "| after | change |\n|---|---|---|---|---|---|---|\n")
    changes = []
    for old, new in zip(before, after, strict=True):
        key = ("workers", "days", "seed", "rail")
        if any(old[k] != new[k] for k in key):
            raise ValueError(f"the files hold different requests: {old} and {new}")
        change = 100 * (new["cost_per_worker"] / old["cost_per_worker"] - 1)
        changes.append(change)
        out.write(f"| {old['workers']:,} | {old['days']} | {old['seed']} "
                  f"| {'yes' if old['rail'] else 'no'} "
                  f"| {old['s']:.2f}, {old['cost_per_worker']:.2f} ({old['carried']:,}) "
                  f"| {new['s']:.2f}, {new['cost_per_worker']:.2f} ({new['carried']:,}) "
                  f"| {change:+.1f} % |\n")
    mean = sum(changes) / len(changes)
    ratio = sum(r["s"] for r in after) / sum(r["s"] for r in before)
    out.write(f"\nOn average {mean:+.2f} % a worker, in {ratio:.2f} times the time.\n")
    return mean


def _read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: run the grid into a file, or compare two files."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, help="write the JSON lines here")
    add_policy_option(parser)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args(argv)
    if args.compare:
        compare(*(_read(p) for p in args.compare), sys.stdout)
        return
    if args.out is None:
        parser.error("--out FILE or --compare BEFORE AFTER is needed")
    with args.out.open("w") as out:
        for row in run(args.policy, jobs=args.jobs):
            out.write(json.dumps(row) + "\n")
            out.flush()


if __name__ == "__main__":
    main()
