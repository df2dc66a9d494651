"""From the assignment model's counts to concrete buses with named riders.

The model says how many units of each demand leave in each wave and how many seats
each pattern's buses give each destination set. Packing picks the units (request
order, groups first so they find room whole) and seats them bus by bus to those
quotas. A unit that does not fit where the counts said — possible only for groups,
whose sizes need not divide evenly — goes to another bus of the wave with room, or to
an extra bus when the area's caps allow one; otherwise it is left with
``no_vehicle_capacity``. Buses below ``min_passengers`` are dissolved the same way.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from charterplan.shared.bus_route import BusRoute
from charterplan.shared.units import Area, Unit
from charterplan.shared.waves import Waves
from charterplan.solvers.assignment import AssignmentProblem, Solution, bus_cost, departures_left

__all__ = ["Bus", "pack"]


@dataclass(frozen=True, slots=True)
class Bus:
    """A bus of the type ``bus_type`` (a :class:`~charterplan.model.BusType` id) running
    ``pattern`` from ``hub`` in the wave at ``wave``, with ``units`` on board; a feeder
    names the rail service its riders go on to take; a county feeder (接驳车) brings
    riders from their pickup points to the hub for their long-haul bus. A stage that
    changes a bus makes a new one (:func:`dataclasses.replace`)."""

    area: str
    hub: str
    bus_type: str
    capacity: int
    wave: int
    day: int
    pattern: BusRoute
    units: tuple[Unit, ...] = ()
    feeder: str | None = None
    county_feeder: bool = False

    @property
    def load(self) -> int:
        """Seats taken."""
        return sum(u.size for u in self.units)


@dataclass(slots=True)
class _Filling:
    """A bus being filled by packing: the bus (no units yet) and the units seated so far."""

    bus: Bus
    units: list[Unit]

    @property
    def load(self) -> int:
        """Seats taken."""
        return sum(u.size for u in self.units)

    def fits(self, unit: Unit) -> bool:
        """Whether ``unit`` has room and its destinations and boarding are on the route."""
        return self.load + unit.size <= self.bus.capacity and unit.key <= self.bus.pattern.key

    def filled(self) -> Bus:
        """The bus with its riders."""
        return replace(self.bus, units=tuple(self.units))


def _units_by_wave(waves: Waves, solution: Solution) -> tuple[
        dict[tuple[frozenset[str], int], list[Unit]],
        dict[tuple[frozenset[str], int], list[Unit]], list[Unit]]:
    """Hand out concrete units: (any-pattern pools, direct-only pools, left behind)."""
    shared: dict[tuple[frozenset[str], int], list[Unit]] = defaultdict(list)
    direct: dict[tuple[frozenset[str], int], list[Unit]] = defaultdict(list)
    left: list[Unit] = []
    for c, demand in enumerate(waves.demands):
        units = list(waves.members[c])
        for w in demand.any_waves:
            take = solution.any_units.get((c, w), 0)
            shared[demand.dests, w] += units[:take]
            units = units[take:]
        for w in demand.direct_waves:
            take = solution.direct_units.get((c, w), 0)
            direct[demand.dests, w] += units[:take]
            units = units[take:]
        by_train = sum(solution.rail_units.get((c, o), 0) for o in demand.rails)
        left += units[by_train:]  # those going by train are boarded in stages.s4_rail
    return shared, direct, left


def _seat(bus: _Filling, pool: list[Unit], quota: int) -> None:
    """Seat units from ``pool`` on ``bus`` until ``quota`` seats are given."""
    given = 0
    for unit in list(pool):
        if given >= quota:
            break
        if bus.fits(unit):
            bus.units.append(unit)
            pool.remove(unit)
            given += unit.size


def _biggest_first(units: list[Unit]) -> list[Unit]:
    """Groups first (so they find room whole), then by pickup point, so that buses
    filled one after another collect at as few points as they can; then by their trip
    in a campaign's last plan, so that busmates stay together."""
    return sorted(units, key=lambda u: (-u.size, u.pickups, "" if u.stay is None
                                        else u.stay.trip))


def pack(area: Area, problem: AssignmentProblem, waves: Waves, solution: Solution) -> tuple[
        list[Bus], list[Unit]]:
    """Concrete buses for one area's solution, and the units left behind."""
    shared, direct, left = _units_by_wave(waves, solution)
    buses: list[_Filling] = []
    for (pi, w, t), count in sorted(solution.buses.items()):
        bus_type = problem.bus_types[t]
        pattern = area.patterns[pi]
        stops = pattern.key
        new = [_Filling(Bus(area.id, area.hub, bus_type.id, bus_type.capacity, waves.times[w],
                            problem.wave_day[w], pattern), []) for _ in range(count)]
        for q in sorted({q for (q, p2, w2, t2) in solution.seats if (p2, w2, t2) == (pi, w, t)},
                        key=sorted):
            seats = solution.seats[q, pi, w, t]
            for i, bus in enumerate(new):
                quota = seats // count + (1 if i < seats % count else 0)
                if q == stops:
                    direct[q, w] = _biggest_first(direct[q, w])
                    _seat(bus, direct[q, w], quota)
                    quota -= sum(u.size for u in bus.units if u.key == q)
                shared[q, w] = _biggest_first(shared[q, w])
                _seat(bus, shared[q, w], quota)
        buses += new
    stranded = [(w, u, True) for (_, w), units in sorted(direct.items(), key=lambda kv: kv[0][1])
                for u in units]
    stranded += [(w, u, False) for (_, w), units in sorted(shared.items(),
                                                         key=lambda kv: kv[0][1]) for u in units]
    left += _reseat(area, problem, waves, buses, stranded)
    return [b.filled() for b in buses], left


def _reseat(area: Area, problem: AssignmentProblem, waves: Waves, buses: list[_Filling],
            stranded: list[tuple[int, Unit, bool]]) -> list[Unit]:
    """Find room for units the quotas did not place; dissolve under-filled buses.

    ``stranded`` holds (wave, unit, direct only): a direct-only unit rides only a bus
    whose pattern is exactly its destinations.
    """
    used: dict[tuple[str, int], int] = defaultdict(int)
    for filling in buses:
        used[filling.bus.bus_type, filling.bus.day] += 1
    per_day: dict[int, int] = defaultdict(int)
    for filling in buses:
        per_day[filling.bus.day] += 1
    left: list[Unit] = []
    queue = list(stranded)
    queue.reverse()
    while queue:
        w, unit, direct_only = queue.pop()
        time = waves.times[w]
        wanted = unit.key
        same_wave = [b for b in buses if b.bus.wave == time and b.fits(unit)
                     and (not direct_only or b.bus.pattern.key == wanted)]
        if same_wave:
            min(same_wave,
                key=lambda b: (b.bus.capacity - b.load, buses.index(b))).units.append(unit)
            continue
        day = problem.wave_day[w]
        pattern = next(p for p in area.patterns if p.key == wanted)
        options = [k for k in problem.bus_types if k.capacity >= unit.size
                   and used[k.id, day] < problem.fleet_caps.get((k.id, day), 0)
                   and departures_left(problem, per_day, day) > 0]
        if not options:
            left.append(unit)
            continue
        bus_type = min(options, key=lambda k: (
            bus_cost(k, pattern.km, pattern.extra_cost) / k.capacity, k.id))
        used[bus_type.id, day] += 1
        per_day[day] += 1
        buses.append(_Filling(Bus(area.id, area.hub, bus_type.id, bus_type.capacity, time, day,
                                  pattern), [unit]))
    for filling in [b for b in buses if b.load < problem.min_passengers]:
        buses.remove(filling)
        left += filling.units
    return left
