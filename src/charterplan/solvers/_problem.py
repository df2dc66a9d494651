"""The assignment problem of one area and its solution, as plain data.

Kept apart from the CP-SAT model so that the stages and the constructed start can use
them without importing the solver.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Container, Hashable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from charterplan.model import BusType

__all__ = [
    "AssignmentProblem",
    "Demand",
    "Keys",
    "RailChoice",
    "Solution",
    "Start",
    "apportion",
    "bus_cost",
    "bus_fen",
    "departures_fit",
    "departures_left",
    "duty_days",
    "typed_seats",
]


@dataclass(frozen=True, slots=True)
class RailChoice:
    """A train service as an area's model sees it: each rider costs ``seat_cost`` (their
    share of a carriage and of a feeder bus), within the area's seats on it
    (:attr:`AssignmentProblem.seat_caps`). Riders reach the train's station on feeder buses that
    leave on ``feeder_day``; None when the train leaves from the area's hub."""

    service: str
    seat_cost: float
    feeder_day: int | None


@dataclass(frozen=True, slots=True)
class Demand:
    """``count`` identical units of ``size`` seats bound for destination set ``dests``.

    ``any_waves`` are waves in which a unit may ride any pattern containing ``dests``;
    ``direct_waves`` those in which only the pattern that is exactly ``dests`` is fast
    enough. ``priority`` counts poor-household members per unit. ``rails`` are the
    rail choices (indices into :attr:`AssignmentProblem.rails`) a unit may take instead.
    ``stay`` is (day, weight) for units a campaign's last plan sent on that day: a unit
    sent by bus on another day costs ``weight`` of a seat on its own pattern's cheapest
    bus (:func:`~charterplan.solvers.assignment.move_fen`).
    """

    dests: frozenset[str]
    size: int
    priority: int
    count: int
    any_waves: tuple[int, ...]
    direct_waves: tuple[int, ...]
    rails: tuple[int, ...] = ()
    stay: tuple[int, float] | None = None


@dataclass(frozen=True, slots=True)
class AssignmentProblem:
    """One area's assignment problem. Money is in yuan, distances in km.

    A bus running pattern ``p`` costs its type's fixed cost and cost per km over
    ``pattern_km[p]``, plus ``pattern_extra[p]`` (its extra drivers).

    ``wave_day[w]`` is the day of wave ``w``; ``fleet_caps[(bus type id, day)]`` and
    ``slot_caps[day]`` bound the buses this area may use (missing: zero), and
    ``seat_caps[service]`` the riders it may send on each rail choice's service.
    ``pair_stranded``: the constructed start may run a bus of its own for a unit that
    dispatch stranded and one companion (:mod:`~charterplan.solvers._start`).

    ``crew_days[day]``: days a bus of this area leaving on ``day`` keeps its escort
    and medic, that day included (missing or 0: its crew may leave again the same
    day, and is not capped); ``crew_caps[day]`` bounds the buses that keep a crew on
    that day (missing: zero), the area's share of the hub's roster
    (:mod:`charterplan.shared.crews`).
    """

    patterns: tuple[frozenset[str], ...]
    pattern_km: tuple[float, ...]
    pattern_extra: tuple[float, ...]
    bus_types: tuple[BusType, ...]
    wave_day: tuple[int, ...]
    demands: tuple[Demand, ...]
    fleet_caps: dict[tuple[str, int], int]
    slot_caps: dict[int, int]
    min_passengers: int
    effort: float
    seed: int
    time_limit_s: float
    rails: tuple[RailChoice, ...] = ()
    seat_caps: dict[str, int] = field(default_factory=dict)
    pair_stranded: bool = True
    crew_days: dict[int, int] = field(default_factory=dict)
    crew_caps: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Solution:
    """Chosen values; keys as in :class:`AssignmentProblem`'s indices."""

    any_units: dict[tuple[int, int], int]
    direct_units: dict[tuple[int, int], int]
    left: dict[int, int]
    buses: dict[tuple[int, int, int], int]
    seats: dict[tuple[frozenset[str], int, int, int], int]
    optimal: bool
    work: float
    rail_units: dict[tuple[int, int], int] = field(default_factory=dict)
    feeders: dict[tuple[int, int], int] = field(default_factory=dict)


def bus_cost(bus_type: BusType, km: float, extra: float = 0.0) -> float:
    """Cost of one bus of ``bus_type`` over a closed route of ``km``, plus ``extra``."""
    return bus_type.fixed_cost + bus_type.cost_per_km * km + extra


def bus_fen(p: AssignmentProblem, pi: int, t: int) -> int:
    """One bus of type ``t`` on pattern ``pi`` of ``p``, in fen: the model's integer
    price."""
    return round(bus_cost(p.bus_types[t], p.pattern_km[pi], p.pattern_extra[pi]) * 100)


K = TypeVar("K", bound=Hashable)


