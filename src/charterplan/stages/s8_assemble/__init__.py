"""Stage 8, the plan: trips and convoys named and numbered (:mod:`.trips`), captains
chosen (:mod:`.captains`), each worker left behind once with the cause, the status and
the summary (:mod:`.summary`)."""

from __future__ import annotations

from collections.abc import Sequence

from charterplan.model import SHORTAGES, Plan, PlanStatus, Unassigned
from charterplan.shared.context import Context
from charterplan.shared.packing import Bus
from charterplan.shared.units import Area
from charterplan.stages.s1_eligibility import Screening
from charterplan.stages.s3_assign import Assignment
from charterplan.stages.s4_rail import Railway
from charterplan.stages.s6_pickups import settle
from charterplan.stages.s6_timetable import Timetable
from charterplan.stages.s7_staffing import Staffed
from charterplan.stages.s8_assemble.summary import summarize, with_lp_bound
from charterplan.stages.s8_assemble.trips import bus_trips, rail_trips

__all__ = ["assemble", "with_lp_bound"]


def assemble(context: Context, digest: str, screening: Screening, areas: Sequence[Area],
             assignment: Assignment, railway: Railway, timetable: Timetable,
             staffed: Staffed) -> Plan:
    """The plan of what the stages decided; ``digest`` is the request's
    (:func:`~charterplan.model.digest.request_digest`)."""
    request = context.request
    area_names = {a.id: a.name for a in areas} | _feeder_areas(context, railway.feeders)
    buses, unfed = settle(context, staffed.buses, timetable.county_feeders,
                          staffed.carriages)
    trips, convoys, no_staff = bus_trips(context, [s for s, _ in buses], [p for _, p in buses],
                                         timetable.convoy_areas, area_names)
    by_rail, trains = rail_trips(context, staffed.carriages)
    unassigned = _first_reasons([*screening.unassigned, *assignment.left, *railway.left,
                                 *timetable.left, *staffed.lost, *unfed, *no_staff,
                                 *staffed.no_crew])
    status = (PlanStatus.PARTIAL if any(u.reason in SHORTAGES for u in unassigned)
              else PlanStatus.OPTIMAL if assignment.optimal else PlanStatus.FEASIBLE)
    all_trips = trips + by_rail
    return Plan(
        plan_id=request.plan_id,
        request_sha256=digest,
        seed=request.policy.seed,
        status=status,
        trips=tuple(all_trips),
        convoys=tuple(convoys + trains),
        unassigned=tuple(unassigned),
        summary=summarize(context, all_trips, unassigned, assignment.work,
                          assignment.roster_bound),
    )


def _first_reasons(unassigned: Sequence[Unassigned]) -> list[Unassigned]:
    """Each worker once, with the first reason given (the cause, not its knock-on
    effects on a rider's other leg), sorted by worker."""
    first: dict[str, Unassigned] = {}
    for u in unassigned:
        first.setdefault(u.worker, u)
    return sorted(first.values(), key=lambda u: u.worker)


def _feeder_areas(context: Context, feeders: Sequence[Bus]) -> dict[str, str]:
    """Convoy area names of feeder buses: the train's station and service."""
    return {bus.area: f"{context.hubs[station].name}（{bus.feeder}次接驳）"
            for bus in feeders if bus.feeder is not None
            for station in [context.rail.services[bus.feeder].hub]}
