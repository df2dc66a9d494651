"""Peer (c) over the whole horizon: PyVRP choosing each bus's day as well as its riders.

The per-day peers send every unit on its first feasible day and leave PyVRP only the
routes. Here each hub is one VRP with time windows over the whole campaign, as a
planner who knew PyVRP well might state it, so the solver may gather riders of
several days onto one bus as charterplan does:

- clients: *chunks* of one destination's riders whose windows overlap, packed first fit
  in deadline order into at most the hub's smallest bus (every chunk fits every bus).
  A chunk is released at the latest first slot of its riders and due by their first
  deadline, or by the drive there after the first certificate expires if that is
  earlier; a chunk whose riders could not be on time even alone keeps the window of
  that lone trip;
- vehicles: per bus type and day, ``available_per_day`` buses that leave between the
  hub's first and last slot that day, at the type's fixed cost and cost per 100 m; and
  as many again of the type cheapest per seat at a surcharge of the dearest bus, used
  only where riders with one day to leave on outnumber the day's fleet (the yardstick
  counts them as ``fleet`` breaches);
- edges: road distance in 100 m, and the driving minutes of
  :class:`~benchmarks.peers.common.DayRules` (coach driving rules from the first slot,
  the stop at each drop-off as service time).

Told charterplan's drop-off rules (``--peer pyvrp-horizon-rules``), each chunk also
counts one stop of ``max_dropoffs_per_bus`` a bus, and an edge between drop-offs beyond
the radius costs more than a bus of its own, as in :mod:`benchmarks.peers.pyvrp_peer`.

A unit bound for several destinations is split into pieces per destination, as the
per-day peers split it (the yardstick counts ``group_split``). The search stops as
:mod:`benchmarks.peers.pyvrp_peer`'s does, with the same fixed seed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial

import numpy as np
from numpy.typing import NDArray

from benchmarks.peers.common import (
    Chunk,
    DayRules,
    PeerResult,
    Piece,
    Route,
    cheapest_per_seat,
    chunk,
    day_rules,
    fixed_fen,
    per_unit_fen,
    pieces,
    run_routes,
    solve_all,
    within_radius,
)
from benchmarks.peers.pyvrp_peer import (
    MAX_ITERATIONS,
    NO_IMPROVEMENT,
    add_roads,
    forbid_apart,
    load_pyvrp,
    search,
    worst_bus_fen,
)
from charterplan.geo import to_units
from charterplan.model import BusType, PlanRequest
from charterplan.shared.context import DAY, NEVER, Context
from charterplan.stages.s1_eligibility import screen

__all__ = ["NAME", "RULES_NAME", "HubProblem", "build_hub_problems", "run",
           "run_with_rules", "solve_hub"]

NAME = "PyVRP, days chosen"
RULES_NAME = "PyVRP, days chosen, told our rules"


@dataclass(frozen=True)
class HubProblem:
    """One hub's VRP with time windows: ``km[0]`` is the hub, ``km[i + 1]`` chunk ``i``;
    ``slots[d]`` the first and last departure slot of day ``d``; ``told`` whether the
    stop limit and the radius of ``rules`` apply (its minutes always do)."""

    hub: str
    kinds: tuple[BusType, ...]
    chunks: tuple[Chunk, ...]
    slots: dict[int, tuple[int, int]]
    km: NDArray[np.float64] = field(repr=False)
    rules: DayRules = field(repr=False)
    told: bool = False

    def due(self, i: int) -> int:
        """Latest arrival of chunk ``i``, never before its lone trip can arrive."""
        one = self.chunks[i]
        drive = int(self.rules.minutes[0, i + 1])
        return max(min(one.deadline, one.expires + drive) if one.expires < NEVER
                   else one.deadline, one.ready + drive)


def _window_chunks(parts: list[Piece], dest: str, limit: int, drive: int) -> list[Chunk]:
    """Pack pieces first fit, in deadline order, into chunks of at most ``limit``
    seats whose riders can all leave on one bus that arrives in time."""
    packed: list[list[Piece]] = []
    for piece in sorted(parts):
        for current in packed:
            ready = max(piece[1], max(p[1] for p in current))
            if (sum(p[3] for p in current) + piece[3] <= limit
                    and ready + drive <= current[0][0]
                    and ready <= min(piece[4], min(p[4] for p in current))):
                current.append(piece)
                break
        else:
            packed.append([piece])
    return [chunk(dest, riders) for riders in packed]


def build_hub_problems(context: Context, *, told: bool = False) -> list[HubProblem]:
    """One :class:`HubProblem` per hub with riders, in hub order."""
    by_hub: dict[str, dict[str, list[Piece]]] = defaultdict(lambda: defaultdict(list))
    for unit in screen(context).units:
        for dest, piece in pieces(context, unit).items():
            by_hub[unit.hub][dest].append(piece)
    problems = []
    for hub in context.hubs:
        kinds = tuple(k for k in context.bus_types_at.get(hub, ())
                      if k.capacity > 0 and k.available_per_day > 0)
        if hub not in by_hub or not kinds:
            continue
        dests = sorted(by_hub[hub])
        between = day_rules(context, hub, [hub, *dests], 0)
        limit = min(k.capacity for k in kinds)
        chunks = tuple(c for n, dest in enumerate(dests, start=1) for c in _window_chunks(
            by_hub[hub][dest], dest, limit, int(between.minutes[0, n])))
        node = {dest: n for n, dest in enumerate(dests, start=1)}
        rules = between.on([0, *(node[c.destination] for c in chunks)])
        ids = [hub, *(c.destination for c in chunks)]
        grid = context.grids[hub]
        first = min(c.ready for c in chunks) // DAY
        last = max(max(c.deadline, c.ready + int(t)) for c, t in
                   zip(chunks, rules.minutes[0, 1:], strict=True)) // DAY
        slots = {day: (grid.first_at_or_after(day * DAY),
                       grid.last_at_or_before((day + 1) * DAY - 1))
                 for day in range(first, last + 1)}
        problems.append(HubProblem(hub, kinds, chunks, slots,
                                   context.places.road_km(ids, ids), rules, told))
    return problems


HubPlan = list[tuple[int, int, int, tuple[int, ...]]]
"""A solved hub: (bus type index, day, departure minute, chunk indices in order)."""


def solve_hub(problem: HubProblem, *, seed: int = 0, max_iterations: int = MAX_ITERATIONS,
              no_improvement: int = NO_IMPROVEMENT) -> HubPlan:
    """Solve one hub's VRP with time windows with PyVRP (deterministic for ``seed``)."""
    model = load_pyvrp().Model()
    rules = problem.rules
    dist = to_units(problem.km)
    worst = worst_bus_fen(problem.kinds, dist)
    if problem.told:
        dist = forbid_apart(dist, rules, problem.kinds, worst)
    where = add_roads(model, problem.hub, problem.chunks, dist, rules.minutes)
    for n, (one, location) in enumerate(zip(problem.chunks, where, strict=True)):
        model.add_client(location, delivery=[one.demand, 1] if problem.told else [one.demand],
                         release_time=one.ready, tw_late=problem.due(n),
                         service_duration=rules.stop_minutes)
    cheap = cheapest_per_seat(problem.kinds)
    types = []
    for day, (opens, closes) in sorted(problem.slots.items()):
        offered = [(k, kind.available_per_day, 0) for k, kind in enumerate(problem.kinds)]
        # as many again of the type cheapest per seat, dearer than any bus: a day that
        # riders with one day to leave on crowd still has a plan (``fleet`` counts it)
        offered.append((cheap, problem.kinds[cheap].available_per_day, worst))
        for k, count, surcharge in offered:
            kind = problem.kinds[k]
            types.append((k, day))
            model.add_vehicle_type(
                num_available=min(count, len(problem.chunks)),
                capacity=[kind.capacity, rules.max_stops] if problem.told else [kind.capacity],
                fixed_cost=fixed_fen(kind) + surcharge, unit_distance_cost=per_unit_fen(kind),
                tw_early=opens, start_late=closes, name=f"{kind.id}@{day}")
    best = search(model, seed=seed, max_iterations=max_iterations,
                  no_improvement=no_improvement, worst=worst, what=f"hub {problem.hub}")
    return [(*types[route.vehicle_type()], int(route.start_time()),
             tuple(a.idx for a in route if a.is_client()))
            for route in best.routes()]


