"""Re-verify a plan against its request: every invariant of SPEC §5.

This module shares no code with the planner (``stages``, ``solvers``, ``geo``): it reads
the request and the plan and checks them from first principles, with geopy's geodesic as
the reference distance. A plan it passes is sound whatever the planner did.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from geopy.distance import geodesic, great_circle

from charterplan.model import (
    HealthStatus,
    Plan,
    PlanRequest,
    Policy,
    RailService,
    Trip,
    Worker,
)

__all__ = ["FAMILIES", "Violation", "check_plan"]

TOLERANCE = 0.01
"""Relative slack on distances and travel times (the planner uses a sphere)."""


@dataclass(frozen=True, order=True)
class Violation:
    """A broken invariant: its SPEC §5 number (0: plan consistency), what it concerns,
    what was expected against what was found, and the family of checks that found it
    (a name of :data:`FAMILIES`; set by :func:`check_plan`)."""

    invariant: int
    subject: str
    message: str
    family: str = ""

    def __str__(self) -> str:
        family = f" {self.family}" if self.family else ""
        return f"[{self.invariant}{family}] {self.subject}: {self.message}"


class _Facts:
    """The request's lists as lookups, and reference road distances."""

    def __init__(self, request: PlanRequest) -> None:
        self.request = request
        self.zone = ZoneInfo(request.timezone)
        self.workers: dict[str, Worker] = {w.id: w for w in request.workers}
        self.staff = {s.id: s for s in request.staff}
        self.bus_types = {b.id: b for b in request.bus_types}
        self.services = {r.id: r for r in request.rail_services}
        self.hubs = {h.id: h for h in request.hubs}
        coords: dict[str, tuple[float, float]] = {}
        for items in (request.hubs, request.pickup_points, request.destinations):
            for item in items:
                coords.setdefault(item.id, (item.lat, item.lon))
        for service in request.rail_services:
            for stop in service.stops:
                coords.setdefault(stop.id, (stop.lat, stop.lon))
        self.coords = coords
        # a stop id shared by services is one station: its first coordinates count
        self.rail_stops: dict[str, tuple[float, float]] = {}
        for service in request.rail_services:
            for stop in service.stops:
                self.rail_stops.setdefault(stop.id, (stop.lat, stop.lon))
        self.destinations = {d.id: d for d in request.destinations}
        self.serving = cache(self._serving_stop)
        # a measured road serves both ways unless the reverse is measured too
        self.measured: dict[tuple[str, str], tuple[float, float | None]] = {}
        for leg in request.roads:
            self.measured[leg.origin, leg.to] = (leg.km, leg.minutes)
        for leg in request.roads:
            self.measured.setdefault((leg.to, leg.origin), (leg.km, leg.minutes))
        self.road = cache(self._road_km)

    def _road_km(self, a: str, b: str, sphere: bool = False) -> float:
        """Measured km, else the geodesic (or with ``sphere`` the great circle, as the
        planner measures) times the road factor."""
        measured = self.measured.get((a, b))
        if measured is not None:
            return measured[0]
        distance = great_circle if sphere else geodesic
        return float(distance(self.coords[a], self.coords[b]).km) * (
            self.request.policy.road_factor)

    def _serving_stop(self, destination: str) -> str | None:
        """The rail stop serving ``destination``: the one it names, else the nearest stop
        of any service (geodesic, ties by id) within ``rail_radius_km``, else None."""
        place = self.destinations.get(destination)
        if place is None:
            return None
        if place.rail_station is not None:
            return place.rail_station
        if not self.rail_stops:
            return None
        km, nearest = min((float(geodesic((place.lat, place.lon), where).km), stop)
                          for stop, where in self.rail_stops.items())
        return nearest if km <= self.request.policy.rail_radius_km else None

    def leg_minutes(self, a: str, b: str, generous: bool = True) -> int:
        """Whole minutes at the wheel from ``a`` to ``b``: measured, or the road at the
        policy speed; a little generous to the planner, or with ``generous`` off on
        the planner's sphere and rounded up, as its timetable is."""
        measured = self.measured.get((a, b))
        if measured is not None and measured[1] is not None:
            minutes = measured[1]
        else:
            minutes = self.road(a, b, not generous) / self.request.policy.bus_speed_kmh * 60
        return math.floor(minutes * (1 - TOLERANCE)) if generous else math.ceil(minutes - 1e-9)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)


_Rule = Callable[[_Facts, Plan], Iterator[Violation]]


def _families() -> tuple[tuple[str, _Rule], ...]:
    """Each family of checks with its name, looked up when called (so that a test
    can switch one off: see benchmarks/mutate_check.py)."""
    return (
        ("everyone-once", _everyone_once),   # 1
        ("feeders", _feeders),               # 1
        ("cleared", _cleared),               # 2
        ("windows", _windows),               # 3
        ("driving", _driving),               # 3
        ("night-ban", _night_ban),           # 3
        ("capacity", _capacity),             # 4
        ("staff", _staff),                   # 5
        ("crew", _crew),                     # 6
        ("slots", _slots),                   # 7
        ("fleet", _fleet),                   # 8
        ("groups", _groups),                 # 9
        ("dropoffs", _dropoffs),             # 10
        ("boarding", _boarding),             # 10
        ("rail", _rail),                     # 0 and 3
        ("consistency", _consistency),       # 0
        ("drivers", _driver_counts),         # 0
        ("convoys", _convoys),               # 0
        ("summary", _summary),               # 0
    )


