"""plan(request) -> Plan: the stages chained, with no I/O.

eligibility → areas → assignment (CP-SAT: bus or train) → carriages and feeders →
timetable and convoys → staff → crew on board → summary. Each stage is a pure function
of the request and earlier stages, so the same request and seed give the same plan.
Door to door with its fallback to the hub plans again, with the workers it could not
collect gathering at the hub (:mod:`~charterplan.stages.fallback`).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from charterplan.geo import great_circle_km
from charterplan.io.request import request_digest
from charterplan.model import (
    BusType,
    Convoy,
    Plan,
    PlanRequest,
    PlanStatus,
    Reason,
    Stop,
    Summary,
    TrainUse,
    Trip,
    Unassigned,
    Worker,
)
from charterplan.parallel import runner_for
from charterplan.shared.context import Context, build_context
from charterplan.shared.packing import Bus
from charterplan.shared.runner import Progress, Runner, run_in_order
from charterplan.stages.crew import choose_captains
from charterplan.stages.fallback import crowded_out, uncollected
from charterplan.stages.report import lower_bound, report_tables
from charterplan.stages.s1_eligibility import screen
from charterplan.stages.s2_areas import build_areas
from charterplan.stages.s3_assign import Memo, assign
from charterplan.stages.s4_rail import Carriage, board, connected
from charterplan.stages.s5_merge import merge_buses
from charterplan.stages.s6_timetable import Scheduled, Timetable, schedule
from charterplan.stages.s7_staffing import Crewing, Duty, refill, staff_trips

__all__ = ["plan"]

_SHORTAGES = {Reason.NO_VEHICLE_CAPACITY, Reason.NO_STAFF}


def plan(request: PlanRequest, *, progress: Progress | None = None, jobs: int = 1,
         scheduler: str | None = None, run: Runner | None = None) -> Plan:
    """Plan the charter transport of ``request``.

    With ``policy.door_to_door`` and ``policy.pickup_fallback_to_hub``, workers whom
    door to door cannot collect at their pickup point gather at the hub instead, and
    the request is planned again (:func:`_with_fallback`). Then, while trips find no
    crew, the plan is made again with those days capped (:func:`_crewed`).

    Args:
        request: a validated request (see :func:`charterplan.io.parse_request`).
        progress: optional callback ``progress(stage, done, total)``.
        jobs: how many areas to solve at once in worker processes (1: in this process).
        scheduler: address of a Dask scheduler (``tcp://HOST:PORT``) to solve the areas
            on a cluster instead (needs the ``distributed`` extra).
        run: a custom way to map a function over the areas (overrides ``jobs``), e.g.
            onto a cluster: ``run(fn, items)`` must yield ``fn(item)`` in the items'
            order. The plan maps the departure waves and the solver with it.

    Returns:
        The plan; workers who cannot travel are in ``unassigned`` with a reason. It is
        the same whichever runner solved the areas.
    """
    report = progress or (lambda stage, done, total: None)
    runner = run or runner_for(jobs, scheduler)
    memo = Memo()
    context = build_context(request)
    digest = request_digest(request)  # a second's work at 100,000 workers: once a plan

    def once(context: Context, label: str = "{}") -> Made:
        return _plan_once(context, runner, lambda stage, done, total: report(
            label.format(stage), done, total), memo, digest)

    made, context = _with_fallback(context, once(context),
                                   lambda context: once(context, "fallback {}"))
    return _crewed(context, made, lambda context, n: once(context, f"{{}} (crew round {n + 1})"))


FREEING_ROUNDS = 3
"""Most times the fallback frees collecting buses for workers left without a bus or crew."""


def _with_fallback(context: Context, first: Made,
                   again: Callable[[Context], Made]) -> tuple[Made, Context]:
    """The door-to-door fallback (:mod:`~charterplan.stages.fallback`), from ``first``;
    the plan chosen, with the context it was made in.

    Workers it could not collect (:func:`~charterplan.stages.fallback.uncollected`)
    gather at the hub, and ``again`` plans once more, until no more are left so: the
    hub workers only grow, so this ends. Then, while the plan still leaves workers for
    want of buses or crews, the riders of the collecting buses that crowd them out
    (:func:`~charterplan.stages.fallback.crowded_out`) gather at the hub too, at most
    :data:`FREEING_ROUNDS` times and only while that carries more workers.

    Planning is a heuristic, so moving riders can carry fewer (another area's share of
    the fleet changes): of all the plans made, the answer is the one that carries the
    most workers, the earliest (the one that collects most) among equals."""
    made, contexts = [first], [context]

    def settle(context: Context) -> Context:
        while moved := uncollected(context, made[-1].plan):
            context = dataclasses.replace(context, at_hub=context.at_hub | moved)
            made.append(again(context))
            contexts.append(context)
        return context

    context = settle(context)
    for _ in range(FREEING_ROUNDS):
        freed = crowded_out(context, made[-1].plan)
        if not freed:
            break
        most = max(m.plan.summary.assigned for m in made)
        context = dataclasses.replace(context, at_hub=context.at_hub | freed)
        made.append(again(context))
        contexts.append(context)
        context = settle(context)
        if made[-1].plan.summary.assigned <= most:
            break
    best = max(range(len(made)), key=lambda i: made[i].plan.summary.assigned)
    return made[best], contexts[best]


CREW_ROUNDS = 4
"""Most times a plan whose trips found no crew is made again with departures capped on
those trips' days (:func:`_crewed`)."""


Uncrewed = dict[tuple[str, int], int]
"""(hub, day) of bus trips that found no crew -> that day's trips at the hub that did."""


class Made(NamedTuple):
    """A plan, and where its bus trips found no crew (:func:`_plan_once`)."""

    plan: Plan
    uncrewed: Uncrewed


def _crewed(context: Context, first: Made, again: Callable[[Context, int], Made]) -> Plan:
    """The best of ``first`` (made in ``context``) and the plans ``again`` makes (given
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
        plan, uncrewed = again(context, n)
        if (plan.summary.assigned, -plan.summary.total_cost) > (
                best.summary.assigned, -best.summary.total_cost):
            best, stale = plan, 0
        else:
            stale += 1
        if plan.summary.assigned < first.plan.summary.assigned:
            break
    return best


def _plan_once(context: Context, run: Runner, report: Progress, memo: Memo,
               digest: str) -> Made:
    """One plan of ``context``'s request, its ``at_hub`` workers gathering at the hub,
    and where its bus trips found no crew; ``memo`` keeps what the assignment worked
    out for the next plan; ``digest`` is the request's
    (:func:`~charterplan.io.request.request_digest`)."""
    request = context.request
    report("eligibility", 0, 1)
    screening = screen(context)
    areas = build_areas(context, screening.units)
    report("eligibility", 1, 1)
    assignment = assign(context, areas, run=run, progress=report, memo=memo)
    railway = board(context, assignment.rail, assignment.feeders)
    carriages = list(railway.carriages)
    timetable = _timetable(context, assignment.buses, railway.feeders, report, run)
    lost = connected(carriages, [s.bus for s in timetable.trips if s.bus.feeder],
                     why="their feeder bus found no departure slot")
    timed = [s for s in timetable.trips if s.bus.units]
    carriages = [c for c in carriages if c.units]
    crew = staff_trips(context, [Duty.of(s) for s in timed] + [_duty(context, c)
                                                                for c in carriages]).crew
    bus_crew, rail_crew = crew[:len(timed)], crew[len(timed):]
    scheduled = refill(timed, Crewing(bus_crew), context)
    staffed = [(c, pair) for c, pair in zip(carriages, rail_crew, strict=True) if pair]
    no_train = [Unassigned(worker=w, reason=Reason.NO_STAFF,
                           detail="no free escort and medic for the train carriage")
                for c, pair in zip(carriages, rail_crew, strict=True) if pair is None
                for u in c.units for w in u.workers]
    lost += connected([c for c, _ in staffed],
                      [s.bus for s, pair in zip(scheduled, bus_crew, strict=True)
                       if pair and s.bus.feeder], reason=Reason.NO_STAFF,
                      why="their feeder bus or train carriage has no escort and medic")
    report("timetable", 1, 1)
    area_names = {a.id: a.name for a in areas} | _feeder_areas(context, railway.feeders)
    kept = [(s, pair) for s, pair in zip(scheduled, bus_crew, strict=True) if s.bus.units]
    crewed = Counter((s.bus.hub, s.bus.day) for s, pair in kept if pair is not None)
    uncrewed = {(s.bus.hub, s.bus.day): crewed[s.bus.hub, s.bus.day]
                for s, pair in kept if pair is None}
    trips, convoys, no_staff = _trips(context, [s for s, _ in kept], [p for _, p in kept],
                                      timetable.convoy_areas, area_names)
    rail_trips, trains = _rail_trips(context, [(c, p) for c, p in staffed if c.units])
    unassigned = _first_reasons([*screening.unassigned, *assignment.left, *railway.left,
                                 *timetable.left, *lost, *no_staff, *no_train])
    status = (PlanStatus.PARTIAL if any(u.reason in _SHORTAGES for u in unassigned)
              else PlanStatus.OPTIMAL if assignment.optimal else PlanStatus.FEASIBLE)
    all_trips = trips + rail_trips
    return Made(Plan(
        plan_id=request.plan_id,
        request_sha256=digest,
        seed=request.policy.seed,
        status=status,
        trips=tuple(all_trips),
        convoys=tuple(convoys + trains),
        unassigned=tuple(unassigned),
        summary=_summary(context, all_trips, unassigned, assignment.work),
    ), uncrewed)


PIN_ROUNDS = 3
"""Most times the buses of hubs whose merged buses strand riders in the timetable merge
again, with the buses those riders came on kept as they were."""


def _timetable(context: Context, buses: Sequence[Bus], feeders: Sequence[Bus],
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
    per_day = Counter((b.kind, b.day) for b in buses)
    available = {t.id: t.available_per_day for t in context.request.bus_types}
    return all(n <= available[kind] for (kind, _), n in per_day.items())


def _first_reasons(unassigned: Sequence[Unassigned]) -> list[Unassigned]:
    """Each worker once, with the first reason given (the cause, not its knock-on
    effects on a rider's other leg), sorted by worker."""
    first: dict[str, Unassigned] = {}
    for u in unassigned:
        first.setdefault(u.worker, u)
    return sorted(first.values(), key=lambda u: u.worker)


def _duty(context: Context, carriage: Carriage) -> Duty:
    return Duty(carriage.hub, carriage.departure, carriage.back(context),
                sum(u.poverty for u in carriage.units), carriage.load)


def _feeder_areas(context: Context, feeders: Sequence[Bus]) -> dict[str, str]:
    """Convoy area names of feeder buses: the train's station and service."""
    return {bus.area: f"{context.hubs[station].name}（{bus.feeder}次接驳）"
            for bus in feeders if bus.feeder is not None
            for station in [context.rail.services[bus.feeder].hub]}


@dataclass(frozen=True, slots=True)
class _Lookup:
    """Request lists as dicts, built once per plan."""

    workers: dict[str, Worker]
    order: dict[str, int]
    kinds: dict[str, BusType]

    @classmethod
    def of(cls, request: PlanRequest) -> _Lookup:
        return cls(workers={w.id: w for w in request.workers},
                   order={w.id: i for i, w in enumerate(request.workers)},
                   kinds={b.id: b for b in request.bus_types})


def _trip(context: Context, look: _Lookup, ident: str, s: Scheduled, crew: tuple[str, str],
          convoy: str | None) -> Trip:
    workers = look.workers
    passengers = tuple(w for u in s.bus.units for w in u.workers)
    picked = {w for u in s.bus.units if u.pickups for w in u.workers}
    boards: dict[str, list[str]] = defaultdict(list)
    alights: dict[str, list[str]] = defaultdict(list)
    for w in passengers:
        boards[(workers[w].pickup_point if w in picked else None) or s.bus.hub].append(w)
        # a feeder's riders all alight at the train's station, its only stop
        alights[s.route.stops[0] if s.bus.feeder else workers[w].destination].append(w)
    stops = [Stop(kind="pickup", place=s.bus.hub, eta=context.moment(s.departure),
                  workers=tuple(boards[s.bus.hub]))] if boards[s.bus.hub] else []
    arrivals = s.arrivals
    stops += [Stop(kind="pickup" if n < len(s.route.pickups) else "dropoff", place=place,
                   eta=context.moment(minute),
                   workers=tuple((boards if n < len(s.route.pickups) else alights)[place]))
              for n, (place, minute) in enumerate(zip(s.route.calls, arrivals, strict=True))]
    kind = look.kinds[s.bus.kind]
    km = math.ceil(s.route.km * 10 - 1e-9) / 10  # up, so the cost never undercuts the bound
    stop_of = {w: s.route.stops.index(place) for place, riders in alights.items()
               for w in riders}
    captain, deputy = choose_captains(passengers, stop_of, workers, look.order)
    return Trip(
        id=ident, mode="bus", vehicle_type=kind.id, hub=s.bus.hub,
        departure=context.moment(s.departure),
        arrival=context.moment(arrivals[-1]),
        back_at_hub=context.moment(s.back),
        stops=tuple(stops), passengers=passengers, captain=captain, deputy_captain=deputy,
        escort=crew[0], medic=crew[1], convoy=convoy, drivers=s.route.drivers,
        distance_km=km, cost=round(kind.fixed_cost + kind.cost_per_km * km
                                   + s.route.extra_cost, 2),
        feeder=s.bus.feeder is not None,
    )


def _trips(context: Context, scheduled: Sequence[Scheduled],
           crew: Sequence[tuple[str, str] | None], convoy_areas: dict[int, str],
           area_names: dict[str, str]) -> tuple[list[Trip], list[Convoy], list[Unassigned]]:
    """Name and build the staffed trips and their convoys; riders of the rest."""
    trips: list[Trip] = []
    no_staff: list[Unassigned] = []
    counters: dict[tuple[str, str], int] = defaultdict(int)
    convoy_ids: dict[int, str] = {}
    members: dict[str, list[Trip]] = defaultdict(list)
    look = _Lookup.of(context.request)
    for s, pair in zip(scheduled, crew, strict=True):
        if pair is None:
            no_staff += [Unassigned(worker=w, reason=Reason.NO_STAFF,
                                    detail="no free escort and medic for the trip")
                         for u in s.bus.units for w in u.workers]
            continue
        day = context.moment(s.departure).strftime("%m%d")
        counters[s.bus.hub, day] += 1
        if s.convoy not in convoy_ids:
            counters[s.bus.hub, "C" + day] += 1
            convoy_ids[s.convoy] = f"{s.bus.hub}-{day}-C{counters[s.bus.hub, 'C' + day]:02d}"
        trip = _trip(context, look, f"{s.bus.hub}-{day}-{counters[s.bus.hub, day]:03d}", s, pair,
                     convoy_ids[s.convoy])
        trips.append(trip)
        members[convoy_ids[s.convoy]].append(trip)
    convoys = [Convoy(id=cid, hub=ts[0].hub, area=area_names[convoy_areas[number]],
                      trips=tuple(t.id for t in ts), leader=ts[0].escort)
               for number, cid in convoy_ids.items() for ts in [members[cid]]]
    return trips, convoys, no_staff


def _rail_trips(context: Context, staffed: Sequence[tuple[Carriage, tuple[str, str]]]) -> (
        tuple[list[Trip], list[Convoy]]):
    """A trip per carriage, numbered within its train, and a convoy per train."""
    look = _Lookup.of(context.request)
    names = {stop.id: stop.name for r in context.request.rail_services for stop in r.stops}
    places = context.places
    by_service: dict[str, list[tuple[Carriage, tuple[str, str]]]] = defaultdict(list)
    for carriage, pair in staffed:
        by_service[carriage.service.id].append((carriage, pair))
    out: list[Trip] = []
    convoys: list[Convoy] = []
    for service_id in sorted(by_service, key=lambda k: context.rail.services[k].index):
        service = context.rail.services[service_id]
        leaves = context.moment(service.departure)
        convoy = f"{service.hub}-{leaves:%m%d}-{service.id}"
        trips: list[Trip] = []
        used: set[str] = set()
        for number, (carriage, (escort, medic)) in enumerate(by_service[service_id], 1):
            alights = carriage.alights(context)
            passengers = tuple(w for u in carriage.units for w in u.workers)
            calls = [(stop, minute) for stop, minute in service.calls
                     if stop in alights.values()]
            used |= {stop for stop, _ in calls}
            stops = [Stop(kind="pickup", place=service.hub, eta=leaves, workers=passengers)]
            stops += [Stop(kind="dropoff", place=stop, eta=context.moment(minute),
                           workers=tuple(w for w in passengers if alights[w] == stop))
                      for stop, minute in calls]
            path = [places.index[p] for p in [service.hub, *(stop for stop, _ in calls)]]
            km = float(great_circle_km(places.lat[path[:-1]], places.lon[path[:-1]],
                                       places.lat[path[1:]], places.lon[path[1:]]).sum())
            order = [stop for stop, _ in calls]
            captain, deputy = choose_captains(
                passengers, {w: order.index(alights[w]) for w in passengers}, look.workers,
                look.order)
            trips.append(Trip(
                id=f"{service.id}-{number:02d}", mode="rail", vehicle_type=service.id,
                hub=service.hub, carriage=number, departure=leaves,
                arrival=context.moment(carriage.arrival(context)),
                back_at_hub=context.moment(carriage.back(context)), stops=tuple(stops),
                passengers=passengers, captain=captain, deputy_captain=deputy,
                escort=escort, medic=medic, convoy=convoy, drivers=0,
                distance_km=math.ceil(km * 10 - 1e-9) / 10, cost=round(service.cost, 2)))
        area = "、".join(names[stop] for stop, _ in service.calls if stop in used)
        convoys.append(Convoy(id=convoy, hub=service.hub, area=area,
                              trips=tuple(t.id for t in trips), leader=trips[0].escort))
        out += trips
    return out, convoys


def _trains(context: Context, trips: Sequence[Trip]) -> tuple[TrainUse, ...]:
    """The whole-train view: per service used, its carriages, riders and cost."""
    used: dict[str, list[Trip]] = defaultdict(list)
    for trip in trips:
        if trip.mode == "rail":
            used[trip.vehicle_type].append(trip)
    return tuple(
        TrainUse(service=service.id, hub=service.hub, departure=ts[0].departure,
                 carriages_used=len(ts), carriages=service.carriages,
                 riders=sum(len(t.passengers) for t in ts),
                 cost=round(sum(t.cost for t in ts), 2))
        for service in sorted(context.rail.services.values(), key=lambda s: s.index)
        if (ts := used.get(service.id)))


def _summary(context: Context, trips: list[Trip], unassigned: list[Unassigned],
             work: float) -> Summary:
    cost = round(sum(t.cost for t in trips), 2)
    bound = math.floor(lower_bound(context, trips) * 100) / 100
    reasons: dict[str, int] = defaultdict(int)
    for u in unassigned:
        reasons[u.reason.value] += 1
    modes: dict[str, int] = defaultdict(int)
    for t in trips:
        modes[t.mode] += 1
    return Summary(
        workers=len(context.request.workers),
        assigned=sum(len(t.passengers) for t in trips if not t.feeder),
        unassigned=len(unassigned),
        unassigned_by_reason=dict(sorted(reasons.items())),
        trips_by_mode=dict(sorted(modes.items())),
        total_cost=cost,
        total_km=round(sum(t.distance_km for t in trips), 1),
        lower_bound_cost=bound,
        gap_pct=round(100 * (cost - bound) / bound, 2) if bound > 0 else 0.0,
        solve_seconds=round(work, 3),
        tables=report_tables(context, trips, unassigned),
        trains=_trains(context, trips),
        moved_to_hub=sum(w in context.at_hub for t in trips if not t.feeder
                         for w in t.passengers) if context.request.policy.door_to_door else None,
    )
