"""Staff: one escort officer and one medic per trip, from the roster.

A person is busy from the trip's departure until the vehicle is back at the hub (for a
train carriage: back by train) plus ``staff_rest_hours``, and may only ride inside their
availability and from their hub.

Trips are first staffed in departure order, each taking the free person who is
needed least elsewhere (holds only the one role, then whose availability ends first).
That serves every trip whenever the roster allows it in the usual cases. When it
leaves trips unstaffed, a second pass staffs trips in order of priority — poor
households first, then full buses — and the better of the two is kept, counting
poor-household riders first; if that still leaves trips unstaffed, CP-SAT, started
from it, searches for better crews (:func:`~charterplan.solvers.staffing.solve_crews`,
for rosters of county size). A trip without both an escort and a medic does not run:
its riders first take any free seat on a staffed bus that passes their destination
in their window (:func:`refill`); the rest are left with ``no_staff``.
"""

from __future__ import annotations

import bisect
import dataclasses
import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from charterplan.model import BusType, Reason, Unassigned
from charterplan.shared.context import Context
from charterplan.shared.packing import Bus
from charterplan.shared.units import Unit
from charterplan.solvers.staffing import Duty, Person, solve_crews
from charterplan.stages.s4_rail import Carriage, connected
from charterplan.stages.s6_timetable import Scheduled, Timetable

__all__ = ["Crewing", "Staffed", "Uncrewed", "refill", "staff", "staff_trips"]


Pair = tuple[str, str]
"""(escort id, medic id)."""

Uncrewed = dict[tuple[str, int], int]
"""(hub, day) of bus trips that found no crew -> that day's trips at the hub that did."""


@dataclass(frozen=True, slots=True)
class Staffed:
    """The staffing stage's result: the buses and carriages that carry riders, with
    their crews, and the riders lost on the way."""

    buses: tuple[tuple[Scheduled, Pair | None], ...]
    """Scheduled buses with riders, each with its crew (None: no crew was free)."""
    carriages: tuple[tuple[Carriage, Pair], ...]
    """Staffed train carriages with riders."""
    lost: tuple[Unassigned, ...]
    """Carriage riders whose feeder bus found no departure slot or no crew (and feeder
    riders whose carriage did not run)."""
    no_crew: tuple[Unassigned, ...]
    """Riders of carriages that found no crew."""

    def uncrewed(self) -> Uncrewed:
        """Where bus trips found no crew: (hub, day) -> that day's crewed trips there."""
        crewed = Counter((s.bus.hub, s.bus.day) for s, pair in self.buses if pair is not None)
        return {(s.bus.hub, s.bus.day): crewed[s.bus.hub, s.bus.day]
                for s, pair in self.buses if pair is None}


def staff(context: Context, timetable: Timetable, carriages: Sequence[Carriage]) -> Staffed:
    """Crew the timetable's buses and the carriages (:func:`staff_trips`), riders of
    uncrewed buses moved onto free seats (:func:`refill`). A carriage rider keeps their
    seat only while their feeder bus runs, and a feeder rider only while their carriage
    does (:func:`~charterplan.stages.s4_rail.connected`)."""
    feeding = [i for i, s in enumerate(timetable.trips) if s.bus.feeder]
    linked = connected(carriages, [timetable.trips[i].bus for i in feeding],
                       why="their feeder bus found no departure slot")
    lost = list(linked.lost)
    trips = _with_buses(timetable.trips, feeding, linked.feeders)
    timed = [s for s in trips if s.bus.units]
    carriages = [c for c in linked.carriages if c.units]
    crew = staff_trips(context, [duty_of_bus(s) for s in timed]
                       + [duty_of_carriage(context, c) for c in carriages]).crew
    bus_crew, rail_crew = crew[:len(timed)], crew[len(timed):]
    scheduled = refill(timed, Crewing(bus_crew), context)
    staffed = [(c, pair) for c, pair in zip(carriages, rail_crew, strict=True) if pair]
    no_crew = [Unassigned(worker=w, reason=Reason.NO_STAFF,
                          detail="no free escort and medic for the train carriage")
               for c, pair in zip(carriages, rail_crew, strict=True) if pair is None
               for u in c.units for w in u.workers]
    feeding = [i for i, (s, pair) in enumerate(zip(scheduled, bus_crew, strict=True))
               if pair and s.bus.feeder]
    linked = connected([c for c, _ in staffed], [scheduled[i].bus for i in feeding],
                       reason=Reason.NO_STAFF,
                       why="their feeder bus or train carriage has no escort and medic")
    lost += linked.lost
    scheduled = _with_buses(scheduled, feeding, linked.feeders)
    return Staffed(
        buses=tuple((s, pair) for s, pair in zip(scheduled, bus_crew, strict=True)
                    if s.bus.units),
        carriages=tuple((c, pair) for c, (_, pair) in zip(linked.carriages, staffed, strict=True)
                        if c.units),
        lost=tuple(lost), no_crew=tuple(no_crew))


