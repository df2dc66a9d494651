"""The plan: frozen pydantic models of SPEC §4.

Field order is the key order of ``plan.json``; lists are in a documented order
(trips by departure then id, unassigned by worker id), so the same request and seed
serialise to the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, PlainSerializer

PlanTime = Annotated[
    AwareDatetime,
    PlainSerializer(lambda t: t.isoformat(timespec="minutes"), return_type=str,
                    when_used="json"),
]
"""A time in a plan: aware, written as local ISO 8601 with its offset, to the minute.
Read back as written, so a plan round-trips to the same bytes in any time zone."""

__all__ = [
    "Convoy",
    "Plan",
    "PlanStatus",
    "Reason",
    "ReportTable",
    "Stop",
    "Summary",
    "TrainUse",
    "Trip",
    "Unassigned",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Reason(StrEnum):
    """Why a worker is not on any trip."""

    HEALTH_NOT_CLEARED = "health_not_cleared"
    """Not cleared to travel (symptomatic, unverified, or certificate expired)."""
    QUARANTINE_PAST_WINDOW = "quarantine_past_window"
    """Quarantine ends too late to depart and still arrive in time."""
    WINDOW_INFEASIBLE = "window_infeasible"
    """No departure from the hub reaches the destination by ``latest_arrival``."""
    NO_VEHICLE_CAPACITY = "no_vehicle_capacity"
    """Every feasible departure is full: buses of the day or hub slots ran out."""
    BELOW_MIN_PASSENGERS = "below_min_passengers"
    """Too few workers share a feasible bus to reach ``min_passengers_per_bus``."""
    NO_STAFF = "no_staff"
    """The trip found no free escort and medic."""
    GROUP_SPLIT_REFUSED = "group_split_refused"
    """The worker's group cannot travel together, and groups are never split."""


SHORTAGES = frozenset({Reason.NO_VEHICLE_CAPACITY, Reason.NO_STAFF})
"""Reasons that say a resource ran out: buses of the day, hub slots, escorts and medics.
A plan that leaves a worker for one of them is partial."""


class PlanStatus(StrEnum):
    """How good the plan is known to be."""

    OPTIMAL = "optimal"
    """Every sub-problem solved to proven optimality and every worker who can travel does."""
    FEASIBLE = "feasible"
    """Every worker who can travel does; some sub-problem's optimality is not proven."""
    PARTIAL = "partial"
    """Some workers who could travel are left out for want of buses, slots or staff."""


class Stop(_Frozen):
    """A call of a trip: workers board (pickup) or alight (dropoff) at ``place``."""

    kind: Literal["pickup", "dropoff"]
    place: str
    eta: PlanTime
    workers: tuple[str, ...]


class Trip(_Frozen):
    """One vehicle's journey: a bus, or one carriage of a rail service."""

    id: str
    mode: Literal["bus", "rail"]
    vehicle_type: str
    hub: str
    carriage: int | None = None
    departure: PlanTime
    arrival: PlanTime
    back_at_hub: PlanTime = Field(
        description="When the vehicle (and its escort and medic) is back at the hub.")
    stops: tuple[Stop, ...]
    passengers: tuple[str, ...]
    captain: str
    deputy_captain: str
    escort: str
    medic: str
    convoy: str | None
    drivers: int = 1
    distance_km: float
    cost: float
    feeder: bool = Field(
        False, description="A bus that brings its riders to their onward trip: to their "
        "train's station (a rail feeder), or from their pickup points to the hub where "
        "their bus leaves (a county feeder, 接驳车: its last stop is its hub).")


class Convoy(_Frozen):
    """Trips that leave one hub for one destination area together (编班编组)."""

    id: str
    hub: str
    area: str
    trips: tuple[str, ...]
    leader: str


class Unassigned(_Frozen):
    """A worker the plan does not carry, with a reason code and a human detail."""

    worker: str
    reason: Reason
    detail: str


class ReportTable(_Frozen):
    """A report table as a county office files it: a title, columns, rows."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str | int | float, ...], ...]


class TrainUse(_Frozen):
    """The whole-train view of one rail service: what the plan uses of it (专列)."""

    service: str
    hub: str
    departure: PlanTime
    carriages_used: int
    carriages: int
    riders: int
    cost: float

    @classmethod
    def of(cls, service: str, hub: str, carriages: int, trips: Sequence[Trip]) -> TrainUse:
        """What ``trips``, the carriages used of a service of ``carriages`` leaving
        ``hub``, make of it (the first trip's departure is the train's)."""
        return cls(service=service, hub=hub, departure=trips[0].departure,
                   carriages_used=len(trips), carriages=carriages,
                   riders=sum(len(t.passengers) for t in trips),
                   cost=round(sum(t.cost for t in trips), 2))


class Summary(_Frozen):
    """Headline figures and the daily report tables."""

    workers: int
    assigned: int
    roster_bound_workers: int | None = Field(
        default=None, description="At most this many workers can be carried by any plan "
        "with the request's escorts and medics (and its fleet and slots): an upper bound "
        "on `assigned` from an LP over departure days, where each bus keeps its crew "
        "until back at the hub and rested (riders who may take a train count in full). "
        "Absent from plans made before it was reported.")
    unassigned: int
    unassigned_by_reason: dict[str, int]
    trips_by_mode: dict[str, int]
    total_cost: float
    total_km: float
    lower_bound_cost: float = Field(
        description="The best valid lower bound on the cost of carrying the plan's "
        "riders: the larger of radial_bound_cost and lp_bound_cost.")
    gap_pct: float = Field(description="How far total_cost lies above lower_bound_cost, %.")
    radial_bound_cost: float | None = Field(
        default=None, exclude_if=lambda bound: bound is None,
        description="Full buses driving straight to each rider (and the fewest buses "
        "the riders need), per hub; rail carriages by count. Absent from summaries "
        "not planned afresh (a campaign's).")
    lp_bound_cost: float | None = Field(
        default=None, exclude_if=lambda bound: bound is None,
        description="Per area of nearby employers, the LP relaxation of covering the "
        "riders with buses that run the planner's patterns (drop-offs, radius, detour, bus "
        "types, days, fleet), or the radial bound where higher; rail as in "
        "radial_bound_cost. Absent from summaries not planned afresh.")
    solve_seconds: float = Field(
        description="Solver work in CP-SAT deterministic seconds, a machine-independent "
        "measure that keeps the plan byte-identical between runs; the wall-clock time "
        "is printed by the command line and written to run.json.")
    tables: dict[str, ReportTable]
    trains: tuple[TrainUse, ...] = Field(
        default=(), description="Per rail service the plan uses: carriages, riders, cost.")
    moved_to_hub: int | None = Field(
        default=None, exclude_if=lambda moved: moved is None,
        description="Door to door: riders registered at a pickup point whom neither "
        "their bus nor a county feeder collects there, so they make their own way to "
        "the hub (policy.pickup_fallback_to_hub). Absent when door to door is off.")


class Plan(_Frozen):
    """A complete plan for one request (SPEC §4)."""

    plan_id: str
    request_sha256: str
    seed: int
    status: PlanStatus
    trips: tuple[Trip, ...]
    convoys: tuple[Convoy, ...]
    unassigned: tuple[Unassigned, ...]
    summary: Summary
