"""Assignment: consolidation of days, shared buses, fleet limits, their shares and
priorities."""

from __future__ import annotations

import pickle
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from types import SimpleNamespace
from typing import Any, TypeVar

import pytest

from charterplan import parse_request, plan
from charterplan.model import Plan, Reason
from charterplan.shared.context import SlotGrid, build_context
from charterplan.shared.units import Area
from charterplan.shared.waves import Waves, plan_waves
from charterplan.solvers._problem import apportion
from charterplan.solvers.assignment import AssignmentProblem, Demand, solve
from charterplan.stages import s3_assign as assign_stage
from charterplan.stages.s1_eligibility import screen
from charterplan.stages.s2_areas import build_areas
from charterplan.stages.s3_assign import Memo, top_up
from charterplan.stages.s3_assign import memo as assign_memo
from charterplan.stages.s3_assign.resources import with_caps
from tests.conftest import worker
from tests.strategies import bus_type

T = TypeVar("T")
R = TypeVar("R")


def _plan(base: dict[str, Any], workers: list[dict[str, Any]]) -> Plan:
    base["workers"] = workers
    return plan(parse_request(base))


def test_apportion_splits_by_largest_remainder() -> None:
    """Shares sum to the total, follow the weights, and ties go to the earlier key."""
    assert apportion(5, {"a": 1, "b": 1}) == {"a": 3, "b": 2}
    assert apportion(10, {"a": 3, "b": 1, "c": 0}) == {"a": 8, "b": 2, "c": 0}
    assert apportion(3, {"a": 0}) == {"a": 0}


def test_workers_with_overlapping_windows_share_one_day(base: dict[str, Any]) -> None:
    """Twenty workers whose first days differ but whose windows overlap fill one bus,
    where a clerk sending everyone on their first day would run five."""
    workers = [worker(f"W{i:02d}", first=f"2020-02-{20 + i % 5}", last="2020-02-28")
               for i in range(20)]
    result = _plan(base, workers)
    assert result.summary.assigned == 20
    assert len(result.trips) == 1


def test_nearby_employers_share_a_bus(base: dict[str, Any]) -> None:
    """Two Dongguan employers 13 km apart with eight workers each ride one bus."""
    workers = [worker(f"A{i}", "DG1") for i in range(8)] + [
        worker(f"B{i}", "DG2") for i in range(8)]
    result = _plan(base, workers)
    (trip,) = result.trips
    assert [s.place for s in trip.stops if s.kind == "dropoff"] in (["DG1", "DG2"],
                                                                    ["DG2", "DG1"])


def test_distant_employers_never_share(base: dict[str, Any]) -> None:
    """Dongguan and Changsha are far apart: their workers ride separate buses."""
    workers = [worker(f"A{i}", "DG1") for i in range(3)] + [
        worker(f"B{i}", "CS") for i in range(3)]
    result = _plan(base, workers)
    assert sorted(len(t.passengers) for t in result.trips) == [3, 3]
    for trip in result.trips:
        assert len([s for s in trip.stops if s.kind == "dropoff"]) == 1


def test_poor_households_board_first_when_buses_run_short(base: dict[str, Any]) -> None:
    """With one bus for 30 workers, every poor-household worker is on it."""
    base["bus_types"][0]["available_per_day"] = 1
    workers = [worker(f"W{i:02d}", last="2020-02-20T23:00", poverty_registered=i % 3 == 0)
               for i in range(30)]
    result = _plan(base, workers)
    riding = {w for t in result.trips for w in t.passengers}
    assert {f"W{i:02d}" for i in range(0, 30, 3)} <= riding
    assert len(riding) == 22
    assert Counter(u.reason for u in result.unassigned) == {Reason.NO_VEHICLE_CAPACITY: 8}
    assert result.status == "partial"


def test_fleet_shared_between_areas_is_never_overused(base: dict[str, Any]) -> None:
    """Two areas wanting the single daily bus on the same day get it on different days
    or not at all; the fleet limit holds over the whole plan."""
    base["bus_types"][0]["available_per_day"] = 1
    workers = [worker(f"A{i}", "DG1", last="2020-02-22") for i in range(10)] + [
        worker(f"B{i}", "CS", last="2020-02-22") for i in range(10)]
    result = _plan(base, workers)
    days = Counter(t.departure.date() for t in result.trips)
    assert all(n <= 1 for n in days.values())
    assert result.summary.assigned == 20


def test_lone_worker_below_minimum_is_explained(base: dict[str, Any]) -> None:
    """A worker nobody shares a bus with is left out as below the minimum load."""
    result = _plan(base, [worker("W1", "CS"), worker("W2", "DG1"), worker("W3", "DG1")])
    assert {u.worker: u.reason for u in result.unassigned} == {
        "W1": Reason.BELOW_MIN_PASSENGERS}


def test_hub_without_buses_leaves_workers_for_want_of_vehicles(base: dict[str, Any]) -> None:
    """Workers at a hub no bus type serves are left with no_vehicle_capacity."""
    base["bus_types"][0]["available_per_day"] = 0
    result = _plan(base, [worker("W1"), worker("W2")])
    assert {u.reason for u in result.unassigned} == {Reason.NO_VEHICLE_CAPACITY}


