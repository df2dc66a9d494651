"""What every stage derives from the request once: the clock, places, hubs' slot grids.

Stages compute in whole minutes of local wall-clock time since :attr:`Context.epoch`
(midnight before the earliest time in the request), and in road km from
:class:`~charterplan.geo.Places`.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from charterplan.geo import Places
from charterplan.model import BusType, Hub, PlanRequest
from charterplan.shared.bus_route import BusRoute
from charterplan.shared.driving import DAY, DrivingRules, Journeys, in_span
from charterplan.shared.railnet import RailNetwork, build_network

__all__ = ["DAY", "HUB_TOKEN", "NEVER", "Context", "PlanMemo", "SlotGrid", "build_context",
           "pickup_token"]

NEVER = 10**9
"""A minute later than any plan's horizon: an open upper bound."""


@dataclass(frozen=True, slots=True)
class SlotGrid:
    """A hub's departure slots: every ``slot`` minutes from ``open`` to ``close`` daily,
    less those inside ``ban``, the night ban's daily span [from, until) in minutes after
    midnight (it may wrap midnight), in which no coach leaves (SPEC §5.3)."""

    open: int
    close: int
    slot: int
    per_slot: int
    ban: tuple[int, int] | None = None
    clocks: tuple[int, ...] = field(init=False, repr=False, compare=False)
    """The slot starts of a day, in minutes after midnight, ascending."""

    def __post_init__(self) -> None:
        starts = range(self.open, self.close + 1, self.slot)
        object.__setattr__(self, "clocks", tuple(
            c for c in starts if self.ban is None or not in_span(c, self.ban)))

    @property
    def slots_per_day(self) -> int:
        """How many slot starts lie within opening hours, outside the ban, each day."""
        return len(self.clocks)

    def is_slot(self, minute: int) -> bool:
        """Whether a bus may leave at ``minute``: a slot start outside the ban."""
        clock = minute % DAY
        i = bisect_left(self.clocks, clock)
        return i < len(self.clocks) and self.clocks[i] == clock

    def day_slots(self, day: int) -> tuple[int, int]:
        """The first and the last slot of ``day`` (the last before the first: none)."""
        if not self.clocks:
            return NEVER, -NEVER
        return day * DAY + self.clocks[0], day * DAY + self.clocks[-1]

    def first_at_or_after(self, minute: int) -> int:
        """The earliest slot start at or after ``minute`` (:data:`NEVER`: none)."""
        if not self.clocks:
            return NEVER
        day, clock = divmod(minute, DAY)
        i = bisect_left(self.clocks, clock)
        if i < len(self.clocks):
            return day * DAY + self.clocks[i]
        return (day + 1) * DAY + self.clocks[0]

    def last_at_or_before(self, minute: int) -> int:
        """The latest slot start at or before ``minute`` (may be negative: none)."""
        if not self.clocks:
            return -NEVER
        day, clock = divmod(minute, DAY)
        i = bisect_right(self.clocks, clock)
        if i:
            return day * DAY + self.clocks[i - 1]
        return (day - 1) * DAY + self.clocks[-1]


@dataclass(eq=False, slots=True)
class PlanMemo:
    """What one plan's stages work out once and look up again: mutable by design, the
    one part of a :class:`Context` that is not plain data. Made by :func:`build_context`
    for each plan; the contexts of a plan's re-planning rounds share it."""

    journeys: Journeys
    """Journeys timed under the plan's driving rules."""
    routes: dict[tuple[str, tuple[str, ...], frozenset[str]], BusRoute] = field(
        default_factory=dict)
    """Routes built so far, by (hub, calls in order, boarding tokens); see
    ``shared.routes.route``."""
    feeder_slots: dict[tuple[str, str], int] = field(default_factory=dict)
    """Latest feeder departure found so far, by (bus station, rail service); see
    ``shared.routes.feeder_leaves``."""


