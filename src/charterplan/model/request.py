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
from collections.abc import Iterator
from datetime import datetime, time
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    PlainSerializer,
    field_validator,
    model_validator,
)

from charterplan.errors import Problem, RequestError
from charterplan.geo import great_circle_km
from charterplan.model._times import (
    DEFAULT_TIMEZONE,
    Clock,
    EndTime,
    StartTime,
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
    "RailService",
    "RailStop",
    "RoadLeg",
    "Staff",
    "Worker",
    "request_problems",
]

Id = Annotated[str, Field(min_length=1, max_length=64)]
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]
Money = Annotated[float, Field(ge=0, allow_inf_nan=False)]


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


class BusType(_Frozen):
    """A kind of chartered coach and how many of it the county can hire per day."""

    id: Id
    seats: int = Field(ge=1, le=200)
    load_factor: float = Field(0.5, gt=0, le=1)
    reserved_seats: int = Field(0, ge=0)
    fixed_cost: Money
    cost_per_km: Money
    available_per_day: int = Field(ge=0)
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
    stops: tuple[RailStop, ...] = Field(min_length=1)
    carriages: int = Field(ge=1)
    seats_per_carriage: int = Field(118, ge=1)
    load_factor: float = Field(0.5, gt=0, le=1)
    cost_per_carriage: Money

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


class PlanRequest(_Frozen):
    """One county's planning request (SPEC §3).

    Building it validates every field and every cross-reference; a request with a
    cross-reference problem raises ``ValueError`` (inside pydantic's
    ``ValidationError``). Use :func:`charterplan.io.parse_request` to get a
    :class:`~charterplan.errors.RequestError` listing every problem with its path.
    """

    plan_id: Id
    timezone: str = DEFAULT_TIMEZONE
    hubs: tuple[Hub, ...] = Field(min_length=1)
    pickup_points: tuple[PickupPoint, ...] = ()
    destinations: tuple[Destination, ...] = Field(min_length=1)
    workers: tuple[Worker, ...] = ()
    bus_types: tuple[BusType, ...] = ()
    rail_services: tuple[RailService, ...] = ()
    staff: tuple[Staff, ...] = ()
    roads: tuple[RoadLeg, ...] = ()
    policy: Policy = Policy()

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
        problems = request_problems(self)
        if problems:
            raise RequestError(problems)
        return self


def _duplicates(path: str, ids: list[str]) -> Iterator[Problem]:
    first: dict[str, int] = {}
    for index, ident in enumerate(ids):
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


def request_problems(request: PlanRequest) -> list[Problem]:
    """Every cross-field problem of a request whose fields are each valid.

    Returns the problems in request order; an empty list means the request is sound.
    """
    problems: list[Problem] = []
    for name in ("hubs", "pickup_points", "destinations", "workers", "bus_types",
                 "rail_services", "staff"):
        items = getattr(request, name)
        problems.extend(_duplicates(name, [item.id for item in items]))

    hubs = {hub.id: hub for hub in request.hubs}
    bus_hubs = {hub.id for hub in request.hubs if hub.kind == "bus_station"}
    rail_hubs = {hub.id for hub in request.hubs if hub.kind == "rail_station"}
    pickups = {point.id for point in request.pickup_points}
    destinations = {dest.id for dest in request.destinations}
    rail_stops = {stop.id for service in request.rail_services for stop in service.stops}

    for i, hub in enumerate(request.hubs):
        if hub.close <= hub.open:
            problems.append(Problem(
                f"hubs[{i}].close",
                f"close {hub.close:%H:%M} is not after open {hub.open:%H:%M}",
            ))
    for i, dest in enumerate(request.destinations):
        if dest.rail_station is not None and dest.rail_station not in rail_stops | rail_hubs:
            problems.append(Problem(
                f"destinations[{i}].rail_station",
                f"unknown rail station {dest.rail_station!r}",
            ))
    for i, worker in enumerate(request.workers):
        path = f"workers[{i}]"
        if worker.destination not in destinations:
            problems.append(Problem(
                f"{path}.destination", f"unknown destination {worker.destination!r}"))
        if worker.pickup_point is not None and worker.pickup_point not in pickups:
            problems.append(Problem(
                f"{path}.pickup_point", f"unknown pickup point {worker.pickup_point!r}"))
        if worker.hub is not None and worker.hub not in bus_hubs:
            problems.append(Problem(
                f"{path}.hub", f"unknown bus-station hub {worker.hub!r}"))
        problems.extend(_window(path, "earliest_departure", worker.earliest_departure,
                                "latest_arrival", worker.latest_arrival))
    for i, bus in enumerate(request.bus_types):
        path = f"bus_types[{i}]"
        if bus.hub is not None and bus.hub not in bus_hubs:
            problems.append(Problem(f"{path}.hub", f"unknown bus-station hub {bus.hub!r}"))
        if bus.capacity < 1:
            problems.append(Problem(
                f"{path}.reserved_seats",
                f"leaves no passenger seat: floor({bus.seats} × {bus.load_factor}) − "
                f"{bus.reserved_seats} = {bus.capacity}",
            ))
    for i, service in enumerate(request.rail_services):
        path = f"rail_services[{i}]"
        if service.hub not in rail_hubs:
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
        problems.extend(_duplicates(f"{path}.stops", [stop.id for stop in service.stops]))
        if service.carriage_capacity < 1:
            problems.append(Problem(
                f"{path}.load_factor", "leaves no passenger seat in a carriage"))
    for i, person in enumerate(request.staff):
        path = f"staff[{i}]"
        if person.hub is not None and person.hub not in hubs:
            problems.append(Problem(f"{path}.hub", f"unknown hub {person.hub!r}"))
        problems.extend(_window(path, "available_from", person.available_from,
                                "available_until", person.available_until))
    # later updates win, so an id in two lists means the earlier list's place, as in
    # the planner's Places
    coords = {s.id: (s.lat, s.lon) for r in request.rail_services for s in r.stops}
    coords |= {d.id: (d.lat, d.lon) for d in request.destinations}
    coords |= {p.id: (p.lat, p.lon) for p in request.pickup_points}
    coords |= {h.id: (h.lat, h.lon) for h in request.hubs}
    for i, leg in enumerate(request.roads):
        for name, place in (("from", leg.origin), ("to", leg.to)):
            if place not in coords:
                problems.append(Problem(f"roads[{i}].{name}", f"unknown place {place!r}"))
        if leg.origin == leg.to:
            problems.append(Problem(f"roads[{i}].to", f"the road leads back to {leg.to!r}"))
        elif leg.origin in coords and leg.to in coords:
            straight = float(great_circle_km(*coords[leg.origin], *coords[leg.to]))
            if leg.km < straight * 0.99:
                problems.append(Problem(
                    f"roads[{i}].km", f"{leg.km} km is shorter than the straight line "
                    f"from {leg.origin} to {leg.to} ({straight:.1f} km)"))
    if request.workers and not bus_hubs:
        problems.append(Problem("hubs", "no hub of kind 'bus_station' to gather workers at"))
    return problems
