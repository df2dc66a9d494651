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

Told charterplan's drop-off rules (:func:`run_with_rules`; ``--peer pyvrp-rules``), each
client also delivers one stop of a second capacity, ``max_dropoffs_per_bus`` a bus; an
edge between drop-offs beyond the radius costs more than a bus of its own; and clients
get their riders' time windows: released when the last is ready, due by the first
deadline, with the driving times and stops of :class:`~benchmarks.peers.common.DayRules`.
A bus that still calls at two drop-offs beyond the radius (with a third between them)
is split (:func:`~benchmarks.peers.common.within_radius`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from benchmarks.peers.common import (
    Chunk,
    DayPlan,
    DayProblem,
    DayRules,
    PeerResult,
    fixed_fen,
    optional_module,
    per_unit_fen,
    run_peer,
)
from charterplan.model import BusType, PlanRequest

__all__ = ["MAX_ITERATIONS", "NAME", "NO_IMPROVEMENT", "RULES_NAME", "SAFETY_SECONDS",
           "add_roads", "forbid_apart", "load_pyvrp", "run", "run_with_rules", "search",
           "solve_day", "worst_bus_fen"]

NAME = "PyVRP"
RULES_NAME = "PyVRP, told our rules"
MAX_ITERATIONS = 5000
NO_IMPROVEMENT = 1000
SAFETY_SECONDS = 120.0


def load_pyvrp() -> Any:
    """PyVRP with its stopping criteria, or an ImportError saying how to install it."""
    optional_module("pyvrp.stop", NAME, "pyvrp")
    return optional_module("pyvrp", NAME, "pyvrp")


def solve_day(problem: DayProblem, *, seed: int = 0, max_iterations: int = MAX_ITERATIONS,
              no_improvement: int = NO_IMPROVEMENT) -> DayPlan:
    """Solve one day's CVRP with PyVRP (deterministic for a given ``seed``)."""
    pyvrp = load_pyvrp()
    model = pyvrp.Model()
    dist = problem.distance_units()
    worst = worst_bus_fen(problem.kinds, dist)
    rules = problem.rules
    if rules is None:
        where = add_roads(model, problem.hub, problem.chunks, dist)
    else:
        where = add_roads(model, problem.hub, problem.chunks,
                          forbid_apart(dist, rules, problem.kinds, worst), rules.minutes)
    for n, (chunk, location) in enumerate(zip(problem.chunks, where, strict=True), start=1):
        if rules is None:
            model.add_client(location, delivery=[chunk.demand])
        else:  # alone, every chunk is on time: a peer cannot be asked for the impossible
            late = max(chunk.deadline, chunk.ready + int(rules.minutes[0, n]))
            model.add_client(location, delivery=[chunk.demand, 1], release_time=chunk.ready,
                             tw_late=late, service_duration=rules.stop_minutes)
    kinds = []
    for k, (kind, count) in enumerate(zip(problem.kinds, problem.fleet(), strict=True)):
        if count:
            kinds.append(k)
            model.add_vehicle_type(num_available=count, capacity=[kind.capacity] if rules is None
                                   else [kind.capacity, rules.max_stops],
                                   fixed_cost=fixed_fen(kind),
                                   unit_distance_cost=per_unit_fen(kind), name=kind.id)
    best = search(model, seed=seed, max_iterations=max_iterations,
                  no_improvement=no_improvement, worst=worst,
                  what=f"hub {problem.hub} day {problem.day}")
    return [(kinds[route.vehicle_type()], tuple(a.idx for a in route if a.is_client()))
            for route in best.routes()]


def worst_bus_fen(kinds: Sequence[BusType], dist: NDArray[np.int64]) -> int:
    """The dearest bus (fen) to the farthest node and back: the penalty cap."""
    return max(fixed_fen(k) + per_unit_fen(k) * 2 * int(dist[0].max()) for k in kinds)


def forbid_apart(dist: NDArray[np.int64], rules: DayRules, kinds: Sequence[BusType],
                 worst: int) -> NDArray[np.int64]:
    """``dist`` with each edge between drop-offs beyond the radius made longer than a
    bus of its own costs (``worst`` fen) at the cheapest type's rate."""
    cheapest = max(1, min(per_unit_fen(k) for k in kinds))
    return dist + rules.apart * (worst // cheapest + 1)


def add_roads(model: Any, hub: str, chunks: Sequence[Chunk], dist: NDArray[np.int64],
              minutes: NDArray[np.int64] | None = None) -> list[Any]:
    """Add to ``model`` a location per place (the hub first, its depot), the edges
    between them (``dist`` and ``minutes`` indexed by node: the hub, then each chunk);
    return each chunk's location."""
    places = list(dict.fromkeys([hub, *(c.destination for c in chunks)]))
    first = {hub: 0}
    first.update({c.destination: i + 1 for i, c in reversed(list(enumerate(chunks)))})
    locations = [model.add_location(x=float(i), y=0.0) for i in range(len(places))]
    for a, frm in enumerate(places):
        for b, to in enumerate(places):
            if a != b:
                i, j = first[frm], first[to]
                model.add_edge(locations[a], locations[b], int(dist[i, j]),
                               duration=0 if minutes is None else int(minutes[i, j]))
    model.add_depot(locations[0])
    at = dict(zip(places, locations, strict=True))
    return [at[c.destination] for c in chunks]


def search(model: Any, *, seed: int, max_iterations: int, no_improvement: int, worst: int,
           what: str) -> Any:
    """PyVRP's best solution of ``model`` within the stopping criteria, penalties
    capped at ``worst`` fen; raises ``RuntimeError`` if it is not feasible."""
    pyvrp = load_pyvrp()
    stop = pyvrp.stop.MultipleCriteria([
        pyvrp.stop.MaxIterations(max_iterations), pyvrp.stop.NoImprovement(no_improvement),
        pyvrp.stop.MaxRuntime(SAFETY_SECONDS)])
    params = pyvrp.SolveParams(penalty=pyvrp.PenaltyParams(max_penalty=float(max(worst, 1))))
    result = model.solve(stop=stop, seed=seed, display=False, collect_stats=False,
                         params=params)
    if not result.is_feasible():
        raise RuntimeError(f"PyVRP found no feasible plan for {what}")
    return result.best


def run(request: PlanRequest, *, seed: int = 0, jobs: int = 1) -> PeerResult:
    """PyVRP's plan for ``request``, priced and checked by charterplan."""
    return run_peer(request, NAME, solve_day, seed=seed, jobs=jobs)


def run_with_rules(request: PlanRequest, *, seed: int = 0, jobs: int = 1) -> PeerResult:
    """PyVRP's plan for ``request`` told charterplan's drop-off rules as far as a CVRP
    with time windows states them (:class:`benchmarks.peers.common.DayRules`)."""
    return run_peer(request, RULES_NAME, solve_day, seed=seed, jobs=jobs, rules=True)
