"""Where a plan's cost lies above the radial lower bound, bus by bus: ours beside a peer's.

``python -m benchmarks.breakdown --workers N --days D --seed S [--peer pyvrp] [--jobs J]
[--policy JSON]`` plans the generated request with charterplan and with the peer, and
prints one JSON line per plan. Each bus's cost (the peers' yardstick,
:func:`benchmarks.peers.policy.route_cost`) is split into four parts that add up to it:

- ``bound``: its riders' radial shares, as :func:`charterplan.stages.s8_assemble.bound.lower_bound`
  bounds them:
  a seat of the type cheapest per seat, on a bus to the rider's drop-off and back;
- ``far_drop``: riders for nearer drop-offs riding as if to the farthest one (their
  shares there less their own);
- ``fill_and_type``: a bus of its type to the farthest drop-off and back, less what
  its riders would pay there on the type cheapest per seat: its empty seats and a dearer
  type;
- ``route``: the rest: km beyond the farthest drop-off and back, and second drivers.

Buses under three quarters full are counted apart, and among them those that run
``alone``: no other bus of their hub leaves that day for any of their drop-offs or a
place within ``dropoff_radius_km`` of one (charterplan's rules let nobody share them).
Distances are road km as the bound takes them without measured roads.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from benchmarks.generate import add_policy_option, generate_request
from benchmarks.peers.common import Route
from benchmarks.peers.measure import PEERS, runner
from benchmarks.peers.ours import plan_routes
from benchmarks.peers.policy import route_cost
from charterplan import parse_request, plan
from charterplan.shared.context import DAY, Context, build_context
from charterplan.stages.s2_areas import neighbours
from charterplan.stages.s8_assemble.bound import seat_bound

__all__ = ["THIN", "breakdown"]

THIN = 0.75
"""A bus filled below this share of its seats counts as thin."""

PARTS = ("bound", "far_drop", "fill_and_type", "route")


def breakdown(context: Context, routes: Sequence[Route]) -> dict[str, Any]:
    """The cost of ``routes`` in the parts of the module docstring, in yuan, with the
    same split for the thin buses and for those of them that run alone."""
    graph = neighbours(context, sorted({stop for r in routes for stop in r.stops}))
    near = {d: frozenset(graph[d]) | {d} for d in graph}
    leaving: dict[tuple[str, int], list[tuple[int, frozenset[str]]]] = defaultdict(list)
    for n, r in enumerate(routes):
        leaving[r.hub, r.departure // DAY].append((n, frozenset(r.stops)))
    total = dict.fromkeys(PARTS, 0.0)
    thin = dict.fromkeys(PARTS, 0.0)
    alone = dict.fromkeys(PARTS, 0.0)
    count = {"buses": len(routes), "riders": 0, "thin": 0, "alone": 0}
    for n, r in enumerate(routes):
        parts = _parts(context, r)
        count["riders"] += r.load
        _add(total, parts)
        if r.load >= THIN * r.kind.capacity:
            continue
        count["thin"] += 1
        _add(thin, parts)
        around = frozenset().union(*(near[d] for d in r.stops))
        if not any(m != n and stops & around for m, stops in leaving[r.hub, r.departure // DAY]):
            count["alone"] += 1
            _add(alone, parts)
    return {**count, "cost": round(sum(total.values()), 2), **_rounded(total),
            "thin_parts": _rounded(thin), "alone_parts": _rounded(alone)}


def _parts(context: Context, route: Route) -> dict[str, float]:
    kinds = context.bus_types_at[route.hub]
    places = sorted(set(route.stops))
    km = dict(zip(places, context.places.road_km([route.hub], places)[0].tolist(),
                  strict=True))

    far = max(km.values())
    bound = sum(drop.demand * seat_bound(kinds, km[drop.destination]) for drop in route.drops)
    at_far = route.load * seat_bound(kinds, far)
    direct = route.kind.fixed_cost + 2 * route.kind.cost_per_km * far
    return {"bound": bound, "far_drop": at_far - bound, "fill_and_type": direct - at_far,
            "route": route_cost(context, route) - direct}


def _add(into: dict[str, float], parts: dict[str, float]) -> None:
    for key, value in parts.items():
        into[key] += value


def _rounded(parts: dict[str, float]) -> dict[str, float]:
    return {key: round(value, 2) for key, value in parts.items()}


def main() -> None:
    """Command line: one JSON line for our plan, one for the peer's."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, required=True)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--peer", choices=sorted(set(PEERS) - {"clerk"}), default="pyvrp")
    add_policy_option(parser)
    args = parser.parse_args()
    request = parse_request(generate_request(args.workers, args.days, args.seed,
                                             policy=args.policy))
    context = build_context(request)
    ours = plan_routes(context, plan(request, jobs=args.jobs))
    theirs = runner(args.peer)(request, seed=0, jobs=args.jobs)
    for name, routes in (("charterplan", ours), (theirs.name, theirs.routes)):
        print(json.dumps({"plan": name, **breakdown(context, routes)}, ensure_ascii=False))


if __name__ == "__main__":
    main()
