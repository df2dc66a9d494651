"""Door to door (家门到车门): every rider registered at a pickup point boards there.

The buses are planned from the hub (stages 1–6); :func:`collect` then brings each rider
with a pickup point to their bus, the cheaper way first:

* their bus calls at the point on its way out — at most ``max_pickups_per_bus`` points,
  leaving the hub in its timetabled slot — when the extra road costs less than the
  feeder seats it saves (or no feeder can make it), every rider still arrives in time
  under the driving rules, and nobody rides beyond ``max_detour_km``;
* else a county feeder (接驳车): a coach of the request's types, from the fleet the
  day's buses leave free, that leaves the hub empty, calls at up to
  ``max_pickups_per_bus`` points and is back ``feeder_connection_minutes`` before the
  first of its riders' buses leaves (riders whose buses leave within
  :data:`FEEDER_SPAN` of it ride together), collecting nobody before their earliest
  departure. It pays ``feeder_fixed_cost_share`` of its type's fixed cost and its km
  in full, and boards nobody at the hub, so it takes no departure slot there;
* a rider neither reaches (a lone rider, the night ban, no coach left) is collected by
  their own bus if it can make the call at any price; else makes their own way to the
  hub when ``pickup_fallback_to_hub`` allows (``moved_to_hub`` in the summary), or is
  left unassigned.

Crews come after (stage 7); :func:`settle` then keeps each feeder and the buses it
feeds consistent with the crews found (called by stage 8).
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from charterplan.model import BusType, Reason, Unassigned
from charterplan.shared.bus_route import BusRoute
from charterplan.shared.context import DAY, HUB_TOKEN, Context
from charterplan.shared.packing import Bus
from charterplan.shared.routes import best_route, route, too_long
from charterplan.shared.units import Unit, deadlines_of
from charterplan.stages.s4_rail import Carriage
from charterplan.stages.s6_timetable import Scheduled, Timetable

__all__ = ["FEEDER_SPAN", "Crewed", "collect", "run_cost", "settle"]

FEEDER_SPAN = 120
"""Most minutes between the first and the last departure of the buses one feeder's
riders go on with: nobody waits at the hub much longer than that for their bus."""

MAX_WAIT = 240
"""Most minutes a rider whom no feeder of their own can bring (alone at their point)
waits at the hub, brought by a feeder for earlier buses, before their bus leaves."""

STEP = 5
"""Minutes between the feeder departures tried, latest first."""

LOOK_BACK = 6 * 60
"""Most minutes a feeder's departure is moved back to be at the hub in time (the
night ban holds a coach until it ends, so leaving earlier stops helping)."""


Price = Callable[[str, str, int], float]
"""What feeding one rider from a pickup point to a hub by a minute costs (infinite when
no feeder can)."""


@dataclass(frozen=True, slots=True)
class _Fed:
    """A rider a county feeder is to bring from ``point`` to ``hub`` by minute ``by``,
    collected no sooner than ``earliest``."""

    worker: str
    point: str
    hub: str
    by: int
    earliest: int


def run_cost(kind: BusType, km: float, extra: float, share: float = 1.0) -> float:
    """What a run of ``km`` road km costs on a coach of ``kind`` with ``extra`` for its
    drivers beyond the first, paying ``share`` of the type's fixed cost (a county
    feeder's ``feeder_fixed_cost_share``, else all of it)."""
    return kind.fixed_cost * share + kind.cost_per_km * km + extra


