"""The planning request: frozen pydantic models of SPEC §3.

Validation has two layers. Field rules (types, ranges, enum values, unknown fields)
belong to each model. Rules that relate fields or lists (unique ids, references that
must resolve, windows that must not end before they start) are checked by
:func:`request_problems` once the fields are valid; :class:`PlanRequest` runs it and
refuses a request with any problem. :func:`charterplan.io.parse_request` turns both
layers into one :class:`~charterplan.errors.RequestError` listing every JSON path.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    PlainSerializer,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from charterplan.errors import Problem, RequestError
from charterplan.model._times import (
    DEFAULT_TIMEZONE,
    Clock,
    EndTime,
    StartTime,
    offset_change,
    offset_text,
    reset_zone,
    set_zone,
    zone_named,
)
from charterplan.model.policy import Policy

__all__ = [
    "BusType",
    "Destination",
    "Health",
    "HealthStatus",
    "Hub",
    "PickupPoint",
    "PlanRequest",
    "Previous",
    "RailService",
    "RailStop",
    "RoadLeg",
    "Staff",
    "Worker",
    "reference_problems",
    "request_problems",
]

Id = Annotated[str, Field(min_length=1, max_length=64)]
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]

# Every number has a range that any real county fits with room to spare and that keeps
# the solvers' integer arithmetic (costs in fen times counts, summed over a model) far
# inside 64 bits: a bus costs at most 100,000 + 100 yuan/km × 210,000 km (21 legs of
# the longest measured road) = 2.1e9 fen, times 100,000 buses a day is 2.1e14.
MAX_FIXED_COST = 100_000
MAX_COST_PER_KM = 100
MAX_COST_PER_CARRIAGE = 1_000_000
MAX_BUSES_PER_DAY = 100_000


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Hub(_Frozen):
    """A departure point: the county bus station or a railway station."""

    id: Id
    name: str
    kind: Literal["bus_station", "rail_station"]
    lat: Latitude
    lon: Longitude
    open: Clock = time(6, 0)
    close: Clock = time(18, 0)
    slot_minutes: int = Field(15, ge=1, le=720)
    max_departures_per_slot: int = Field(2, ge=1, le=1000)


class PickupPoint(_Frozen):
    """A township or village gathering point (集合点)."""

    id: Id
    name: str
    township: str
    lat: Latitude
    lon: Longitude


class Destination(_Frozen):
    """An employer site (企业 / 工地) or a city, where workers are dropped off."""

    id: Id
    name: str
    city: str
    province: str
    lat: Latitude
    lon: Longitude
    rail_station: Id | None = None
    contact: str | None = None
    contact_phone: str | None = None


class HealthStatus(StrEnum):
    """A worker's health status as the township records it (附件7)."""

    CLEARED = "cleared"
    QUARANTINE = "quarantine"
    SYMPTOMATIC = "symptomatic"
    UNVERIFIED = "unverified"


class Health(_Frozen):
    """Health status; ``quarantine_until`` and ``certificate_valid_until`` bound travel."""

    status: HealthStatus
    quarantine_until: EndTime | None = None
    certificate_valid_until: EndTime | None = None


class Previous(_Frozen):
    """Where a worker rode in the last plan of a campaign, not yet announced: the
    planner keeps them on that day and with their busmates unless moving them saves
    more than ``weight`` of a seat's cost (SPEC §10, "keep within 2 %")."""

    trip: Id
    departure: StartTime
    weight: float = Field(0.02, ge=0, le=1, allow_inf_nan=False)


class Worker(_Frozen):
    """A registered migrant worker who wants to return to work (附件1)."""

    id: Id
    name: str
    gender: Literal["male", "female", "M", "F", "男", "女"] | None = None
    id_number: str | None = Field(None, max_length=32)
    phone: str | None = Field(None, max_length=32)
    township: str
    village: str | None = None
    pickup_point: Id | None = None
    hub: Id | None = None
    destination: Id
    earliest_departure: StartTime
    latest_arrival: EndTime
    health: Health
    poverty_registered: bool = False
    group: Id | None = None
    captain_volunteer: bool = False
    previous: Previous | None = None

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # left out when absent, so that a request without it keeps its digest and
        # plan.json its bytes
        out: dict[str, Any] = handler(self)
        if self.previous is None:
            out.pop("previous", None)
        return out


