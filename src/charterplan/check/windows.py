"""SPEC §5.2 (cleared on the departure date) and §5.3 (no earlier than the earliest
departure, at the destination by the latest arrival, timed under the driving rules)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime, timedelta

from charterplan.check._facts import Facts, Violation
from charterplan.check.driving import Rules, earliest_arrivals, within
from charterplan.model import (
    HealthStatus,
    Plan,
    Trip,
)

__all__ = ["check_bus_times", "check_cleared", "check_driving", "check_night_ban", "check_windows"]


def check_cleared(f: Facts, plan: Plan) -> Iterator[Violation]:
    """2: every passenger is cleared when they board (a feeder's riders on the
    feeder as well as on the train or bus they go on with)."""
    for trip in plan.trips:
        boards = {w: s.eta for s in trip.stops if s.kind == "pickup" for w in s.workers}
        for worker_id in trip.passengers:
            yield from _cleared(f, trip, worker_id, boards.get(worker_id, trip.departure))


def _cleared(f: Facts, trip: Trip, worker_id: str, when: datetime) -> Iterator[Violation]:
    """2: ``worker_id`` is cleared at ``when``, boarding ``trip``."""
    worker = f.workers.get(worker_id)
    if worker is None:
        return
    health = worker.health
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


def check_windows(f: Facts, plan: Plan) -> Iterator[Violation]:
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
        # a rider leaves when they board: a bus collecting at pickup points leaves its
        # hub before them, a county feeder leaves it empty
        boards = {w: s.eta for s in trip.stops if s.kind == "pickup" for w in s.workers}
        for worker_id in trip.passengers:
            worker = f.workers.get(worker_id)
            if worker is None:
                continue
            if boards.get(worker_id, trip.departure) < worker.earliest_departure:
                yield Violation(3, f"trip {trip.id}", f"{worker_id} leaves before their "
                                f"earliest departure {worker.earliest_departure.isoformat()}")
            stop = dropoff.get(worker_id)
            if stop is not None and stop.eta > worker.latest_arrival:
                yield Violation(3, f"trip {trip.id}", f"{worker_id} arrives {stop.eta.isoformat()}"
                                f", after {worker.latest_arrival.isoformat()}")


def check_driving(f: Facts, plan: Plan) -> Iterator[Violation]:
    """3: each bus reaches its stops and is back no sooner than the road and the coach
    driving rules allow."""
    for trip in plan.trips:
        if trip.mode == "bus":
            yield from check_bus_times(f, trip)


def check_night_ban(f: Facts, plan: Plan) -> Iterator[Violation]:
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
        if within(clock(trip.departure), ban):
            yield Violation(3, f"trip {trip.id}", f"leaves {trip.hub} at "
                            f"{f.local(trip.departure):%H:%M}, inside the night ban {span}")
        places = [trip.hub] + [s.place for s in trip.stops] + [trip.hub]
        arrivals = [s.eta for s in trip.stops] + [trip.back_at_hub]
        for here, there, when in zip(places[:-1], places[1:], arrivals, strict=True):
            if here == there or here not in f.coords or there not in f.coords:
                continue  # no road driven (unknown places are reported with the times)
            if f.leg_minutes(here, there, generous=False) > 0 and within(
                    (clock(when) - 1) % 1440, ban):
                yield Violation(3, f"trip {trip.id}", f"reaches {there} at "
                                f"{f.local(when):%H:%M}, driving inside the night ban {span}")


def check_bus_times(f: Facts, trip: Trip) -> Iterator[Violation]:
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
        return earliest_arrivals(Rules.of(policy), start.hour * 60 + start.minute,
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