def collect(context: Context, timetable: Timetable) -> Timetable:
    """The timetable with its buses calling at pickup points and county feeders added
    (module docstring). Unchanged when door to door is off."""
    request = context.request
    point_of = {w.id: w.pickup_point for w in request.workers if w.pickup_point is not None}
    if not request.door_to_door or not point_of:
        return timetable
    feeders = _Feeders(context, Counter((s.bus.bus_type, s.bus.day) for s in timetable.trips))
    trips: list[Scheduled] = []
    waiting: list[_Fed] = []
    for s in timetable.trips:
        kept, fed = _on_the_way(context, s, point_of, feeders.price, set())
        trips.append(kept)
        waiting += fed
    made, stranded = feeders.pack(waiting)
    walk = _by_their_bus(context, trips, point_of, feeders, {f.worker for f in stranded})
    if walk:
        # the first buses of the day leave too early for a feeder after the night ban:
        # such a bus leaves a little later where that keeps every deadline
        later, fed = _later(context, trips, point_of, feeders, walk)
        trips = later
        more, stranded = feeders.pack(fed)
        made += more
        walk = (walk - {f.worker for f in fed}) | _by_their_bus(
            context, trips, point_of, feeders, {f.worker for f in stranded})
    left: list[Unassigned] = []
    if walk and not request.policy.pickup_fallback_to_hub:
        trips, made, left = _without(context, trips, made, walk)
    arrive = {w: s.arrivals[-1] for s in made for u in s.bus.units for w in u.workers}
    trips = [_connect(context, s, arrive) for s in trips]
    return dataclasses.replace(timetable, trips=tuple(trips), county_feeders=tuple(made),
                               left=(*timetable.left, *left))


def _by_their_bus(context: Context, trips: list[Scheduled], point_of: Mapping[str, str],
                  feeders: _Feeders, alone: set[str]) -> set[str]:
    """Riders no feeder takes (``alone``) collected by their own bus where it can call
    at their point at all (``trips`` changed in place); returns those it cannot."""
    if not alone:
        return set()
    for i, s in enumerate(trips):
        if any(w in alone for u in s.bus.units for w in u.workers):
            trips[i], _ = _on_the_way(context, s, point_of, feeders.price, alone)
    collected = {w for s in trips for u in s.bus.units if u.pickups for w in u.workers}
    return alone - collected


MAX_DELAY = 120
"""Most minutes :func:`_later` moves a bus's departure so that a feeder can reach it."""


def _later(context: Context, trips: Sequence[Scheduled], point_of: Mapping[str, str],
           feeders: _Feeders, walk: set[str]) -> tuple[list[Scheduled], list[_Fed]]:
    """Buses with riders in ``walk`` moved to the first later slot of the day (within
    :data:`MAX_DELAY`, with room at the hub) from which a feeder can bring each of them
    and every rider still arrives in time; and those riders, to feed."""
    wait = context.request.policy.feeder_connection_minutes
    taken = Counter((s.bus.hub, s.departure) for s in trips)
    moved: list[Scheduled] = []
    fed: list[_Fed] = []
    for s in trips:
        mine = [(w, u) for u in s.bus.units for w in u.workers if w in walk]
        grid = context.grids[s.bus.hub]
        deadlines = tuple(deadlines_of(s.bus.units).items())
        slot = grid.first_at_or_after(s.departure + 1)
        while mine and slot <= s.departure + MAX_DELAY and slot // DAY == s.departure // DAY:
            if any(u.latest_departure < slot for u in s.bus.units) or not s.route.in_time(
                    slot, deadlines):
                break  # leaving later only makes it worse
            if taken[s.bus.hub, slot] < grid.per_slot and all(
                    feeders.price(s.bus.hub, point_of[w], slot - wait) < math.inf
                    for w, _ in mine):
                taken[s.bus.hub, s.departure] -= 1
                taken[s.bus.hub, slot] += 1
                s = dataclasses.replace(s, departure=slot)
                fed += [_Fed(w, point_of[w], s.bus.hub, slot - wait, u.earliest)
                        for w, u in mine]
                break
            slot = grid.first_at_or_after(slot + 1)
        moved.append(s)
    return moved, fed


def _points(unit: Unit, point_of: Mapping[str, str]) -> tuple[str, ...]:
    return tuple(sorted({point_of[w] for w in unit.workers if w in point_of}))


