"""What every family of checks reads: the request's facts, worked out once, the
violation type, and small helpers over the plan."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

from charterplan.model import (
    Plan,
    PlanRequest,
    Trip,
    Worker,
)

__all__ = ["TOLERANCE", "Facts", "Rule", "Violation", "on_time", "rail_trips_of", "riders_of"]


TOLERANCE = 0.01
"""Relative slack on distances and travel times (the planner uses a sphere)."""


@dataclass(frozen=True, order=True)
class Violation:
    """A broken invariant: its SPEC §5 number (0: plan consistency), what it concerns,
    what was expected against what was found, and the family of checks that found it
    (a name of :data:`FAMILIES`; set by :func:`check_plan`)."""

    invariant: int
    subject: str
    message: str
    family: str = ""

    def __str__(self) -> str:
        family = f" {self.family}" if self.family else ""
        return f"[{self.invariant}{family}] {self.subject}: {self.message}"


class Facts:
    """The request's lists as lookups, and reference road distances."""

    def __init__(self, request: PlanRequest) -> None:
        self.request = request
        self.zone = ZoneInfo(request.timezone)
        self.workers: dict[str, Worker] = {w.id: w for w in request.workers}
        self.staff = {s.id: s for s in request.staff}
        self.bus_types = {b.id: b for b in request.bus_types}
        self.services = {r.id: r for r in request.rail_services}
        self.hubs = {h.id: h for h in request.hubs}
        self.coords = {key: (place.lat, place.lon)
                       for key, place in request.places_by_id().items()}
        # a stop id shared by services is one station: its first coordinates count
        self.rail_stops: dict[str, tuple[float, float]] = {}
        for service in request.rail_services:
            for stop in service.stops:
                self.rail_stops.setdefault(stop.id, (stop.lat, stop.lon))
        self.destinations = {d.id: d for d in request.destinations}
        self.serving = cache(self._serving_stop)
        # a measured road serves both ways unless the reverse is measured too
        self.measured: dict[tuple[str, str], tuple[float, float | None]] = {}
        for leg in request.roads:
            self.measured[leg.origin, leg.to] = (leg.km, leg.minutes)
        for leg in request.roads:
            self.measured.setdefault((leg.to, leg.origin), (leg.km, leg.minutes))
        self.road = cache(self._road_km)

    def _road_km(self, a: str, b: str, sphere: bool = False) -> float:
        """Measured km, else the geodesic (or with ``sphere`` the great circle, as the
        planner measures) times the road factor."""
        from geopy.distance import geodesic, great_circle  # not loaded by import charterplan

        measured = self.measured.get((a, b))
        if measured is not None:
            return measured[0]
        distance = great_circle if sphere else geodesic
        return float(distance(self.coords[a], self.coords[b]).km) * (
            self.request.policy.road_factor)

    def _serving_stop(self, destination: str) -> str | None:
        """The rail stop serving ``destination``: the one it names, else the nearest stop
        of any service (geodesic, ties by id) within ``rail_radius_km``, else None."""
        place = self.destinations.get(destination)
        if place is None:
            return None
        if place.rail_station is not None:
            return place.rail_station
        if not self.rail_stops:
            return None
        from geopy.distance import geodesic  # not loaded by import charterplan

        km, nearest = min((float(geodesic((place.lat, place.lon), where).km), stop)
                          for stop, where in self.rail_stops.items())
        return nearest if km <= self.request.policy.rail_radius_km else None

    def leg_minutes(self, a: str, b: str, generous: bool = True) -> int:
        """Whole minutes at the wheel from ``a`` to ``b``: measured, or the road at the
        policy speed; a little generous to the planner, or with ``generous`` off on
        the planner's sphere and rounded up, as its timetable is."""
        measured = self.measured.get((a, b))
        if measured is not None and measured[1] is not None:
            minutes = measured[1]
        else:
            minutes = self.road(a, b, not generous) / self.request.policy.bus_speed_kmh * 60
        return math.floor(minutes * (1 - TOLERANCE)) if generous else math.ceil(minutes - 1e-9)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)


Rule = Callable[[Facts, Plan], Iterator[Violation]]


def riders_of(plan: Plan) -> Iterator[tuple[Trip, str]]:
    for trip in plan.trips:
        if not trip.feeder:
            for worker in trip.passengers:
                yield trip, worker


def rail_trips_of(plan: Plan) -> dict[str, list[Trip]]:
    """The rail trips each worker rides."""
    trains: dict[str, list[Trip]] = defaultdict(list)
    for trip in plan.trips:
        if trip.mode == "rail":
            for worker in trip.passengers:
                trains[worker].append(trip)
    return trains


def on_time(eta: datetime, when: datetime) -> bool:
    """``eta`` is ``when`` to the minute: a plan writes minutes, and may round either way."""
    start, end = when.timestamp() / 60, eta.timestamp() / 60
    return math.floor(start) <= end <= math.ceil(start)
