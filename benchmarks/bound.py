"""What the lower bounds cost and where the remaining gap lies, area by area.

``python -m benchmarks.bound REQUEST.json [...]`` plans each request (a file, or
``generated:WORKERS:DAYS[:EMPLOYERS]`` for :func:`charterplan.samples.generate_request`
with seed 2020) and prints one JSON line per request: plan cost, both bounds and the
gap, CPU seconds of the plan and of the bounds alone (computed once more after the
plan, so their share of the plan's time), and per area of the LP bound (connected
employers of a hub) its riders, the cost of the plan's buses that stay inside it, its
radial and LP bounds and the column generation's rounds. CPU seconds (``process_time``)
rather than wall time: the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from charterplan import parse_request, plan, read_request
from charterplan.model import PlanRequest
from charterplan.samples import generate_request
from charterplan.shared.context import build_context
from charterplan.stages.s8_assemble.bound import area_bounds, bounds


def _request(name: str) -> PlanRequest:
    if name.startswith("generated:"):
        workers, days, *employers = (int(x) for x in name.split(":")[1:])
        return parse_request(generate_request(workers, days, 2020,
                                              employers=employers[0] if employers else None))
    return read_request(name)


def measure(name: str) -> dict[str, Any]:
    """The figures of one request (see the module docstring)."""
    request = _request(name)
    start = time.process_time()
    result = plan(request)
    plan_s = time.process_time() - start
    context = build_context(request)
    start = time.process_time()
    found = bounds(context, result.trips)
    bound_s = time.process_time() - start
    s = result.summary
    areas = []
    for hub in sorted({t.hub for t in result.trips if t.mode == "bus" and not t.feeder}):
        ridden = [t for t in result.trips if t.hub == hub and t.mode == "bus" and not t.feeder]
        areas += [{"hub": a.hub, "destinations": len(a.destinations), "riders": a.riders,
                   "cost": round(a.cost, 2), "radial": round(a.radial, 2),
                   "lp": round(a.lp, 2), "rounds": a.rounds, "optimal": a.optimal}
                  for a in area_bounds(context, hub, ridden)]
    return {"request": name, "workers": s.workers, "assigned": s.assigned,
            "cost": s.total_cost, "radial": s.radial_bound_cost, "lp": s.lp_bound_cost,
            "gap_pct": s.gap_pct, "radial_gap_pct": round(
                100 * (s.total_cost - found.radial) / found.radial, 2) if found.radial else 0.0,
            "plan_cpu_s": round(plan_s, 2), "bound_cpu_s": round(bound_s, 2),
            "bound_share": round(bound_s / plan_s, 3), "areas": areas}


def main() -> None:
    """Command line: one JSON line per request."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("requests", nargs="+")
    for name in parser.parse_args().requests:
        print(json.dumps(measure(name), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
