"""The OR-Tools routing solver on tiny problems with a known optimum, against brute force."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
from collections.abc import Sequence
from functools import cache

import numpy as np
import numpy.typing as npt
import pytest
from ortools.constraint_solver import pywrapcp
from ortools.util import optional_boolean_pb2

from charterplan.errors import SolverError
from charterplan.solvers.routing import (
    DEFAULT_SOLUTION_LIMIT,
    Routes,
    RoutingProblem,
    _iterated_parameters,
    _search_parameters,
    solve_routes,
)

LIMIT = 100  # solutions: deterministic and quick on these sizes
SECONDS = 0.2  # time limit: iterated local search, ample on these sizes


def _matrix(points: Sequence[tuple[float, float]]) -> npt.NDArray[np.int64]:
    xy = np.array(points, dtype=float)
    diff = xy[:, None, :] - xy[None, :, :]
    return np.rint(np.sqrt((diff ** 2).sum(axis=2))).astype(np.int64)


def _brute_force(problem: RoutingProblem) -> int:
    """Cheapest cost by trying every assignment of customers to vehicles and every order
    of each vehicle's customers; shares no code with the solver."""
    d = problem.distances
    customers = problem.customers
    fleet = problem.fleet_size

    @cache
    def trip(vehicle: int, stops: frozenset[int]) -> float:
        if not stops:
            return 0
        if (sum(problem.demands[i] for i in stops) > problem.vehicle_capacity(vehicle)
                or (problem.max_stops is not None and len(stops) > problem.max_stops)):
            return float("inf")
        end = problem.vehicle_end(vehicle)
        return problem.fixed_cost + min(
            sum(int(d[a, b]) for a, b in itertools.pairwise((0, *order, end)))
            for order in itertools.permutations(sorted(stops)))

    identical = not isinstance(problem.capacity, tuple) and not isinstance(problem.ends, tuple)
    best = float("inf")
    for owners in itertools.product(range(fleet), repeat=len(customers)):
        if identical and any(o > max(owners[:k], default=-1) + 1 for k, o in enumerate(owners)):
            continue  # identical vehicles: number them in order of first use only
        best = min(best, sum(trip(v, frozenset(c for c, o in zip(customers, owners,
                                                                    strict=True) if o == v))
                             for v in range(fleet)))
    assert best < float("inf"), "the brute force found no feasible solution"
    return int(best)


def _assert_valid(problem: RoutingProblem, routes: Routes) -> None:
    """Every customer once, capacity and stop limits kept, cost re-measured."""
    visited = sorted(i for r in routes.routes for i in r.stops)
    assert visited == list(problem.customers)
    assert len({r.vehicle for r in routes.routes}) == len(routes.routes)
    total = 0
    for r in routes.routes:
        assert r.load == sum(problem.demands[i] for i in r.stops)
        assert r.load <= problem.vehicle_capacity(r.vehicle)
        assert problem.max_stops is None or len(r.stops) <= problem.max_stops
        path = (0, *r.stops, problem.vehicle_end(r.vehicle))
        assert r.distance == sum(int(problem.distances[a, b])
                                 for a, b in itertools.pairwise(path))
        total += r.distance + problem.fixed_cost
    assert routes.cost == total


def _both(problem: RoutingProblem) -> tuple[Routes, Routes]:
    exact = solve_routes(problem, method="exact")
    search = solve_routes(problem, solution_limit=LIMIT, method="search")
    _assert_valid(problem, exact)
    _assert_valid(problem, search)
    return exact, search


LINE = _matrix([(0, 0), (1, 0), (2, 0), (3, 0), (4, 0), (5, 0)])
SQUARE = _matrix([(0, 0), (10, 0), (10, 10), (0, 10)])


def test_points_on_a_line_cost_twice_the_farthest() -> None:
    """Five customers on a line, one vehicle: out to the last and back, 10."""
    problem = RoutingProblem(LINE, (0, 1, 1, 1, 1, 1), capacity=5)
    exact, search = _both(problem)
    assert exact.cost == search.cost == 10
    assert exact.optimal and not search.optimal
    assert [r.stops for r in exact.routes] in ([(1, 2, 3, 4, 5)], [(5, 4, 3, 2, 1)])


