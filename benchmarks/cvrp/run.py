"""Routing quality on CVRP instances: ``python -m benchmarks.cvrp [--time-limit S]``.

Reads each X instance of ``instances/`` (Uchoa et al. 2017, see README.md), builds its
rounded Euclidean distance matrix, solves it with :func:`solve_routes` at
:data:`DEFAULT_TIME_LIMIT_S` (the fleet is unlimited, as in CVRPLIB), checks the
solution (each customer once, every route within capacity, the cost recomputed) and
prints a Markdown table of the gap to the best known solution in ``bks.csv``.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from charterplan.solvers.routing import (
    DEFAULT_TIME_LIMIT_S,
    Routes,
    RoutingProblem,
    solve_routes,
)

HERE = Path(__file__).resolve().parent
INSTANCES = HERE / "instances"
COLUMNS = ("instance", "customers", "BKS", "ours", "gap %", "routes", "seconds")


@dataclass(frozen=True)
class Instance:
    """A CVRP instance in TSPLIB/CVRPLIB form; node 0 is the depot."""

    name: str
    capacity: int
    coords: npt.NDArray[np.float64]
    demands: tuple[int, ...]


def parse_vrp(text: str) -> Instance:
    """Parse a CVRPLIB ``.vrp`` file with EUC_2D distances and one depot, node 1."""
    specs: dict[str, str] = {}
    sections: dict[str, list[list[str]]] = {}
    current = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line == "EOF":
            continue
        if ":" in line and not line[0].isdigit():
            key, value = (part.strip() for part in line.split(":", 1))
            specs[key] = value
        elif line.endswith("_SECTION"):
            current = line
            sections[current] = []
        else:
            sections[current].append(line.split())
    if specs.get("EDGE_WEIGHT_TYPE") != "EUC_2D":
        raise ValueError(f"EDGE_WEIGHT_TYPE must be EUC_2D (got {specs.get('EDGE_WEIGHT_TYPE')})")
    n = int(specs["DIMENSION"])
    coords = np.array([[float(x), float(y)] for _, x, y in sections["NODE_COORD_SECTION"]])
    demands = tuple(int(d) for _, d in sections["DEMAND_SECTION"])
    depots = [int(row[0]) for row in sections["DEPOT_SECTION"] if row[0] != "-1"]
    if len(coords) != n or len(demands) != n or depots != [1]:
        raise ValueError(f"{specs['NAME']}: expected {n} coordinates and demands and depot "
                         f"1 (got {len(coords)}, {len(demands)}, {depots})")
    return Instance(specs["NAME"], int(specs["CAPACITY"]), coords, demands)


def read_vrp(path: Path) -> Instance:
    """Read and parse ``path``."""
    return parse_vrp(path.read_text())


def distances(coords: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """Euclidean distances rounded to the nearest integer (TSPLIB ``nint``)."""
    diff = coords[:, None, :] - coords[None, :, :]
    return np.floor(np.sqrt((diff ** 2).sum(axis=2)) + 0.5).astype(np.int64)


def read_bks(path: Path = HERE / "bks.csv") -> dict[str, int]:
    """Best known solution values by instance name."""
    with path.open(newline="") as f:
        return {row["instance"]: int(row["bks"]) for row in csv.DictReader(f)}


def check(problem: RoutingProblem, routes: Routes) -> None:
    """Raise AssertionError unless each customer is visited once, every route is within
    capacity and the cost is the distance of the routes."""
    visited = sorted(i for r in routes.routes for i in r.stops)
    assert visited == list(problem.customers), "a customer is missed or visited twice"
    d = problem.distances
    total = 0
    for r in routes.routes:
        assert sum(problem.demands[i] for i in r.stops) <= problem.vehicle_capacity(r.vehicle)
        path = (0, *r.stops, 0)
        total += sum(int(d[a, b]) for a, b in itertools.pairwise(path))
    assert total == routes.cost, f"cost {routes.cost} but the routes measure {total}"


def run(name: str, bks: int, time_limit_s: float | None, solution_limit: int | None,
        seed: int) -> tuple[object, ...]:
    """Solve one instance; return its table row."""
    inst = read_vrp(INSTANCES / f"{name}.vrp")
    problem = RoutingProblem(distances(inst.coords), inst.demands, inst.capacity)
    start = time.perf_counter()
    routes = solve_routes(problem, time_limit_s=time_limit_s, solution_limit=solution_limit,
                          seed=seed, method="search")
    seconds = time.perf_counter() - start
    check(problem, routes)
    gap = 100 * (routes.cost - bks) / bks
    return (name, len(problem.customers), bks, routes.cost, f"{gap:.2f}", len(routes.routes),
            f"{seconds:.1f}")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table; the exit code is 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    bks = read_bks()
    parser.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT_S,
                        help=f"seconds per instance (default {DEFAULT_TIME_LIMIT_S:g}; "
                             "0 for none)")
    parser.add_argument("--solution-limit", type=int, default=None,
                        help="stop after this many solutions (repeatable results)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--instances", nargs="+", default=sorted(bks), choices=sorted(bks),
                        metavar="NAME")
    args = parser.parse_args(argv)
    time_limit = args.time_limit or None
    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    gaps = []
    for name in args.instances:
        row = run(name, bks[name], time_limit, args.solution_limit, args.seed)
        gaps.append(float(str(row[4])))
        print("| " + " | ".join(map(str, row)) + " |", flush=True)
    print(f"\nmean gap {sum(gaps) / len(gaps):.2f} %, worst {max(gaps):.2f} %", file=sys.stderr)
    return 0
