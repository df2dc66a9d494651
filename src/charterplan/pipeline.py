"""plan(request) -> Plan: the stages chained, with no I/O.

eligibility → areas → assignment (CP-SAT) → timetable and convoys → staff → crew on
board → summary. Each stage is a pure function of the request and earlier stages, so
the same request and seed give the same plan.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

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
    Trip,
    Unassigned,
    Worker,
)
from charterplan.parallel import runner_for
from charterplan.stages.areas import build_areas
from charterplan.stages.assign import Progress, Runner, assign
from charterplan.stages.context import Context, build_context
from charterplan.stages.crew import choose_captains
from charterplan.stages.eligibility import screen
from charterplan.stages.report import lower_bound, report_tables
from charterplan.stages.staffing import refill, staff_trips
from charterplan.stages.timetable import Scheduled, schedule

__all__ = ["plan"]

_SHORTAGES = {Reason.NO_VEHICLE_CAPACITY, Reason.NO_STAFF}


def plan(request: PlanRequest, *, progress: Progress | None = None, jobs: int = 1,
         scheduler: str | None = None, run: Runner | None = None) -> Plan:
    """Plan the charter transport of ``request``.

    Args:
        request: a validated request (see :func:`charterplan.io.parse_request`).
        progress: optional callback ``progress(stage, done, total)``.
        jobs: how many areas to solve at once in worker processes (1: in this process).
        scheduler: address of a Dask scheduler (``tcp://HOST:PORT``) to solve the areas
            on a cluster instead (needs the ``distributed`` extra).
        run: a custom way to map the solver over the areas (overrides ``jobs``), e.g.
            onto a cluster; it must yield solutions in the areas' order.

    Returns:
        The plan; workers who cannot travel are in ``unassigned`` with a reason. It is
        the same whichever runner solved the areas.
    """
    report = progress or (lambda stage, done, total: None)
    context = build_context(request)
    report("eligibility", 0, 1)
    screening = screen(context)
    areas = build_areas(context, screening.units)
    report("eligibility", 1, 1)
    assignment = assign(context, areas, run=run or runner_for(jobs, scheduler), progress=progress)
    report("timetable", 0, 1)
    timetable = schedule(context, assignment.buses)
    crewing = staff_trips(context, timetable.trips)
    scheduled = refill(timetable.trips, crewing)
    report("timetable", 1, 1)
    area_names = {a.id: a.name for a in areas}
    trips, convoys, no_staff = _trips(context, scheduled, crewing.crew,
                                      timetable.convoy_areas, area_names)
    unassigned = sorted([*screening.unassigned, *assignment.left, *timetable.left, *no_staff],
                        key=lambda u: u.worker)
    status = (PlanStatus.PARTIAL if any(u.reason in _SHORTAGES for u in unassigned)
              else PlanStatus.OPTIMAL if assignment.optimal else PlanStatus.FEASIBLE)
    return Plan(
        plan_id=request.plan_id,
        request_sha256=request_digest(request),
        seed=request.policy.seed,
        status=status,
        trips=tuple(trips),
        convoys=tuple(convoys),
        unassigned=tuple(unassigned),
        summary=_summary(context, trips, unassigned, assignment.work),
    )


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
        alights[workers[w].destination].append(w)
    stops = [Stop(kind="pickup", place=s.bus.hub, eta=context.moment(s.departure),
                  workers=tuple(boards[s.bus.hub]))] if boards[s.bus.hub] else []
    arrivals = s.arrivals
    stops += [Stop(kind="pickup" if n < len(s.route.pickups) else "dropoff", place=place,
                   eta=context.moment(minute),
                   workers=tuple((boards if n < len(s.route.pickups) else alights)[place]))
              for n, (place, minute) in enumerate(zip(s.route.calls, arrivals, strict=True))]
    kind = look.kinds[s.bus.kind]
    km = math.ceil(s.route.km * 10 - 1e-9) / 10  # up, so the cost never undercuts the bound
    stop_of = {w: s.route.stops.index(workers[w].destination) for w in passengers}
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
    )
