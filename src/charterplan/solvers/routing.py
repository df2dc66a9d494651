"""Capacitated vehicle routing on OR-Tools' routing library (``pywrapcp``).

One depot (node 0) where every vehicle starts; each vehicle ends at the depot or at a
node of its own (a drop-off area: an open route). Every other node is a customer and is
visited exactly once, within the vehicle's capacity and, optionally, a number of stops.
The cost is the distance driven plus a fixed cost per vehicle used. Distances and
demands are integers; scale them once before building a :class:`RoutingProblem`.

:func:`solve_routes` has two ways to stop the search:

* without a time limit (the default) the search stops after a number of solutions
  (:data:`DEFAULT_SOLUTION_LIMIT` unless ``solution_limit`` says otherwise), and the
  same problem and seed give the same routes on every run and machine: the planner's
  mode, where plans must repeat byte for byte;
* ``time_limit_s`` stops on wall-clock time (and on ``solution_limit`` only if one is
  given): better routes on a fast machine, but not repeatable. The CVRP benchmark
  (``python -m benchmarks.cvrp``) uses it, at :data:`DEFAULT_TIME_LIMIT_S`.

Both start from parallel cheapest insertion; the search that follows depends on the mode:

* with a solution limit only, guided local search with the full set of OR-Tools moves
  (plus cross exchange and close-nodes reinsertion): each solution is one improving
  move or penalised step, which suits the planner's small problems (on 40 nodes with a
  stop limit it beats a second of the search below) and keeps its plans as they were;
* with a time limit, OR-Tools' iterated local search (``SolveWithIteratedLocalSearch``;
  ``SolveWithParameters`` ignores the parameters of this search): ruin part of the
  current solution with SISR string removals (Christiaens & Vanden Berghe 2020: strings
  of nearby customers cut out of a few neighbouring routes), recreate it by cheapest
  insertion, descend to a local optimum with only the five classic moves (relocate,
  exchange, cross, 2-opt, or-opt; cheap, so many ruins fit in the budget) and accept
  the result by simulated annealing, cooling over the time limit from a temperature
  scaled to the problem's mean arc cost. On the CVRP X instances this is what brings
  the gap to the best known solutions under 3 % (see ``benchmarks/RESULTS.md``).

Problems of at most :data:`EXACT_MAX_NODES` nodes are solved exactly by enumeration
instead, and the result says it is optimal.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt
from ortools.constraint_solver import pywrapcp, routing_enums_pb2, routing_parameters_pb2
from ortools.util import optional_boolean_pb2

from charterplan.errors import SolverError
from charterplan.solvers._enumerate import enumerate_routes
from charterplan.solvers._routing_problem import Route, Routes, RoutingProblem, routes_of

__all__ = [
    "DEFAULT_SOLUTION_LIMIT",
    "DEFAULT_TIME_LIMIT_S",
    "EXACT_MAX_NODES",
    "Route",
    "Routes",
    "RoutingProblem",
    "solve_routes",
]

DEFAULT_TIME_LIMIT_S = 60.0
"""Wall-clock budget of one benchmark solve, in seconds (tuned on CVRP X instances of
up to 200 customers on a 2-core machine; see ``benchmarks/RESULTS.md``)."""

DEFAULT_SOLUTION_LIMIT = 200
"""Solutions the search may find before it stops, in deterministic mode (each costs a
neighbourhood scan: about 2 ms at 20 nodes, 10 ms at 40, 45 ms at 106)."""

EXACT_MAX_NODES = 8
"""Problems of at most this many nodes (depot and ends included) are enumerated."""

Method = Literal["auto", "exact", "search"]

_FIRST_SOLUTION = routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
_GUIDED = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
_DESCENT = routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT
_TRUE = optional_boolean_pb2.BOOL_TRUE
_FALSE = optional_boolean_pb2.BOOL_FALSE

_ITERATED_OPERATORS = frozenset({"use_relocate", "use_exchange", "use_cross", "use_two_opt",
                                 "use_or_opt"})
"""The only moves of the descent inside iterated local search (measured: the rest, LNS
above all, cost more time than they save)."""
_SISR_REMOVED, _SISR_STRING, _SISR_BYPASS = 10, 10, 0.01
"""SISR's mean customers removed, longest string and bypass factor: the paper's values."""
_HEAT = 0.2
"""Initial annealing temperature as a share of the mean distance between nodes: about
OR-Tools' default of 100 on the X instances (mean distance 350–540), which measured
better there than 10, 300 or OR-Tools' automatic temperatures."""
_COOLING = 1e-4
"""Final over initial annealing temperature (OR-Tools' default: 100 down to 0.01)."""


