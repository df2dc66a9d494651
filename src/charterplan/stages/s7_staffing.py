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
from it, searches for better crews (:func:`_staff_exactly`, for rosters of county
size). A trip without both an escort and a medic does not run:
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
from ortools.sat.python import cp_model

from charterplan.model import BusType, Staff
from charterplan.shared.context import Context
from charterplan.shared.packing import Bus
from charterplan.shared.units import Unit
from charterplan.stages.s6_timetable import Scheduled

__all__ = ["Crewing", "Duty", "refill", "staff_trips"]


@dataclass(frozen=True, slots=True)
class Duty:
    """What staffing needs of a trip (a bus, a feeder or a train carriage): where it
    leaves from, when, when its crew is back, and whom it carries."""

    hub: str
    departure: int
    back: int
    poverty: int
    load: int

    @classmethod
    def of(cls, trip: Scheduled) -> Duty:
        """The duty of a scheduled bus."""
        return cls(trip.bus.hub, trip.departure, trip.back,
                   sum(u.poverty for u in trip.bus.units), trip.bus.load)


@dataclass(frozen=True, slots=True)
class Crewing:
    """``crew[i]`` is (escort id, medic id) for trip ``i``, or None if unstaffed."""

    crew: tuple[tuple[str, str] | None, ...]


@dataclass(frozen=True, slots=True)
class _Person:
    staff: Staff
    start: int
    end: int
    hub: str | None


def _people(context: Context) -> list[_Person]:
    return [_Person(s, context.minute_up(s.available_from), context.minute(s.available_until),
                    s.hub) for s in context.request.staff]


def _preference(person: _Person) -> tuple[int, int, str]:
    """Who is needed least elsewhere comes first: one role only, then whose
    availability ends first (the id breaks ties)."""
    return (int(len(person.staff.roles) > 1), person.end, person.staff.id)


def _rosters(people: list[_Person]) -> dict[tuple[str, str | None], list[int]]:
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


def _staff_in(order: Sequence[int], trips: Sequence[Duty], people: list[_Person],
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


def _staff_by_time(trips: Sequence[Duty], people: list[_Person], rest: int) -> (
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
    return (sum(t.poverty for t in missing), sum(t.load for t in missing))


STAFF_EFFORT = 0.2
"""CP-SAT deterministic time for the crews when the passes leave trips unstaffed. On
the 1,000-worker 14-day request, the passes leave 4 of 64 trips (57 riders) without a
crew; CP-SAT, started from them, leaves 3 (42 riders) at 0.1 and beyond (0.27 s at
0.2), 0.05 is too little to finish presolve, and neither 3 started from them nor 10
from scratch finds better (benchmarks/RESULTS.md)."""

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
            -trips[i].poverty, -trips[i].load, trips[i].departure, i))
        second = _staff_in(by_priority, trips, people, rest)
        if _loss(trips, second) < _loss(trips, crew):
            crew = second
    if any(c is None for c in crew) and len(trips) * len(people) <= STAFF_MODEL_LIMIT:
        exact = _staff_exactly(trips, people, rest, crew, policy.seed, policy.time_limit_s)
        if _loss(trips, exact) < _loss(trips, crew):
            crew = exact
    return Crewing(crew=tuple(crew))


def _staff_exactly(trips: Sequence[Duty], people: list[_Person], rest: int,
                   hint: Sequence[tuple[str, str] | None], seed: int,
                   time_limit_s: float) -> list[tuple[str, str] | None]:
    """The crews that leave the fewest poor-household riders, then riders, without a
    trip, by CP-SAT from ``hint`` (reproducible: one worker, a deterministic limit of
    :data:`STAFF_EFFORT`, ``time_limit_s`` as a wall-clock safety net only).

    A trip runs with one escort and one different medic, each holding the role, of its
    hub or of none, available from departure to return; a person's trips, each busy
    until ``rest`` minutes after return, do not overlap. The passes' crews are a
    solution, so the answer is never worse than the hint."""
    model = cp_model.CpModel()
    runs = [model.new_bool_var(f"run{t}") for t in range(len(trips))]
    takes: dict[tuple[int, int, str], cp_model.IntVar] = {}
    duties: dict[int, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    for t, trip in enumerate(trips):
        able = [i for i, p in enumerate(people) if p.hub in (None, trip.hub)
                and p.start <= trip.departure and trip.back <= p.end]
        for role in ("escort", "medic"):
            chosen = [takes.setdefault((i, t, role), model.new_bool_var(f"{role}{i}_{t}"))
                      for i in able if role in people[i].staff.roles]
            model.add(sum(chosen) == runs[t])
        for i in able:
            both = [takes[i, t, r] for r in ("escort", "medic") if (i, t, r) in takes]
            if both:
                on = model.new_bool_var(f"on{i}_{t}")
                model.add(sum(both) == on)
                duties[i].append((t, on))
    for i, mine in duties.items():
        model.add_no_overlap([model.new_optional_fixed_size_interval_var(
            trips[t].departure, trips[t].back + rest - trips[t].departure, on, f"d{i}_{t}")
            for t, on in mine])
    riders = sum(t.load for t in trips) + 1
    model.maximize(sum(run * (t.poverty * riders + t.load)
                       for run, t in zip(runs, trips, strict=True)))
    index = {p.staff.id: i for i, p in enumerate(people)}
    for t, pair in enumerate(hint):
        model.add_hint(runs[t], pair is not None)
    for (i, t, role), var in takes.items():
        pair = hint[t]
        model.add_hint(var, pair is not None and index[pair[role == "medic"]] == i)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_deterministic_time = STAFF_EFFORT
    solver.parameters.max_time_in_seconds = max(time_limit_s, 0.01)
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return list(hint)
    crew: list[tuple[str, str] | None] = [None] * len(trips)
    held: dict[tuple[int, str], str] = {}
    for (i, t, role), var in takes.items():
        if solver.value(var):
            held[t, role] = people[i].staff.id
    for t in range(len(trips)):
        if solver.value(runs[t]):
            crew[t] = (held[t, "escort"], held[t, "medic"])
    return crew


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
    buses = [dataclasses.replace(t.bus, units=list(t.bus.units)) for t in trips]
    staffed = [i for i, c in enumerate(crewing.crew) if c is not None]
    fleet: Counter[tuple[str, int]] = Counter(
        (buses[j].kind, buses[j].day) for j in staffed if buses[j].units)
    for i, crew in enumerate(crewing.crew):
        if crew is not None:
            continue
        for unit in sorted(buses[i].units, key=lambda u: (-u.poverty, -u.size)):
            on_way = [j for j in staffed if _on_way(unit, buses[i], buses[j], trips[j])]
            j = next((j for j in on_way if buses[j].load + unit.size <= buses[j].capacity),
                     None)
            if j is None and context is not None:
                j = _make_room(context, buses, on_way, unit.size, fleet)
            if j is not None:
                buses[j].units.append(unit)
                buses[i].units.remove(unit)
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
    least added cost first; the bus swapped, or None. ``fleet`` counts the running
    buses per (type, day) and is updated."""
    best: tuple[float, int, BusType] | None = None
    for j in on_way:
        bus = buses[j]
        if bus.feeder is not None:
            continue
        now = next(t for t in context.request.bus_types if t.id == bus.kind)
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
    fleet[buses[j].kind, buses[j].day] -= 1
    fleet[kind.id, buses[j].day] += 1
    buses[j].kind, buses[j].capacity = kind.id, kind.capacity
    return j
