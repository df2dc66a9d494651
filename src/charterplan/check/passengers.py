"""SPEC §5.1 (every worker once; feeder riders on their train) and §5.9 (groups
travel together or are left together)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from datetime import timedelta

from charterplan.check._facts import Facts, Violation, feeds_hub, rail_trips_of, riders_of
from charterplan.model import (
    Plan,
    Trip,
)

__all__ = ["check_everyone_once", "check_feeders", "check_groups"]


def check_everyone_once(f: Facts, plan: Plan) -> Iterator[Violation]:
    """1: each worker once, in a non-feeder trip or in unassigned; stops match riders."""
    seen = Counter(w for _, w in riders_of(plan)) + Counter(u.worker for u in plan.unassigned)
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


def check_feeders(f: Facts, plan: Plan) -> Iterator[Violation]:
    """1: a rail feeder's rider rides exactly one rail trip, which leaves the station
    the feeder drops them at no sooner than the boarding cut-off after; a county
    feeder's rider rides exactly one bus (a long-haul bus or a rail feeder) from the
    hub it drops them at, leaving at least ``feeder_connection_minutes`` after. Nobody
    rides two feeders of one kind."""
    trains = rail_trips_of(plan)
    cutoff = timedelta(minutes=f.request.policy.rail_cutoff_minutes)
    rail_feeders: Counter[str] = Counter()
    county: Counter[str] = Counter()
    buses_of: dict[str, list[Trip]] = defaultdict(list)
    for trip in plan.trips:
        if trip.mode == "bus" and not feeds_hub(trip):
            for worker in trip.passengers:
                buses_of[worker].append(trip)
    connection = timedelta(minutes=f.request.policy.feeder_connection_minutes)
    for feeder in (t for t in plan.trips if t.feeder):
        (county if feeds_hub(feeder) else rail_feeders).update(set(feeder.passengers))
        if feeds_hub(feeder):
            yield from _onward(feeder, buses_of, connection, "county feeder rider", "buses",
                               "bus", "feeder_connection_minutes", f, at_hub=True)
        else:
            yield from _onward(feeder, trains, cutoff, "feeder rider", "rail trips", "train",
                               "rail_cutoff_minutes", f, at_hub=False)
    for kind, counts in (("feeders", rail_feeders), ("county feeders", county)):
        for worker, count in counts.items():
            if count > 1:
                yield Violation(1, f"worker {worker}", f"rides {count} {kind}")


def _onward(feeder: Trip, onward_of: Mapping[str, list[Trip]], wait: timedelta, rider: str,
            vehicles: str, vehicle: str, setting: str, f: Facts, *, at_hub: bool) -> (
        Iterator[Violation]):
    """1: each rider ``feeder`` drops goes on by exactly one trip of ``onward_of`` (trains
    for a rail feeder, buses for a county feeder, whose riders alight at its own hub),
    leaving from where they alight at least ``wait`` (policy ``setting``) after."""
    where = {w: s for s in feeder.stops if s.kind == "dropoff" for w in s.workers}
    for worker in feeder.passengers:
        stop = where.get(worker)
        if stop is None:
            continue  # reported as a missing drop-off
        onward = onward_of.get(worker, [])
        if len(onward) != 1:
            verb = "goes on by" if at_hub else "rides"
            yield Violation(1, f"trip {feeder.id}", f"{rider} {worker} {verb} "
                            f"{len(onward)} {vehicles}, not one")
            continue
        (trip,) = onward
        if trip.hub != stop.place or (at_hub and stop.place != feeder.hub):
            yield Violation(1, f"trip {feeder.id}", f"{rider} {worker} alights at "
                            f"{stop.place}, but their {vehicle} {trip.id} leaves {trip.hub}")
        elif trip.departure < stop.eta + wait:
            yield Violation(1, f"trip {feeder.id}", f"{rider} {worker} reaches "
                            f"{stop.place} at {stop.eta.isoformat()}, less than "
                            f"{getattr(f.request.policy, setting)} min before "
                            f"{'their ' if at_hub else ''}{vehicle} "
                            f"{trip.id} leaves at {trip.departure.isoformat()}")


def check_groups(f: Facts, plan: Plan) -> Iterator[Violation]:
    """9: a group rides one trip, or is unassigned whole with one reason."""
    trip_of = {w: t.id for t, w in riders_of(plan)}
    reason_of = {u.worker: u.reason for u in plan.unassigned}
    groups: dict[str, list[str]] = defaultdict(list)
    for worker in f.request.workers:
        if worker.group is not None:
            groups[worker.group].append(worker.id)
    for name, members in groups.items():
        outcomes = {trip_of.get(w) or f"unassigned:{reason_of.get(w)}" for w in members}
        if len(outcomes) > 1:
            yield Violation(9, f"group {name}", f"members split: {sorted(outcomes)}")
