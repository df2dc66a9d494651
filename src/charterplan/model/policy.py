"""Planning policy: every knob of the planner, each with a documented default."""

from __future__ import annotations

from datetime import time

from pydantic import BaseModel, ConfigDict, Field

from charterplan.model._times import Clock

__all__ = ["Policy"]


class Policy(BaseModel):
    """Rules and limits a county may change; every field has a default.

    Distances are great-circle distances times ``road_factor``; driving times are road
    distance over ``bus_speed_kmh``. Journeys follow the coach driving rules of 2020,
    each of which can be switched off: no coach runs in the night-ban hours; a driver
    drives at most ``max_continuous_day_hours`` in a row by day (by night
    ``max_continuous_night_hours``) and then rests ``min_rest_minutes``, and at most
    ``max_daily_driving_hours`` in any 24 hours; a trip whose outward journey is longer
    than ``two_drivers_above_km`` carries a second driver.
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
        10, ge=0, le=240, description="Minutes a bus spends at each pickup and drop-off.")
    door_to_door: bool | None = Field(
        None, description="Workers registered at a pickup point board there (家门到车门): "
        "their long-haul bus collects them on its way (at most max_pickups_per_bus points) "
        "where that costs less, else a county feeder (接驳车) brings them to the hub in "
        "time for their bus; off: every worker gathers at their hub. Default (null): on "
        "when some worker has a pickup point.")
    pickup_fallback_to_hub: bool = Field(
        True, description="With door_to_door: a worker whom neither their bus nor a "
        "feeder can collect in time (the night ban, the fleet or the crews run short) "
        "makes their own way to the hub and boards there, counted in the summary's "
        "moved_to_hub; off: such a worker is left unassigned.")
    feeder_connection_minutes: int = Field(
        30, ge=0, le=600,
        description="A county feeder reaches the hub at least this long before the bus "
        "its riders go on with leaves.")
    feeder_fixed_cost_share: float = Field(
        0.25, ge=0, le=1,
        description="Share of its bus type's fixed cost a county feeder pays: a short run "
        "inside the county, the coach free again within hours (its km cost in full).")
    max_pickups_per_bus: int = Field(
        3, ge=1, le=10, description="Most township pickup points one bus calls at.")
    max_detour_km: float = Field(
        100.0, ge=0, le=1000,
        description="Most road km a rider rides beyond the direct road from where they "
        "board to where they alight. No pattern a bus may run breaks it.")
    min_passengers_per_bus: int = Field(
        2, ge=2, le=200,
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
        8, ge=1, le=30,
        description="Most destinations the optimiser considers together in one area; "
        "larger areas are split so each sub-problem stays small. More lets buses be "
        "shared among more nearby employers, in more time: 8 plans a county about 1 % "
        "cheaper than 3 in 1.1 times the time; for a province of 100,000 workers with "
        "thin flows to many employers, 12 costs 0.6 % less than 8 in 1.6 times the "
        "time and 16 0.8 % less in 1.9 times (benchmarks/RESULTS.md).",
    )
    share_buses_across_areas: bool = Field(
        True, description="After the areas are solved, two buses of one hub become one, "
        "on the day of either, where a bus can take both loads on a valid drop-off route "
        "in every rider's window and that costs less; then a bus whose riders fit in the "
        "free seats of others (or in those of a larger type a full bus swaps for, or "
        "in the place of a host's riders to one drop-off whom a third bus takes), on "
        "days they may leave on, is dissolved (areas are solved apart, so their "
        "half-empty buses to nearby employers would otherwise all run).",
    )
    time_limit_s: float = Field(
        120.0, gt=0, le=86_400, allow_inf_nan=False,
        description="Wall-clock safety bound on each sub-problem's CP-SAT solve. The "
        "planner stops on deterministic work limits (solver_effort) long before it; "
        "hitting it would make runs differ, and still returns the best plan found.",
    )
    solver_effort: float = Field(
        0.01, gt=0, le=1000,
        description="CP-SAT deterministic time per sub-problem (about seconds on a "
        "reference machine; twenty times it for a sub-problem with trains); higher finds "
        "cheaper plans, a little (0.04 costs 0.15 % less on generated county requests "
        "in 1.3 times the time), and the plan stays reproducible.",
    )
    night_driving_ban: bool = Field(
        True, description="No coach runs between night_ban_from and night_ban_until; "
        "it waits, rested, until the ban ends.")
    night_ban_from: Clock = Field(time(2, 0), description="Start of the night ban.")
    night_ban_until: Clock = Field(time(5, 0), description="End of the night ban.")
    continuous_driving_limit: bool = Field(
        True, description="A driver rests min_rest_minutes after the longest spell of "
        "continuous driving (by day or by night).")
    max_continuous_day_hours: float = Field(
        4.0, gt=0, le=24, description="Longest spell of continuous driving by day.")
    max_continuous_night_hours: float = Field(
        2.0, gt=0, le=24, description="Longest spell of continuous driving by night.")
    night_from: Clock = Field(
        time(22, 0), description="Start of the night for the continuous-driving limit.")
    night_until: Clock = Field(
        time(6, 0), description="End of the night for the continuous-driving limit.")
    min_rest_minutes: int = Field(
        20, ge=1, le=600, description="Shortest stop that counts as a driver's rest.")
    daily_driving_limit: bool = Field(
        True, description="A driver drives at most max_daily_driving_hours in any 24 hours.")
    max_daily_driving_hours: float = Field(
        8.0, gt=0, le=24, description="Most driving per driver in any 24 hours.")
    two_drivers: bool = Field(
        True, description="Trips whose outward journey exceeds two_drivers_above_km "
        "carry two drivers, who take turns.")
    two_drivers_above_km: float = Field(
        400.0, ge=0, le=20_000, allow_inf_nan=False,
        description="Outward road km above which a trip carries two drivers.")
    cost_per_extra_driver: float = Field(
        400.0, ge=0, le=10_000, allow_inf_nan=False,
        description="Cost (yuan) of each driver beyond the first on a trip.")
    driver_change_minutes: int = Field(
        10, ge=0, le=120, description="Minutes the bus stops when two drivers change over.")
    rail_radius_km: float = Field(
        50.0, ge=0, le=500,
        description="A destination that names no rail_station is served by the nearest "
        "stop of any rail service (geodesic) when it lies within this distance; the "
        "last leg from that station to the employer is the employer's.")
    rail_cutoff_minutes: int = Field(
        60, ge=0, le=600,
        description="Boarding cut-off: rail riders are at the station this long before "
        "the train leaves, so their feeder bus arrives by then.")
    seed: int = Field(0, ge=0, le=2**31 - 1, description="Random seed of every solver.")
