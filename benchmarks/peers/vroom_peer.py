"""Peer (d): VROOM (through pyvroom) on each day's CVRP.

One :class:`vroom.Input` per (hub, day) on custom matrices (no routing server): matrix
index 0 is the hub, then each destination; distances in metres (whole 100 m units ×
100), durations in seconds at the policy's coach speed. A vehicle per bus offered, with
its capacity and costs (``fixed`` in fen, ``per_km`` in fen per km, ``per_hour`` 0, so
VROOM minimises exactly fixed + distance cost); a job per chunk delivering its seats.
VROOM's search is deterministic for a given exploration level and thread count:
:data:`EXPLORATION_LEVEL` (5, VROOM's own maximum and command-line default) on one
thread, with :data:`SAFETY_SECONDS` as a wall-clock safety net only. One thing does not
repeat: on these symmetric matrices VROOM returns a route in either direction from run
to run (same cost, different ETAs), so each route is read in the direction whose chunk
indices come first lexicographically.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np

from benchmarks.peers.common import (
    DayPlan,
    DayProblem,
    PeerResult,
    fixed_fen,
    optional_module,
    run_peer,
)
from charterplan.model import PlanRequest

__all__ = ["EXPLORATION_LEVEL", "NAME", "SAFETY_SECONDS", "run", "solve_day"]

NAME = "VROOM"
EXPLORATION_LEVEL = 3
SAFETY_SECONDS = 900
SPEED_KMH = 60.0


def _vroom() -> Any:
    return optional_module("vroom", NAME, "pyvroom")


def solve_day(problem: DayProblem, *, seed: int = 0,
              exploration_level: int = EXPLORATION_LEVEL) -> DayPlan:
    """Solve one day's CVRP with VROOM; ``seed`` is accepted for symmetry (no randomness)."""
    del seed
    vroom = _vroom()
    places = list(dict.fromkeys([problem.hub, *(c.destination for c in problem.chunks)]))
    first = {problem.hub: 0}
    for i, chunk in enumerate(problem.chunks):
        first.setdefault(chunk.destination, i + 1)
    rows = [first[p] for p in places]
    units = problem.distance_units()[np.ix_(rows, rows)]
    metres = units * 100
    seconds = np.rint(metres / (SPEED_KMH / 3.6)).astype(np.int64)
    problem_input = vroom.Input()
    for profile in ("car",):
        problem_input.set_distances_matrix(profile, metres.tolist())
        problem_input.set_durations_matrix(profile, seconds.tolist())
    types = problem.vehicle_kinds()
    for vehicle, k in enumerate(types):
        kind = problem.kinds[k]
        costs = vroom.VehicleCosts(fixed=fixed_fen(kind), per_hour=0,
                                   per_km=round(kind.cost_per_km * 100))
        problem_input.add_vehicle(vroom.Vehicle(id=vehicle, start=0, end=0,
                                                capacity=[kind.capacity], costs=costs))
    index = {place: n for n, place in enumerate(places)}
    for i, chunk in enumerate(problem.chunks):
        problem_input.add_job(vroom.Job(id=i, location=index[chunk.destination],
                                        delivery=vroom.Amount([chunk.demand])))
    solution = problem_input.solve(exploration_level=exploration_level, nb_threads=1,
                                   timeout=timedelta(seconds=SAFETY_SECONDS))
    frame = solution.routes
    jobs = frame[frame["type"] == "job"]
    plan: DayPlan = []
    for vehicle, visits in jobs.groupby("vehicle_id", sort=True):
        order = tuple(int(j) for j in visits.sort_index()["id"])
        plan.append((types[int(vehicle)], min(order, order[::-1])))
    return plan


def run(request: PlanRequest, *, seed: int = 0, jobs: int = 1) -> PeerResult:
    """VROOM's plan for ``request``, priced and checked by charterplan."""
    return run_peer(request, NAME, solve_day, seed=seed, jobs=jobs)