def solve_routes(problem: RoutingProblem, *, time_limit_s: float | None = None,
                 solution_limit: int | None = None, seed: int = 0,
                 method: Method = "auto") -> Routes:
    """Route the fleet of ``problem`` so that every customer is visited once.

    Args:
        problem: the problem.
        time_limit_s: wall-clock budget of the search, or ``None`` for none. With a
            budget the search is iterated local search, otherwise guided local search
            (module docstring). Results then depend on the machine's speed.
        solution_limit: solutions the search may find before it stops. ``None`` (the
            default) means :data:`DEFAULT_SOLUTION_LIMIT` without a time limit, so that
            the result is the same on every run, and no limit under a time limit, so
            that the search uses its whole budget.
        seed: permutes the order in which customers are given to OR-Tools; each seed
            gives repeatable routes, different seeds (possibly) different ones.
        method: ``"exact"`` enumerates (only for :data:`EXACT_MAX_NODES` nodes or
            fewer), ``"search"`` runs OR-Tools, ``"auto"`` enumerates when small enough.

    Returns:
        the routes found; ``optimal`` only if enumerated.

    Raises:
        ValueError: if a limit is not positive, or
            ``"exact"`` is asked of a problem too large to enumerate.
        SolverError: if no solution serves every customer (the fleet is too small for
            the demands or the stop limit) or none was found within the limits.
    """
    if time_limit_s is not None and time_limit_s <= 0:
        raise ValueError(f"'time_limit_s' must be > 0 (got {time_limit_s})")
    if solution_limit is not None and solution_limit < 1:
        raise ValueError(f"'solution_limit' must be >= 1 (got {solution_limit})")
    small = problem.num_nodes <= EXACT_MAX_NODES
    if method == "exact" and not small:
        raise ValueError(f"method 'exact' needs at most {EXACT_MAX_NODES} nodes "
                         f"(got {problem.num_nodes})")
    if not problem.customers:
        return Routes(routes=(), cost=0, optimal=True)
    if method == "exact" or (method == "auto" and small):
        return enumerate_routes(problem)
    return _search(problem, time_limit_s, solution_limit, seed)


def _search_parameters(problem: RoutingProblem, time_limit_s: float | None,
                       solution_limit: int | None
                       ) -> routing_parameters_pb2.RoutingSearchParameters:
    """The parameters of the mode the limits choose (module docstring): without a time
    limit the search stops after ``solution_limit`` or :data:`DEFAULT_SOLUTION_LIMIT`
    solutions; under one, only if a ``solution_limit`` is given."""
    if time_limit_s is None:
        params = _guided_parameters()
        params.solution_limit = solution_limit or DEFAULT_SOLUTION_LIMIT
    else:
        params = _iterated_parameters(problem)
        params.time_limit.FromMilliseconds(max(1, round(time_limit_s * 1000)))
    if solution_limit is not None:
        params.solution_limit = solution_limit
    return params