def duty_days(p: AssignmentProblem, day: int) -> range:
    """The days a bus of ``p`` leaving on ``day`` keeps its crew (``crew_days``)."""
    return range(day, day + p.crew_days.get(day, 0))


def _on_duty(p: AssignmentProblem, per_day: Mapping[int, int], day: int) -> int:
    """Buses that keep their crew on ``day``."""
    return sum(n for d, n in per_day.items() if day in duty_days(p, d))


def departures_left(p: AssignmentProblem, per_day: Mapping[int, int], day: int) -> int:
    """How many more buses may leave on ``day``, with ``per_day`` buses leaving on each
    day already: within the day's slots and, for every day the buses would keep their
    crews, within the crews."""
    left = p.slot_caps.get(day, 0) - per_day.get(day, 0)
    for d in duty_days(p, day):
        left = min(left, p.crew_caps.get(d, 0) - _on_duty(p, per_day, d))
    return left


def departures_fit(p: AssignmentProblem, per_day: Mapping[int, int],
                   change: Mapping[int, int]) -> bool:
    """Whether ``per_day`` changed by ``change`` (buses more or fewer per day) keeps
    within the slots of every day that gains buses and the crews of every day
    whose buses on duty grow."""
    after = {d: per_day.get(d, 0) + change.get(d, 0) for d in set(per_day) | set(change)}
    if any(n > 0 and after[d] > p.slot_caps.get(d, 0) for d, n in change.items()):
        return False
    grown = {d for day, n in change.items() if n > 0
             for d in duty_days(p, day)}
    return all(_on_duty(p, after, d) <= p.crew_caps.get(d, 0)
               or _on_duty(p, after, d) <= _on_duty(p, per_day, d) for d in grown)


def apportion(total: int, weights: Mapping[K, int]) -> dict[K, int]:
    """Split ``total`` in proportion to ``weights`` by largest remainders.

    Ties go to the earlier key in ``weights``' order; the parts sum to ``total`` when
    any weight is positive, else every part is zero.
    """
    whole = sum(weights.values())
    if whole <= 0 or total <= 0:
        return dict.fromkeys(weights, 0)
    exact = {k: total * w / whole for k, w in weights.items()}
    parts = {k: int(v) for k, v in exact.items()}
    order = sorted(weights, key=lambda k: -(exact[k] - parts[k]))
    for k in order[: total - sum(parts.values())]:
        parts[k] += 1
    return parts


def typed_seats(p: AssignmentProblem, buses: Mapping[tuple[int, int, int], int],
                 seats: Mapping[tuple[frozenset[str], int, int], int]) -> (
        dict[tuple[frozenset[str], int, int, int], int]):
    """The seats each destination set takes on each pattern and wave, split over the
    bus types running it: every type first gets its buses' minimum load, the rest of
    the riders go in proportion to the seats left (largest remainders, so no type gets
    more than it seats), and the destination sets fill the types in turn, so that a
    set's riders ride as few types as the counts allow (packing then spreads each
    set's seats evenly over its type's buses)."""
    typed: dict[tuple[frozenset[str], int, int, int], int] = {}
    kinds: dict[tuple[int, int], list[int]] = defaultdict(list)
    for pi, w, t in sorted(buses):
        kinds[pi, w].append(t)
    wanted: dict[tuple[int, int], list[tuple[frozenset[str], int]]] = defaultdict(list)
    for (q, pi, w), n in sorted(seats.items(), key=lambda kv: (kv[0][1:], sorted(kv[0][0]))):
        wanted[pi, w].append((q, n))
    for (pi, w), sets in wanted.items():
        least = {t: p.min_passengers * buses[pi, w, t] for t in kinds[pi, w]}
        spare = {t: p.bus_types[t].capacity * buses[pi, w, t] - least[t] for t in kinds[pi, w]}
        extra = apportion(sum(n for _, n in sets) - sum(least.values()), spare)
        room = {t: least[t] + extra[t] for t in kinds[pi, w]}
        for q, n in sets:
            for t in kinds[pi, w]:
                if take := min(n, room[t]):
                    typed[q, pi, w, t] = take
                    room[t] -= take
                    n -= take
    return typed


@dataclass(frozen=True, slots=True)
class Keys:
    """Which of the model's variables exist; keyed as in :class:`Start`."""

    buses: Container[tuple[int, int, int]]
    seats: Container[tuple[frozenset[str], int, int, int]]
    rail: Container[tuple[int, int]]
    feeders: Container[tuple[int, int]]


@dataclass
class Start:
    """A constructed solution, in the model's variables."""

    sent: dict[tuple[int, int], int] = field(default_factory=lambda: defaultdict(int))
    buses: dict[tuple[int, int, int], int] = field(default_factory=lambda: defaultdict(int))
    seats: dict[tuple[frozenset[str], int, int, int], int] = field(
        default_factory=lambda: defaultdict(int))
    rail: dict[tuple[int, int], int] = field(default_factory=lambda: defaultdict(int))
    feeders: dict[tuple[int, int], int] = field(default_factory=lambda: defaultdict(int))
