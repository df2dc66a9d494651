"""SPEC §5.5 (an escort and a medic per trip, available, never on overlapping trips)
and §5.6 (captain and deputy, two passengers of the trip)."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta

from charterplan.check._facts import Facts, Violation, feeds_hub
from charterplan.model import (
    Plan,
    Trip,
)

__all__ = ["check_crew", "check_staff"]


def check_staff(f: Facts, plan: Plan) -> Iterator[Violation]:
    """5: one escort and one medic, different, qualified, available, never overlapping.
    The crew of a county feeder that goes on with its riders on one of their buses
    (they collect them at the pickup points) has one duty, from the feeder's departure
    until that bus is back and they have rested."""
    rest = timedelta(hours=f.request.policy.staff_rest_hours)
    busy: dict[str, list[tuple[datetime, datetime, str]]] = defaultdict(list)
    starts = _duty_starts(plan)
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
            if trip.id in starts:  # else the feeder's crew goes on with a bus
                busy[person_id].append((starts[trip.id], trip.back_at_hub + rest, trip.id))
    for person_id, spans in busy.items():
        spans.sort()
        for (_, end, first), (start, _, second) in itertools.pairwise(spans):
            if start < end:
                yield Violation(5, f"staff {person_id}",
                                f"on trips {first} and {second}, which overlap with rest")


def _duty_starts(plan: Plan) -> dict[str, datetime]:
    """When each trip's crew is on duty from: its departure, or the departure of the
    county feeder whose crew goes on with it. A feeder whose crew goes on with a bus
    of its riders is no duty of its own, so it has no entry."""
    starts = {t.id: t.departure for t in plan.trips}
    onward: dict[str, list[Trip]] = defaultdict(list)
    for trip in plan.trips:
        if trip.mode == "bus" and not feeds_hub(trip):
            for worker in trip.passengers:
                onward[worker].append(trip)
    for feeder in (t for t in plan.trips if feeds_hub(t)):
        ahead = sorted({b.id: b for w in feeder.passengers for b in onward.get(w, ())
                        if (b.escort, b.medic) == (feeder.escort, feeder.medic)
                        and b.departure >= feeder.back_at_hub}.values(),
                       key=lambda b: (b.departure, b.id))
        if ahead:
            del starts[feeder.id]
            starts[ahead[0].id] = min(starts[ahead[0].id], feeder.departure)
    return starts


def check_crew(f: Facts, plan: Plan) -> Iterator[Violation]:
    """6: captain and deputy are two different passengers of the trip."""
    for trip in plan.trips:
        if trip.captain == trip.deputy_captain and trip.captain:
            yield Violation(6, f"trip {trip.id}", "captain and deputy are the same person")
        for role, worker in (("captain", trip.captain), ("deputy", trip.deputy_captain)):
            if not worker:
                yield Violation(6, f"trip {trip.id}", f"has no {role}")
            elif worker not in trip.passengers:
                yield Violation(6, f"trip {trip.id}", f"{role} {worker} is not a passenger")