def routes_of(problem: HubProblem, plan: HubPlan) -> list[Route]:
    """The routes of a solved hub, each leaving on its day when PyVRP starts it (told
    the rules, a bus calling beyond the radius is split: :func:`within_radius`).

    Raises ``ValueError`` unless the plan serves every chunk exactly once.
    """
    served = sorted(i for *_, order in plan for i in order)
    if served != list(range(len(problem.chunks))):
        raise ValueError(f"hub {problem.hub}: the plan serves chunks {served}, not each "
                         f"of the {len(problem.chunks)} chunks once")
    rules = problem.rules if problem.told else None
    return [Route(problem.hub, day, problem.kinds[kind], start,
                  tuple(problem.chunks[i] for i in bus))
            for kind, day, start, order in plan for bus in within_radius(rules, order)]


def _plan(context: Context, *, seed: int, jobs: int, told: bool) -> Sequence[Route]:
    problems = build_hub_problems(context, told=told)
    plans = solve_all(partial(solve_hub, seed=seed), problems, jobs)
    return [r for p, plan in zip(problems, plans, strict=True) for r in routes_of(p, plan)]


def run(request: PlanRequest, *, seed: int = 0, jobs: int = 1) -> PeerResult:
    """PyVRP's plan of ``request``, hub by hub over the horizon, priced and checked by
    charterplan."""
    return run_routes(request, NAME, partial(_plan, seed=seed, jobs=jobs, told=False))


def run_with_rules(request: PlanRequest, *, seed: int = 0, jobs: int = 1) -> PeerResult:
    """As :func:`run`, told charterplan's drop-off rules."""
    return run_routes(request, RULES_NAME, partial(_plan, seed=seed, jobs=jobs, told=True))
