"""The re-planning loops: where a plan falls short, the chain runs again with changed
inputs, and the best plan made wins.

* *Merge rounds* (:func:`merge_and_schedule`, stages 5 and 6): a hub whose merged
  buses find no departure slot merges again with those buses pinned, else unmerged.
* *Crew rounds* (:func:`crew_rounds`): while trips find no crew, plan again with those
  days capped.

Withdrawing thin train carriages re-solves the areas inside the assignment
(:mod:`charterplan.stages.s3_assign`), not the whole chain.
"""

from __future__ import annotations

import dataclasses
import functools
from collections import Counter
from collections.abc import Callable, Sequence
from typing import NamedTuple

from charterplan.model import Plan
from charterplan.shared.context import Context
from charterplan.shared.packing import Bus
from charterplan.shared.runner import Progress, Runner, run_in_order
from charterplan.stages.s5_merge import merge_buses
from charterplan.stages.s6_timetable import Timetable, schedule
from charterplan.stages.s7_staffing import Uncrewed

__all__ = ["CREW_ROUNDS", "PIN_ROUNDS", "Attempt", "crew_rounds", "merge_and_schedule"]


PIN_ROUNDS = 3
"""Most times the buses of hubs whose merged buses strand riders in the timetable merge
again, with the buses those riders came on kept as they were."""


def merge_and_schedule(context: Context, buses: Sequence[Bus], feeders: Sequence[Bus],
               report: Progress, run: Runner = run_in_order) -> Timetable:
    """The timetable of the buses, merged across areas where the policy allows (stage
    "merge", hub by hub, mapped by ``run``, then "timetable").

    A merged bus has a narrower window, and may find no free slot in it. A hub whose
    merged buses the timetable would leave more of its riders with than its buses
    unmerged merges again, the buses of the assignment that carried the riders left
    kept as they were, at most :data:`PIN_ROUNDS` times; a hub still worse off then
    keeps its buses unmerged (hubs have their own slots; the plan goes unmerged
    everywhere if the mix would overuse a bus type's fleet)."""
    if not context.request.policy.share_buses_across_areas:
        report("timetable", 0, 1)
        return schedule(context, (*buses, *feeders))
    merged = merge_buses(context, buses, lambda done, total: report("merge", done, total),
                         run=run, running=feeders)
    report("timetable", 0, 1)
    timetable = schedule(context, (*merged, *feeders))
    if not timetable.left or len(merged) == len(buses):
        return timetable
    unmerged = schedule(context, (*buses, *feeders))
    hub_of = {w: b.hub for b in (*buses, *feeders) for u in b.units for w in u.workers}
    without = Counter(hub_of[u.worker] for u in unmerged.left)

    def worse_off(timetable: Timetable) -> set[str]:
        with_merges = Counter(hub_of[u.worker] for u in timetable.left)
        return {hub for hub, n in with_merges.items() if n > without[hub]}

    first, worse = timetable, worse_off(timetable)
    pinned: set[int] = set()
    for n in range(PIN_ROUNDS):
        if not worse:
            break
        left = {u.worker for u in timetable.left}
        pinned |= {i for i, b in enumerate(buses) if b.hub in worse
                   and any(w in left for u in b.units for w in u.workers)}
        kept = [b for b in merged if b.hub not in worse]
        fixed = [b for i, b in enumerate(buses) if i in pinned and b.hub in worse]
        again = merge_buses(
            context, [b for i, b in enumerate(buses) if b.hub in worse and i not in pinned],
            functools.partial(report, f"merge (round {n + 2})"), run=run,
            running=(*kept, *fixed, *feeders))
        merged = (*kept, *again, *fixed)
        timetable = schedule(context, (*merged, *feeders))
        worse = worse_off(timetable)
    if not worse and _within_fleet(context, (*merged, *feeders)):
        return timetable
    mixed = [b for b in merged if b.hub not in worse] + [b for b in buses if b.hub in worse]
    if _within_fleet(context, (*mixed, *feeders)):
        return schedule(context, (*mixed, *feeders))
    return unmerged if len(unmerged.left) < len(first.left) else first


def _within_fleet(context: Context, buses: Sequence[Bus]) -> bool:
    """Whether ``buses`` use no bus type beyond its daily fleet."""
    per_day = Counter((b.bus_type, b.day) for b in buses)
    available = {t.id: t.available_per_day for t in context.request.bus_types}
    return all(n <= available[kind] for (kind, _), n in per_day.items())


CREW_ROUNDS = 4
"""Most times a plan whose trips found no crew is made again with departures capped on
those trips' days (:func:`crew_rounds`)."""


class Attempt(NamedTuple):
    """A plan, and where its bus trips found no crew (one run of the chain,
    :func:`charterplan.pipeline.plan`)."""

    plan: Plan
    uncrewed: Uncrewed


def crew_rounds(context: Context, first: Attempt,
                replan: Callable[[Context, int], Attempt]) -> Plan:
    """The best of ``first`` (made in ``context``) and the plans ``replan`` makes (given
    the round number): while the last leaves trips without a crew, plan again with each
    such (hub, day) capped at the trips that had one (``Context.departure_caps``, kept
    from round to round).

    The assignment gathers riders on the days where a bus fills best, and the crews of
    those days may all be on the road: a cap sends some riders on a day when a crew is
    back, where their windows allow. A round that carries no more can still show the
    way: the bus it moves may keep the crew from another day, which the next round
    caps (one crew and two buses of one day took three rounds in
    an earlier door-to-door test). But caps only tighten, and a round that carries
    fewer workers than ``first`` shows them costing more riders than the crews they
    free: on a roster short on every day, the next rounds carry fewer still. So
    rounds stop after :data:`CREW_ROUNDS`, when no trip lacks a crew, after two in a
    row that are no better, or after one that carries fewer than ``first``. The
    answer carries the most workers, and of those costs least (the first among
    equals). A roster short on every day still pays a round for nothing
    (benchmarks/RESULTS.md, "Crew rounds for less")."""
    best, uncrewed = first
    stale = 0
    for n in range(1, CREW_ROUNDS + 1):
        if not uncrewed or stale == 2:
            break
        caps = dict(context.departure_caps)
        for key, crewed in uncrewed.items():
            caps[key] = min(caps.get(key, crewed), crewed)
        context = dataclasses.replace(context, departure_caps=caps)
        plan, uncrewed = replan(context, n)
        if (plan.summary.assigned, -plan.summary.total_cost) > (
                best.summary.assigned, -best.summary.total_cost):
            best, stale = plan, 0
        else:
            stale += 1
        if plan.summary.assigned < first.plan.summary.assigned:
            break
    return best