def _with_buses(trips: Sequence[Scheduled], at: Sequence[int],
                buses: Sequence[Bus]) -> list[Scheduled]:
    """``trips`` with trip ``at[k]`` running ``buses[k]`` instead of its own bus."""
    changed = list(trips)
    for i, bus in zip(at, buses, strict=True):
        changed[i] = dataclasses.replace(changed[i], bus=bus)
    return changed


def duty_of_bus(trip: Scheduled) -> Duty:
    """The duty of a scheduled bus."""
    return Duty(trip.bus.hub, trip.departure, trip.back,
                sum(u.priority for u in trip.bus.units), trip.bus.load)


def duty_of_carriage(context: Context, carriage: Carriage) -> Duty:
    """The duty of a train carriage: its crew is back when the train brings them."""
    return Duty(carriage.hub, carriage.departure, carriage.back(context),
                sum(u.priority for u in carriage.units), carriage.load)


@dataclass(frozen=True, slots=True)
class Crewing:
    """``crew[i]`` is (escort id, medic id) for trip ``i``, or None if unstaffed."""

    crew: tuple[tuple[str, str] | None, ...]


def _people(context: Context) -> list[Person]:
    return [Person(s, context.minute_up(s.available_from), context.minute(s.available_until),
                    s.hub) for s in context.request.staff]


def _preference(person: Person) -> tuple[int, int, str]:
    """Who is needed least elsewhere comes first: one role only, then whose
    availability ends first (the id breaks ties)."""
    return (int(len(person.staff.roles) > 1), person.end, person.staff.id)


def _rosters(people: list[Person]) -> dict[tuple[str, str | None], list[int]]:
    """Per (role, hub) — hub None for people of any hub — who holds the role, in
    order of preference."""
    rosters: dict[tuple[str, str | None], list[int]] = defaultdict(list)
    for i in sorted(range(len(people)), key=lambda i: _preference(people[i])):
        for role in people[i].staff.roles:
            rosters[role, people[i].hub].append(i)
    return rosters


