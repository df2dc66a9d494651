"""Peer (c): PyVRP's hybrid genetic search on each day's CVRP, through its Model API.

One :class:`pyvrp.Model` per (hub, day): a location per place (the hub, each
destination), an edge between every two of them in 100 m units, a depot at the hub, a
client per chunk delivering its seats, and a vehicle type per bus type with its fleet,
capacity, fixed cost and cost per 100 m (all in fen). The search stops after
:data:`MAX_ITERATIONS` iterations or :data:`NO_IMPROVEMENT` iterations without a better
solution, whichever comes first, with a fixed seed, so figures repeat;
:data:`SAFETY_SECONDS` is a wall-clock safety net only.

PyVRP's default penalty cap (100,000 per excess seat) is below what one more bus to
Guangdong costs here in fen, so the search would rather overload buses than add one and
ends infeasible; the cap is raised to the dearest single-chunk bus of the day, which
makes one excess seat never pay.
"""

from __future__ import annotations

from typing import Any

from benchmarks.peers.common import (
    DayPlan,
    DayProblem,
    PeerResult,
    fixed_fen,
    optional_module,
    per_unit_fen,
    run_peer,
)
from charterplan.model import PlanRequest

__all__ = ["MAX_ITERATIONS", "NAME", "NO_IMPROVEMENT", "SAFETY_SECONDS", "run", "solve_day"]

NAME = "PyVRP"
MAX_ITERATIONS = 5000
NO_IMPROVEMENT = 1000
SAFETY_SECONDS = 120.0


def _pyvrp() -> Any:
    optional_module("pyvrp.stop", NAME, "pyvrp")
    return optional_module("pyvrp", NAME, "pyvrp")


def solve_day(problem: DayProblem, *, seed: int = 0, max_iterations: int = MAX_ITERATIONS,
              no_improvement: int = NO_IMPROVEMENT) -> DayPlan:
    """Solve one day's CVRP with PyVRP (deterministic for a given ``seed``)."""
    pyvrp = _pyvrp()
    model = pyvrp.Model()
    places = list(dict.fromkeys([problem.hub, *(c.destination for c in problem.chunks)]))
    node_of = {place: 1 + n for n, place in enumerate(places[1:])}
    dist = problem.distance_units()
    first = {place: 0 for place in places[:1]}
    first.update({c.destination: i + 1 for i, c in reversed(list(enumerate(problem.chunks)))})
    locations = [model.add_location(x=float(i), y=0.0) for i in range(len(places))]
    for a, frm in enumerate(places):
        for b, to in enumerate(places):
            if a != b:
                model.add_edge(locations[a], locations[b], int(dist[first[frm], first[to]]))
    model.add_depot(locations[0])
    for chunk in problem.chunks:
        model.add_client(locations[node_of[chunk.destination]], delivery=[chunk.demand])
    kinds = []
    for k, (kind, count) in enumerate(zip(problem.kinds, problem.fleet(), strict=True)):
        if count:
            kinds.append(k)
            model.add_vehicle_type(num_available=count, capacity=[kind.capacity],
                                   fixed_cost=fixed_fen(kind),
                                   unit_distance_cost=per_unit_fen(kind), name=kind.id)
    stop = pyvrp.stop.MultipleCriteria([
        pyvrp.stop.MaxIterations(max_iterations), pyvrp.stop.NoImprovement(no_improvement),
        pyvrp.stop.MaxRuntime(SAFETY_SECONDS)])
    worst = max(fixed_fen(k) + per_unit_fen(k) * 2 * int(dist[0].max()) for k in problem.kinds)
    params = pyvrp.SolveParams(penalty=pyvrp.PenaltyParams(max_penalty=float(max(worst, 1))))
    result = model.solve(stop=stop, seed=seed, display=False, collect_stats=False,
                         params=params)
    if not result.is_feasible():
        raise RuntimeError(f"PyVRP found no feasible plan for hub {problem.hub} "
                           f"day {problem.day}")
    return [(kinds[route.vehicle_type()], tuple(a.idx for a in route if a.is_client()))
            for route in result.best.routes()]


def run(request: PlanRequest, *, seed: int = 0, jobs: int = 1) -> PeerResult:
    """PyVRP's plan for ``request``, priced and checked by charterplan."""
    return run_peer(request, NAME, solve_day, seed=seed, jobs=jobs)
