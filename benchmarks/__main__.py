"""The benchmark suite: ``python -m benchmarks [--sizes 2000,10000] [--days 7,14] ...``.

With ``--peers ortools,pyvrp,vroom`` each peer plans the same generated requests (in a
fresh process too) and a second table gives their cost per worker carried, time,
ratios ours/theirs and their breaches of charterplan's policy. ``pyvrp-rules`` is PyVRP
told the drop-off rules, ``pyvrp-horizon`` PyVRP choosing the days too
(:mod:`benchmarks.peers.pyvrp_horizon`), ``pyvrp-horizon-rules`` both. The clerk's plan
(:mod:`benchmarks.clerk`) is its first row, judged the same way. The first table
counts our own bus trips' breaches by the same yardstick.

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

from benchmarks.peers.measure import PEERS

COLUMNS = ("workers", "days", "jobs", "plan s (median)", "parse s", "peak MB", "status",
           "buses", "cost/worker", "bound/worker", "gap %", "clerk cost/worker",
           "ours/clerk", "unassigned by reason", "policy breaches")


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
            _counts(first["unassigned"]), _counts(first["policy_breaches"]))


def _counts(counts: dict[str, int]) -> str:
    """``key n`` for each non-zero count, or "-" if there is none."""
    return ", ".join(f"{k} {v}" for k, v in counts.items() if v) or "-"


PEER_COLUMNS = ("workers", "days", "peer", "s (median)", "ours s (median)", "buses", "riders",
                "cost/worker",
                "ours/theirs cost per worker", "ours/theirs time", "policy breaches")


def _peer_run(peer: str, workers: int, days: int, seed: int, jobs: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.peers.measure", "--peer", peer, "--workers",
         str(workers), "--days", str(days), "--seed", str(seed), "--jobs", str(jobs)],
        check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _peer_row(ours: list[dict[str, Any]], runs: list[dict[str, Any]]) -> tuple[object, ...]:
    first = runs[0]
    seconds = statistics.median(r["seconds"] for r in runs)
    ours_s = statistics.median(r["plan_s"] for r in ours)
    return (first["workers"], first["days"], first["peer"], f"{seconds:.2f}", f"{ours_s:.2f}",
            first["buses"],
            first["riders"], f"{first['cost_per_worker']:.1f}",
            f"{ours[0]['cost_per_worker'] / first['cost_per_worker']:.3f}",
            f"{ours_s / seconds:.2f}", _counts(first["violations"]))


def main() -> None:
    """Run the suite and print the table (and the peers' table with ``--peers``)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="2000,10000")
    parser.add_argument("--days", default="14")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--peers", default="",
                        help="comma-separated peers to run on the same requests: "
                        f"{', '.join(sorted(set(PEERS) - {'clerk'}))} (pip install "
                        "'charterplan[bench]'); the clerk is added as the first")
    args = parser.parse_args()
    named = [p for p in args.peers.split(",") if p]
    peers = list(dict.fromkeys(["clerk", *named])) if named else []
    peer_rows: list[tuple[object, ...]] = []
    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    for size in (int(s) for s in args.sizes.split(",")):
        for days in (int(d) for d in args.days.split(",")):
            runs = [_run(size, days, args.seed, args.jobs) for _ in range(args.repeat)]
            print("| " + " | ".join(map(str, _row(runs))) + " |", flush=True)
            for peer in peers:
                theirs = [_peer_run(peer, size, days, args.seed, args.jobs)
                          for _ in range(args.repeat)]
                peer_rows.append(_peer_row(runs, theirs))
            print(f"<!-- {size}x{days}: plan_s {[r['plan_s'] for r in runs]} -->",
                  file=sys.stderr)
    if peer_rows:
        _print_peers(peer_rows)


def _print_peers(rows: list[tuple[object, ...]]) -> None:
    print()
    print("| " + " | ".join(PEER_COLUMNS) + " |")
    print("|" + "---|" * len(PEER_COLUMNS))
    for row in rows:
        print("| " + " | ".join(map(str, row)) + " |")


if __name__ == "__main__":
    main()