def check_plan(request: PlanRequest, plan: Plan) -> list[Violation]:
    """Every violation of SPEC §5 and of the plan's own consistency, sorted, each
    with the name of the family of checks that found it.

    An empty list means the plan is sound for this request.
    """
    facts = _Facts(request)
    found = {replace(violation, family=name)
             for name, rule in _families() for violation in rule(facts, plan)}
    return sorted(found)


def _riders(plan: Plan) -> Iterator[tuple[Trip, str]]:
    for trip in plan.trips:
        if not trip.feeder:
            for worker in trip.passengers:
                yield trip, worker


def _everyone_once(f: _Facts, plan: Plan) -> Iterator[Violation]:
    """1: each worker once, in a non-feeder trip or in unassigned; stops match riders."""
    seen = Counter(w for _, w in _riders(plan)) + Counter(u.worker for u in plan.unassigned)
    for worker in f.workers:
        if seen[worker] != 1:
            yield Violation(1, f"worker {worker}",
                            f"appears {seen[worker]} times among passengers and unassigned")
    for worker in seen.keys() - f.workers.keys():
        yield Violation(1, f"worker {worker}", "is not a worker of the request")
    for trip in plan.trips:
        riders = set(trip.passengers)
        if len(riders) != len(trip.passengers):
            yield Violation(1, f"trip {trip.id}", "lists a passenger twice")
        for kind in ("pickup", "dropoff"):
            calls = Counter(w for s in trip.stops if s.kind == kind for w in s.workers)
            for worker in riders:
                if calls[worker] != 1:
                    yield Violation(1, f"trip {trip.id}",
                                    f"passenger {worker} has {calls[worker]} {kind} stops")
            for worker in calls.keys() - riders:
                yield Violation(1, f"trip {trip.id}", f"{kind} of non-passenger {worker}")


def _trains(plan: Plan) -> dict[str, list[Trip]]:
    """The rail trips each worker rides."""
    trains: dict[str, list[Trip]] = defaultdict(list)
    for trip in plan.trips:
        if trip.mode == "rail":
            for worker in trip.passengers:
                trains[worker].append(trip)
    return trains


def _feeders(f: _Facts, plan: Plan) -> Iterator[Violation]:
    """1: a feeder rider rides one feeder and then exactly one rail trip, which leaves
    the station the feeder drops them at no sooner than the boarding cut-off after."""
    trains = _trains(plan)
    cutoff = timedelta(minutes=f.request.policy.rail_cutoff_minutes)
    feeders: Counter[str] = Counter()
    for feeder in (t for t in plan.trips if t.feeder):
        feeders.update(set(feeder.passengers))
        where = {w: s for s in feeder.stops if s.kind == "dropoff" for w in s.workers}
        for worker in feeder.passengers:
            stop = where.get(worker)
            if stop is None:
                continue  # reported as a missing drop-off
            onward = trains.get(worker, [])
            if len(onward) != 1:
                yield Violation(1, f"trip {feeder.id}", f"feeder rider {worker} rides "
                                f"{len(onward)} rail trips, not one")
                continue
            (train,) = onward
            if train.hub != stop.place:
                yield Violation(1, f"trip {feeder.id}", f"feeder rider {worker} alights at "
                                f"{stop.place}, but their train {train.id} leaves {train.hub}")
            elif train.departure < stop.eta + cutoff:
                yield Violation(1, f"trip {feeder.id}", f"feeder rider {worker} reaches "
                                f"{stop.place} at {stop.eta.isoformat()}, less than "
                                f"{f.request.policy.rail_cutoff_minutes} min before train "
                                f"{train.id} leaves at {train.departure.isoformat()}")
    for worker, count in feeders.items():
        if count > 1:
            yield Violation(1, f"worker {worker}", f"rides {count} feeders")


def _cleared(f: _Facts, plan: Plan) -> Iterator[Violation]:
    """2: every passenger is cleared on the departure (a feeder's riders on the
    feeder's departure as well as the train's)."""
    for trip, worker_id in ((t, w) for t in plan.trips for w in t.passengers):
        worker = f.workers.get(worker_id)
        if worker is None:
            continue
        health, when = worker.health, trip.departure
        problem = None
        if health.status not in (HealthStatus.CLEARED, HealthStatus.QUARANTINE):
            problem = f"health status is {health.status.value}"
        elif health.status == HealthStatus.QUARANTINE and health.quarantine_until is None:
            problem = "in quarantine with no end date"
        elif health.quarantine_until is not None and health.quarantine_until > when:
            problem = f"quarantine lasts until {health.quarantine_until.isoformat()}"
        elif (health.certificate_valid_until is not None
              and health.certificate_valid_until < when):
            problem = f"certificate expired {health.certificate_valid_until.isoformat()}"
        if problem:
            yield Violation(2, f"trip {trip.id}",
                            f"passenger {worker_id} is not cleared on {when.isoformat()}: "
                            f"{problem}")


