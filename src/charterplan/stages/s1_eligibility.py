"""Eligibility: who can travel, from which hub, and in which window.

Health gating follows the notices: only cleared workers board; a worker in quarantine
may leave once ``quarantine_until`` has passed; a health certificate must still be valid
on the departure. A worker's window is then narrowed to departures from their hub that
fall on a slot and still arrive by ``latest_arrival`` on a direct bus that keeps the
coach driving rules (rests, the night ban). A worker gathering at their hub may also
take a train (:func:`rail_options`); one whom a train takes in time travels even when
no bus does.

Groups ride together or not at all: members are screened one by one, and if any of them
cannot travel, or the group cannot share one bus, every member is left out with the
reason ``group_split_refused`` and a detail naming the cause.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from charterplan.model import HealthStatus, Reason, Unassigned, Worker
from charterplan.shared.bus_route import BusRoute
from charterplan.shared.context import DAY, HUB_TOKEN, NEVER, Context
from charterplan.shared.routes import best_route, feeder_leaves, latest_slot, route, too_long
from charterplan.shared.units import RailOption, Stay, Unit

__all__ = ["Screening", "rail_options", "screen"]


def rail_options(context: Context, hub: str, deadlines: Sequence[tuple[str, int]],
                 earliest: int, latest_departure: int) -> tuple[RailOption, ...]:
    """The services a unit gathering at ``hub`` may take: one service calls at the
    stops serving all its destinations (:mod:`~charterplan.shared.railnet`) and reaches
    them by their deadlines, leaves while the health certificate is valid, and — when
    it leaves from another station — a feeder the unit can be on makes the boarding
    cut-off (``rail_cutoff_minutes``).

    ``earliest`` is the first minute the unit may leave (quarantine included),
    ``latest_departure`` the last its health certificate allows.
    """
    network = context.rail
    stops = [network.serving.get(dest) for dest, _ in deadlines]
    if not stops or None in stops:
        return ()
    common = set.intersection(*({s.id for s in network.services_to(stop)}
                                for stop in stops if stop is not None))
    grid = context.grids[hub]
    options = []
    for service in sorted((network.services[s] for s in common), key=lambda s: s.index):
        if latest_departure < service.departure:
            continue
        if any(service.arrival(stop) > by for stop, (_, by)
               in zip(stops, deadlines, strict=True) if stop is not None):
            continue
        leaves = feeder_leaves(context, hub, service)
        first = earliest if hub == service.hub else grid.first_at_or_after(earliest)
        if first <= leaves:
            options.append(RailOption(service.id, leaves))
    return tuple(options)


@dataclass(frozen=True, slots=True)
class Screening:
    """Result of eligibility: units that may travel and workers who may not."""

    units: tuple[Unit, ...]
    unassigned: tuple[Unassigned, ...]


def _hub_of(context: Context, worker: Worker) -> str:
    """The bus station a worker gathers at.

    An explicit ``hub`` wins; else the bus station nearest the worker's pickup point;
    else the first bus station of the request.
    """
    bus_hubs = list(context.bus_types_at)
    if worker.hub is not None:
        return worker.hub
    if worker.pickup_point is not None and len(bus_hubs) > 1:
        km = context.places.road_km([worker.pickup_point], bus_hubs)[0]
        return bus_hubs[int(km.argmin())]
    return bus_hubs[0]


def _fmt(context: Context, minute: int) -> str:
    return context.moment(minute).strftime("%Y-%m-%d %H:%M")


def _screen_worker(context: Context, worker: Worker, hub: str) -> Unit | Unassigned:
    """Screen one worker on their own: a one-worker unit, or why they cannot go."""
    health = worker.health
    if health.status in (HealthStatus.SYMPTOMATIC, HealthStatus.UNVERIFIED):
        return Unassigned(worker=worker.id, reason=Reason.HEALTH_NOT_CLEARED,
                          detail=f"health status is {health.status.value}")
    if health.status == HealthStatus.QUARANTINE and health.quarantine_until is None:
        return Unassigned(worker=worker.id, reason=Reason.HEALTH_NOT_CLEARED,
                          detail="in quarantine with no end date")
    earliest = context.minute(worker.earliest_departure)
    cert = (NEVER if health.certificate_valid_until is None
            else context.minute(health.certificate_valid_until))
    if cert < earliest:
        return Unassigned(worker=worker.id, reason=Reason.HEALTH_NOT_CLEARED,
                          detail=f"health certificate expired {_fmt(context, cert)}, "
                          f"before the earliest departure {_fmt(context, earliest)}")
    arrive_by = context.minute(worker.latest_arrival)
    # door to door, the long-haul buses are planned from the hub and those registered
    # at a pickup point are collected afterwards (stages.s6_pickups)
    pickups: tuple[str, ...] = ()
    boarding = frozenset({HUB_TOKEN})
    direct = route(context, hub, (worker.destination,), pickups, boarding)
    grid = context.grids[hub]
    in_time = latest_slot(direct, grid, ((worker.destination, arrive_by),), NEVER)
    last = min(cert, in_time)
    released = earliest if health.quarantine_until is None else max(
        earliest, context.minute_up(health.quarantine_until))
    rail = (rail_options(context, hub, ((worker.destination, arrive_by),), released, cert)
            if boarding == {HUB_TOKEN} else ())
    if grid.first_at_or_after(released) > last and not rail:
        return _why_not(context, worker, hub, direct, earliest, released, cert, in_time)
    return Unit(workers=(worker.id,), hub=hub, deadlines=((worker.destination, arrive_by),),
                earliest=released, latest_departure=cert,
                priority=int(worker.poverty_registered), pickups=pickups, boarding=boarding,
                rail=rail, stay=_stay(context, worker))


def _stay(context: Context, worker: Worker) -> Stay | None:
    """Where ``worker`` rode in a campaign's last plan, as the assignment sees it."""
    previous = worker.previous
    if previous is None:
        return None
    return Stay(context.minute(previous.departure) // DAY, previous.trip, previous.weight)


def _why_not(context: Context, worker: Worker, hub: str, direct: BusRoute, earliest: int,
             released: int, cert: int, in_time: int) -> Unassigned:
    """Why a worker whom no train takes cannot go by bus either."""
    grid = context.grids[hub]
    first = grid.first_at_or_after(earliest)
    arrive_by = context.minute(worker.latest_arrival)
    if first > min(cert, in_time):
        if first <= in_time:
            return Unassigned(worker=worker.id, reason=Reason.HEALTH_NOT_CLEARED,
                              detail=f"health certificate expires {_fmt(context, cert)}, "
                              "before the first departure slot")
        hours = (direct.arrivals(first)[-1] - first) / 60
        return Unassigned(worker=worker.id, reason=Reason.WINDOW_INFEASIBLE,
                          detail=f"the ride from {hub} takes {hours:.1f} h with the "
                          f"drivers' rests; no departure slot from {_fmt(context, earliest)} "
                          f"arrives by {_fmt(context, arrive_by)}")
    return Unassigned(worker=worker.id, reason=Reason.QUARANTINE_PAST_WINDOW,
                      detail=f"quarantine ends {_fmt(context, released)}, too late "
                      f"to arrive by {_fmt(context, arrive_by)}")


def _merge_group(context: Context, name: str, members: list[Unit]) -> Unit | str:
    """One unit for a group whose members can each travel, or why they cannot together.

    A group whose members each have a window but share none is refused as well: the
    group cannot travel without splitting.
    """
    hubs = sorted({m.hub for m in members})
    if len(hubs) > 1:
        return f"members gather at different hubs ({', '.join(hubs)})"
    hub = hubs[0]
    deadlines: dict[str, int] = {}
    for member in members:
        for dest, arrive_by in member.deadlines:
            deadlines[dest] = min(arrive_by, deadlines.get(dest, NEVER))
    policy = context.request.policy
    if len(deadlines) > policy.max_dropoffs_per_bus:
        return f"members go to {len(deadlines)} destinations, more than one bus drops at"
    dests = sorted(deadlines)
    spread = context.places.road_km(dests, dests).max() / policy.road_factor
    if spread > policy.dropoff_radius_km:
        return f"members' destinations lie {spread:.0f} km apart, beyond the drop-off radius"
    boarding = frozenset().union(*(m.boarding for m in members))
    pickups = tuple(sorted({p for m in members for p in m.pickups}))
    if len(pickups) > policy.max_pickups_per_bus:
        return f"members gather at {len(pickups)} pickup points, more than one bus calls at"
    if pickups and too_long(context, best_route(context, hub, tuple(dests), pickups, boarding),
                            HUB_TOKEN in boarding):
        return "members gather at pickup points too far apart for one bus"
    capacity = max((b.capacity for b in context.bus_types_at.get(hub, ())), default=0)
    if len(members) > capacity:
        return f"{len(members)} members exceed the largest bus ({capacity} passengers)"
    unit = Unit(
        workers=tuple(w for m in members for w in m.workers),
        hub=hub,
        deadlines=tuple(sorted(deadlines.items())),
        earliest=max(m.earliest for m in members),
        latest_departure=min(m.latest_departure for m in members),
        priority=sum(m.priority for m in members),
        pickups=pickups,
        boarding=boarding,
        stay=min((m.stay for m in members if m.stay is not None), default=None),
    )
    shared = set.intersection(*(set(m.rail) for m in members))
    unit = dataclasses.replace(unit, rail=tuple(
        o for o in members[0].rail if o in shared
        and context.rail.services[o.service].capacity >= unit.size))
    grid = context.grids[hub]
    last = min([unit.latest_departure] + [
        latest_slot(route(context, hub, (dest,), unit.pickups, boarding), grid,
                    ((dest, arrive_by),), NEVER)
        for dest, arrive_by in unit.deadlines])
    if grid.first_at_or_after(unit.earliest) > last and not unit.rail:
        return f"group {name} shares no departure that reaches every member in time"
    return unit


def screen(context: Context) -> Screening:
    """Screen every worker of the request; groups are screened as a whole.

    Returns units in request order of their first worker, and the workers left out.
    """
    request = context.request
    results: dict[str, Unit | Unassigned] = {}
    groups: dict[str, list[Worker]] = defaultdict(list)
    for worker in request.workers:
        results[worker.id] = _screen_worker(context, worker, _hub_of(context, worker))
        if worker.group is not None:
            groups[worker.group].append(worker)
    grouped: dict[str, Unit] = {}
    for name, members in groups.items():
        if len(members) < 2:
            continue
        outcomes = [results[w.id] for w in members]
        refused = next((o for o in outcomes if isinstance(o, Unassigned)), None)
        merged = (f"member {refused.worker} cannot travel: {refused.reason.value} "
                  f"({refused.detail})" if refused is not None
                  else _merge_group(context, name, [o for o in outcomes if isinstance(o, Unit)]))
        for worker in members:
            if isinstance(merged, Unit):
                results[worker.id] = merged
            else:
                results[worker.id] = Unassigned(
                    worker=worker.id, reason=Reason.GROUP_SPLIT_REFUSED,
                    detail=f"group {name}: {merged}")
        if isinstance(merged, Unit):
            grouped[name] = merged
    units: list[Unit] = []
    seen: set[tuple[str, ...]] = set()
    unassigned: list[Unassigned] = []
    for worker in request.workers:
        outcome = results[worker.id]
        if isinstance(outcome, Unassigned):
            unassigned.append(outcome)
        elif outcome.workers not in seen:
            seen.add(outcome.workers)
            units.append(outcome)
    return Screening(units=tuple(units), unassigned=tuple(unassigned))
