"""Assignment: which units ride which bus on which day, area by area.

Areas are independent except through shared resources — a bus type's daily fleet, a
hub's daily departure slots and a train's seats. Every area is first solved with the
whole of each resource; where the areas together overuse one, each area gets a share
(in proportion to what it used; spare capacity elsewhere is shared out by workers) and
the areas that exceeded their share are solved again within it; an area that still
leaves units behind then gets what the others leave unused (:func:`top_up`). A train
is shared in seats, not carriages: its carriages are filled with every area's riders
together (:mod:`~charterplan.stages.s4_rail`), so an area with a dozen riders takes a
dozen seats, not a carriage. A train's last carriage that its pooled riders would fill
less than half is withdrawn first, and the areas that rode it solved again; as riders
sent off one train can fill another thinly, this repeats while it finds a cheaper
assignment (:data:`TRIM_ROUNDS`). The result always respects every resource, whatever
the solvers did.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from charterplan.model import Reason, Unassigned
from charterplan.shared.context import DAY, Context
from charterplan.shared.packing import Bus, pack
from charterplan.shared.runner import Progress, Runner, run_in_order
from charterplan.shared.units import Area, RailRider, Unit
from charterplan.shared.waves import Waves
from charterplan.solvers.assignment import AssignmentProblem, Solution
from charterplan.stages.s3_assign.memo import Memo, solve_all, waves_all
from charterplan.stages.s3_assign.resources import (
    Resource,
    capacity_of,
    resources,
    shares,
    usage,
    with_caps,
)
from charterplan.stages.s3_assign.trains import (
    by_train,
    left_and_cost,
    rail_choices,
    without_thin_carriages,
)

__all__ = ["Assignment", "Memo", "assign", "top_up"]


@dataclass(frozen=True, slots=True)
class Assignment:
    """Buses with riders, units sent by train, the feeder buses counted for them per
    (bus station, service, bus type), workers left behind, and how hard the solvers
    worked."""

    buses: tuple[Bus, ...]
    left: tuple[Unassigned, ...]
    optimal: bool
    work: float
    rail: tuple[RailRider, ...] = ()
    feeders: dict[tuple[str, str, str], int] = dataclasses.field(default_factory=dict)


TRIM_ROUNDS = 8
"""Most times thin carriages are withdrawn and the areas that rode them solved again:
riders sent off one train can fill another's last carriage thinly, and trimming that
one may help or not. Of the rounds, the assignment that leaves the fewest riders and
then costs least (:func:`.trains.left_and_cost`) is kept; the rounds stop after ``PATIENCE`` in a
row that find nothing better."""


PATIENCE = 2
"""Rounds in a row without a better assignment after which trimming stops."""


RAIL_EFFORT = 20.0
"""How many times ``solver_effort`` an area with trains gets (0.2 at the default).
Bus or train, and which train, are many more ways to carry the same riders, and the
constructed start chooses among them coarsely: at the bus-only effort CP-SAT stops
before its first dive on such areas, keeping the start."""


def _template(context: Context, area: Area, waves: Waves) -> AssignmentProblem:
    policy = context.request.policy
    rails = rail_choices(context, area)
    return AssignmentProblem(
        rails=rails,
        patterns=tuple(p.key for p in area.patterns),
        pattern_km=tuple(p.km for p in area.patterns),
        pattern_extra=tuple(p.extra_cost for p in area.patterns),
        bus_types=tuple(context.bus_types_at.get(area.hub, ())),
        wave_day=tuple(t // DAY for t in waves.times),
        demands=waves.demands,
        fleet_caps={},
        slot_caps={},
        min_passengers=policy.min_passengers_per_bus,
        effort=policy.solver_effort * (RAIL_EFFORT if rails else 1.0),
        seed=policy.seed,
        time_limit_s=policy.time_limit_s,
        # two-rider buses on pickup routes took the coaches and crews (which the model
        # does not see) of fuller buses elsewhere
        pair_stranded=not any(u.pickups for u in area.units),
    )


def _reason(unit: Unit, binding: set[int], waves_days: set[int], detail_cap: str) -> (
        tuple[Reason, str]):
    if binding & waves_days or not waves_days:
        return Reason.NO_VEHICLE_CAPACITY, detail_cap
    return Reason.BELOW_MIN_PASSENGERS, "too few workers share a feasible bus"


def assign(context: Context, areas: list[Area], *, run: Runner = run_in_order,
           progress: Progress | None = None, memo: Memo | None = None) -> Assignment:
    """Choose buses and riders for every area; see the module docstring.

    ``memo`` keeps what earlier calls worked out (:class:`Memo`)."""
    memo = Memo() if memo is None else memo
    waves = waves_all(run, context, areas, progress, memo)
    templates = [_template(context, a, w) for a, w in zip(areas, waves, strict=True)]
    capacity = capacity_of(context)
    problems = [with_caps(p, a.hub, {r: capacity(r) for r in resources(p, a.hub)})
                for p, a in zip(templates, areas, strict=True)]
    solutions = solve_all(run, problems, progress, "assign", memo, looser=True)
    best: tuple[tuple[int, float], list[AssignmentProblem], list[Solution]] | None = None
    stale = 0
    for n in range(TRIM_ROUNDS):
        pass_name = "" if n == 0 else f", round {n + 1}"
        used = [usage(p, a.hub, s) for p, a, s in zip(problems, areas, solutions, strict=True)]
        capacity = without_thin_carriages(context, problems, solutions, capacity)
        again = shares(areas, problems, used, capacity)
        if not again:
            break
        redo = sorted(again)
        for a in redo:
            problems[a] = with_caps(templates[a], areas[a].hub, {
                r: again[a].get(r, used[a].get(r, 0))
                for r in resources(templates[a], areas[a].hub)})
        resolved = solve_all(run, [problems[a] for a in redo], progress,
                              f"assign (shared fleet{pass_name})", memo)
        for a, solution in zip(redo, resolved, strict=True):
            solutions[a] = solution
        top_up(areas, problems, templates, solutions, capacity, progress, memo,
                f"assign (top-up{pass_name})")
        estimate = left_and_cost(context, areas, problems, solutions)
        if best is None or estimate < best[0]:
            best, stale = (estimate, list(problems), list(solutions)), 0
        elif (stale := stale + 1) == PATIENCE:
            break
    if best is not None:
        _, problems, solutions = best
    buses: list[Bus] = []
    left: list[Unassigned] = []
    rail: list[RailRider] = []
    feeders: dict[tuple[str, str, str], int] = defaultdict(int)
    for area, problem, wave, solution in zip(areas, problems, waves, solutions, strict=True):
        area_buses, area_left = pack(area, problem, wave, solution)
        buses += area_buses
        left += _explain(problem, wave, area_buses, area_left,
                         {d for h, d in context.departure_caps if h == area.hub})
        rail += by_train(area, problem, wave, solution)
        for (o, t), count in solution.feeders.items():
            feeders[area.hub, problem.rails[o].service, problem.bus_types[t].id] += count
    return Assignment(
        buses=tuple(buses),
        left=tuple(left),
        optimal=all(s.optimal for s in solutions),
        work=sum(s.work for s in solutions),
        rail=tuple(rail),
        feeders=dict(sorted(feeders.items())),
    )


def top_up(areas: Sequence[Area], problems: list[AssignmentProblem],
           templates: Sequence[AssignmentProblem],
            solutions: list[Solution], capacity: Callable[[Resource], int],
            progress: Progress | None, memo: Memo,
            stage: str = "assign (top-up)") -> None:
    """Solve again, one after another, the areas that leave units behind within their
    caps, now with what every area leaves unused on top: shares are made before the
    areas know their needs, and an area that went by train on a day can be left no
    buses of that day when the train is trimmed. In place; resources stay within
    ``capacity``."""
    short = [a for a, s in enumerate(solutions) if s.left]
    if not short:
        return
    used = [usage(p, a.hub, s) for p, a, s in zip(problems, areas, solutions, strict=True)]
    shared = {r for p, area in zip(problems, areas, strict=True) for r in resources(p, area.hub)}
    spare = {r: capacity(r) - sum(u.get(r, 0) for u in used) for r in shared}
    for done, a in enumerate(short, 1):
        hub = areas[a].hub
        caps = {r: used[a].get(r, 0) + max(0, spare[r]) for r in resources(templates[a], hub)}
        problem = with_caps(templates[a], hub, caps)
        [solution] = solve_all(run_in_order, [problem], None, "", memo)
        if sum(solution.left.values()) < sum(solutions[a].left.values()):
            now = usage(problem, hub, solution)
            for r in set(now) | set(used[a]):
                spare[r] -= now.get(r, 0) - used[a].get(r, 0)
            problems[a], solutions[a], used[a] = problem, solution, now
        if progress is not None:
            progress(stage, done, len(short))


def _explain(problem: AssignmentProblem, waves: Waves, buses: list[Bus], left: list[Unit],
             crew_days: set[int]) -> list[Unassigned]:
    """Reasons for the units an area leaves behind; ``crew_days`` are the days whose
    departures the plan capped for want of crews (``Context.departure_caps``)."""
    used: dict[tuple[str, int], int] = defaultdict(int)
    per_day: dict[int, int] = defaultdict(int)
    for bus in buses:
        used[bus.bus_type, bus.day] += 1
        per_day[bus.day] += 1
    fleet_full = {d for (k, d), cap in problem.fleet_caps.items() if used[k, d] >= cap}
    slots_full = {d for d, cap in problem.slot_caps.items() if per_day[d] >= cap}
    binding = fleet_full | slots_full
    crew_full = slots_full & crew_days  # their fleet shares follow the departures
    days_of: dict[Unit, set[int]] = {}
    for demand, members in zip(waves.demands, waves.members, strict=True):
        days = {problem.wave_day[w] for w in demand.any_waves + demand.direct_waves}
        days_of.update(dict.fromkeys(members, days))
    out: list[Unassigned] = []
    for unit in waves.unserviceable:
        reason = (Reason.GROUP_SPLIT_REFUSED if unit.size > 1 else Reason.WINDOW_INFEASIBLE)
        for worker in unit.workers:
            out.append(Unassigned(worker=worker, reason=reason,
                                  detail="no bus route serves every destination in time"))
    for unit in left:
        days = days_of.get(unit, set())
        if not problem.bus_types:
            reason, detail = Reason.NO_VEHICLE_CAPACITY, "no bus type serves this hub"
        elif binding & days and binding & days <= crew_full:
            reason, detail = Reason.NO_STAFF, "no escort and medic free on a day they could leave"
        else:
            reason, detail = _reason(unit, binding, days,
                                     "every feasible departure's buses or slots are taken")
        out += [Unassigned(worker=w, reason=reason, detail=detail) for w in unit.workers]
    return out
