"""One measured planning run, meant to run in a fresh process.

``python -m benchmarks.measure --workers N --days D --seed S [--jobs J] [--policy JSON]``
generates the request (``--policy``: fields over the generated ones), plans it, and
prints one JSON line: wall seconds of each phase, peak resident memory, the plan's
figures beside the clerk's, and its bus trips' breaches of charterplan's policy counted
as the peers' are (:mod:`benchmarks.peers.ours`).
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from typing import Any

from benchmarks.clerk import clerk_plan
from benchmarks.generate import add_policy_option, generate_request
from benchmarks.peers.ours import breaches
from charterplan import parse_request, plan
from charterplan.model import Plan, PlanRequest
from charterplan.shared.context import build_context


def plan_once(data: dict[str, Any], jobs: int) -> tuple[dict[str, Any], PlanRequest, Plan]:
    """Parse and plan a request dict once: its timings and figures, the request, the plan.

    ``buses`` counts every trip (a rail carriage too).
    """
    start = time.perf_counter()
    request = parse_request(data)
    parsed = time.perf_counter()
    result = plan(request, jobs=jobs)
    planned = time.perf_counter()
    summary = result.summary
    return {
        "parse_s": round(parsed - start, 3), "plan_s": round(planned - parsed, 3),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "status": result.status.value, "assigned": summary.assigned,
        "unassigned": summary.unassigned_by_reason, "buses": len(result.trips),
        "cost": summary.total_cost, "lower_bound": summary.lower_bound_cost,
        "gap_pct": summary.gap_pct,
        "cost_per_worker": round(summary.total_cost / max(summary.assigned, 1), 2),
        "bound_per_worker": round(summary.lower_bound_cost / max(summary.assigned, 1), 2),
    }, request, result


def measure(workers: int, days: int, seed: int, jobs: int,
            policy: dict[str, Any] | None = None) -> dict[str, Any]:
    """Plan a generated request once, with ``policy`` fields over the generated
    ones; return timings and figures."""
    data = generate_request(workers, days, seed, policy=policy)
    figures, request, result = plan_once(data, jobs)
    clerk = clerk_plan(request)
    return {
        "workers": workers, "days": days, "seed": seed, "jobs": jobs, **figures,
        "clerk_buses": clerk.buses, "clerk_workers": clerk.workers,
        "clerk_cost_per_worker": round(clerk.cost_per_worker, 2),
        "solver_work_s": result.summary.solve_seconds,
        "policy_breaches": breaches(build_context(request), result),
    }


def main() -> None:
    """Command line: print one measurement as a JSON line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, required=True)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=1)
    add_policy_option(parser)
    args = parser.parse_args()
    print(json.dumps(measure(args.workers, args.days, args.seed, args.jobs,
                             args.policy), ensure_ascii=False))


if __name__ == "__main__":
    main()
