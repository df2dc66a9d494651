"""Planning policy: every knob of the planner, each with a documented default."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Policy"]


class Policy(BaseModel):
    """Rules and limits a county may change; every field has a default.

    Distances are great-circle distances times ``road_factor``; travel times are road
    distance over ``bus_speed_kmh``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    road_factor: float = Field(
        1.3, ge=1.0, le=3.0,
        description="Road distance over great-circle distance (1.3 suits Chinese highways).",
    )
    bus_speed_kmh: float = Field(
        60.0, gt=5, le=120, description="Average coach speed including short stops.")
    max_dropoffs_per_bus: int = Field(
        3, ge=1, le=10, description="Most employer drop-offs one bus makes.")
    dropoff_radius_km: float = Field(
        30.0, ge=0, le=500,
        description="Drop-offs of one bus lie within this great-circle distance of each other.",
    )
    stop_minutes: int = Field(
        10, ge=0, le=240, description="Minutes a bus spends at each drop-off.")
    min_passengers_per_bus: int = Field(
        2, ge=2,
        description="A bus runs only with at least this many passengers (Zigong: 20). "
        "At least 2, since every bus needs a captain and a different deputy captain.",
    )
    staff_rest_hours: float = Field(
        8.0, ge=0, le=240,
        description="Rest an escort or medic takes after returning to the hub.",
    )
    max_trips_per_convoy: int = Field(
        5, ge=1, le=100, description="Most buses in one convoy (编班编组).")
    max_area_destinations: int = Field(
        3, ge=1, le=30,
        description="Most destinations the optimiser considers together in one area; "
        "larger areas are split so each sub-problem stays small.",
    )
    time_limit_s: float = Field(
        120.0, gt=0,
        description="Wall-clock safety bound on each sub-problem's CP-SAT solve. The "
        "planner stops on deterministic work limits (solver_effort) long before it; "
        "hitting it would make runs differ, and still returns the best plan found.",
    )
    solver_effort: float = Field(
        0.2, gt=0, le=1000,
        description="CP-SAT deterministic time per sub-problem (about seconds on a "
        "reference machine); higher finds cheaper plans, the plan stays reproducible.",
    )
    seed: int = Field(0, ge=0, le=2**31 - 1, description="Random seed of every solver.")
