"""SPEC §5.5 (an escort and a medic per trip, available, never on overlapping trips)
and §5.6 (captain and deputy, two passengers of the trip)."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta

from charterplan.check._facts import Facts, Violation
from charterplan.model import (
    Plan,
)

__all__ = ["check_crew", "check_staff"]


def check_staff(f: Facts, plan: Plan) -> Iterator[Violation]:
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
