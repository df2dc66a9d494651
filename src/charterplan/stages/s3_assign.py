"""Assignment: which units ride which bus on which day, area by area.

Areas are independent except through shared resources — a bus type's daily fleet, a
hub's daily departure slots and a train's seats. Every area is first solved with the
whole of each resource; where the areas together overuse one, each area gets a share
(in proportion to what it used; spare capacity elsewhere is shared out by workers) and
the areas that exceeded their share are solved again within it; an area that still
leaves units behind then gets what the others leave unused (:func:`_top_up`). A train
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
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass

from charterplan.model import Reason, Unassigned
from charterplan.shared.context import DAY, Context, SlotGrid
from charterplan.shared.packing import Bus, pack
from charterplan.shared.routes import feeder_leaves, feeder_route
from charterplan.shared.runner import Progress, Runner, run_in_order
from charterplan.shared.units import Area, RailRider, Unit
from charterplan.shared.waves import Waves, area_services, plan_waves
from charterplan.solvers._problem import apportion
from charterplan.solvers.assignment import (
    BusKind,
    Problem,
    RailChoice,
    Solution,
    bus_cost,
    solve,
)

__all__ = ["Assignment", "Memo", "apportion", "assign"]

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


THIN_CARRIAGE = 0.5
"""A train's last carriage runs only if its riders fill at least this share of it."""

TRIM_ROUNDS = 8
"""Most times thin carriages are withdrawn and the areas that rode them solved again:
riders sent off one train can fill another's last carriage thinly, and trimming that
one may help or not. Of the rounds, the assignment that leaves the fewest riders and
then costs least (:func:`_estimate`) is kept; the rounds stop after ``PATIENCE`` in a
row that find nothing better."""

PATIENCE = 2
"""Rounds in a row without a better assignment after which trimming stops (on the rail
requests of benchmarks.grid the best round came at most two after the previous best)."""

Resource = tuple[str, str, int]
"""("fleet", bus type, day), ("slots", hub, day) or ("seats", service, 0): the riders a
train's carriages take."""


def _feeder_seat(context: Context, hub: str, station: str) -> float:
    """A seat's share of a full feeder bus from ``hub`` to ``station``, on the type
    that makes it cheapest."""
    if hub == station:
        return 0.0
    feeder = feeder_route(context, hub, station)
    return min((bus_cost(BusKind(b.id, b.capacity, b.fixed_cost, b.cost_per_km), feeder.km,
                         feeder.extra_cost) / b.capacity
                for b in context.bus_types_at.get(hub, ())), default=0.0)


