"""The re-planning loops: where a plan falls short, the chain runs again with changed
inputs, and the best plan made wins.

* *Merge rounds* (:func:`merge_and_schedule`, stages 5 and 6): a hub whose merged
  buses find no departure slot merges again with those buses pinned, else unmerged.
* *Door-to-door fallback* (:func:`with_fallback`): with ``policy.door_to_door`` a
  worker with a pickup point is collected there; with ``policy.pickup_fallback_to_hub``
  as well, the request is planned again with some of them gathering at their hub
  (``Context.at_hub``), as a county transport office tells a worker whom no bus can
  collect to come to the bus station. Two rules choose them from a plan:
  :func:`uncollected` — the workers it leaves for want of buses, company or staff, or
  whom the ride via their point makes late (:data:`FALLBACK`), each of them once;
  :func:`crowded_out` — when it leaves workers for want of buses or crews, the riders
  of the emptiest collecting buses that ran in their windows: a bus calling at pickup
  points takes a coach and a crew that a fuller bus from the hub could use. Both look
  at the plan only, so the plans stay deterministic.
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
from datetime import timedelta
from typing import NamedTuple

from charterplan.model import Plan, Reason
from charterplan.shared.context import Context
from charterplan.shared.packing import Bus
from charterplan.shared.runner import Progress, Runner, run_in_order
from charterplan.stages.s5_merge import merge_buses
from charterplan.stages.s6_timetable import Timetable, schedule
from charterplan.stages.s7_staffing import Uncrewed
from charterplan.stages.s8_assemble import SHORTAGES

__all__ = ["CREW_ROUNDS", "FALLBACK", "FREEING_ROUNDS", "PIN_ROUNDS", "Attempt", "crew_rounds",
           "crowded_out", "merge_and_schedule", "uncollected", "with_fallback"]


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


FALLBACK = frozenset({Reason.NO_VEHICLE_CAPACITY, Reason.BELOW_MIN_PASSENGERS, Reason.NO_STAFF,
                      Reason.WINDOW_INFEASIBLE, Reason.QUARANTINE_PAST_WINDOW})
"""Reasons for which a worker whom door to door was to collect gathers at the hub
instead: buses, company or staff ran short, or — timed on the ride via their pickup
point — no departure arrives in time (one from the hub may). Health and group reasons
are not: the hub changes nothing for them."""

def _falls_back(context: Context) -> bool:
    policy = context.request.policy
    return policy.door_to_door and policy.pickup_fallback_to_hub


def uncollected(context: Context, plan: Plan) -> frozenset[str]:
    """Workers ``plan`` leaves for a reason in :data:`FALLBACK` whom it was to collect
    at their pickup point (not yet in ``context.at_hub``). A group's members are left
    with one reason, so they move together. Empty without the fallback."""
    if not _falls_back(context):
        return frozenset()
    points = {w.id for w in context.request.workers if w.pickup_point is not None}
    return frozenset(u.worker for u in plan.unassigned if u.reason in FALLBACK
                     and u.worker in points and u.worker not in context.at_hub)


def crowded_out(context: Context, plan: Plan) -> frozenset[str]:
    """The riders collected at pickup points by the buses that crowd out the workers
    ``plan`` leaves for want of buses or crews (:data:`SHORTAGES`).

    For each such worker, in id order, the collecting bus with the fewest collected
    riders (then the earliest, then by id) not chosen yet whose time overlaps the
    worker's window — from its departure until its crew is back and rested, which
    covers its day's coaches too. Empty without the fallback."""
    if not _falls_back(context):
        return frozenset()
    rest = timedelta(hours=context.request.policy.staff_rest_hours)
    workers = {w.id: w for w in context.request.workers}
    collecting = []
    for trip in plan.trips:
        picked = tuple(w for s in trip.stops if s.kind == "pickup" and s.place != trip.hub
                       for w in s.workers)
        if trip.mode == "bus" and picked:
            collecting.append((len(picked), trip.departure, trip.id, trip.back_at_hub, picked))
    chosen: dict[str, tuple[str, ...]] = {}
    for left in plan.unassigned:  # in worker order
        if left.reason not in SHORTAGES:
            continue
        worker = workers[left.worker]
        near = [c for c in collecting if c[2] not in chosen
                and c[1] <= worker.latest_arrival and c[3] + rest >= worker.earliest_departure]
        if near:
            _, _, trip_id, _, picked = min(near)
            chosen[trip_id] = picked
    return frozenset(w for picked in chosen.values() for w in picked)


FREEING_ROUNDS = 3
"""Most times the fallback frees collecting buses for workers left without a bus or crew."""


def with_fallback(context: Context, first: Attempt,
                  replan: Callable[[Context], Attempt]) -> tuple[Attempt, Context]:
    """The door-to-door fallback, from ``first``;
    the plan chosen, with the context it was made in.

    Workers it could not collect (:func:`uncollected`)
    gather at the hub, and ``replan`` plans once more, until no more are left so: the
    hub workers only grow, so this ends. Then, while the plan still leaves workers for
    want of buses or crews, the riders of the collecting buses that crowd them out
    (:func:`crowded_out`) gather at the hub too, at most
    :data:`FREEING_ROUNDS` times and only while that carries more workers.

    Planning is a heuristic, so moving riders can carry fewer (another area's share of
    the fleet changes): of all the plans made, the answer is the one that carries the
    most workers, the earliest (the one that collects most) among equals."""
    made, contexts = [first], [context]

    def settle(context: Context) -> Context:
        while moved := uncollected(context, made[-1].plan):
            context = dataclasses.replace(context, at_hub=context.at_hub | moved)
            made.append(replan(context))
            contexts.append(context)
        return context

    context = settle(context)
    for _ in range(FREEING_ROUNDS):
        freed = crowded_out(context, made[-1].plan)
        if not freed:
            break
        most = max(m.plan.summary.assigned for m in made)
        context = dataclasses.replace(context, at_hub=context.at_hub | freed)
        made.append(replan(context))
        contexts.append(context)
        context = settle(context)
        if made[-1].plan.summary.assigned <= most:
            break
    best = max(range(len(made)), key=lambda i: made[i].plan.summary.assigned)
    return made[best], contexts[best]


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
    from round to round). The rounds come once, after the door-to-door fallback, on the
    context of the plan it chose: inside each of its plans they would multiply.

    The assignment gathers riders on the days where a bus fills best, and the crews of
    those days may all be on the road: a cap sends some riders on a day when a crew is
    back, where their windows allow. A round that carries no more can still show the
    way: the bus it moves may keep the crew from another day, which the next round
    caps (one crew and two buses of one day took three rounds in
    ``tests/test_door_to_door.py``). But caps only tighten, and a round that carries
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