class BusType(_Frozen):
    """A kind of chartered coach and how many of it the county can hire per day."""

    id: Id
    seats: int = Field(ge=1, le=200)
    load_factor: float = Field(0.5, gt=0, le=1)
    reserved_seats: int = Field(0, ge=0, le=200)
    fixed_cost: float = Field(ge=0, le=MAX_FIXED_COST, allow_inf_nan=False)
    cost_per_km: float = Field(ge=0, le=MAX_COST_PER_KM, allow_inf_nan=False)
    available_per_day: int = Field(ge=0, le=MAX_BUSES_PER_DAY)
    hub: Id | None = None

    @property
    def capacity(self) -> int:
        """Passengers allowed: ``floor(seats × load_factor) − reserved_seats``."""
        return math.floor(self.seats * self.load_factor + 1e-9) - self.reserved_seats


class RailStop(_Frozen):
    """A station a rail service calls at, with its arrival time."""

    id: Id
    name: str
    lat: Latitude
    lon: Longitude
    arrival: StartTime


class RailService(_Frozen):
    """A special train (专列) or a train with chartered carriages (包车厢)."""

    id: Id
    hub: Id
    departure: StartTime
    stops: tuple[RailStop, ...] = Field(min_length=1, max_length=200)
    carriages: int = Field(ge=1, le=100)
    seats_per_carriage: int = Field(118, ge=1, le=500)
    load_factor: float = Field(0.5, gt=0, le=1)
    cost_per_carriage: float = Field(ge=0, le=MAX_COST_PER_CARRIAGE, allow_inf_nan=False)

    @property
    def carriage_capacity(self) -> int:
        """Passengers allowed per carriage: ``floor(seats_per_carriage × load_factor)``."""
        return math.floor(self.seats_per_carriage * self.load_factor + 1e-9)


class RoadLeg(_Frozen):
    """A measured road between two places (e.g. exported from a road router).

    It overrides the estimate (great circle × ``road_factor``, at ``bus_speed_kmh``)
    from ``from`` to ``to``, and back unless the table also has the reverse pair.
    Without ``minutes`` the time is ``km`` at the policy speed.
    """

    model_config = ConfigDict(populate_by_name=True)

    origin: Id = Field(alias="from")
    to: Id
    km: float = Field(gt=0, le=10000, allow_inf_nan=False)
    minutes: float | None = Field(None, gt=0, le=10000, allow_inf_nan=False)


class Staff(_Frozen):
    """An escort officer (跟车干部) or medic (医务人员) who can ride a trip."""

    id: Id
    name: str
    roles: Annotated[
        frozenset[Literal["escort", "medic"]],
        # sorted, so the request's JSON (and its digest in the plan) is the same in
        # every process: a set's order depends on the process's string hashing
        PlainSerializer(sorted, return_type=list[str]),
    ] = Field(min_length=1)
    phone: str | None = Field(None, max_length=32)
    hub: Id | None = None
    available_from: StartTime
    available_until: EndTime


references_checked: ContextVar[bool] = ContextVar("charterplan_references_checked",
                                                  default=False)
"""Set by :func:`charterplan.io.parse_request` while it builds a request whose
references it has just checked with :func:`reference_problems`."""