def _template(count: int) -> AssignmentProblem:
    """One destination and ``count`` riders on day 0, for buses of 22 seats; no caps."""
    kind = bus_type("K", 22, 1000.0, 5.0)
    one = frozenset({"D"})
    return AssignmentProblem(patterns=(one,), pattern_km=(100.0,), pattern_extra=(0.0,),
                   bus_types=(kind,), wave_day=(0,), demands=(Demand(one, 1, 0, count, (0,), ()),),
                   fleet_caps={}, slot_caps={}, min_passengers=2, effort=1.0, seed=0,
                   time_limit_s=10.0)


def _problem(count: int, buses: int = 3) -> AssignmentProblem:
    return with_caps(_template(count), "H", {("fleet", "K", 0): buses, ("slots", "H", 0): 10})


def test_a_solution_within_tighter_caps_is_taken_where_asked() -> None:
    """A crew round caps a day an area did not fill: the area's solution (one bus of
    its three) is taken instead of solving again, where :func:`assign` asks for it
    (an area's first solve in a plan); never for looser caps, caps it exceeds, or
    other riders."""
    memo = Memo()
    wide = _problem(10)
    solution = solve(wide)
    memo.add(wide, solution)
    assert sum(solution.buses.values()) == 1
    assert memo.get(_problem(10, buses=1), looser=True) is solution
    assert memo.get(_problem(10, buses=1)) is None
    assert memo.get(_problem(10, buses=0), looser=True) is None
    assert memo.get(_problem(10, buses=4), looser=True) is None
    assert memo.get(_problem(11, buses=1), looser=True) is None
    assert memo.get(_problem(10)) is solution


def test_assigning_again_with_a_memo_plans_no_waves_again(
        base: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """A plan made again (a crew round) gives the same areas: their waves come from the
    memo, and so does the assignment."""
    base["workers"] = [worker(f"A{i}", "DG1") for i in range(8)] + [
        worker(f"B{i}", "CS") for i in range(3)]
    context = build_context(parse_request(base))
    areas = build_areas(context, screen(context).units)
    planned: list[str] = []

    def counted(job: tuple[Area, SlotGrid]) -> Waves:
        planned.append(job[0].id)
        return plan_waves(*job)

    def in_a_worker(fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """As a process pool runs: each item and result a copy."""
        for item in items:
            yield pickle.loads(pickle.dumps(fn(pickle.loads(pickle.dumps(item)))))

    monkeypatch.setattr(assign_memo, "_area_waves", counted)
    memo = Memo()
    first = assign_stage.assign(context, areas, memo=memo, run=in_a_worker)
    again = assign_stage.assign(context, build_areas(context, screen(context).units), memo=memo,
                                run=in_a_worker)
    assert len(areas) == 2
    assert sorted(planned) == sorted(a.id for a in areas)
    assert again == first
    for area in areas:  # the memo holds the area's own units, not the worker's copies
        own = {id(u) for u in area.units}
        waves = memo.waves[area]
        assert all(id(u) in own for m in waves.members for u in m)


def test_an_area_short_of_its_share_takes_what_others_leave_unused() -> None:
    """Area A was given no bus on day 0 (its share), area B one of the three the day
    has: A is solved again with the two B leaves unused and seats its five riders,
    and the day's fleet still holds."""
    areas = [SimpleNamespace(hub="H"), SimpleNamespace(hub="H")]
    templates = [_template(5), _template(10)]
    problems = [with_caps(templates[0], "H", {("fleet", "K", 0): 0, ("slots", "H", 0): 0}),
                with_caps(templates[1], "H", {("fleet", "K", 0): 1, ("slots", "H", 0): 1})]
    solutions = [solve(p) for p in problems]
    assert solutions[0].left == {0: 5}
    capacity = {("fleet", "K", 0): 3, ("slots", "H", 0): 10}
    top_up(areas, problems, templates, solutions, capacity.__getitem__, None, Memo())
    assert not solutions[0].left
    assert sum(sum(s.buses.values()) for s in solutions) <= 3
    assert problems[0].fleet_caps[("K", 0)] == 2


def test_workers_told_their_previous_day_leave_on_it(base: dict[str, Any]) -> None:
    """Ten workers free to leave any day from the 20th, whom the last plan sent on the
    23rd, leave on the 23rd (any day costs the same, a move costs 2 % of a seat); the
    plan checks clean."""
    from charterplan import check_plan

    before = {"trip": "T1", "departure": "2020-02-23T08:00"}
    base["workers"] = [worker(f"W{i}", previous=before) for i in range(10)]
    request = parse_request(base)
    result = plan(request)
    assert check_plan(request, result) == []
    assert {t.departure.date().isoformat() for t in result.trips} == {"2020-02-23"}
    base["workers"] = [worker(f"W{i}") for i in range(10)]
    assert {t.departure.date().isoformat() for t in plan(parse_request(base)).trips} != {
        "2020-02-23"}