def _on_the_way(context: Context, s: Scheduled, point_of: Mapping[str, str],
                price: Price, must: set[str]) -> tuple[Scheduled, list[_Fed]]:
    """``s`` calling at the pickup points of its riders where that pays (a point's
    value: what feeding its riders would cost), and the riders left to feed. With
    ``must``, only its riders are newly collected, at any detour (the others are on
    their feeders); the points ``s`` calls at already stay."""
    bus = s.bus
    if bus.county_feeder or not any(w in point_of for u in bus.units for w in u.workers):
        return s, []
    policy = context.request.policy
    riders: Counter[str] = Counter(point_of[w] for u in bus.units for w in u.workers
                                   if w in point_of)
    by = s.departure - policy.feeder_connection_minutes
    value = {p: math.inf if any(w in must for u in bus.units for w in u.workers
                                if point_of.get(w) == p) else n * price(bus.hub, p, by)
             for p, n in riders.items()}

    def from_hub(calls: tuple[str, ...]) -> bool:  # whether anyone still boards at the hub
        return any(point_of.get(w) not in calls for u in bus.units for w in u.workers)

    deadlines = tuple(deadlines_of(bus.units).items())
    kind = {b.id: b for b in context.request.bus_types}[bus.bus_type]
    chosen, best = list(s.route.pickups), s.route
    while len(chosen) < policy.max_pickups_per_bus:
        found: tuple[float, str, BusRoute] | None = None
        for point in sorted(riders.keys() - set(chosen)):
            wider = best_route(context, bus.hub, s.route.stops, tuple(sorted([*chosen, point])),
                               s.route.boarding)
            if too_long(context, wider, from_hub(wider.pickups)) or not wider.in_time(
                    s.departure, deadlines):
                continue
            gain = value[point] - (kind.cost_per_km * (wider.km - best.km)
                                   + wider.extra_cost - best.extra_cost)
            if gain > 0 and (found is None or gain > found[0]):
                found = (gain, point, wider)
        if found is None:
            break
        chosen.append(found[1])
        best = found[2]
    at = dict(zip(best.calls, best.arrivals(s.departure), strict=True))
    units, fed = [], []
    for unit in bus.units:
        points = _points(unit, point_of)
        # collected while their health certificate is still valid, or fed
        if points and set(points) <= set(chosen) and all(
                at[p] <= unit.latest_departure for p in points) and (
                not must or unit.pickups or all(w in must for w in unit.workers
                                                if w in point_of)):
            unit = dataclasses.replace(unit, pickups=points)
        elif points:
            fed += [_Fed(w, point_of[w], bus.hub, by, unit.earliest)
                    for w in unit.workers if w in point_of]
        units.append(unit)
    calls = {p for u in units for p in u.pickups}
    final = route(context, bus.hub, s.route.stops,
                  tuple(p for p in best.pickups if p in calls), s.route.boarding)
    at_hub = any(not u.pickups or w not in point_of for u in units for w in u.workers)
    if not final.in_time(s.departure, deadlines) or too_long(context, final, at_hub):
        return s, [_Fed(w, point_of[w], bus.hub, by, u.earliest) for u in bus.units
                   for w in u.workers if w in point_of]
    return dataclasses.replace(s, bus=dataclasses.replace(bus, units=tuple(units)),
                               route=final), fed