class _Diary:
    """Busy intervals of every person, kept sorted, for exact conflict checks; and a
    coarse map of who has a duty in which block of time, so that a scan of the roster
    skips at numpy speed everybody on duty right across a trip."""

    BLOCK = 120
    """Minutes a block of the coarse map spans."""

    def __init__(self, count: int, first: int, last: int) -> None:
        self.starts: list[list[int]] = [[] for _ in range(count)]
        self.ends: list[list[int]] = [[] for _ in range(count)]
        self.first = first
        self.busy = np.zeros(((last - first) // self.BLOCK + 1, count), dtype=bool)

    def free(self, who: int, start: int, end: int) -> bool:
        i = bisect.bisect_left(self.starts[who], start)
        if i > 0 and self.ends[who][i - 1] > start:
            return False
        return not (i < len(self.starts[who]) and self.starts[who][i] < end)

    def book(self, who: int, start: int, end: int) -> None:
        i = bisect.bisect_left(self.starts[who], start)
        self.starts[who].insert(i, start)
        self.ends[who].insert(i, end)
        self.busy[(start - self.first) // self.BLOCK:
                  (end - 1 - self.first) // self.BLOCK + 1, who] = True

    def maybe_free(self, people: np.ndarray, start: int, end: int) -> np.ndarray:
        """Of ``people`` (indices, in order), those who may be free in [start, end):
        each has no duty in any block that lies wholly inside it (necessary for being
        free; :meth:`free` decides)."""
        lo = -((self.first - start) // self.BLOCK)  # first block starting at or after start
        hi = (end - self.first) // self.BLOCK  # first block ending after end
        if lo >= hi:
            return people
        return people[~self.busy[lo:hi][:, people].any(axis=0)]


def _staff_in(order: Sequence[int], trips: Sequence[Duty], people: list[Person],
              rest: int) -> list[tuple[str, str] | None]:
    """Staff ``trips`` in any ``order``: each takes the most preferred free person of
    each role (the rosters are scanned in preference order, the coarse map of the
    diary skipping those on duty right across the trip)."""
    rosters = {key: np.asarray(r, dtype=np.int64) for key, r in _rosters(people).items()}
    first = min((t.departure for t in trips), default=0)
    last = max((t.back + rest for t in trips), default=0)
    diary = _Diary(len(people), first, last)
    crew: list[tuple[str, str] | None] = [None] * len(trips)

    def pick(trip: Duty, end: int, role: str, besides: int | None) -> int | None:
        best: int | None = None
        for hub in (None, trip.hub):
            roster = rosters.get((role, hub))
            if roster is None:
                continue
            for i in diary.maybe_free(roster, trip.departure, end).tolist():
                p = people[i]
                if (i != besides and p.start <= trip.departure and trip.back <= p.end
                        and diary.free(i, trip.departure, end)):
                    if best is None or _preference(p) < _preference(people[best]):
                        best = i
                    break
        return best

    for i in order:
        trip = trips[i]
        end = trip.back + rest
        escort = pick(trip, end, "escort", None)
        medic = None if escort is None else pick(trip, end, "medic", escort)
        if escort is None or medic is None:
            continue
        diary.book(escort, trip.departure, end)
        diary.book(medic, trip.departure, end)
        crew[i] = (people[escort].staff.id, people[medic].staff.id)
    return crew


def _staff_by_time(trips: Sequence[Duty], people: list[Person], rest: int) -> (
        list[tuple[str, str] | None]):
    """The same choices as :func:`_staff_in` in departure order, in time that grows
    with trips × log(people).

    In departure order every earlier duty started no later than this trip, so a person
    is free exactly when their last duty has ended: people wait in heaps by
    preference (per role and hub) while free, by end of duty while busy, and by start
    of availability until it begins.
    """
    order = sorted(range(len(trips)), key=lambda i: (trips[i].departure, i))
    rank = {i: n for n, i in enumerate(sorted(range(len(people)),
                                              key=lambda i: _preference(people[i])))}
    free: dict[tuple[str, str | None], list[tuple[int, int]]] = defaultdict(list)
    queued: set[tuple[str, str | None, int]] = set()
    busy: list[tuple[int, int]] = []
    unborn = sorted((p.start, i) for i, p in enumerate(people))
    unborn.reverse()
    working: set[int] = set()
    crew: list[tuple[str, str] | None] = [None] * len(trips)

    def release(i: int) -> None:
        for role in people[i].staff.roles:
            if (role, people[i].hub, i) not in queued:
                queued.add((role, people[i].hub, i))
                heapq.heappush(free[role, people[i].hub], (rank[i], i))

    def pick(trip: Duty, role: str) -> int | None:
        aside: list[tuple[tuple[str, str | None], tuple[int, int]]] = []
        best: tuple[int, int] | None = None  # (rank, person)
        for hub in (None, trip.hub):
            heap = free.get((role, hub))
            while heap:
                entry = heap[0]
                i = entry[1]
                if i in working or people[i].end < trip.departure:
                    heapq.heappop(heap)  # busy (queued again when free) or gone for good
                    queued.discard((role, hub, i))
                    continue
                if trip.back > people[i].end:
                    aside.append(((role, hub), heapq.heappop(heap)))
                    continue
                best = entry if best is None else min(best, entry)
                break
        for key, entry in aside:
            heapq.heappush(free[key], entry)
        return None if best is None else best[1]

    for t in order:
        trip = trips[t]
        while busy and busy[0][0] <= trip.departure:
            _, i = heapq.heappop(busy)
            working.discard(i)
            release(i)
        while unborn and unborn[-1][0] <= trip.departure:
            release(unborn.pop()[1])
        escort = pick(trip, "escort")
        if escort is None:
            continue
        working.add(escort)
        medic = pick(trip, "medic")
        if medic is None:
            working.discard(escort)
            release(escort)
            continue
        working.add(medic)
        end = trip.back + rest
        heapq.heappush(busy, (end, escort))
        heapq.heappush(busy, (end, medic))
        crew[t] = (people[escort].staff.id, people[medic].staff.id)
    return crew


def _loss(trips: Sequence[Duty], crew: list[tuple[str, str] | None]) -> tuple[int, int]:
    missing = [t for t, c in zip(trips, crew, strict=True) if c is None]
    return (sum(t.priority for t in missing), sum(t.load for t in missing))


STAFF_MODEL_LIMIT = 200_000
"""Most (trip, person) pairs the crew model is built for; beyond, the passes' crews
stand (a province's roster is planned in seconds that way, and short rosters show at
county scale)."""


def staff_trips(context: Context, trips: Sequence[Duty]) -> Crewing:
    """Escort and medic for each trip; see the module docstring."""
    people = _people(context)
    policy = context.request.policy
    rest = math.ceil(policy.staff_rest_hours * 60)
    crew = _staff_by_time(trips, people, rest)
    if any(c is None for c in crew):
        by_priority = sorted(range(len(trips)), key=lambda i: (
            -trips[i].priority, -trips[i].load, trips[i].departure, i))
        second = _staff_in(by_priority, trips, people, rest)
        if _loss(trips, second) < _loss(trips, crew):
            crew = second
    if any(c is None for c in crew) and len(trips) * len(people) <= STAFF_MODEL_LIMIT:
        exact = solve_crews(trips, people, rest, crew, policy.seed, policy.time_limit_s)
        if _loss(trips, exact) < _loss(trips, crew):
            crew = exact
    return Crewing(crew=tuple(crew))


def _in_time(unit: Unit, trip: Scheduled) -> bool:
    """Whether ``unit`` may ride ``trip``: it leaves inside the unit's window and
    reaches each of the unit's destinations by its deadline."""
    return (unit.earliest <= trip.departure <= unit.latest_departure
            and trip.route.in_time(trip.departure, unit.deadlines))


def refill(trips: Sequence[Scheduled], crewing: Crewing,
           context: Context | None = None) -> list[Scheduled]:
    """Move riders of unstaffed trips onto free seats of staffed ones where they fit.

    A unit moves only to a bus of its hub whose route already stops at all its
    destinations and whose departure lies in its window; poor households move first.
    With ``context``, a unit that finds no free seat makes room: a staffed bus on its
    way is swapped for the least dearer larger type of its hub that seats it and that
    the day's fleet still has (the unstaffed buses stay home and free theirs). A
    larger bus costs less than leaving a worker, as in the assignment model, and
    where staff are short the buses that the optimiser made just big enough would
    otherwise leave riders behind (benchmarks/RESULTS.md).
    Returns the trips with their riders updated (unstaffed trips keep who is left).
    """
    buses = [t.bus for t in trips]
    staffed = [i for i, c in enumerate(crewing.crew) if c is not None]
    fleet: Counter[tuple[str, int]] = Counter(
        (buses[j].bus_type, buses[j].day) for j in staffed if buses[j].units)
    for i, crew in enumerate(crewing.crew):
        if crew is not None:
            continue
        for unit in sorted(buses[i].units, key=lambda u: (-u.priority, -u.size)):
            on_way = [j for j in staffed if _on_way(unit, buses[i], buses[j], trips[j])]
            j = next((j for j in on_way if buses[j].load + unit.size <= buses[j].capacity),
                     None)
            if j is None and context is not None:
                j = _make_room(context, buses, on_way, unit.size, fleet)
            if j is not None:
                buses[j] = dataclasses.replace(buses[j], units=(*buses[j].units, unit))
                buses[i] = dataclasses.replace(
                    buses[i], units=tuple(u for u in buses[i].units if u is not unit))
    return [Scheduled(bus, t.route, t.departure, t.convoy)
            for bus, t in zip(buses, trips, strict=True)]


def _on_way(unit: Unit, home: Bus, bus: Bus, trip: Scheduled) -> bool:
    """Whether ``unit`` of the bus ``home`` may ride ``bus`` (running ``trip``), seats
    aside: same hub, its drop-offs and boarding on the route, in its window."""
    return (bus.hub == home.hub
            and set(unit.destinations) <= set(trip.route.stops)
            and set(unit.pickups) <= set(trip.route.pickups)
            and unit.boarding <= trip.route.boarding
            and _in_time(unit, trip))


def _make_room(context: Context, buses: list[Bus], on_way: Sequence[int], size: int,
               fleet: Counter[tuple[str, int]]) -> int | None:
    """Swap one of the ``on_way`` buses for a larger type that seats ``size`` more, the
    least added cost first; the bus swapped (replaced in ``buses``), or None. ``fleet``
    counts the running buses per (type, day) and is updated."""
    best: tuple[float, int, BusType] | None = None
    for j in on_way:
        bus = buses[j]
        if bus.feeder is not None:
            continue
        now = next(t for t in context.request.bus_types if t.id == bus.bus_type)
        for kind in context.bus_types_at.get(bus.hub, ()):
            if (kind.capacity >= bus.load + size and kind.capacity > bus.capacity
                    and fleet[kind.id, bus.day] < kind.available_per_day):
                extra = (kind.fixed_cost - now.fixed_cost
                         + (kind.cost_per_km - now.cost_per_km) * bus.pattern.km)
                if best is None or (extra, j) < (best[0], best[1]):
                    best = (extra, j, kind)
    if best is None:
        return None
    _, j, kind = best
    fleet[buses[j].bus_type, buses[j].day] -= 1
    fleet[kind.id, buses[j].day] += 1
    buses[j] = dataclasses.replace(buses[j], bus_type=kind.id, capacity=kind.capacity)
    return j
