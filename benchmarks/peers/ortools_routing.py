"""Peer (b): OR-Tools routing used directly as a generic CVRP on each day's riders.

One ``pywrapcp.RoutingModel`` per (hub, day): a vehicle per bus offered, a capacity
dimension on seats, each vehicle's fixed cost, and its arc costs from the distance
matrix times its type's cost per 100 m (one registered transit matrix per bus type).
First solution ``PATH_CHEAPEST_ARC``, then ``GUIDED_LOCAL_SEARCH`` stopped by a
*solution limit* (:data:`SOLUTION_LIMIT` solutions generated), which makes the result
repeat run after run; :data:`SAFETY_SECONDS` is a wall-clock safety net only.
"""

from __future__ import annotations

from ortools.constraint_solver import pywrapcp
from ortools.constraint_solver import routing_enums_pb2 as enums

from benchmarks.peers.common import (
    DayPlan,
    DayProblem,
    PeerResult,
    fixed_fen,
    per_unit_fen,
    run_peer,
)
from charterplan.model import PlanRequest

__all__ = ["NAME", "SAFETY_SECONDS", "SOLUTION_LIMIT", "run", "solve_day"]

NAME = "OR-Tools routing"
SOLUTION_LIMIT = 500
SAFETY_SECONDS = 120


def solve_day(problem: DayProblem, *, seed: int = 0,
              solution_limit: int = SOLUTION_LIMIT) -> DayPlan:
    """Solve one day's CVRP; ``seed`` is accepted for symmetry (the search is deterministic)."""
    del seed
    dist = problem.distance_units().tolist()
    types = problem.vehicle_kinds()
    manager = pywrapcp.RoutingIndexManager(len(dist), len(types), 0)
    routing = pywrapcp.RoutingModel(manager)
    for k, kind in enumerate(problem.kinds):
        rate = per_unit_fen(kind)
        matrix = routing.RegisterTransitMatrix([[rate * d for d in row] for row in dist])
        for vehicle, of_type in enumerate(types):
            if of_type == k:
                routing.SetArcCostEvaluatorOfVehicle(matrix, vehicle)
                routing.SetFixedCostOfVehicle(fixed_fen(kind), vehicle)
    demand = routing.RegisterUnaryTransitVector([0, *(c.demand for c in problem.chunks)])
    capacities = [problem.kinds[k].capacity for k in types]
    routing.AddDimensionWithVehicleCapacity(demand, 0, capacities, True, "seats")
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = enums.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = enums.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.solution_limit = solution_limit
    params.time_limit.seconds = SAFETY_SECONDS
    solution = routing.SolveWithParameters(params)
    if solution is None:
        raise RuntimeError(f"OR-Tools found no plan for hub {problem.hub} day {problem.day}")
    plan: DayPlan = []
    for vehicle, kind in enumerate(types):
        index = routing.Start(vehicle)
        order = []
        while not routing.IsEnd(index):
            node = manager.IndexToNode(index)
            if node:
                order.append(node - 1)
            index = solution.Value(routing.NextVar(index))
        if order:
            plan.append((kind, tuple(order)))
    return plan


def run(request: PlanRequest, *, seed: int = 0, jobs: int = 1) -> PeerResult:
    """OR-Tools routing's plan for ``request``, priced and checked by charterplan."""
    return run_peer(request, NAME, solve_day, seed=seed, jobs=jobs)