def _windows(f: _Facts, plan: Plan) -> Iterator[Violation]:
    """3: departures and arrivals inside windows; ETAs physically possible."""
    for trip in plan.trips:
        etas = [s.eta for s in trip.stops]
        if any(b < a for a, b in itertools.pairwise(etas)):
            yield Violation(3, f"trip {trip.id}", "stop ETAs go back in time")
        if etas and (etas[0] < trip.departure or trip.arrival != etas[-1]):
            yield Violation(3, f"trip {trip.id}",
                            "departure/arrival disagree with the first/last stop ETA")
        # a feeder's drop-off is the station, not the destination: only its departure
        # counts against the window (the train's arrival is checked on the train)
        dropoff = ({} if trip.feeder else
                   {w: s for s in trip.stops if s.kind == "dropoff" for w in s.workers})
        for worker_id in trip.passengers:
            worker = f.workers.get(worker_id)
            if worker is None:
                continue
            if trip.departure < worker.earliest_departure:
                yield Violation(3, f"trip {trip.id}", f"{worker_id} leaves before their "
                                f"earliest departure {worker.earliest_departure.isoformat()}")
            stop = dropoff.get(worker_id)
            if stop is not None and stop.eta > worker.latest_arrival:
                yield Violation(3, f"trip {trip.id}", f"{worker_id} arrives {stop.eta.isoformat()}"
                                f", after {worker.latest_arrival.isoformat()}")


def _driving(f: _Facts, plan: Plan) -> Iterator[Violation]:
    """3: each bus reaches its stops and is back no sooner than the road and the coach
    driving rules allow."""
    for trip in plan.trips:
        if trip.mode == "bus":
            yield from _bus_times(f, trip)


def _night_ban(f: _Facts, plan: Plan) -> Iterator[Violation]:
    """3 (coach driving rules): with the night ban on, no bus leaves its hub inside the
    ban, nor reaches a stop or its hub by a leg of road inside it (arriving at the
    ban's start is driving before it; arriving at its end is driving in it). A bus
    may stand during the ban: its ETAs only say when it arrives."""
    policy = f.request.policy
    if not policy.night_driving_ban:
        return
    ban = (policy.night_ban_from.hour * 60 + policy.night_ban_from.minute,
           policy.night_ban_until.hour * 60 + policy.night_ban_until.minute)
    span = f"{policy.night_ban_from:%H:%M}–{policy.night_ban_until:%H:%M}"

    def clock(moment: datetime) -> int:
        local = f.local(moment)
        return local.hour * 60 + local.minute

    for trip in plan.trips:
        if trip.mode != "bus":
            continue
        if _in(clock(trip.departure), ban):
            yield Violation(3, f"trip {trip.id}", f"leaves {trip.hub} at "
                            f"{f.local(trip.departure):%H:%M}, inside the night ban {span}")
        places = [trip.hub] + [s.place for s in trip.stops] + [trip.hub]
        arrivals = [s.eta for s in trip.stops] + [trip.back_at_hub]
        for here, there, when in zip(places[:-1], places[1:], arrivals, strict=True):
            if here == there or here not in f.coords or there not in f.coords:
                continue  # no road driven (unknown places are reported with the times)
            if f.leg_minutes(here, there, generous=False) > 0 and _in(
                    (clock(when) - 1) % 1440, ban):
                yield Violation(3, f"trip {trip.id}", f"reaches {there} at "
                                f"{f.local(when):%H:%M}, driving inside the night ban {span}")


def _bus_times(f: _Facts, trip: Trip) -> Iterator[Violation]:
    """ETAs no sooner than the road and the coach driving rules allow."""
    places = [trip.hub] + [s.place for s in trip.stops]
    unknown = [p for p in places if p not in f.coords]
    if unknown:
        yield Violation(3, f"trip {trip.id}", f"stop at unknown place {unknown[0]!r}")
        return
    policy = f.request.policy
    start = f.local(trip.departure)

    def timed(generous: bool) -> tuple[int, ...]:
        legs = [(f.leg_minutes(a, b, generous),
                 0 if i == 0 and b == trip.hub else policy.stop_minutes)  # boarding at the hub
                for i, (a, b) in enumerate(itertools.pairwise(places))]
        legs.append((f.leg_minutes(places[-1], trip.hub, generous), 0))
        return _earliest_arrivals(_Rules.of(policy), start.hour * 60 + start.minute,
                                  tuple(legs), trip.drivers)

    # The rules are not monotone in the legs: on legs 1 % shorter a rest can fall so
    # that a later stop is reached later than on the planner's own legs (the road on
    # a sphere). Either timing is one the rules allow, so a stop is early only when it
    # beats both.
    earliest = [min(a, b) for a, b in zip(timed(True), timed(False), strict=True)]
    km = 0.0
    for stop, here, there, minutes in zip(trip.stops, places, places[1:], earliest,
                                          strict=False):
        km += f.road(here, there)
        if stop.eta < trip.departure + timedelta(minutes=minutes):
            yield Violation(3, f"trip {trip.id}", f"reaches {stop.place} at "
                            f"{stop.eta.isoformat()}, sooner than {km:.0f} road km allow "
                            "under the coach driving rules")
    if trip.back_at_hub < trip.departure + timedelta(minutes=earliest[-1]):
        yield Violation(3, f"trip {trip.id}", "back at the hub sooner than the road and "
                        "the coach driving rules allow")