def test_square_tour_is_its_perimeter() -> None:
    """Depot at a corner of a 10 × 10 square and customers at the others: 40."""
    problem = RoutingProblem(SQUARE, (0, 1, 1, 1), capacity=3)
    exact, search = _both(problem)
    assert exact.cost == search.cost == 40 == _brute_force(problem)


def test_capacity_forces_two_routes() -> None:
    """Three customers left and three right of the depot, capacity three: one route
    each side, 2·3 + 2·3 = 12."""
    points = [(0, 0), (1, 0), (2, 0), (3, 0), (-1, 0), (-2, 0), (-3, 0)]
    problem = RoutingProblem(_matrix(points), (0, 1, 1, 1, 1, 1, 1), capacity=3)
    exact, search = _both(problem)
    assert exact.cost == search.cost == 12 == _brute_force(problem)
    assert sorted(sorted(r.stops) for r in search.routes) == [[1, 2, 3], [4, 5, 6]]


def test_max_stops_forces_a_split() -> None:
    """Four customers on a line, two stops a route: {3, 4} and {1, 2}, 8 + 4 = 12."""
    problem = RoutingProblem(LINE[:5, :5], (0, 1, 1, 1, 1), capacity=10, max_stops=2)
    exact, search = _both(problem)
    assert exact.cost == search.cost == 12 == _brute_force(problem)
    assert sorted(sorted(r.stops) for r in search.routes) == [[1, 2], [3, 4]]


def test_open_routes_end_at_the_drop_off() -> None:
    """Customers between the depot (x = 0) and a drop-off (x = 5): one vehicle drives
    straight through them, 5, and no vehicle comes back."""
    problem = RoutingProblem(LINE, (0, 1, 1, 1, 1, 0), capacity=4, ends=5)
    exact, search = _both(problem)
    assert exact.cost == search.cost == 5 == _brute_force(problem)
    assert [r.stops for r in search.routes] == [(1, 2, 3, 4)]


def test_per_vehicle_ends_and_capacities() -> None:
    """Two vehicles: the first ends at the depot and holds 2, the second ends at the
    far right; the brute force and both methods agree."""
    points = [(0, 0), (-2, 0), (-1, 1), (3, 0), (4, 1), (6, 0)]
    problem = RoutingProblem(_matrix(points), (0, 1, 1, 1, 1, 0), capacity=(2, 2),
                             ends=(0, 5))
    exact, search = _both(problem)
    assert exact.cost == search.cost == _brute_force(problem)
    assert {r.vehicle: sorted(r.stops) for r in exact.routes} == {0: [1, 2], 1: [3, 4]}


def test_fixed_cost_merges_routes() -> None:
    """A fixed cost per vehicle above the detour makes one route of two."""
    points = [(0, 0), (0, 5), (1, 5)]
    cheap = RoutingProblem(_matrix(points), (0, 1, 1), capacity=2, num_vehicles=2)
    dear = RoutingProblem(_matrix(points), (0, 1, 1), capacity=2, num_vehicles=2,
                          fixed_cost=100)
    assert solve_routes(dear, solution_limit=LIMIT, method="search").cost == 111
    assert len(solve_routes(cheap, method="exact").routes) == 1  # 11 < 20 anyway
    assert _brute_force(dear) == 111


@pytest.mark.parametrize("seed", range(6))
def test_random_tiny_problems_match_brute_force(seed: int) -> None:
    """Seven random nodes with random demands, capacity and stop limit: enumeration and
    brute force agree, and the search finds the same optimum."""
    rng = np.random.default_rng(seed)
    n = 7
    points = [tuple(p) for p in rng.integers(0, 50, (n, 2)).tolist()]
    demands = (0, *(int(x) for x in rng.integers(1, 6, n - 1)))
    problem = RoutingProblem(_matrix(points), demands, capacity=int(rng.integers(6, 12)),
                             max_stops=int(rng.integers(2, 5)))
    exact, search = _both(problem)
    assert exact.cost == _brute_force(problem)
    assert search.cost == exact.cost


