"""Short rosters: carried against the roster bound, crew rounds and plan time, today's
code against another checkout of charterplan, run by run in one session.

``python -m benchmarks.crews --sizes 1000,10000 --days 14 --shares 1,0.5,0.3
[--repeat 3] [--jobs 2] [--old SRC]`` generates each request
(``generate_request(size, days, 2020, staff_share=share)``), plans it in a fresh
process per run (``--old SRC``: a ``src`` folder of another checkout, planned right
after the current code in each repeat, so both see the same load) and prints a
Markdown table: medians of plan seconds, workers carried, ``no_staff``, cost per
worker, the crew rounds the plan made again, and the roster bound of the current
code's plan (``summary.roster_bound_workers``; the request fixes it, so old plans are
measured against it too).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.generate import generate_request


def _run(path: Path, jobs: int) -> dict[str, Any]:
    """Plan the request at ``path`` once (in this process) and check it."""
    from charterplan import check_plan, plan, read_request

    request = read_request(path)
    rounds: set[str] = set()

    def progress(stage: str, done: int, total: int) -> None:
        if "crew round" in stage:
            rounds.add(stage[stage.index("crew round"):])

    start = time.perf_counter()
    result = plan(request, jobs=jobs, progress=progress)
    seconds = time.perf_counter() - start
    summary = result.summary
    return {
        "plan_s": round(seconds, 3), "assigned": summary.assigned,
        "no_staff": summary.unassigned_by_reason.get("no_staff", 0),
        "cost_per_worker": round(summary.total_cost / max(summary.assigned, 1), 2),
        "bound": getattr(summary, "roster_bound_workers", None),
        "rounds": len(rounds), "violations": len(check_plan(request, result)),
    }


def _measure(path: Path, jobs: int, src: Path | None) -> dict[str, Any]:
    """One run of :func:`_run` in a fresh process, with ``src`` first on the path."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    code = ("import json, sys; from pathlib import Path; from benchmarks.crews import _run; "
            f"print(json.dumps(_run(Path({str(path)!r}), {jobs})))")
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True,
                         capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parent.parent).stdout
    figures: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return figures


def main() -> None:
    """Command line: the table of the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000")
    parser.add_argument("--days", default="14")
    parser.add_argument("--shares", default="1,0.5,0.3")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--old", type=Path, default=None,
                        help="src folder of the checkout to compare with")
    args = parser.parse_args()
    print("| workers | days | staff share | code | plan s (median) | carried | bound "
          "| carried/bound | no_staff | crew rounds | cost/worker | check |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for size in (int(s) for s in args.sizes.split(",")):
            for days in (int(d) for d in args.days.split(",")):
                for share in (float(s) for s in args.shares.split(",")):
                    path = Path(folder) / f"r{size}-{days}-{share}.json"
                    path.write_text(json.dumps(generate_request(
                        size, days, args.seed, staff_share=share)), encoding="utf-8")
                    codes = {"new": None} | ({"old": args.old} if args.old else {})
                    runs: dict[str, list[dict[str, Any]]] = {c: [] for c in codes}
                    for _ in range(args.repeat):
                        for code, src in codes.items():
                            runs[code].append(_measure(path, args.jobs, src))
                    bound = runs["new"][0]["bound"]
                    for code, made in runs.items():
                        last = made[-1]
                        ratio = "-" if not bound else f"{last['assigned'] / bound:.4f}"
                        seconds = statistics.median(r["plan_s"] for r in made)
                        print(f"| {size} | {days} | {share:g} | {code} | {seconds:.2f} "
                              f"| {last['assigned']} | {bound} | {ratio} "
                              f"| {last['no_staff']} | {last['rounds']} "
                              f"| {last['cost_per_worker']} | {last['violations']} |",
                              flush=True)


if __name__ == "__main__":
    main()