@dataclass(frozen=True)
class _Rules:
    """The policy's coach driving rules in minutes of the day; None when switched off."""

    ban: tuple[int, int] | None
    night: tuple[int, int]
    spells: tuple[int, int] | None
    rest: int
    daily: int | None
    change: int

    @classmethod
    def of(cls, policy: Policy) -> _Rules:
        def clock(t: time) -> int:
            return t.hour * 60 + t.minute
        return cls(
            ban=(clock(policy.night_ban_from), clock(policy.night_ban_until))
            if policy.night_driving_ban else None,
            night=(clock(policy.night_from), clock(policy.night_until)),
            spells=(round(policy.max_continuous_day_hours * 60),
                    round(policy.max_continuous_night_hours * 60))
            if policy.continuous_driving_limit else None,
            rest=policy.min_rest_minutes,
            daily=round(policy.max_daily_driving_hours * 60)
            if policy.daily_driving_limit else None,
            change=policy.driver_change_minutes,
        )


def _in(clock: int, span: tuple[int, int]) -> bool:
    start, end = span
    return start <= clock < end if start <= end else clock >= start or clock < end


@dataclass
class _Wheel:
    """One driver, minute by minute: when they drove, their spell, how long idle."""

    driven: list[int] = field(default_factory=list)
    spell: int = 0
    idle: int = 10**9


@cache
def _earliest_arrivals(rules: _Rules, clock: int, legs: tuple[tuple[int, int], ...],
                       drivers: int) -> tuple[int, ...]:
    """Minutes after departure (at minute ``clock`` of the day) at which a bus driving
    as early as the rules allow ends each leg; simulated minute by minute."""
    crew = [_Wheel() for _ in range(max(1, drivers))]
    wheel, t, ends = 0, 0, []

    def may_drive(who: _Wheel, at: int, idle: int) -> bool:
        spell = 0 if idle >= rules.rest else who.spell
        if rules.spells is not None:
            limit = rules.spells[1] if _in((clock + at) % 1440, rules.night) else rules.spells[0]
            if spell + 1 > limit:
                return False
        if rules.daily is not None:
            recent = len(who.driven) - bisect.bisect_right(who.driven, at - 1440)
            if recent + 1 > rules.daily:
                return False
        return True

    def pause(minutes: int) -> None:
        nonlocal t
        t += minutes
        for who in crew:
            who.idle += minutes

    for minutes, dwell in legs:
        left = minutes
        while left > 0:
            if rules.ban is not None and _in((clock + t) % 1440, rules.ban):
                pause(1)
                continue
            who = crew[wheel]
            if may_drive(who, t, who.idle):
                if who.idle >= rules.rest:
                    who.spell = 0
                who.driven.append(t)
                who.spell += 1
                for other in crew:
                    other.idle += 1
                who.idle = 0
                t += 1
                left -= 1
                continue
            relief = next((k for k in range(1, len(crew)) if may_drive(
                crew[(wheel + k) % len(crew)], t + rules.change,
                crew[(wheel + k) % len(crew)].idle + rules.change)), None)
            if relief is not None:
                wheel = (wheel + relief) % len(crew)
                pause(rules.change)
            else:
                pause(1)
        ends.append(t)
        pause(dwell)
    return tuple(ends)


def _capacity(f: _Facts, plan: Plan) -> Iterator[Violation]:
    """4: seats within floor(seats × load factor) − reserved; vehicle types exist."""
    for trip in plan.trips:
        if trip.mode == "bus":
            bus = f.bus_types.get(trip.vehicle_type)
            if bus is None:
                yield Violation(4, f"trip {trip.id}", f"unknown bus type {trip.vehicle_type!r}")
                continue
            limit = math.floor(bus.seats * bus.load_factor + 1e-9) - bus.reserved_seats
            if bus.hub is not None and bus.hub != trip.hub:
                yield Violation(4, f"trip {trip.id}", f"bus type {bus.id} runs only from "
                                f"{bus.hub}, not {trip.hub}")
            hub = f.hubs.get(trip.hub)
            if hub is None or hub.kind != "bus_station":
                yield Violation(4, f"trip {trip.id}", f"{trip.hub!r} is not a bus station")
        else:
            service = f.services.get(trip.vehicle_type)
            if service is None:
                yield Violation(4, f"trip {trip.id}", f"unknown rail service {trip.vehicle_type!r}")
                continue
            limit = math.floor(service.seats_per_carriage * service.load_factor + 1e-9)
        if len(trip.passengers) > limit:
            yield Violation(4, f"trip {trip.id}",
                            f"carries {len(trip.passengers)} passengers, more than {limit}")