def _cluster_problem(n: int = 40, seed: int = 3) -> RoutingProblem:
    rng = np.random.default_rng(seed)
    points = [tuple(p) for p in rng.integers(0, 1000, (n, 2)).tolist()]
    demands = (0, *(int(x) for x in rng.integers(1, 10, n - 1)))
    return RoutingProblem(_matrix(points), demands, capacity=25, max_stops=6)


def test_forty_nodes_every_customer_once_within_limits() -> None:
    """On 40 nodes the search visits every customer exactly once, keeps capacity and
    stop limits, and reports a cost that matches its routes."""
    problem = _cluster_problem()
    routes = solve_routes(problem, solution_limit=LIMIT)
    _assert_valid(problem, routes)
    assert not routes.optimal


def test_solution_limit_repeats_exactly() -> None:
    """The same problem (25 nodes) and seed with a solution limit give identical routes
    twice in one process and once more in a fresh one."""
    problem = _cluster_problem(n=25)
    first = solve_routes(problem, solution_limit=LIMIT, seed=5)
    assert solve_routes(problem, solution_limit=LIMIT, seed=5) == first
    script = (
        "import sys; sys.path[:0] = " + repr(sys.path) + "\n"
        "from tests.solvers.test_routing import _cluster_problem, LIMIT\n"
        "from charterplan.solvers.routing import solve_routes\n"
        "print(solve_routes(_cluster_problem(n=25), solution_limit=LIMIT, seed=5))\n")
    fresh = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           check=True, timeout=60)
    assert fresh.stdout.strip() == repr(first)


def test_seed_changes_only_the_search_path() -> None:
    """Another seed still gives a valid solution."""
    problem = _cluster_problem(n=25)
    _assert_valid(problem, solve_routes(problem, solution_limit=LIMIT, seed=11))


def _tiny_problem(seed: int) -> RoutingProblem:
    """Seven random nodes with random demands, capacity and stop limit; with an odd
    seed the last node is a drop-off where every route ends, with a fixed cost."""
    rng = np.random.default_rng(seed)
    n = 7
    points = [tuple(p) for p in rng.integers(0, 50, (n, 2)).tolist()]
    demands = [0, *(int(x) for x in rng.integers(1, 6, n - 1))]
    open_routes = seed % 2 == 1
    if open_routes:
        demands[-1] = 0
    return RoutingProblem(_matrix(points), tuple(demands), capacity=int(rng.integers(6, 12)),
                          max_stops=int(rng.integers(2, 5)), ends=n - 1 if open_routes else 0,
                          fixed_cost=20 if open_routes else 0)


@pytest.mark.parametrize("seed", range(6))
def test_time_limited_search_finds_tiny_optima(seed: int) -> None:
    """Under a time limit (iterated local search) the search finds the enumerated
    optimum of tiny problems, closed or open, and its routes are valid."""
    problem = _tiny_problem(seed)
    timed = solve_routes(problem, time_limit_s=SECONDS,
                         method="search", seed=seed)
    _assert_valid(problem, timed)
    assert timed.cost == solve_routes(problem, method="exact").cost


def test_time_limited_search_keeps_per_vehicle_ends_and_capacities() -> None:
    """Iterated local search on a fixed fleet with its own ends and capacities."""
    points = [(0, 0), (-2, 0), (-1, 1), (3, 0), (4, 1), (6, 0)]
    problem = RoutingProblem(_matrix(points), (0, 1, 1, 1, 1, 0), capacity=(2, 2),
                             ends=(0, 5))
    timed = solve_routes(problem, time_limit_s=SECONDS,
                         method="search")
    _assert_valid(problem, timed)
    assert timed.cost == _brute_force(problem)


def test_time_limited_search_on_forty_nodes_is_valid() -> None:
    """On 40 nodes iterated local search visits every customer exactly once within
    capacity and stop limits."""
    problem = _cluster_problem()
    timed = solve_routes(problem, time_limit_s=SECONDS)
    _assert_valid(problem, timed)
    assert not timed.optimal


