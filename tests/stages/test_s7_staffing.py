"""Staffing: the departure-order pass chooses exactly what the reference scan chooses;
the crew model never does worse than the passes and keeps every rule; on a short
roster the plan's crew rounds carry more."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from charterplan import parse_request, plan, replan
from charterplan.check import check_plan
from charterplan.model import Reason, Staff
from charterplan.samples import generate_request
from charterplan.solvers.staffing import Duty, Person, solve_crews
from charterplan.stages.s7_staffing import _loss, _staff_by_time, _staff_in
from tests.strategies import duties, staff_people


@settings(max_examples=300, deadline=None)
@given(staff_people(), duties(), st.integers(0, 720))
def test_departure_order_pass_matches_the_reference_scan(
        people: list[Person], duties: list[Duty], rest: int) -> None:
    """The heap-based pass is a speed-up of scanning every person for every trip in
    departure order, never a different answer: availability, hubs, rest and people
    holding both roles included."""
    order = sorted(range(len(duties)), key=lambda i: (duties[i].departure, i))
    assert _staff_by_time(duties, people, rest) == _staff_in(order, duties, people, rest)


def _naive(order: list[int], duties: list[Duty], people: list[Person], rest: int) -> (
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
@given(staff_people(), duties(), st.integers(0, 720), st.randoms(use_true_random=False))
def test_any_order_pass_matches_checking_everybody(
        people: list[Person], duties: list[Duty], rest: int, rng: Any) -> None:
    """The priority pass (any order) skips people on duty by its coarse map of time
    blocks, never somebody free: it chooses what checking every person chooses."""
    order = list(range(len(duties)))
    rng.shuffle(order)
    assert _staff_in(order, duties, people, rest) == _naive(order, duties, people, rest)


def _person(ident: str, roles: list[str], end: int, hub: str | None) -> Person:
    staff = Staff(id=ident, name=ident, roles=roles, available_from="2020-02-01",
                  available_until="2020-02-09")
    return Person(staff, 0, end, hub)


def test_the_crew_model_staffs_what_both_passes_leave() -> None:
    """Two trips leave at once from hubs A and B. Escort G may ride from either hub and
    is free until day 5, E only from A until day 10; both passes send the one leaving
    first (and carrying more) from A with G, whose availability ends first, and find
    nobody for B. The model sends E from A and G from B."""
    people = [_person("G", ["escort"], 5 * 1440, None), _person("E", ["escort"], 10 * 1440, "A"),
              _person("M1", ["medic"], 10 * 1440, None), _person("M2", ["medic"], 10 * 1440, None)]
    duties = [Duty("A", 600, 900, 0, 20), Duty("B", 610, 900, 0, 10)]
    by_time = _staff_by_time(duties, people, 0)
    assert by_time[1] is None and _staff_in([0, 1], duties, people, 0) == by_time
    crew = solve_crews(duties, people, 0, by_time, seed=0, time_limit_s=10)
    assert [c[0] if c else None for c in crew] == ["E", "G"]


@settings(max_examples=100, deadline=None)
@given(staff_people(), duties(), st.integers(0, 720))
def test_the_crew_model_keeps_every_rule_and_never_loses_to_the_passes(
        people: list[Person], duties: list[Duty], rest: int) -> None:
    """From the departure-order pass, the model's crews leave no more riders, and each
    is an escort and a different medic holding their roles, of the trip's hub or of
    none, available throughout, never on two duties (rest included) at once."""
    hint = _staff_by_time(duties, people, rest)
    crew = solve_crews(duties, people, rest, hint, seed=0, time_limit_s=10)
    assert _loss(duties, crew) <= _loss(duties, hint)
    by_id = {p.staff.id: p for p in people}
    busy: dict[str, list[tuple[int, int]]] = {}
    for duty, pair in zip(duties, crew, strict=True):
        if pair is None:
            continue
        assert pair[0] != pair[1]
        for ident, role in zip(pair, ("escort", "medic"), strict=True):
            person = by_id[ident]
            assert role in person.staff.roles and person.hub in (None, duty.hub)
            assert person.start <= duty.departure and duty.back <= person.end
            busy.setdefault(ident, []).append((duty.departure, duty.back + rest))
    for spans in busy.values():
        spans.sort()
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))


@pytest.mark.slow
def test_on_a_short_roster_crew_rounds_carry_more(monkeypatch: pytest.MonkeyPatch) -> None:
    """The 1,000-worker 14-day request: one plan leaves 25 workers without a crew; the
    crew rounds carry 20 of them (894 workers, not 874). The 5 left could leave only on
    days capped for want of crews: they are ``no_staff`` too, not short of buses."""
    request = parse_request(generate_request(1000, 14, 2020))
    monkeypatch.setattr(replan, "CREW_ROUNDS", 0)
    once = plan(request)
    monkeypatch.undo()
    rounds = plan(request)
    assert check_plan(request, rounds) == []
    assert once.summary.unassigned_by_reason.get("no_staff", 0) > 0
    assert rounds.summary.assigned > once.summary.assigned
    assert rounds.summary.unassigned_by_reason.get("no_vehicle_capacity", 0) == 0
    assert {u.detail for u in rounds.unassigned if u.reason == Reason.NO_STAFF} == {
        "no escort and medic free on a day they could leave"}