def _search(problem: RoutingProblem, time_limit_s: float | None,
            solution_limit: int | None, seed: int) -> Routes:
    """OR-Tools on the problem with customers permuted by ``seed``: guided local search
    under a solution limit alone, iterated local search under a time limit (module
    docstring)."""
    order = np.arange(problem.num_nodes)
    if seed:
        customers = np.array(problem.customers)
        order[customers] = np.random.default_rng(seed).permutation(customers)
    manager, model = _model(problem, order)
    params = _search_parameters(problem, time_limit_s, solution_limit)
    solution = (model.SolveWithParameters(params) if time_limit_s is None
                else model.SolveWithIteratedLocalSearch(params))
    if solution is None:
        raise SolverError(f"no routes serve all {len(problem.customers)} customers with "
                          f"{problem.fleet_size} vehicles within the limits "
                          f"(status {model.status()})")
    trips = []
    for v in range(problem.fleet_size):
        stops = []
        index = solution.Value(model.NextVar(model.Start(v)))
        while not model.IsEnd(index):
            stops.append(int(order[manager.IndexToNode(index)]))
            index = solution.Value(model.NextVar(index))
        trips.append((v, tuple(stops)))
    return routes_of(problem, trips, optimal=False)


def _model(problem: RoutingProblem, order: npt.NDArray[np.int_]
           ) -> tuple[pywrapcp.RoutingIndexManager, pywrapcp.RoutingModel]:
    """The OR-Tools model of ``problem`` whose node ``i`` is the problem's ``order[i]``."""
    n, fleet = problem.num_nodes, problem.fleet_size
    d = problem.distances[np.ix_(order, order)]
    demands = [problem.demands[i] for i in order]
    customer = set(problem.customers)
    manager = pywrapcp.RoutingIndexManager(
        n, fleet, [0] * fleet, [problem.vehicle_end(v) for v in range(fleet)])
    model = pywrapcp.RoutingModel(manager)
    model.SetArcCostEvaluatorOfAllVehicles(model.RegisterTransitMatrix(d.tolist()))
    model.AddDimensionWithVehicleCapacity(
        model.RegisterUnaryTransitVector(demands), 0,
        [problem.vehicle_capacity(v) for v in range(fleet)], True, "load")
    if problem.max_stops is not None:
        visits = [int(order[i] in customer) for i in range(n)]
        model.AddDimension(model.RegisterUnaryTransitVector(visits), 0, problem.max_stops,
                           True, "stops")
    if problem.fixed_cost:
        model.SetFixedCostOfAllVehicles(problem.fixed_cost)
    return manager, model


def _guided_parameters() -> routing_parameters_pb2.RoutingSearchParameters:
    """Guided local search with the cross-exchange and close-nodes reinsertion
    operators besides OR-Tools' defaults (measured best on the X instances, see
    ``benchmarks/RESULTS.md``)."""
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = _FIRST_SOLUTION
    params.local_search_metaheuristic = _GUIDED
    operators = params.local_search_operators
    operators.use_cross_exchange = _TRUE
    operators.use_global_cheapest_insertion_close_nodes_lns = _TRUE
    operators.use_local_cheapest_insertion_close_nodes_lns = _TRUE
    return params


def _iterated_parameters(problem: RoutingProblem
                         ) -> routing_parameters_pb2.RoutingSearchParameters:
    """Iterated local search: SISR ruin, cheapest-insertion recreate, greedy descent
    with the classic moves only, simulated-annealing acceptance (module docstring)."""
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = _FIRST_SOLUTION
    params.local_search_metaheuristic = _DESCENT
    operators = params.local_search_operators
    for field in operators.DESCRIPTOR.fields:
        setattr(operators, field.name,
                _TRUE if field.name in _ITERATED_OPERATORS else _FALSE)
    params.use_iterated_local_search = True
    ils = params.iterated_local_search_parameters
    ruin = ils.ruin_recreate_parameters.ruin_strategies.add().sisr
    ruin.avg_num_removed_visits = _SISR_REMOVED
    ruin.max_removed_sequence_size = _SISR_STRING
    ruin.bypass_factor = _SISR_BYPASS
    annealing = ils.reference_solution_acceptance_strategy.simulated_annealing
    annealing.initial_temperature = _initial_temperature(problem)
    annealing.final_temperature = annealing.initial_temperature * _COOLING
    return params


def _initial_temperature(problem: RoutingProblem) -> float:
    """Starting temperature of the annealing: a fixed share of the mean distance
    between two distinct nodes, so that it scales with the problem's units."""
    n = problem.num_nodes
    mean = float(problem.distances.sum()) / max(1, n * (n - 1))
    return max(1.0, _HEAT * mean)


