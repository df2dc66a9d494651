"""Crews by CP-SAT: one escort and one medic per trip, when the greedy passes of
:mod:`charterplan.stages.s7_staffing` leave trips without one."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from charterplan._stop import stoppable
from charterplan.model import Staff

__all__ = ["STAFF_EFFORT", "Duty", "Person", "solve_crews"]


@dataclass(frozen=True, slots=True)
class Duty:
    """What staffing needs of a trip (a bus, a feeder or a train carriage): where it
    leaves from, when, when its crew is back, and whom it carries (``priority``: riders
    from poor households)."""

    hub: str
    departure: int
    back: int
    priority: int
    load: int


@dataclass(frozen=True, slots=True)
class Person:
    """A member of staff, available from ``start`` to ``end`` (minutes), at ``hub`` (None:
    any)."""

    staff: Staff
    start: int
    end: int
    hub: str | None


STAFF_EFFORT = 0.2
"""CP-SAT deterministic time for the crews when the passes leave trips unstaffed. On
the 1,000-worker 14-day request, the passes leave 4 of 64 trips (57 riders) without a
crew; CP-SAT, started from them, leaves 3 (42 riders) at 0.1 and beyond (0.27 s at
0.2), 0.05 is too little to finish presolve, and neither 3 started from them nor 10
from scratch finds better (benchmarks/RESULTS.md)."""

def solve_crews(trips: Sequence[Duty], people: Sequence[Person], rest: int,
                   hint: Sequence[tuple[str, str] | None], seed: int,
                   time_limit_s: float) -> list[tuple[str, str] | None]:
    """The crews that leave the fewest poor-household riders, then riders, without a
    trip, by CP-SAT from ``hint`` (reproducible: one worker, a deterministic limit of
    :data:`STAFF_EFFORT`, ``time_limit_s`` as a wall-clock safety net only).

    A trip runs with one escort and one different medic, each holding the role, of its
    hub or of none, available from departure to return; a person's trips, each busy
    until ``rest`` minutes after return, do not overlap. The passes' crews are a
    solution, so the answer is never worse than the hint."""
    model = cp_model.CpModel()
    runs = [model.new_bool_var(f"run{t}") for t in range(len(trips))]
    takes: dict[tuple[int, int, str], cp_model.IntVar] = {}
    duties: dict[int, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    for t, trip in enumerate(trips):
        able = [i for i, p in enumerate(people) if p.hub in (None, trip.hub)
                and p.start <= trip.departure and trip.back <= p.end]
        for role in ("escort", "medic"):
            chosen = [takes.setdefault((i, t, role), model.new_bool_var(f"{role}{i}_{t}"))
                      for i in able if role in people[i].staff.roles]
            model.add(sum(chosen) == runs[t])
        for i in able:
            both = [takes[i, t, r] for r in ("escort", "medic") if (i, t, r) in takes]
            if both:
                on = model.new_bool_var(f"on{i}_{t}")
                model.add(sum(both) == on)
                duties[i].append((t, on))
    for i, mine in duties.items():
        model.add_no_overlap([model.new_optional_fixed_size_interval_var(
            trips[t].departure, trips[t].back + rest - trips[t].departure, on, f"d{i}_{t}")
            for t, on in mine])
    riders = sum(t.load for t in trips) + 1
    model.maximize(sum(run * (t.priority * riders + t.load)
                       for run, t in zip(runs, trips, strict=True)))
    index = {p.staff.id: i for i, p in enumerate(people)}
    for t, pair in enumerate(hint):
        model.add_hint(runs[t], pair is not None)
    for (i, t, role), var in takes.items():
        pair = hint[t]
        model.add_hint(var, pair is not None and index[pair[role == "medic"]] == i)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_deterministic_time = STAFF_EFFORT
    solver.parameters.max_time_in_seconds = max(time_limit_s, 0.01)
    solver.parameters.catch_sigint_signal = False  # an interrupt stops the plan: _stop.py
    with stoppable(solver):
        status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return list(hint)
    crew: list[tuple[str, str] | None] = [None] * len(trips)
    held: dict[tuple[int, str], str] = {}
    for (i, t, role), var in takes.items():
        if solver.value(var):
            held[t, role] = people[i].staff.id
    for t in range(len(trips)):
        if solver.value(runs[t]):
            crew[t] = (held[t, "escort"], held[t, "medic"])
    return crew
