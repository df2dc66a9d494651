"""What the assignment worked out, kept for the plans made again (:class:`Memo`), and
the runs of waves and solver over the areas that use it."""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Sequence

from charterplan.shared.context import Context, SlotGrid
from charterplan.shared.runner import Progress, Runner
from charterplan.shared.units import Area
from charterplan.shared.waves import Waves, plan_waves
from charterplan.solvers.assignment import AssignmentProblem, Solution, solve
from charterplan.stages.s3_assign.resources import caps_of, usage

__all__ = ["Memo", "keys", "own_units", "solve_all", "waves_all"]


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
    search. Of several such solutions, the first solved is taken, so a plan depends
    only on its request."""

    def __init__(self) -> None:
        self.waves: dict[Area, Waves] = {}
        self._by_template: dict[Hashable, dict[Hashable, tuple[AssignmentProblem, Solution]]] = {}

    def get(self, problem: AssignmentProblem, *, looser: bool = False) -> Solution | None:
        """The solution of ``problem`` if it was solved before; failing that, with
        ``looser``, that of a problem which differs only in caps no tighter and keeps
        within ``problem``'s; else ``None``."""
        template, key = keys(problem)
        solved = self._by_template.get(template, {})
        if key in solved:
            return solved[key][1]
        if not looser:
            return None
        caps = caps_of(problem)
        for earlier, solution in solved.values():
            wider = caps_of(earlier)
            if (all(n <= wider.get(r, 0) for r, n in caps.items())
                    and all(n <= caps.get(r, 0) for r, n in usage(earlier, "", solution).items())):
                return solution
        return None

    def __getitem__(self, problem: AssignmentProblem) -> Solution:
        solution = self.get(problem)
        if solution is None:
            raise KeyError(problem)
        return solution

    def add(self, problem: AssignmentProblem, solution: Solution) -> None:
        template, key = keys(problem)
        self._by_template.setdefault(template, {})[key] = (problem, solution)


def keys(problem: AssignmentProblem) -> tuple[Hashable, Hashable]:
    """``problem`` as hashable values, without its caps and with them only: equal
    keys, equal problems (and solutions)."""
    def hashable(value: object) -> Hashable:
        return tuple(sorted(value.items())) if isinstance(value, dict) else value
    caps = {"fleet_caps", "slot_caps", "seat_caps", "crew_caps"}
    fields = [(f.name, hashable(getattr(problem, f.name))) for f in dataclasses.fields(problem)]
    return (tuple(v for name, v in fields if name not in caps),
            tuple(v for name, v in fields if name in caps))


def _area_waves(job: tuple[Area, SlotGrid]) -> Waves:
    return plan_waves(*job)


def waves_all(run: Runner, context: Context, areas: Sequence[Area],
               progress: Progress | None, memo: Memo) -> list[Waves]:
    """Every area's waves, by ``run`` (they are independent, and timing each route
    under the driving rules is the costliest serial work at a province's scale), but
    for those ``memo`` holds."""
    todo = [a for a in dict.fromkeys(areas) if a not in memo.waves]
    jobs = [(a, context.grids[a.hub]) for a in todo]
    for done, (area, waves) in enumerate(zip(todo, run(_area_waves, jobs), strict=True), 1):
        memo.waves[area] = own_units(area, waves)
        if progress is not None:
            progress("waves", done, len(todo))
    return [own_units(area, memo.waves[area]) for area in areas]


def own_units(area: Area, waves: Waves) -> Waves:
    """``waves`` with ``area``'s own unit objects: a worker process returns copies of
    the units, and an earlier plan's equal area has its own."""
    same = {u: u for u in area.units}
    return dataclasses.replace(
        waves, members=tuple(tuple(same[u] for u in m) for m in waves.members),
        unserviceable=tuple(same[u] for u in waves.unserviceable))


def solve_all(run: Runner, problems: Sequence[AssignmentProblem], progress: Progress | None,
               stage: str, memo: Memo, *, looser: bool = False) -> list[Solution]:
    """Solutions of ``problems`` in order; those ``memo`` holds (``looser``: see
    :meth:`Memo.get`) are not solved again, the others are added to it."""
    found = [memo.get(p, looser=looser) for p in problems]
    todo = list({keys(p): p for p, s in zip(problems, found, strict=True) if s is None}.values())
    for done, (problem, solution) in enumerate(zip(todo, run(solve, todo), strict=True), 1):
        memo.add(problem, solution)
        if progress is not None:
            progress(stage, done, len(todo))
    return [s if s is not None else memo[p] for p, s in zip(problems, found, strict=True)]
