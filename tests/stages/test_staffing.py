"""Staffing: the departure-order pass chooses exactly what the reference scan chooses."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from charterplan.model import Staff
from charterplan.stages.staffing import Duty, _Person, _staff_by_time, _staff_in

HUBS = ("A", "B")


@st.composite
def _people(draw: st.DrawFn) -> list[_Person]:
    people = []
    for n in range(draw(st.integers(0, 12))):
        roles = draw(st.sampled_from([["escort"], ["medic"], ["escort", "medic"]]))
        start = draw(st.integers(0, 3000))
        end = start + draw(st.integers(0, 6000))
        hub = draw(st.sampled_from((None, *HUBS)))
        staff = Staff(id=f"S{n:02d}", name=f"S{n}", roles=roles,
                      available_from="2020-02-01", available_until="2020-02-09")
        people.append(_Person(staff, start, end, hub))
    return people


@st.composite
def _duties(draw: st.DrawFn) -> list[Duty]:
    duties = []
    for _ in range(draw(st.integers(0, 25))):
        departure = draw(st.integers(0, 6000))
        back = departure + draw(st.integers(1, 1500))
        duties.append(Duty(draw(st.sampled_from(HUBS)), departure, back, 0, 1))
    return duties


@settings(max_examples=300, deadline=None)
@given(_people(), _duties(), st.integers(0, 720))
def test_departure_order_pass_matches_the_reference_scan(
        people: list[_Person], duties: list[Duty], rest: int) -> None:
    """The heap-based pass is a speed-up of scanning every person for every trip in
    departure order, never a different answer: availability, hubs, rest and people
    holding both roles included."""
    order = sorted(range(len(duties)), key=lambda i: (duties[i].departure, i))
    assert _staff_by_time(duties, people, rest) == _staff_in(order, duties, people, rest)


def _naive(order: list[int], duties: list[Duty], people: list[_Person], rest: int) -> (
        list[tuple[str, str] | None]):
    """Every person checked for every trip: the definition the fast passes must meet."""
    busy: list[list[tuple[int, int]]] = [[] for _ in people]
    crew: list[tuple[str, str] | None] = [None] * len(duties)

    def pick(duty: Duty, end: int, role: str, besides: int | None) -> int | None:
        options = [i for i, p in enumerate(people)
                   if role in p.staff.roles and i != besides and p.hub in (None, duty.hub)
                   and p.start <= duty.departure and duty.back <= p.end
                   and all(e <= duty.departure or s >= end for s, e in busy[i])]
        return min(options, key=lambda i: (len(people[i].staff.roles) > 1, people[i].end,
                                           people[i].staff.id), default=None)

    for t in order:
        duty = duties[t]
        end = duty.back + rest
        escort = pick(duty, end, "escort", None)
        medic = None if escort is None else pick(duty, end, "medic", escort)
        if escort is not None and medic is not None:
            busy[escort].append((duty.departure, end))
            busy[medic].append((duty.departure, end))
            crew[t] = (people[escort].staff.id, people[medic].staff.id)
    return crew


@settings(max_examples=300, deadline=None)
@given(_people(), _duties(), st.integers(0, 720), st.randoms(use_true_random=False))
def test_any_order_pass_matches_checking_everybody(
        people: list[_Person], duties: list[Duty], rest: int, rng: Any) -> None:
    """The priority pass (any order) skips people on duty by its coarse map of time
    blocks, never somebody free: it chooses what checking every person chooses."""
    order = list(range(len(duties)))
    rng.shuffle(order)
    assert _staff_in(order, duties, people, rest) == _naive(order, duties, people, rest)
