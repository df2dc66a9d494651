"""SPEC §5.1 (every worker once; feeder riders on their train) and §5.9 (groups
travel together or are left together)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import timedelta

from charterplan.check._facts import Facts, Violation, rail_trips_of, riders_of
from charterplan.model import (
    Plan,
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
    """1: a feeder rider rides one feeder and then exactly one rail trip, which leaves
    the station the feeder drops them at no sooner than the boarding cut-off after."""
    trains = rail_trips_of(plan)
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