@dataclass(frozen=True)
class Context:
    """Derived, read-only facts about one request shared by all stages, and the plan's
    memo (:class:`PlanMemo`)."""

    request: PlanRequest
    zone: ZoneInfo
    epoch: datetime
    places: Places
    grids: dict[str, SlotGrid]
    bus_types_at: dict[str, tuple[BusType, ...]]
    hubs: dict[str, Hub] = field(repr=False)
    ride_km: dict[tuple[str, str], float] = field(repr=False)
    """Road km from every bus station to every destination."""
    rules: DrivingRules
    rail: RailNetwork = field(repr=False)
    destination_of: dict[str, str] = field(repr=False)
    """Each worker's destination id."""
    memo: PlanMemo = field(repr=False, compare=False)
    at_hub: frozenset[str] = frozenset()
    """Workers who gather at their hub although door to door would collect them at
    their pickup point: the plan's fallback for those it could not collect (see
    :func:`charterplan.replan.with_fallback`, ``policy.pickup_fallback_to_hub``)."""
    departure_caps: dict[tuple[str, int], int] = field(default_factory=dict)
    """Most bus departures (feeders included) a hub may have on a day, by (hub, day),
    below what its slots allow: where trips found no crew, the plan tries again with
    the day capped at the trips that found one (:func:`charterplan.replan.crew_rounds`)."""

    def minute(self, moment: datetime) -> int:
        """Whole minutes of local wall-clock time since the epoch (rounded down)."""
        return math.floor(_since(self.epoch, self.zone, moment))

    def minute_up(self, moment: datetime) -> int:
        """Like :meth:`minute`, rounded up: the first whole minute not before ``moment``."""
        return math.ceil(_since(self.epoch, self.zone, moment))

    def moment(self, minute: int) -> datetime:
        """The aware local datetime of a minute since the epoch."""
        return (self.epoch + timedelta(minutes=minute)).replace(tzinfo=self.zone)

    def drive_minutes(self, road_km: float) -> int:
        """Minutes a coach needs for ``road_km`` at the policy speed, rounded up."""
        return math.ceil(road_km / self.request.policy.bus_speed_kmh * 60 - 1e-9)

    def leg_minutes(self, origin: str, target: str, road_km: float) -> int:
        """Minutes at the wheel from ``origin`` to ``target``: measured, if the request's
        road table has the pair, else ``road_km`` at the policy speed."""
        measured = self.places.measured_minutes(origin, target)
        return self.drive_minutes(road_km) if measured is None else math.ceil(measured - 1e-9)


def _since(epoch: datetime, zone: ZoneInfo, moment: datetime) -> float:
    """Minutes of local wall-clock time from ``epoch`` to ``moment``."""
    local = moment.astimezone(zone).replace(tzinfo=None)
    return (local - epoch).total_seconds() / 60


def _earliest(request: PlanRequest) -> datetime:
    moments = [w.earliest_departure for w in request.workers]
    moments += [s.available_from for s in request.staff]
    moments += [r.departure for r in request.rail_services]
    return min(moments) if moments else datetime(2020, 1, 1, tzinfo=ZoneInfo(request.timezone))


HUB_TOKEN = "⟨hub⟩"
"""Boarding token of workers who gather at the hub itself. Boarding tokens share sets
with destination ids in the assignment model; the brackets keep them apart."""


def pickup_token(point: str) -> str:
    """Boarding token of the workers a bus collects at pickup point ``point``: a bus
    whose pattern holds the token calls there."""
    return f"⟨{point}⟩"


def build_context(request: PlanRequest) -> Context:
    """Derive the clock, places and slot grids of ``request``."""
    zone = ZoneInfo(request.timezone)
    start = _earliest(request).astimezone(zone)
    epoch = datetime(start.year, start.month, start.day)
    entries = [(h.id, h.lat, h.lon) for h in request.hubs]
    entries += [(p.id, p.lat, p.lon) for p in request.pickup_points]
    entries += [(d.id, d.lat, d.lon) for d in request.destinations]
    entries += [(s.id, s.lat, s.lon) for r in request.rail_services for s in r.stops]
    rules = DrivingRules.of(request.policy)
    grids = {
        h.id: SlotGrid(
            open=h.open.hour * 60 + h.open.minute,
            close=h.close.hour * 60 + h.close.minute,
            slot=h.slot_minutes,
            per_slot=h.max_departures_per_slot,
            # the ban holds coaches; trains leave a rail station when they leave
            ban=rules.ban_clock if h.kind == "bus_station" else None,
        )
        for h in request.hubs
    }
    bus_hubs = [h.id for h in request.hubs if h.kind == "bus_station"]
    bus_types_at = {
        hub: tuple(b for b in request.bus_types if b.hub in (None, hub)) for hub in bus_hubs
    }
    places = Places(entries, request.policy.road_factor,
                    [(r.origin, r.to, r.km, r.minutes) for r in request.roads])
    dest_ids = [d.id for d in request.destinations]
    ride_km = {}
    if bus_hubs and dest_ids:
        matrix = places.road_km(bus_hubs, dest_ids)
        ride_km = {(h, d): float(matrix[i, j]) for i, h in enumerate(bus_hubs)
                   for j, d in enumerate(dest_ids)}
    return Context(
        request=request,
        zone=zone,
        epoch=epoch,
        places=places,
        grids=grids,
        bus_types_at=bus_types_at,
        hubs={h.id: h for h in request.hubs},
        ride_km=ride_km,
        rules=rules,
        memo=PlanMemo(Journeys(rules)),
        destination_of={w.id: w.destination for w in request.workers},
        rail=build_network(request, lambda t: math.floor(_since(epoch, zone, t)),
                           lambda t: math.ceil(_since(epoch, zone, t))),
    )