class PlanRequest(_Frozen):
    """One county's planning request (SPEC §3).

    Building it validates every field and every cross-reference; a request with a
    cross-reference problem raises ``ValueError`` (inside pydantic's
    ``ValidationError``). Use :func:`charterplan.io.parse_request` to get a
    :class:`~charterplan.errors.RequestError` listing every problem with its path.
    """

    plan_id: Id
    timezone: str = DEFAULT_TIMEZONE
    hubs: tuple[Hub, ...] = Field(min_length=1, max_length=10_000)
    pickup_points: tuple[PickupPoint, ...] = Field((), max_length=100_000)
    destinations: tuple[Destination, ...] = Field(min_length=1, max_length=1_000_000)
    workers: tuple[Worker, ...] = Field(max_length=2_000_000)
    bus_types: tuple[BusType, ...] = Field((), max_length=1_000)
    rail_services: tuple[RailService, ...] = Field((), max_length=100_000)
    staff: tuple[Staff, ...] = Field((), max_length=1_000_000)
    roads: tuple[RoadLeg, ...] = Field((), max_length=1_000_000)
    policy: Policy = Policy()

    @property
    def door_to_door(self) -> bool:
        """Whether workers board at their pickup points: ``policy.door_to_door``, or when
        that is left unset, whether any worker has a pickup point."""
        if self.policy.door_to_door is not None:
            return self.policy.door_to_door
        return any(w.pickup_point is not None for w in self.workers)

    def places_by_id(self) -> dict[str, Hub | PickupPoint | Destination | RailStop]:
        """Every place by id: hubs, pickup points and destinations (their ids are
        unique across the three), then rail stops (a station that several services
        call at is its first service's stop)."""
        found: dict[str, Hub | PickupPoint | Destination | RailStop] = {}
        for items in (self.hubs, self.pickup_points, self.destinations):
            for item in items:
                found.setdefault(item.id, item)
        for service in self.rail_services:
            for stop in service.stops:
                found.setdefault(stop.id, stop)
        return found

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        zone_named(value)
        return value

    @model_validator(mode="wrap")
    @classmethod
    def _in_request_zone(cls, data: Any, handler: ModelWrapValidatorHandler[PlanRequest]) -> Any:
        name = data.get("timezone", DEFAULT_TIMEZONE) if isinstance(data, dict) else None
        try:
            zone = zone_named(name) if isinstance(name, str) else None
        except ValueError:
            zone = None  # reported by the timezone field's own validator
        token = set_zone(zone)
        try:
            return handler(data)
        finally:
            reset_zone(token)

    @model_validator(mode="after")
    def _references_resolve(self) -> PlanRequest:
        if references_checked.get():
            return self
        problems = request_problems(self)
        if problems:
            raise RequestError(problems)
        return self


def _duplicates(path: str, ids: list[tuple[int, str]]) -> Iterator[Problem]:
    first: dict[str, int] = {}
    for index, ident in ids:
        if ident in first:
            yield Problem(
                f"{path}[{index}].id",
                f"duplicate id {ident!r} (first used at {path}[{first[ident]}])",
            )
        else:
            first[ident] = index


def _window(path: str, start_name: str, start: datetime, end_name: str, end: datetime) -> (
    Iterator[Problem]
):
    if end <= start:
        yield Problem(
            f"{path}.{end_name}",
            f"{end_name} {end.isoformat(timespec='minutes')} is not after "
            f"{start_name} {start.isoformat(timespec='minutes')}",
        )


@dataclass(frozen=True)
class Elements:
    """The elements of a request's lists that are valid on their own, each with its
    index, and the ids each list names, for the checks that relate them.

    ``ids`` holds, per kind of place (``bus_hubs``, ``rail_hubs``, ``pickup_points``,
    ``destinations``, ``rail_stops``), every id the list names, also those of elements
    that failed their own validation, so that a reference to them is not reported as
    unknown; None when the list itself is unusable (not a list, too long), so that
    references into it are not checked at all.
    """

    hubs: Sequence[tuple[int, Hub]] = ()
    pickup_points: Sequence[tuple[int, PickupPoint]] = ()
    destinations: Sequence[tuple[int, Destination]] = ()
    workers: Sequence[tuple[int, Worker]] = ()
    bus_types: Sequence[tuple[int, BusType]] = ()
    rail_services: Sequence[tuple[int, RailService]] = ()
    staff: Sequence[tuple[int, Staff]] = ()
    roads: Sequence[tuple[int, RoadLeg]] = ()
    ids: Mapping[str, frozenset[str] | None] = field(default_factory=dict)
    zone: ZoneInfo | None = None
    """The request's zone, None when its name is wrong (reported on its own)."""
    policy: Policy | None = None
    """The request's policy, None when it is invalid (reported on its own)."""

    @staticmethod
    def of(request: PlanRequest) -> Elements:
        """The elements of a request whose every field is valid."""
        return Elements(
            **{name: tuple(enumerate(getattr(request, name))) for name in LISTS},
            ids=place_ids(request.hubs, request.pickup_points, request.destinations,
                          request.rail_services),
            zone=zone_named(request.timezone), policy=request.policy)