def _staff(f: _Facts, plan: Plan) -> Iterator[Violation]:
    """5: one escort and one medic, different, qualified, available, never overlapping."""
    rest = timedelta(hours=f.request.policy.staff_rest_hours)
    busy: dict[str, list[tuple[datetime, datetime, str]]] = defaultdict(list)
    for trip in plan.trips:
        if trip.escort == trip.medic and trip.escort:
            yield Violation(5, f"trip {trip.id}", f"{trip.escort} is both escort and medic")
        for role, person_id in (("escort", trip.escort), ("medic", trip.medic)):
            person = f.staff.get(person_id)
            if not person_id:
                yield Violation(5, f"trip {trip.id}", f"has no {role}")
                continue
            if person is None:
                yield Violation(5, f"trip {trip.id}", f"unknown {role} {person_id!r}")
                continue
            if role not in person.roles:
                yield Violation(5, f"trip {trip.id}", f"{role} {person_id} lacks the role")
            if person.available_from > trip.departure or trip.back_at_hub > person.available_until:
                yield Violation(5, f"trip {trip.id}",
                                f"{role} {person_id} is not available for the whole trip")
            if person.hub is not None and person.hub != trip.hub:
                yield Violation(5, f"trip {trip.id}", f"{role} {person_id} serves {person.hub}")
            busy[person_id].append((trip.departure, trip.back_at_hub + rest, trip.id))
    for person_id, spans in busy.items():
        spans.sort()
        for (_, end, first), (start, _, second) in itertools.pairwise(spans):
            if start < end:
                yield Violation(5, f"staff {person_id}",
                                f"on trips {first} and {second}, which overlap with rest")


def _crew(f: _Facts, plan: Plan) -> Iterator[Violation]:
    """6: captain and deputy are two different passengers of the trip."""
    for trip in plan.trips:
        if trip.captain == trip.deputy_captain and trip.captain:
            yield Violation(6, f"trip {trip.id}", "captain and deputy are the same person")
        for role, worker in (("captain", trip.captain), ("deputy", trip.deputy_captain)):
            if not worker:
                yield Violation(6, f"trip {trip.id}", f"has no {role}")
            elif worker not in trip.passengers:
                yield Violation(6, f"trip {trip.id}", f"{role} {worker} is not a passenger")


