"""The routing problem and its solutions, as :mod:`charterplan.solvers.routing` takes
and returns them."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["Route", "Routes", "RoutingProblem", "route_of", "routes_of"]


@dataclass(frozen=True, eq=False)
class RoutingProblem:
    """A capacitated routing problem on ``n`` nodes; node 0 is the depot.

    Attributes:
        distances: ``n × n`` integer matrix, ``distances[i, j]`` the cost of driving
            from ``i`` to ``j``; need not be symmetric. Stored as a read-only int64 copy.
        demands: load picked up at each node; 0 at the depot and at every end.
        capacity: the capacity of every vehicle, or one per vehicle (which also fixes
            the number of vehicles).
        num_vehicles: the fleet size; ``None`` for as many vehicles as needed.
        max_stops: most customers one route may visit; ``None`` for no limit.
        ends: where vehicles end: one node for all (0, the default, closes every route
            at the depot), or one node per vehicle (which also fixes the number of
            vehicles). An end node is never visited as a customer. A route that may
            end anywhere ends at an extra node at distance 0 from every node.
        fixed_cost: cost added for each vehicle that leaves the depot.

    Raises:
        ValueError: if a field is malformed or inconsistent with another; the message
            names the field, what was expected and what was received.
    """

    distances: npt.NDArray[np.int64]
    demands: tuple[int, ...]
    capacity: int | tuple[int, ...]
    num_vehicles: int | None = None
    max_stops: int | None = None
    ends: int | tuple[int, ...] = 0
    fixed_cost: int = 0

    def __post_init__(self) -> None:
        matrix = np.array(self.distances, dtype=np.int64)
        matrix.flags.writeable = False
        object.__setattr__(self, "distances", matrix)
        object.__setattr__(self, "demands", tuple(int(d) for d in self.demands))
        n = matrix.shape[0] if matrix.ndim == 2 else 0
        if matrix.ndim != 2 or matrix.shape != (n, n) or n == 0:
            raise ValueError(f"'distances' must be a non-empty square matrix "
                             f"(got shape {matrix.shape})")
        if (matrix < 0).any():
            raise ValueError(f"'distances' must be >= 0 (got {matrix.min()})")
        if len(self.demands) != n:
            raise ValueError(f"'demands' must have one entry per node, {n} "
                             f"(got {len(self.demands)})")
        if min(self.demands) < 0:
            raise ValueError(f"'demands' must be >= 0 (got {min(self.demands)})")
        self._check_fleet(n)
        for node in {0, *self.end_nodes}:
            if self.demands[node]:
                raise ValueError(f"'demands' of the depot and of ends must be 0 "
                                 f"(got {self.demands[node]} at node {node})")
        largest = max(self.capacities)
        for node in self.customers:
            if self.demands[node] > largest:
                raise ValueError(f"'demands' must fit the largest capacity, {largest} "
                                 f"(got {self.demands[node]} at node {node})")
        if self.max_stops is not None and self.max_stops < 1:
            raise ValueError(f"'max_stops' must be >= 1 (got {self.max_stops})")
        if self.fixed_cost < 0:
            raise ValueError(f"'fixed_cost' must be >= 0 (got {self.fixed_cost})")

    def _check_fleet(self, n: int) -> None:
        """Capacities, ends and the vehicle count agree and are in range."""
        sizes = {name: len(value) for name, value in
                 (("capacity", self.capacity), ("ends", self.ends))
                 if isinstance(value, tuple)}
        if self.num_vehicles is not None:
            if self.num_vehicles < 1:
                raise ValueError(f"'num_vehicles' must be >= 1 (got {self.num_vehicles})")
            sizes["num_vehicles"] = self.num_vehicles
        if len(set(sizes.values())) > 1:
            raise ValueError(f"'capacity', 'ends' and 'num_vehicles' must agree on the "
                             f"number of vehicles (got {sizes})")
        if not self.capacities or min(self.capacities) < 1:
            raise ValueError(f"'capacity' must be > 0 (got {self.capacity})")
        for node in self.end_nodes:
            if not 0 <= node < n:
                raise ValueError(f"'ends' must be nodes in [0, {n}) (got {node})")

    @property
    def num_nodes(self) -> int:
        """Nodes in the problem, depot and ends included."""
        return int(self.distances.shape[0])

    @property
    def end_nodes(self) -> tuple[int, ...]:
        """The distinct nodes where some vehicle ends, in increasing order."""
        return tuple(sorted(set(self.ends))) if isinstance(self.ends, tuple) else (self.ends,)

    @property
    def customers(self) -> tuple[int, ...]:
        """Nodes to visit: all but the depot and the ends, in increasing order."""
        closed = {0, *self.end_nodes}
        return tuple(i for i in range(self.num_nodes) if i not in closed)

    @property
    def fleet_size(self) -> int:
        """Vehicles the solver may use; one per customer when the fleet is unlimited."""
        for value in (self.capacity, self.ends):
            if isinstance(value, tuple):
                return len(value)
        if self.num_vehicles is not None:
            return self.num_vehicles
        return max(1, len(self.customers))

    @property
    def capacities(self) -> tuple[int, ...]:
        """The distinct capacities of the fleet (per vehicle: :meth:`vehicle_capacity`)."""
        return self.capacity if isinstance(self.capacity, tuple) else (self.capacity,)

    def vehicle_capacity(self, vehicle: int) -> int:
        """Capacity of ``vehicle``."""
        return self.capacity[vehicle] if isinstance(self.capacity, tuple) else self.capacity

    def vehicle_end(self, vehicle: int) -> int:
        """Node where ``vehicle`` ends."""
        return self.ends[vehicle] if isinstance(self.ends, tuple) else self.ends


@dataclass(frozen=True, slots=True)
class Route:
    """One vehicle's trip: ``stops`` in visiting order, without the depot and the end.

    ``distance`` runs from the depot through the stops to the vehicle's end; ``load``
    is the sum of the stops' demands.
    """

    vehicle: int
    stops: tuple[int, ...]
    distance: int
    load: int


@dataclass(frozen=True, slots=True)
class Routes:
    """A solution: the routes of the vehicles used, in vehicle order.

    ``cost`` is the total distance plus the fixed cost of each route; ``optimal`` is
    true only when the routes were proved optimal (by enumeration).
    """

    routes: tuple[Route, ...]
    cost: int
    optimal: bool

    @property
    def distance(self) -> int:
        """Total distance over all routes."""
        return sum(route.distance for route in self.routes)


def route_of(problem: RoutingProblem, vehicle: int, stops: tuple[int, ...]) -> Route:
    path = (0, *stops, problem.vehicle_end(vehicle))
    d = problem.distances
    return Route(vehicle=vehicle, stops=stops,
                 distance=sum(int(d[a, b]) for a, b in itertools.pairwise(path)),
                 load=sum(problem.demands[i] for i in stops))


def routes_of(problem: RoutingProblem, trips: list[tuple[int, tuple[int, ...]]],
            optimal: bool) -> Routes:
    routes = tuple(route_of(problem, v, stops) for v, stops in sorted(trips) if stops)
    cost = sum(r.distance for r in routes) + problem.fixed_cost * len(routes)
    return Routes(routes=routes, cost=cost, optimal=optimal)
