"""Trips as the plan lists them: a bus trip per staffed bus, numbered per hub and day,
grouped into convoys; a rail trip per carriage, numbered within its train, a convoy per
train. Stops carry the riders boarding and alighting there; each trip names its
captain and deputy (:mod:`.captains`)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from charterplan.geo import great_circle_km
from charterplan.model import BusType, Convoy, PlanRequest, Reason, Stop, Trip, Unassigned, Worker
from charterplan.shared.context import Context
from charterplan.stages.s4_rail import Carriage
from charterplan.stages.s6_timetable import Scheduled
from charterplan.stages.s8_assemble.captains import choose_captains

__all__ = ["bus_trips", "rail_trips"]


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
    kind = look.kinds[s.bus.bus_type]
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


def bus_trips(context: Context, scheduled: Sequence[Scheduled],
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


def rail_trips(context: Context, staffed: Sequence[tuple[Carriage, tuple[str, str]]]) -> (
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