LISTS = ("hubs", "pickup_points", "destinations", "workers", "bus_types", "rail_services",
         "staff", "roads")
"""The request's lists, in request order."""


def place_ids(hubs: Iterable[Hub], pickup_points: Iterable[PickupPoint],
              destinations: Iterable[Destination], rail_services: Iterable[RailService],
              ) -> dict[str, frozenset[str] | None]:
    """:attr:`Elements.ids` of valid lists."""
    hubs = list(hubs)
    return {
        "bus_hubs": frozenset(h.id for h in hubs if h.kind == "bus_station"),
        "rail_hubs": frozenset(h.id for h in hubs if h.kind == "rail_station"),
        "pickup_points": frozenset(p.id for p in pickup_points),
        "destinations": frozenset(d.id for d in destinations),
        "rail_stops": frozenset(s.id for r in rail_services for s in r.stops),
    }


def _unknown(ident: str, ids: frozenset[str] | None) -> bool:
    return ids is not None and ident not in ids


def request_problems(request: PlanRequest) -> list[Problem]:
    """Every cross-field problem of a request whose fields are each valid.

    Returns the problems in request order; an empty list means the request is sound.
    """
    return reference_problems(Elements.of(request))


def reference_problems(elements: Elements) -> list[Problem]:
    """Every problem that relates fields or lists of ``elements``: duplicate ids, ids
    shared by places of different lists, references that do not resolve, windows that
    end before they start, a zone that changes its UTC offset while the plan runs.

    Returns the problems in list order (each list in its index order).
    """
    e = elements
    problems: list[Problem] = []
    for name in LISTS[:-1]:
        problems.extend(_duplicates(name, [(i, item.id) for i, item in getattr(e, name)]))
    problems.extend(_shared_place_ids(e))

    bus_hubs, rail_hubs = e.ids.get("bus_hubs"), e.ids.get("rail_hubs")
    hubs = None if bus_hubs is None or rail_hubs is None else bus_hubs | rail_hubs
    rail_stations = None if e.ids.get("rail_stops") is None or rail_hubs is None else (
        e.ids["rail_stops"] | rail_hubs)  # type: ignore[operator]

    for i, hub in e.hubs:
        if hub.close <= hub.open:
            problems.append(Problem(
                f"hubs[{i}].close",
                f"close {hub.close:%H:%M} is not after open {hub.open:%H:%M}",
            ))
        elif e.policy is not None and _all_slots_banned(hub, e.policy):
            problems.append(Problem(
                f"hubs[{i}]",
                f"every departure slot {hub.open:%H:%M}–{hub.close:%H:%M} falls in the night "
                f"ban {e.policy.night_ban_from:%H:%M}–{e.policy.night_ban_until:%H:%M}: "
                "no coach could leave",
            ))
    for i, dest in e.destinations:
        if dest.rail_station is not None and _unknown(dest.rail_station, rail_stations):
            problems.append(Problem(
                f"destinations[{i}].rail_station",
                f"unknown rail station {dest.rail_station!r}",
            ))
    for i, worker in e.workers:
        path = f"workers[{i}]"
        if _unknown(worker.destination, e.ids.get("destinations")):
            problems.append(Problem(
                f"{path}.destination", f"unknown destination {worker.destination!r}"))
        if worker.pickup_point is not None and _unknown(worker.pickup_point,
                                                        e.ids.get("pickup_points")):
            problems.append(Problem(
                f"{path}.pickup_point", f"unknown pickup point {worker.pickup_point!r}"))
        if worker.hub is not None and _unknown(worker.hub, bus_hubs):
            problems.append(Problem(
                f"{path}.hub", f"unknown bus-station hub {worker.hub!r}"))
        problems.extend(_window(path, "earliest_departure", worker.earliest_departure,
                                "latest_arrival", worker.latest_arrival))
    for i, bus in e.bus_types:
        path = f"bus_types[{i}]"
        if bus.hub is not None and _unknown(bus.hub, bus_hubs):
            problems.append(Problem(f"{path}.hub", f"unknown bus-station hub {bus.hub!r}"))
        if bus.capacity < 1:
            problems.append(Problem(
                f"{path}.reserved_seats",
                f"leaves no passenger seat: floor({bus.seats} × {bus.load_factor}) − "
                f"{bus.reserved_seats} = {bus.capacity}",
            ))
    for i, service in e.rail_services:
        path = f"rail_services[{i}]"
        if _unknown(service.hub, rail_hubs):
            problems.append(Problem(
                f"{path}.hub", f"unknown rail-station hub {service.hub!r}"))
        previous = service.departure
        for j, stop in enumerate(service.stops):
            if stop.arrival <= previous:
                what = "the departure" if j == 0 else f"stop {j - 1}'s arrival"
                problems.append(Problem(
                    f"{path}.stops[{j}].arrival",
                    f"arrival {stop.arrival.isoformat(timespec='minutes')} is not after "
                    f"{what} {previous.isoformat(timespec='minutes')}",
                ))
            previous = max(previous, stop.arrival)
        problems.extend(_duplicates(f"{path}.stops",
                                    list(enumerate(stop.id for stop in service.stops))))
        if service.carriage_capacity < 1:
            problems.append(Problem(
                f"{path}.load_factor", "leaves no passenger seat in a carriage"))
    for i, person in e.staff:
        path = f"staff[{i}]"
        if person.hub is not None and _unknown(person.hub, hubs):
            problems.append(Problem(f"{path}.hub", f"unknown hub {person.hub!r}"))
        problems.extend(_window(path, "available_from", person.available_from,
                                "available_until", person.available_until))
    problems.extend(_road_problems(e))
    if e.workers and bus_hubs is not None and not bus_hubs:
        problems.append(Problem("hubs", "no hub of kind 'bus_station' to gather workers at"))
    problems.extend(_zone_problems(e))
    return problems