def _slots(f: _Facts, plan: Plan) -> Iterator[Violation]:
    """7: departures inside opening hours; no slot over its limit."""
    per_slot: Counter[tuple[str, date, int]] = Counter()
    counted: set[tuple[str, str, datetime]] = set()
    for trip in plan.trips:
        hub = f.hubs.get(trip.hub)
        if hub is None:
            yield Violation(7, f"trip {trip.id}", f"unknown hub {trip.hub!r}")
            continue
        local = f.local(trip.departure)
        if not hub.open <= local.time() <= hub.close:
            yield Violation(7, f"trip {trip.id}", f"leaves {local:%H:%M}, outside "
                            f"{hub.open:%H:%M}–{hub.close:%H:%M} at {hub.id}")
            continue
        key = (trip.hub, trip.vehicle_type, trip.departure)
        if trip.mode == "rail":
            if key in counted:
                continue
            counted.add(key)
        opening = datetime.combine(local.date(), hub.open, tzinfo=f.zone)
        slot = int((local - opening).total_seconds() // 60) // hub.slot_minutes
        per_slot[trip.hub, local.date(), slot] += 1
    for (hub_id, day, slot), count in per_slot.items():
        limit = f.hubs[hub_id].max_departures_per_slot
        if count > limit:
            yield Violation(7, f"hub {hub_id}",
                            f"{count} departures in slot {slot} of {day}, more than {limit}")


def _fleet(f: _Facts, plan: Plan) -> Iterator[Violation]:
    """8: buses per type and day within the fleet; carriages within each train."""
    per_day = Counter((t.vehicle_type, f.local(t.departure).date())
                      for t in plan.trips if t.mode == "bus")
    for (kind, day), count in per_day.items():
        bus = f.bus_types.get(kind)
        if bus is not None and count > bus.available_per_day:
            yield Violation(8, f"bus type {kind}", f"{count} departures on {day}, "
                            f"more than {bus.available_per_day}")
    carriages: dict[str, list[int | None]] = defaultdict(list)
    for trip in plan.trips:
        if trip.mode == "rail":
            carriages[trip.vehicle_type].append(trip.carriage)
    for service_id, used in carriages.items():
        service = f.services.get(service_id)
        if service is None:
            continue
        if len(used) != len(set(used)) or any(
                c is None or not 1 <= c <= service.carriages for c in used):
            yield Violation(8, f"rail service {service_id}",
                            f"carriages {sorted(c or 0 for c in used)} are not distinct "
                            f"numbers in 1..{service.carriages}")


def _groups(f: _Facts, plan: Plan) -> Iterator[Violation]:
    """9: a group rides one trip, or is unassigned whole with one reason."""
    trip_of = {w: t.id for t, w in _riders(plan)}
    reason_of = {u.worker: u.reason for u in plan.unassigned}
    groups: dict[str, list[str]] = defaultdict(list)
    for worker in f.request.workers:
        if worker.group is not None:
            groups[worker.group].append(worker.id)
    for name, members in groups.items():
        outcomes = {trip_of.get(w) or f"unassigned:{reason_of.get(w)}" for w in members}
        if len(outcomes) > 1:
            yield Violation(9, f"group {name}", f"members split: {sorted(outcomes)}")


def _boarding(f: _Facts, plan: Plan) -> Iterator[Violation]:
    """10 (door to door): a bus rider with a pickup point boards there (unless the
    policy has every worker gather at the hub), or at the hub when the policy lets door
    to door fall back to it (``pickup_fallback_to_hub``); one without a point boards at
    the hub; a bus calls at no more pickup points than the policy allows, and no rider
    rides more than ``max_detour_km`` beyond the direct road. Feeders are buses too;
    their riders may also all board at the hub."""
    policy = f.request.policy
    for trip in plan.trips:
        if trip.mode != "bus":
            continue
        points = [s.place for s in trip.stops if s.kind == "pickup" and s.place != trip.hub]
        if len(points) > policy.max_pickups_per_bus:
            yield Violation(10, f"trip {trip.id}", f"calls at {len(points)} pickup points, "
                            f"more than {policy.max_pickups_per_bus}")
        path = [trip.hub] + [s.place for s in trip.stops]
        if any(place not in f.coords for place in path):
            continue  # reported with the times
        along = [0.0, *itertools.accumulate(f.road(a, b) for a, b in itertools.pairwise(path))]
        board = {w: i for i, s in enumerate(trip.stops, 1) if s.kind == "pickup"
                 for w in s.workers}
        alight = {w: i for i, s in enumerate(trip.stops, 1) if s.kind == "dropoff"
                  for w in s.workers}
        for worker_id in trip.passengers:
            worker = f.workers.get(worker_id)
            if worker is None or worker_id not in board or worker_id not in alight:
                continue
            point = worker.pickup_point if policy.door_to_door else None
            allowed = ({point, trip.hub} if point and policy.pickup_fallback_to_hub
                       else {point or trip.hub})
            start, end = board[worker_id], alight[worker_id]
            if path[start] not in allowed and not (trip.feeder and path[start] == trip.hub):
                yield Violation(10, f"trip {trip.id}", f"{worker_id} boards at {path[start]}, "
                                f"not at {' or '.join(sorted(allowed))}")
            detour = along[end] - along[start] - f.road(path[start], path[end])
            if detour > policy.max_detour_km * (1 + TOLERANCE) + 0.1:
                yield Violation(10, f"trip {trip.id}", f"{worker_id} rides {detour:.0f} km "
                                f"beyond the direct road, more than {policy.max_detour_km}")


def _dropoffs(f: _Facts, plan: Plan) -> Iterator[Violation]:
    """10: a bus rider alights at their destination, a rail rider at the stop serving
    it (a destination no stop serves goes by bus), a feeder rider at a rail station
    (their train's: see :func:`_feeders`)."""
    stations = {h.id for h in f.request.hubs if h.kind == "rail_station"}
    for trip in plan.trips:
        where = {w: s.place for s in trip.stops if s.kind == "dropoff" for w in s.workers}
        for worker_id in trip.passengers:
            worker = f.workers.get(worker_id)
            place = where.get(worker_id)
            if worker is None or place is None:
                continue
            if trip.feeder:
                if place not in stations:
                    yield Violation(10, f"trip {trip.id}", f"feeder rider {worker_id} "
                                    f"alights at {place}, not at a rail station")
                continue
            expected = (f.serving(worker.destination) if trip.mode == "rail"
                        else worker.destination)
            if expected is None:
                yield Violation(10, f"trip {trip.id}", f"{worker_id} rides rail, but no stop "
                                f"within {f.request.policy.rail_radius_km} km serves "
                                f"{worker.destination}")
            elif place != expected:
                yield Violation(10, f"trip {trip.id}",
                                f"{worker_id} alights at {place}, not at {expected}")


def _on_time(eta: datetime, when: datetime) -> bool:
    """``eta`` is ``when`` to the minute: a plan writes minutes, and may round either way."""
    start, end = when.timestamp() / 60, eta.timestamp() / 60
    return math.floor(start) <= end <= math.ceil(start)


def _rail(f: _Facts, plan: Plan) -> Iterator[Violation]:
    """0 and 3: each carriage follows its service: it leaves the service's hub at its
    departure with every rider boarding there, calls at the service's stops in their
    order at their arrival times, costs a carriage, has no driver, is no feeder, runs at
    least the great-circle km of its calls, and is back (escort and medic by train) no
    sooner than the ride out takes."""
    for trip in plan.trips:
        service = f.services.get(trip.vehicle_type)
        if trip.mode == "rail" and service is not None:  # unknown: reported as capacity
            yield from _carriage(f, trip, service)


def _carriage(f: _Facts, trip: Trip, service: RailService) -> Iterator[Violation]:
    """One carriage against its service (see the rail contract of :func:`_rail`)."""
    subject = f"trip {trip.id}"
    if trip.hub != service.hub:
        yield Violation(0, subject, f"hub {trip.hub}, but {service.id} leaves {service.hub}")
    if trip.feeder or trip.drivers != 0:
        yield Violation(0, subject, f"a carriage is no feeder and has no drivers (got "
                        f"feeder={trip.feeder}, drivers={trip.drivers})")
    if abs(trip.cost - service.cost_per_carriage) > 0.01:
        yield Violation(0, subject, f"cost {trip.cost} is not {service.cost_per_carriage}")
    if not _on_time(trip.departure, service.departure):
        yield Violation(3, subject, f"leaves {trip.departure.isoformat()}, but {service.id} "
                        f"leaves {service.departure.isoformat()}")
    first = trip.stops[0] if trip.stops else None
    if (first is None or first.kind != "pickup" or first.place != service.hub
            or set(first.workers) != set(trip.passengers)
            or not _on_time(first.eta, service.departure)):
        yield Violation(0, subject, f"does not start with every passenger boarding at "
                        f"{service.hub} at the departure")
    calls = {s.id: (index, s) for index, s in enumerate(service.stops)}
    order: list[int] = []
    for stop in trip.stops[1:]:
        call = calls.get(stop.place) if stop.kind == "dropoff" else None
        if call is None:
            yield Violation(0, subject, f"{stop.kind} at {stop.place}, which is no drop-off "
                            f"at a stop of {service.id}")
            continue
        index, rail_stop = call
        order.append(index)
        if not _on_time(stop.eta, rail_stop.arrival):
            yield Violation(3, subject, f"reaches {stop.place} at {stop.eta.isoformat()}, "
                            f"but {service.id} arrives {rail_stop.arrival.isoformat()}")
    if any(b <= a for a, b in itertools.pairwise(order)):
        yield Violation(0, subject, f"drop-offs are not in the order {service.id} calls")
    if trip.back_at_hub < trip.arrival + (trip.arrival - trip.departure):
        yield Violation(3, subject, "back at the hub sooner than the train takes to return")
    hub = f.hubs.get(service.hub)
    path = ([] if hub is None else [(hub.lat, hub.lon)]) + [
        (service.stops[i].lat, service.stops[i].lon) for i in order]
    km = sum(float(geodesic(a, b).km) for a, b in itertools.pairwise(path))
    if trip.distance_km < km * (1 - TOLERANCE):
        yield Violation(0, subject,
                        f"distance {trip.distance_km} km is under the line's {km:.1f}")


def _consistency(f: _Facts, plan: Plan) -> Iterator[Violation]:
    """0: ids, costs, distances, convoys and summary agree with the trips."""
    ids = Counter(t.id for t in plan.trips)
    for trip_id, count in ids.items():
        if count > 1:
            yield Violation(0, f"trip {trip_id}", f"id used {count} times")
    for trip in plan.trips:
        bus = f.bus_types.get(trip.vehicle_type)
        if trip.mode == "bus" and bus is not None:
            cost = (bus.fixed_cost + bus.cost_per_km * trip.distance_km
                    + (trip.drivers - 1) * f.request.policy.cost_per_extra_driver)
            if abs(trip.cost - cost) > 0.01 + 1e-6 * cost:
                yield Violation(0, f"trip {trip.id}", f"cost {trip.cost} is not {cost:.2f}")
            places = [trip.hub] + [s.place for s in trip.stops if s.place in f.coords]
            km = sum(f.road(a, b) for a, b in zip(places, [*places[1:], trip.hub],
                                                   strict=True))
            if trip.distance_km < km * (1 - TOLERANCE):
                yield Violation(0, f"trip {trip.id}",
                                f"distance {trip.distance_km} km is under the route's {km:.1f}")


def _driver_counts(f: _Facts, plan: Plan) -> Iterator[Violation]:
    """0: each bus of a known type has as many drivers as its outward journey needs."""
    for trip in plan.trips:
        if trip.mode == "bus" and trip.vehicle_type in f.bus_types:
            yield from _drivers(f, trip)


def _drivers(f: _Facts, trip: Trip) -> Iterator[Violation]:
    """Two drivers exactly when the outward journey is longer than the policy allows
    one driver (when that rule is on), else one."""
    policy = f.request.policy
    places = [trip.hub] + [s.place for s in trip.stops if s.place in f.coords]
    outward = sum(f.road(a, b) for a, b in itertools.pairwise(places))
    limit = policy.two_drivers_above_km
    if policy.two_drivers and outward > limit * (1 + TOLERANCE):
        needed = {2}
    elif policy.two_drivers and outward >= limit * (1 - TOLERANCE):
        needed = {1, 2}  # too close to the limit to tell on a different Earth model
    else:
        needed = {1}
    if trip.drivers not in needed:
        yield Violation(0, f"trip {trip.id}", f"has {trip.drivers} drivers for an outward "
                        f"journey of {outward:.0f} road km; expected {min(needed)}")


def _convoys(f: _Facts, plan: Plan) -> Iterator[Violation]:
    """0: convoys list known trips, trips name the convoy that lists them, and each
    convoy's leader escorts one of its trips."""
    trips = {t.id: t for t in plan.trips}
    listed: dict[str, str] = {}
    for convoy in plan.convoys:
        for trip_id in convoy.trips:
            listed[trip_id] = convoy.id
            if trip_id not in trips:
                yield Violation(0, f"convoy {convoy.id}", f"lists unknown trip {trip_id}")
        if not convoy.leader:
            yield Violation(0, f"convoy {convoy.id}", "has no leader")
        elif convoy.leader not in {trips[t].escort for t in convoy.trips if t in trips}:
            yield Violation(0, f"convoy {convoy.id}",
                            f"leader {convoy.leader} escorts none of its trips")
    for trip in plan.trips:
        if trip.convoy != listed.get(trip.id):
            yield Violation(0, f"trip {trip.id}", f"convoy {trip.convoy} does not list it")


def _moved(f: _Facts, plan: Plan) -> int | None:
    """Door to door: riders registered at a pickup point whom no bus collects there
    (they board at the hub); None without door to door."""
    if not f.request.policy.door_to_door:
        return None
    collected = {w for t in plan.trips if t.mode == "bus" for s in t.stops
                 if s.kind == "pickup" for w in s.workers
                 if (worker := f.workers.get(w)) is not None and worker.pickup_point == s.place}
    return sum(1 for _, w in _riders(plan) if w not in collected
               and (worker := f.workers.get(w)) is not None and worker.pickup_point)


def _summary(f: _Facts, plan: Plan) -> Iterator[Violation]:
    """0: the summary and its trains agree with the trips."""
    s = plan.summary
    riders = sum(1 for _ in _riders(plan))
    reasons = Counter(u.reason.value for u in plan.unassigned)
    modes = Counter(t.mode for t in plan.trips)
    cost = sum(t.cost for t in plan.trips)
    km = sum(t.distance_km for t in plan.trips)
    checks = [
        (s.workers == len(f.request.workers), f"workers {s.workers}"),
        (s.assigned == riders, f"assigned {s.assigned} but {riders} ride"),
        (s.unassigned == len(plan.unassigned), f"unassigned {s.unassigned}"),
        (s.unassigned_by_reason == dict(reasons), "unassigned_by_reason disagrees"),
        (s.trips_by_mode == dict(modes), "trips_by_mode disagrees"),
        (abs(s.total_cost - cost) <= 0.01 * (1 + len(plan.trips)), "total_cost disagrees"),
        (abs(s.total_km - km) <= 0.1 * (1 + len(plan.trips)), "total_km disagrees"),
        (not plan.trips or s.lower_bound_cost <= s.total_cost + 0.01,
         f"lower bound {s.lower_bound_cost} above the cost {s.total_cost}"),
        (s.moved_to_hub == (moved := _moved(f, plan)),
         f"moved_to_hub {s.moved_to_hub}, but {moved} riders with a pickup point do not "
         "board there" if moved is not None else "moved_to_hub without door to door"),
    ]
    for ok, message in checks:
        if not ok:
            yield Violation(0, "summary", message)
    yield from _trains_summary(plan, f)


def _trains_summary(plan: Plan, f: _Facts) -> Iterator[Violation]:
    """0: ``summary.trains`` has one entry per service used, in request order, that
    agrees with the service and with its carriages."""
    carriages: dict[str, list[Trip]] = defaultdict(list)
    for trip in plan.trips:
        if trip.mode == "rail":
            carriages[trip.vehicle_type].append(trip)
    order = [r.id for r in f.request.rail_services if r.id in carriages]
    listed = [t.service for t in plan.summary.trains]
    if listed != order:
        yield Violation(0, "summary", f"trains lists services {listed}, but the carriages "
                        f"use {order}")
    for train in plan.summary.trains:
        service, used = f.services.get(train.service), carriages.get(train.service, [])
        if service is None:
            yield Violation(0, "summary", f"train of unknown service {train.service!r}")
            continue
        cost = sum(t.cost for t in used)
        checks = [
            (train.hub == service.hub, f"hub {train.hub}, not {service.hub}"),
            (_on_time(train.departure, service.departure),
             f"departure {train.departure.isoformat()}, not {service.departure.isoformat()}"),
            (train.carriages == service.carriages,
             f"carriages {train.carriages}, not {service.carriages}"),
            (train.carriages_used == len(used),
             f"carriages_used {train.carriages_used}, but {len(used)} carriages run"),
            (train.riders == sum(len(t.passengers) for t in used),
             f"riders {train.riders}, but {sum(len(t.passengers) for t in used)} ride"),
            (abs(train.cost - cost) <= 0.01 * (1 + len(used)),
             f"cost {train.cost}, but its carriages cost {cost:.2f}"),
        ]
        for ok, message in checks:
            if not ok:
                yield Violation(0, f"summary train {train.service}", message)


FAMILIES: tuple[str, ...] = tuple(name for name, _ in _families())
"""The names of the families of checks, in the order :func:`check_plan` runs them."""