def _rail_choices(context: Context, area: Area) -> tuple[RailChoice, ...]:
    """The area's trains; a seat costs its share of a full carriage and feeder."""
    choices = []
    for service_id in area_services(area):
        service = context.rail.services[service_id]
        leaves = feeder_leaves(context, area.hub, service)
        seat = service.cost / service.capacity + _feeder_seat(context, area.hub, service.hub)
        choices.append(RailChoice(
            service=service_id, seat_cost=seat,
            feeder_day=None if area.hub == service.hub else leaves // DAY))
    return tuple(choices)


def _without_thin_carriages(context: Context, problems: Sequence[Problem],
                            solutions: Sequence[Solution],
                            capacity: Callable[[Resource], int]) -> Callable[[Resource], int]:
    """``capacity`` less each train's last carriage when, with every area's riders of
    the train pooled, that carriage would run under ``THIN_CARRIAGE`` full: the areas
    then share the carriages that run well filled and the rest go by bus (or by another
    train), so that a nearly empty carriage loses to a bus."""
    riders: dict[str, int] = defaultdict(int)
    only: dict[str, int] = defaultdict(int)
    for problem, solution in zip(problems, solutions, strict=True):
        for (c, o), n in solution.rail_units.items():
            demand = problem.demands[c]
            riders[problem.rails[o].service] += n * demand.size
            if not demand.any_waves and not demand.direct_waves:
                only[problem.rails[o].service] += n * demand.size
    trimmed = {}
    for service_id, n in riders.items():
        service = context.rail.services[service_id]
        full, rest = divmod(n, service.capacity)
        if 0 < rest < THIN_CARRIAGE * service.capacity:
            # riders no bus can take keep their carriages, however thin
            needed = -(-only[service_id] // service.capacity)
            trimmed[service_id] = min(max(full, needed), service.carriages)

    def limited(resource: Resource) -> int:
        kind, name, _ = resource
        if kind == "seats" and name in trimmed:
            return trimmed[name] * context.rail.services[name].capacity
        return capacity(resource)
    return limited


RAIL_EFFORT = 20.0
"""How many times ``solver_effort`` an area with trains gets (0.2 at the default).
Bus or train, and which train, are many more ways to carry the same riders, and the
constructed start chooses among them coarsely: on areas of up to 8 employers CP-SAT at
0.04 built its cuts and stopped before its first dive, keeping a start up to 1.5
times its optimum; on bus-only areas the improved start leaves CP-SAT 0.02 % to find
(benchmarks/RESULTS.md)."""


def _template(context: Context, area: Area, waves: Waves) -> Problem:
    policy = context.request.policy
    kinds = tuple(BusKind(b.id, b.capacity, b.fixed_cost, b.cost_per_km)
                  for b in context.bus_types_at.get(area.hub, ()))
    rails = _rail_choices(context, area)
    return Problem(
        rails=rails,
        patterns=tuple(p.key for p in area.patterns),
        pattern_km=tuple(p.km for p in area.patterns),
        pattern_extra=tuple(p.extra_cost for p in area.patterns),
        kinds=kinds,
        wave_day=tuple(t // DAY for t in waves.times),
        demands=waves.demands,
        fleet_caps={},
        slot_caps={},
        min_passengers=policy.min_passengers_per_bus,
        effort=policy.solver_effort * (RAIL_EFFORT if rails else 1.0),
        seed=policy.seed,
        time_limit_s=policy.time_limit_s,
        # two-rider buses on pickup routes took the coaches and crews (which the model
        # does not see) of fuller buses elsewhere: benchmarks/RESULTS.md, door to door
        pair_stranded=not any(u.pickups for u in area.units),
    )


def _resources(problem: Problem, hub: str) -> list[Resource]:
    days = sorted(set(problem.wave_day) | {
        r.feeder_day for r in problem.rails if r.feeder_day is not None})
    return ([("fleet", k.id, d) for k in problem.kinds for d in days]
            + [("slots", hub, d) for d in days]
            + [("seats", r.service, 0) for r in problem.rails])


def _with_caps(problem: Problem, hub: str, caps: Mapping[Resource, int]) -> Problem:
    fleet: dict[tuple[str, int], int] = {}
    slots: dict[int, int] = {}
    seats: dict[str, int] = {}
    for resource in _resources(problem, hub):
        kind, name, day = resource
        if kind == "fleet":
            fleet[name, day] = caps[resource]
        elif kind == "slots":
            slots[day] = caps[resource]
        else:
            seats[name] = caps[resource]
    return dataclasses.replace(problem, fleet_caps=fleet, slot_caps=slots, seat_caps=seats)


def _usage(problem: Problem, hub: str, solution: Solution) -> dict[Resource, int]:
    used: dict[Resource, int] = defaultdict(int)
    for (_, w, t), count in solution.buses.items():
        day = problem.wave_day[w]
        used["fleet", problem.kinds[t].id, day] += count
        used["slots", hub, day] += count
    for (o, t), count in solution.feeders.items():
        feeder_day = problem.rails[o].feeder_day
        assert feeder_day is not None
        used["fleet", problem.kinds[t].id, feeder_day] += count
        used["slots", hub, feeder_day] += count
    for (c, o), count in solution.rail_units.items():
        used["seats", problem.rails[o].service, 0] += count * problem.demands[c].size
    return used


def _capacity(context: Context) -> Callable[[Resource], int]:
    available = {b.id: b.available_per_day for b in context.request.bus_types}
    seats = {s.id: s.carriages * s.capacity for s in context.rail.services.values()}

    def capacity(resource: Resource) -> int:
        kind, name, day = resource
        if kind == "fleet":
            return available[name]
        if kind == "seats":
            return seats[name]
        grid = context.grids[name]
        slots = grid.slots_per_day * grid.per_slot
        return min(slots, context.departure_caps.get((name, day), slots))
    return capacity


def _shares(areas: list[Area], problems: list[Problem], used: list[dict[Resource, int]],
            capacity: Callable[[Resource], int]) -> dict[int, dict[Resource, int]]:
    """Per-area caps for the areas that must be solved again; empty if none must."""
    total: dict[Resource, int] = defaultdict(int)
    for usage in used:
        for r, n in usage.items():
            total[r] += n
    over = sorted(r for r, n in total.items() if n > capacity(r))
    if not over:
        return {}
    caps: dict[int, dict[Resource, int]] = defaultdict(dict)
    for r in over:
        for a, part in apportion(capacity(r), {a: u.get(r, 0) for a, u in enumerate(used)}).items():
            caps[a][r] = part
    again = sorted(a for a in caps if any(used[a].get(r, 0) > caps[a][r] for r in over))
    users: dict[Resource, list[int]] = defaultdict(list)
    for a in again:
        for r in _resources(problems[a], areas[a].hub):
            if r not in over:
                users[r].append(a)
    for r, group in users.items():
        fixed = sum(used[a].get(r, 0) for a in range(len(areas)) if a not in again)
        weights = {a: sum(u.size for u in areas[a].units) for a in group}
        for a, part in apportion(max(0, capacity(r) - fixed), weights).items():
            caps[a][r] = part
    return {a: caps[a] for a in again}


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
    waves = _waves_all(run, context, areas, progress, memo)
    templates = [_template(context, a, w) for a, w in zip(areas, waves, strict=True)]
    capacity = _capacity(context)
    problems = [_with_caps(p, a.hub, {r: capacity(r) for r in _resources(p, a.hub)})
                for p, a in zip(templates, areas, strict=True)]
    solutions = _solve_all(run, problems, progress, "assign", memo, looser=True)
    best: tuple[tuple[int, float], list[Problem], list[Solution]] | None = None
    stale = 0
    for n in range(TRIM_ROUNDS):
        pass_name = "" if n == 0 else f", round {n + 1}"
        used = [_usage(p, a.hub, s) for p, a, s in zip(problems, areas, solutions, strict=True)]
        capacity = _without_thin_carriages(context, problems, solutions, capacity)
        again = _shares(areas, problems, used, capacity)
        if not again:
            break
        redo = sorted(again)
        for a in redo:
            problems[a] = _with_caps(templates[a], areas[a].hub, {
                r: again[a].get(r, used[a].get(r, 0))
                for r in _resources(templates[a], areas[a].hub)})
        resolved = _solve_all(run, [problems[a] for a in redo], progress,
                              f"assign (shared fleet{pass_name})", memo)
        for a, solution in zip(redo, resolved, strict=True):
            solutions[a] = solution
        _top_up(areas, problems, templates, solutions, capacity, progress, memo,
                f"assign (top-up{pass_name})")
        estimate = _estimate(context, areas, problems, solutions)
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
        rail += _by_train(area, problem, wave, solution)
        for (o, t), count in solution.feeders.items():
            feeders[area.hub, problem.rails[o].service, problem.kinds[t].id] += count
    return Assignment(
        buses=tuple(buses),
        left=tuple(left),
        optimal=all(s.optimal for s in solutions),
        work=sum(s.work for s in solutions),
        rail=tuple(rail),
        feeders=dict(sorted(feeders.items())),
    )


def _estimate(context: Context, areas: Sequence[Area], problems: Sequence[Problem],
              solutions: Sequence[Solution]) -> tuple[int, float]:
    """Riders the solutions leave behind, and what their vehicles cost: each area's
    buses and feeders, and each train's carriages for every area's riders pooled."""
    left = sum(n * p.demands[c].size for p, s in zip(problems, solutions, strict=True)
               for c, n in s.left.items())
    cost = 0.0
    riders: dict[str, int] = defaultdict(int)
    for area, p, s in zip(areas, problems, solutions, strict=True):
        cost += sum(n * bus_cost(p.kinds[t], p.pattern_km[pi], p.pattern_extra[pi])
                    for (pi, _, t), n in s.buses.items())
        for (o, t), n in s.feeders.items():
            feeder = feeder_route(context, area.hub, context.rail.services[p.rails[o].service].hub)
            cost += n * bus_cost(p.kinds[t], feeder.km, feeder.extra_cost)
        for (c, o), n in s.rail_units.items():
            riders[p.rails[o].service] += n * p.demands[c].size
    for service_id, n in riders.items():
        service = context.rail.services[service_id]
        cost += -(-n // service.capacity) * service.cost
    return left, cost


def _top_up(areas: Sequence[Area], problems: list[Problem], templates: Sequence[Problem],
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
    used = [_usage(p, a.hub, s) for p, a, s in zip(problems, areas, solutions, strict=True)]
    shared = {r for p, area in zip(problems, areas, strict=True) for r in _resources(p, area.hub)}
    spare = {r: capacity(r) - sum(u.get(r, 0) for u in used) for r in shared}
    for done, a in enumerate(short, 1):
        hub = areas[a].hub
        caps = {r: used[a].get(r, 0) + max(0, spare[r]) for r in _resources(templates[a], hub)}
        problem = _with_caps(templates[a], hub, caps)
        [solution] = _solve_all(run_in_order, [problem], None, "", memo)
        if sum(solution.left.values()) < sum(solutions[a].left.values()):
            now = _usage(problem, hub, solution)
            for r in set(now) | set(used[a]):
                spare[r] -= now.get(r, 0) - used[a].get(r, 0)
            problems[a], solutions[a], used[a] = problem, solution, now
        if progress is not None:
            progress(stage, done, len(short))


def _by_train(area: Area, problem: Problem, waves: Waves, solution: Solution) -> (
        list[RailRider]):
    """The units the solution sends by train: after each demand's bus units, in order."""
    riders = []
    for c, demand in enumerate(waves.demands):
        units = list(waves.members[c])
        skip = sum(solution.any_units.get((c, w), 0) for w in demand.any_waves) + sum(
            solution.direct_units.get((c, w), 0) for w in demand.direct_waves)
        units = units[skip:]
        for o in demand.rails:
            take = solution.rail_units.get((c, o), 0)
            riders += [RailRider(area.hub, problem.rails[o].service, u) for u in units[:take]]
            units = units[take:]
    return riders


class Memo:
    """What the assignment worked out for earlier plans of the request, for the plans
    made again to reuse: the hub fallback of door to door and the crew rounds
    (:func:`charterplan.pipeline.plan`) assign again with most areas as they were.

    An area's waves are planned once (they depend on the area and its hub's slots
    only). A problem solved before is not solved again (the solver is deterministic).
    An area's first solve in a plan, with the whole of each resource, also takes the
    solution of an earlier problem that differed only in caps no tighter, if it keeps
    within the new ones (:meth:`get` with ``looser``): it is feasible there, and
    optimal if it was. A crew round caps one day's departures at a hub, and the areas
    that did not use them keep their solutions instead of being solved again to
    another; the rounds that share resources within a plan solve again, as they
    search (taking the looser solutions there moved a 5,000-worker rail plan's cost
    by 1 %). Of several such solutions, the first solved is taken, so a plan depends
    only on its request."""

    def __init__(self) -> None:
        self.waves: dict[Area, Waves] = {}
        self._by_template: dict[Hashable, dict[Hashable, tuple[Problem, Solution]]] = {}

    def get(self, problem: Problem, *, looser: bool = False) -> Solution | None:
        """The solution of ``problem`` if it was solved before; failing that, with
        ``looser``, that of a problem which differs only in caps no tighter and keeps
        within ``problem``'s; else ``None``."""
        template, key = _keys(problem)
        solved = self._by_template.get(template, {})
        if key in solved:
            return solved[key][1]
        if not looser:
            return None
        caps = _caps_of(problem)
        for earlier, solution in solved.values():
            wider = _caps_of(earlier)
            if (all(n <= wider.get(r, 0) for r, n in caps.items())
                    and all(n <= caps.get(r, 0) for r, n in _usage(earlier, "", solution).items())):
                return solution
        return None

    def __getitem__(self, problem: Problem) -> Solution:
        solution = self.get(problem)
        if solution is None:
            raise KeyError(problem)
        return solution

    def add(self, problem: Problem, solution: Solution) -> None:
        template, key = _keys(problem)
        self._by_template.setdefault(template, {})[key] = (problem, solution)


def _keys(problem: Problem) -> tuple[Hashable, Hashable]:
    """``problem`` as hashable values, without its caps and with them only: equal
    keys, equal problems (and solutions)."""
    def hashable(value: object) -> Hashable:
        return tuple(sorted(value.items())) if isinstance(value, dict) else value
    caps = {"fleet_caps", "slot_caps", "seat_caps"}
    fields = [(f.name, hashable(getattr(problem, f.name))) for f in dataclasses.fields(problem)]
    return (tuple(v for name, v in fields if name not in caps),
            tuple(v for name, v in fields if name in caps))


def _caps_of(problem: Problem) -> dict[Resource, int]:
    """``problem``'s caps as resources (its hub's slots under the hub name ``""``, as
    :func:`_usage` gives them with that name)."""
    return ({("fleet", kind, day): n for (kind, day), n in problem.fleet_caps.items()}
            | {("slots", "", day): n for day, n in problem.slot_caps.items()}
            | {("seats", service, 0): n for service, n in problem.seat_caps.items()})


def _area_waves(job: tuple[Area, SlotGrid]) -> Waves:
    return plan_waves(*job)


def _waves_all(run: Runner, context: Context, areas: Sequence[Area],
               progress: Progress | None, memo: Memo) -> list[Waves]:
    """Every area's waves, by ``run`` (they are independent, and timing each route
    under the driving rules is the costliest serial work at a province's scale), but
    for those ``memo`` holds."""
    todo = [a for a in dict.fromkeys(areas) if a not in memo.waves]
    jobs = [(a, context.grids[a.hub]) for a in todo]
    for done, (area, waves) in enumerate(zip(todo, run(_area_waves, jobs), strict=True), 1):
        memo.waves[area] = _own_units(area, waves)
        if progress is not None:
            progress("waves", done, len(todo))
    return [_own_units(area, memo.waves[area]) for area in areas]


def _own_units(area: Area, waves: Waves) -> Waves:
    """``waves`` with ``area``'s own unit objects: a worker process returns copies of
    the units, and an earlier plan's equal area has its own."""
    same = {u: u for u in area.units}
    return dataclasses.replace(
        waves, members=tuple(tuple(same[u] for u in m) for m in waves.members),
        unserviceable=tuple(same[u] for u in waves.unserviceable))


def _solve_all(run: Runner, problems: Sequence[Problem], progress: Progress | None,
               stage: str, memo: Memo, *, looser: bool = False) -> list[Solution]:
    """Solutions of ``problems`` in order; those ``memo`` holds (``looser``: see
    :meth:`Memo.get`) are not solved again, the others are added to it."""
    found = [memo.get(p, looser=looser) for p in problems]
    todo = list({_keys(p): p for p, s in zip(problems, found, strict=True) if s is None}.values())
    for done, (problem, solution) in enumerate(zip(todo, run(solve, todo), strict=True), 1):
        memo.add(problem, solution)
        if progress is not None:
            progress(stage, done, len(todo))
    return [s if s is not None else memo[p] for p, s in zip(problems, found, strict=True)]


def _explain(problem: Problem, waves: Waves, buses: list[Bus], left: list[Unit],
             crew_days: set[int]) -> list[Unassigned]:
    """Reasons for the units an area leaves behind; ``crew_days`` are the days whose
    departures the plan capped for want of crews (``Context.departure_caps``)."""
    used: dict[tuple[str, int], int] = defaultdict(int)
    per_day: dict[int, int] = defaultdict(int)
    for bus in buses:
        used[bus.kind, bus.day] += 1
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
        if not problem.kinds:
            reason, detail = Reason.NO_VEHICLE_CAPACITY, "no bus type serves this hub"
        elif binding & days and binding & days <= crew_full:
            reason, detail = Reason.NO_STAFF, "no escort and medic free on a day they could leave"
        else:
            reason, detail = _reason(unit, binding, days,
                                     "every feasible departure's buses or slots are taken")
        out += [Unassigned(worker=w, reason=reason, detail=detail) for w in unit.workers]
    return out