def _all_slots_banned(hub: Hub, policy: Policy) -> bool:
    """Whether the night ban covers every departure slot of a bus station (the slots
    from ``open`` every ``slot_minutes`` to ``close``; the ban is [from, until), and
    may wrap midnight)."""
    if hub.kind != "bus_station" or not policy.night_driving_ban:
        return False
    start, end = (t.hour * 60 + t.minute for t in (policy.night_ban_from, policy.night_ban_until))
    slots = range(hub.open.hour * 60 + hub.open.minute, hub.close.hour * 60 + hub.close.minute
                  + 1, hub.slot_minutes)
    return all(start <= c < end if start <= end else c >= start or c < end for c in slots)


def _shared_place_ids(e: Elements) -> Iterator[Problem]:
    """An id that names places in two lists (a destination with a hub's id) is refused:
    roads, stops and the plan name places by id alone."""
    first: dict[str, str] = {}
    places: list[tuple[str, Sequence[tuple[int, Hub | PickupPoint | Destination]]]] = [
        ("hubs", e.hubs), ("pickup_points", e.pickup_points), ("destinations", e.destinations)]
    for name, items in places:
        seen_here: set[str] = set()
        for i, item in items:
            other = first.get(item.id)
            if other is not None and not other.startswith(f"{name}["):
                yield Problem(f"{name}[{i}].id", f"id {item.id!r} is also the id of {other}; "
                              "hubs, pickup points, destinations and rail stops each need "
                              "their own ids")
            elif item.id not in seen_here:
                first.setdefault(item.id, f"{name}[{i}]")
            seen_here.add(item.id)
    for i, service in e.rail_services:
        for j, stop in enumerate(service.stops):
            other = first.get(stop.id)
            if other is not None and not other.startswith("rail_services["):
                yield Problem(f"rail_services[{i}].stops[{j}].id",
                              f"id {stop.id!r} is also the id of {other}; hubs, pickup "
                              "points, destinations and rail stops each need their own ids")
            else:
                first.setdefault(stop.id, f"rail_services[{i}].stops[{j}]")