class _Feeders:
    """County feeders of one plan, drawing on the fleet the buses leave free."""

    def __init__(self, context: Context, used: Counter[tuple[str, int]]) -> None:
        self.context = context
        self.used = used  # coaches of each type taken on each day
        self.share = context.request.policy.feeder_fixed_cost_share

    def price(self, hub: str, point: str, by: int) -> float:
        """A seat's share of the cheapest full feeder from ``point`` alone (infinite when
        none is at the hub by ``by``)."""
        feeder = self._route(hub, (point,))
        if self._leaves(feeder, by, ()) is None:
            return math.inf
        return min(run_cost(k, feeder.km, feeder.extra_cost, self.share) / k.capacity
                   for k in self.context.bus_types_at[hub])

    def _route(self, hub: str, points: tuple[str, ...]) -> BusRoute:
        return best_route(self.context, hub, (hub,), points, frozenset({HUB_TOKEN}))

    def _leaves(self, feeder: BusRoute, by: int, earliest: Iterable[tuple[str, int]]) -> (
            int | None):
        """The latest departure (on the minute grid of :data:`STEP`) at which
        ``feeder`` is back at its hub by ``by``, collecting nobody before their
        earliest (``(point, minute)`` pairs); None if there is none."""
        driving = sum(m + d for m, d in feeder.legs[:-2]) + feeder.legs[-2][0]
        start = (by - driving) // STEP * STEP
        for leaves in range(start, max(start - LOOK_BACK, self._morning(by)) - 1, -STEP):
            arrivals = feeder.arrivals(leaves)
            if arrivals[-1] <= by:
                at = dict(zip(feeder.calls, arrivals, strict=True))
                return leaves if all(at[p] >= e for p, e in earliest) else None
        return None

    def _morning(self, by: int) -> int:
        """The first minute a feeder back by ``by`` may leave: when the night ban of
        that day ends (with the ban off, its hour still), so that nobody is collected
        in the night."""
        until = self.context.request.policy.night_ban_until
        return by // DAY * DAY + until.hour * 60 + until.minute

    def pack(self, waiting: Sequence[_Fed]) -> tuple[list[Scheduled], list[_Fed]]:
        """Feeders for ``waiting``, hub by hub in order of when their buses leave, each
        filling from the first rider's point outwards; and the riders none takes."""
        made: list[Scheduled] = []
        stranded: list[_Fed] = []
        by_hub: dict[str, list[_Fed]] = defaultdict(list)
        for fed in waiting:
            by_hub[fed.hub].append(fed)
        for hub in sorted(by_hub):
            pending = sorted(by_hub[hub], key=lambda f: (f.by, f.point, f.worker))
            while pending:
                load, feeder = self._one(hub, pending)
                if feeder is None:
                    first = pending.pop(0)
                    if not self._join(first, made):
                        stranded.append(first)
                    continue
                made.append(feeder)
                taken = set(load)
                pending = [f for f in pending if f.worker not in taken]
        return made, stranded

    def _join(self, fed: _Fed, made: list[Scheduled]) -> bool:
        """Seat ``fed`` on a feeder already made that calls at their point after their
        earliest departure and is back at the hub in time, at most :data:`MAX_WAIT`
        before they need to be (``made`` changed in place); whether one was found."""
        for i, s in enumerate(made):
            if s.bus.hub != fed.hub or fed.point not in s.route.pickups or (
                    s.bus.load >= s.bus.capacity):
                continue
            at = dict(zip(s.route.calls, s.arrivals, strict=True))
            if at[fed.point] >= fed.earliest and fed.by - MAX_WAIT <= at[fed.hub] <= fed.by:
                unit = Unit(workers=(fed.worker,), hub=fed.hub, deadlines=((fed.hub, fed.by),),
                            earliest=fed.earliest, latest_departure=fed.by, priority=0,
                            pickups=(fed.point,))
                made[i] = dataclasses.replace(s, bus=dataclasses.replace(
                    s.bus, units=(*s.bus.units, unit)))
                return True
        return False

    def _one(self, hub: str, pending: list[_Fed]) -> tuple[list[str], Scheduled | None]:
        """The feeder of the first rider of ``pending``: its riders and the feeder
        (None when it cannot run: no coach left, not in time, or a lone rider)."""
        context, policy = self.context, self.context.request.policy
        first = pending[0]
        span = [f for f in pending if f.by <= first.by + FEEDER_SPAN]
        day = first.by // DAY
        kinds = sorted((k for k in context.bus_types_at[hub]
                        if self.used[k.id, day] < k.available_per_day),
                       key=lambda k: (-k.capacity, k.id))
        if not kinds:
            return [], None
        seats = kinds[0].capacity
        points = [first.point]
        feeder = self._route(hub, (first.point,))
        leaves = self._leaves(feeder, first.by, ())
        if leaves is None:
            return [], None
        km = context.places.road_km([first.point], sorted({f.point for f in span}))[0]
        near = dict(zip(sorted({f.point for f in span}), km.tolist(), strict=True))
        for point in sorted(near, key=lambda p: (near[p], p)):
            if len(points) >= policy.max_pickups_per_bus:
                break
            if point in points or self._riders(span, points, feeder, leaves, seats) >= seats:
                continue
            wider = self._route(hub, tuple(sorted([*points, point])))
            when = self._leaves(wider, first.by, ())
            if when is None or too_long(context, wider, False):
                continue
            at = dict(zip(wider.calls, wider.arrivals(when), strict=True))
            if at[first.point] < first.earliest:
                continue
            points, feeder, leaves = [*points, point], wider, when
        at = dict(zip(feeder.calls, feeder.arrivals(leaves), strict=True))
        load = [f for f in span if f.point in points and at[f.point] >= f.earliest][:seats]
        if len(load) < 2:  # a feeder needs a captain and a different deputy
            return [], None
        kind = min((k for k in kinds if k.capacity >= len(load)), key=lambda k: (
            run_cost(k, feeder.km, feeder.extra_cost, self.share), k.id))
        self.used[kind.id, leaves // DAY] += 1
        units = [Unit(workers=(f.worker,), hub=hub, deadlines=((hub, f.by),),
                      earliest=f.earliest, latest_departure=f.by, priority=0,
                      pickups=(f.point,)) for f in load]
        bus = Bus(f"{hub}→{hub}", hub, kind.id, kind.capacity, leaves, leaves // DAY, feeder,
                  tuple(units), county_feeder=True)
        return [f.worker for f in load], Scheduled(bus, feeder, leaves, -1)

    @staticmethod
    def _riders(span: Sequence[_Fed], points: Sequence[str], feeder: BusRoute, leaves: int,
                seats: int) -> int:
        at = dict(zip(feeder.calls, feeder.arrivals(leaves), strict=True))
        return min(seats, sum(f.point in points and at[f.point] >= f.earliest for f in span))


def _connect(context: Context, s: Scheduled, arrive: Mapping[str, int]) -> Scheduled:
    """``s`` with each unit a county feeder brings ready no sooner than the feeder is
    back plus the connection, so that riders moved between buses later keep it."""
    wait = context.request.policy.feeder_connection_minutes
    if s.bus.county_feeder or not any(w in arrive for u in s.bus.units for w in u.workers):
        return s
    units = [dataclasses.replace(u, earliest=max(u.earliest, *(
        arrive[w] + wait for w in u.workers if w in arrive))) if any(
        w in arrive for w in u.workers) else u for u in s.bus.units]
    return dataclasses.replace(s, bus=dataclasses.replace(s.bus, units=tuple(units)))


def _without(context: Context, trips: list[Scheduled], feeders: list[Scheduled],
             gone: set[str]) -> tuple[list[Scheduled], list[Scheduled], list[Unassigned]]:
    """Buses and feeders without the units of ``gone`` (whom nothing can collect, and the
    policy keeps off the hub), and those left: a bus that falls below
    ``min_passengers_per_bus`` loses all its riders, and a feeder below two."""
    least = context.request.policy.min_passengers_per_bus
    left: list[Unassigned] = []
    why = "no bus or county feeder can collect them at their pickup point in time"
    while gone:
        cut: set[str] = set()
        kept: list[Scheduled] = []
        for s in trips:
            units = [u for u in s.bus.units if not set(u.workers) & gone]
            if sum(u.size for u in units) < least:
                units = []
            cut |= {w for u in s.bus.units if u not in units for w in u.workers}
            if units:
                kept.append(dataclasses.replace(
                    s, bus=dataclasses.replace(s.bus, units=tuple(units))))
        left += [Unassigned(worker=w, reason=Reason.WINDOW_INFEASIBLE, detail=why)
                 for w in sorted(cut)]
        trips, gone = kept, set()
        fed: list[Scheduled] = []
        for s in feeders:
            units = [u for u in s.bus.units if not set(u.workers) & cut]
            if len(units) < 2:
                gone |= {w for u in units for w in u.workers}
                units = []
            if units:
                fed.append(dataclasses.replace(
                    s, bus=dataclasses.replace(s.bus, units=tuple(units))))
        feeders = fed
    return trips, feeders, left


Pair = tuple[str, str]
"""(escort id, medic id)."""

Crewed = tuple[tuple[Scheduled, Pair | None], ...]
"""Scheduled buses, each with its crew, or None when none was free."""


def settle(context: Context, buses: Crewed, feeders: Sequence[Scheduled],
           carriages: Sequence[tuple[Carriage, Pair]] = ()) -> (
        tuple[Crewed, list[Unassigned]]):
    """The crewed buses with the county ``feeders`` that run, and the riders that costs;
    ``carriages`` are the staffed train carriages, whose crews are busy too.

    A feeder keeps the riders whose bus runs, and is crewed by the escort and medic of
    one of those buses (the earliest to leave whose crew is free from the feeder's
    departure): they collect their riders at the pickup points and go on with them,
    one duty. A feeder with fewer than two riders, or whose buses' crews are all busy
    before, does not run: its riders make their own way to the hub
    (``pickup_fallback_to_hub``), or are left without a crew, off their bus too."""
    if not feeders:
        return buses, []
    policy = context.request.policy
    rest = math.ceil(policy.staff_rest_hours * 60)
    people = {p.id: p for p in context.request.staff}
    lost: list[Unassigned] = []
    while True:
        bus_of = {w: i for i, (s, pair) in enumerate(buses) if pair is not None
                  for u in s.bus.units for w in u.workers}
        free = _free_from(context, buses, carriages, rest)
        crewed: list[tuple[Scheduled, Pair | None]] = []
        walk: set[str] = set()
        for feeder in feeders:
            units = [u for u in feeder.bus.units if u.workers[0] in bus_of]
            ahead = sorted({bus_of[u.workers[0]] for u in units},
                           key=lambda i: (buses[i][0].departure, i))
            pair = next((p for i in ahead if (p := buses[i][1]) is not None and all(
                free[who, buses[i][0].departure] <= feeder.departure
                and context.minute_up(people[who].available_from) <= feeder.departure
                for who in p)), None)
            if pair is None or len(units) < 2:
                walk |= {w for u in units for w in u.workers}
                continue
            crewed.append((dataclasses.replace(
                feeder, bus=dataclasses.replace(feeder.bus, units=tuple(units))), pair))
        if policy.pickup_fallback_to_hub or not walk:
            return (*buses, *crewed), lost
        why = "no county feeder with a crew can collect them at their pickup point"
        least = policy.min_passengers_per_bus
        changed: list[tuple[Scheduled, Pair | None]] = []
        for s, pair in buses:
            units = [u for u in s.bus.units if not set(u.workers) & walk]
            if len(units) < len(s.bus.units) and sum(u.size for u in units) < least:
                units = []
            lost += [Unassigned(worker=w, reason=Reason.NO_STAFF, detail=why)
                     for u in s.bus.units if u not in units for w in u.workers]
            if units:
                changed.append((dataclasses.replace(s, bus=dataclasses.replace(
                    s.bus, units=tuple(units))), pair))
        buses = tuple(changed)


def _free_from(context: Context, buses: Crewed, carriages: Sequence[tuple[Carriage, Pair]],
               rest: int) -> dict[tuple[str, int], int]:
    """For each crew member and departure of a bus they ride, the minute they are free
    before it: back from their previous trip (a bus or a train carriage) and rested."""
    trips: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for s, pair in buses:
        for who in pair or ():
            trips[who].append((s.departure, s.back))
    for carriage, pair in carriages:
        for who in pair:
            trips[who].append((carriage.departure, carriage.back(context)))
    free: dict[tuple[str, int], int] = {}
    for who, spans in trips.items():
        before = -DAY  # free since before the plan's first day
        for departure, back in sorted(spans):
            free[who, departure] = before
            before = back + rest
    return free
