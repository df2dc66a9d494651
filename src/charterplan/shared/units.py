"""The data the stages hand down the chain: units of riders, areas, rail riders.

A :class:`Unit` comes out of eligibility (stage 1), an :class:`Area` out of the areas
(stage 2), a :class:`RailRider` out of the assignment (stage 3); later stages read them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from charterplan.shared.bus_route import BusRoute
from charterplan.shared.context import HUB_TOKEN, SlotGrid

__all__ = ["Area", "RailOption", "RailRider", "Stay", "Unit", "day_window", "deadlines_of"]


@dataclass(frozen=True, slots=True)
class RailOption:
    """A rail service a unit may take, and the minute it leaves its bus station for it:
    its feeder's latest slot (or the train's departure when the train leaves from there)."""

    service: str
    leaves: int


@dataclass(frozen=True, slots=True, order=True)
class Stay:
    """A unit's place in a campaign's last plan: the day it left on, its trip, and the
    share of a seat's cost a move of it costs in the assignment model."""

    day: int
    trip: str
    weight: float


@dataclass(frozen=True, slots=True)
class Unit:
    """Workers who must ride one bus: a single worker, or a whole group.

    Times are minutes since the context's epoch. ``deadlines`` pairs each destination
    of the unit with the latest arrival there; ``latest_departure`` comes from health
    certificates (:data:`NEVER` when none expires). ``pickups`` are the pickup points
    its workers board at (none: they board at the hub; door to door sets them after
    the timetable, :mod:`charterplan.stages.s6_pickups`); ``boarding`` the boarding
    tokens the assignment matches patterns on: :data:`HUB_TOKEN`. ``priority`` counts the unit's
    members from poor households (as :attr:`~charterplan.solvers.assignment.Demand.priority`).
    """

    workers: tuple[str, ...]
    hub: str
    deadlines: tuple[tuple[str, int], ...]
    earliest: int
    latest_departure: int
    priority: int
    pickups: tuple[str, ...] = ()
    boarding: frozenset[str] = frozenset({HUB_TOKEN})
    rail: tuple[RailOption, ...] = ()
    stay: Stay | None = None
    """Where the unit rode in a campaign's last plan (request ``previous``)."""
    destinations: tuple[str, ...] = field(init=False, repr=False, compare=False)
    """Distinct destinations of the unit, sorted, as ``deadlines`` lists them (kept,
    not derived on each use: the merge stage asks millions of times at a province's
    scale)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "destinations", tuple(dest for dest, _ in self.deadlines))

    @property
    def key(self) -> frozenset[str]:
        """Destinations and boarding tokens: the unit rides patterns whose key holds it."""
        return frozenset(self.destinations) | self.boarding

    @property
    def size(self) -> int:
        """Seats the unit needs."""
        return len(self.workers)


@dataclass(frozen=True, slots=True)
class Area:
    """A sub-problem: one hub, nearby destinations, their patterns and units."""

    id: str
    hub: str
    name: str
    destinations: tuple[str, ...]
    patterns: tuple[BusRoute, ...]
    units: tuple[Unit, ...]


@dataclass(frozen=True, slots=True)
class RailRider:
    """A unit the assignment sent by ``service`` from bus station ``hub``."""

    hub: str
    service: str
    unit: Unit


def day_window(grid: SlotGrid, day: int, units: Sequence[Unit]) -> tuple[int, int]:
    """The first slot of ``day`` that all of ``units`` may take (the first slot of the
    latest earliest departure, no earlier than the day's first), and the day's last."""
    day_first, day_last = grid.day_slots(day)
    return max(day_first, grid.first_at_or_after(max(u.earliest for u in units))), day_last


def deadlines_of(units: Iterable[Unit]) -> dict[str, int]:
    """The earliest deadline at each destination of ``units``."""
    deadlines: dict[str, int] = {}
    for unit in units:
        for stop, by in unit.deadlines:
            deadlines[stop] = min(by, deadlines.get(stop, by))
    return deadlines