def _road_problems(e: Elements) -> Iterator[Problem]:
    # later updates win, so an id in two lists means the earlier list's place, as in
    # the planner's Places
    coords = {s.id: (s.lat, s.lon) for _, r in e.rail_services for s in r.stops}
    coords |= {d.id: (d.lat, d.lon) for _, d in e.destinations}
    coords |= {p.id: (p.lat, p.lon) for _, p in e.pickup_points}
    coords |= {h.id: (h.lat, h.lon) for _, h in e.hubs}
    named: set[str] | None = set()
    for ids in e.ids.values():
        named = None if ids is None or named is None else named | ids
    for i, leg in e.roads:
        for name, place in (("from", leg.origin), ("to", leg.to)):
            if named is not None and place not in named:
                yield Problem(f"roads[{i}].{name}", f"unknown place {place!r}")
        if leg.origin == leg.to:
            yield Problem(f"roads[{i}].to", f"the road leads back to {leg.to!r}")
        elif leg.origin in coords and leg.to in coords:
            from charterplan.geo import great_circle_km  # numpy: not on import charterplan

            straight = float(great_circle_km(*coords[leg.origin], *coords[leg.to]))
            if leg.km < straight * 0.99:
                yield Problem(
                    f"roads[{i}].km", f"{leg.km} km is shorter than the straight line "
                    f"from {leg.origin} to {leg.to} ({straight:.1f} km)")


RETURN_MARGIN = timedelta(days=7)
"""How long after the last arrival a request's plan may still run: the longest bus
trip in China (about 4,000 km) takes three days each way under the driving rules."""


def plan_horizon(e: Elements) -> tuple[datetime, datetime] | None:
    """From the first time a worker or a train may leave to the last time a bus may be
    back and its crew rested: :data:`RETURN_MARGIN` and ``policy.staff_rest_hours``
    after the last arrival any worker or train asks for. None without workers or trains."""
    starts = [w.earliest_departure for _, w in e.workers]
    starts += [r.departure for _, r in e.rail_services]
    ends = [w.latest_arrival for _, w in e.workers]
    ends += [s.arrival for _, r in e.rail_services for s in r.stops]
    if not starts or not ends:
        return None
    rest = timedelta(hours=e.policy.staff_rest_hours if e.policy else 0)
    return min(starts), max(max(ends), min(starts)) + RETURN_MARGIN + rest


def _zone_problems(e: Elements) -> Iterator[Problem]:
    """The planner counts whole minutes of local wall-clock time (docs/design.md): a zone
    must keep one whole-minute UTC offset while the plan runs."""
    horizon = plan_horizon(e)
    if e.zone is None or horizon is None:
        return
    start, end = horizon
    offset = start.astimezone(e.zone).utcoffset()
    if offset is not None and offset.total_seconds() % 60:
        yield Problem("timezone", f"{e.zone.key} is {offset_text(offset)} from UTC on "
                      f"{start:%Y-%m-%d}, not a whole number of minutes")
    change = offset_change(e.zone, start, end)
    if change is not None:
        moment, before, after = change
        yield Problem("timezone", (
            f"{e.zone.key} changes its UTC offset from {offset_text(before)} to "
            f"{offset_text(after)} on {moment:%Y-%m-%d} at {moment:%H:%M}, inside the "
            f"plan's time span {start:%Y-%m-%d} – {end:%Y-%m-%d} (the workers' and trains' "
            f"times, then {RETURN_MARGIN.days} days for the buses to return and the crews "
            "to rest). charterplan counts local clock time and refuses a span with a "
            "daylight-saving change rather than time a trip an hour wrong: plan the days "
            "before and after the change as two requests"))