def test_iterated_search_uses_the_classic_moves_and_scaled_temperatures() -> None:
    """The descent inside iterated local search uses only relocate, exchange, cross,
    2-opt and or-opt, and the annealing temperatures follow the distance unit."""
    problem = _cluster_problem(n=12)
    params = _iterated_parameters(problem)
    operators = params.local_search_operators
    on = {f.name for f in operators.DESCRIPTOR.fields
          if getattr(operators, f.name) == optional_boolean_pb2.BOOL_TRUE}
    assert on == {"use_relocate", "use_exchange", "use_cross", "use_two_opt", "use_or_opt"}
    assert params.use_iterated_local_search
    scaled = RoutingProblem(problem.distances * 10, problem.demands, problem.capacity)
    annealing = (params.iterated_local_search_parameters
                 .reference_solution_acceptance_strategy.simulated_annealing)
    hotter = (_iterated_parameters(scaled).iterated_local_search_parameters
              .reference_solution_acceptance_strategy.simulated_annealing)
    assert hotter.initial_temperature == pytest.approx(10 * annealing.initial_temperature)
    assert 0 < annealing.final_temperature < annealing.initial_temperature


def test_a_time_limit_alone_is_not_cut_short_by_a_solution_limit() -> None:
    """Under a time limit the search runs its whole budget unless the caller also
    gives a solution limit; without one the planner's default limit applies."""
    problem = _cluster_problem(n=12)
    unlimited = pywrapcp.DefaultRoutingSearchParameters().solution_limit
    assert _search_parameters(problem, SECONDS, None).solution_limit == unlimited
    assert _search_parameters(problem, SECONDS, 7).solution_limit == 7
    assert _search_parameters(problem, None, None).solution_limit == DEFAULT_SOLUTION_LIMIT
    assert _search_parameters(problem, None, 7).solution_limit == 7


def test_too_small_a_fleet_is_a_solver_error() -> None:
    """Four units of demand, one vehicle of capacity 3: no solution, a SolverError."""
    problem = RoutingProblem(LINE[:5, :5], (0, 1, 1, 1, 1), capacity=3, num_vehicles=1)
    with pytest.raises(SolverError):
        solve_routes(problem, method="exact")
    with pytest.raises(SolverError):
        solve_routes(problem, solution_limit=LIMIT, method="search")
    with pytest.raises(SolverError):
        solve_routes(problem, time_limit_s=SECONDS, method="search")


def test_only_a_depot_needs_no_route() -> None:
    """No customers: no routes, cost 0."""
    routes = solve_routes(RoutingProblem(np.zeros((1, 1), np.int64), (0,), capacity=1))
    assert routes == Routes(routes=(), cost=0, optimal=True)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"distances": np.zeros((2, 3), np.int64)}, "'distances'"),
    ({"distances": -LINE[:3, :3]}, "'distances' must be >= 0"),
    ({"demands": (0, 1)}, "'demands' must have one entry per node"),
    ({"demands": (1, 1, 1)}, "'demands' of the depot"),
    ({"demands": (0, 9, 1)}, "'demands' must fit the largest capacity, 5"),
    ({"capacity": 0}, "'capacity' must be > 0"),
    ({"capacity": (5, 5), "num_vehicles": 3}, "must agree on the number of vehicles"),
    ({"ends": 7}, "'ends' must be nodes in [0, 3)"),
    ({"max_stops": 0}, "'max_stops' must be >= 1"),
    ({"fixed_cost": -1}, "'fixed_cost' must be >= 0"),
])
def test_bad_fields_are_named(kwargs: dict[str, object], field: str) -> None:
    """Each malformed field raises a ValueError that names it."""
    base: dict[str, object] = {"distances": LINE[:3, :3], "demands": (0, 1, 1),
                               "capacity": 5}
    with pytest.raises(ValueError, match=re.escape(field)):
        RoutingProblem(**(base | kwargs))  # type: ignore[arg-type]  # fields vary per case


def test_limits_are_checked() -> None:
    """A limit that is not positive, or exact on too many nodes, is a ValueError."""
    problem = _cluster_problem(n=12)
    with pytest.raises(ValueError, match="'solution_limit'"):
        solve_routes(problem, solution_limit=0)
    with pytest.raises(ValueError, match="'time_limit_s'"):
        solve_routes(problem, time_limit_s=0)
    with pytest.raises(ValueError, match="method 'exact'"):
        solve_routes(problem, method="exact")
