"""The constructed start: a solution of the model, on the cheapest bus type, that
strands nobody a moved companion can keep company, and sends by train the riders a
train saves money on."""

from __future__ import annotations

import dataclasses
from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from charterplan.solvers import _start as _start_module
from charterplan.solvers._problem import Start
from charterplan.solvers._start import construct
from charterplan.solvers.assignment import (
    AssignmentProblem,
    Demand,
    RailChoice,
    _add_hint,
    _keys,
    _model,
    _start_cost,
)
from tests.strategies import BIG, ONE, SMALL, A, B, assignment_problem, assignment_problems


def _start(problem: AssignmentProblem, rail_first: bool = False) -> tuple[Start, dict[int, int]]:
    _, v, _ = _model(problem)
    return construct(problem, _keys(v), rail_first=rail_first)


def _is_a_solution(problem: AssignmentProblem, rail_first: bool | None = None) -> bool:
    """Whether the model, with every variable fixed to the start (the one the model
    chose, or the one built with ``rail_first``), is feasible."""
    model, v, _ = _model(problem)
    if rail_first is not None:
        model.clear_hints()
        _add_hint(model, v, *construct(problem, _keys(v), rail_first=rail_first))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.fix_variables_to_their_hinted_value = True
    return solver.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def test_a_small_load_rides_the_cheaper_small_bus() -> None:
    """Ten riders go on the 16-seat bus (2,200 yuan), not the 22-seat one (2,700)."""
    start, left = _start(assignment_problem((Demand(ONE, 1, 0, 10, (0,), ()),),
                                            bus_types=(BIG, SMALL)))
    assert {k: n for k, n in start.buses.items() if n} == {(0, 0, 1): 1} and not any(
        left.values())


def test_a_full_load_rides_the_cheapest_bus_per_rider() -> None:
    """Forty-four riders fill two 22-seat buses (123 yuan a rider) rather than three
    16-seat ones (137 yuan a rider, the last one not full)."""
    start, _ = _start(assignment_problem((Demand(ONE, 1, 0, 44, (0,), ()),),
                                         bus_types=(SMALL, BIG)))
    assert {k: n for k, n in start.buses.items() if n} == {(0, 0, 1): 2}


def test_riders_who_may_wait_move_to_fill_a_smaller_bus_on_a_later_day() -> None:
    """Sixteen riders must leave on day 0, six may leave on day 0 or 1, five only on day
    1. Dispatch fills a 22-seat bus on day 0 (2,700 yuan) and sends the five on a
    16-seat one (2,200); moving the six to day 1 runs two 16-seat buses (4,400)."""
    demands = (Demand(ONE, 1, 0, 16, (0,), ()), Demand(ONE, 1, 0, 6, (0, 1), ()),
               Demand(ONE, 1, 0, 5, (1,), ()))
    start, left = _start(assignment_problem(demands, bus_types=(BIG, SMALL)))
    assert {k: n for k, n in start.buses.items() if n} == {(0, 0, 1): 1, (0, 1, 1): 1}
    assert start.sent[1, 1] == 6 and not any(left.values())


def test_riders_move_only_where_the_fleet_has_a_bus() -> None:
    """As above, but day 0 has no 16-seat bus: the 22-seat bus keeps its riders."""
    demands = (Demand(ONE, 1, 0, 16, (0,), ()), Demand(ONE, 1, 0, 6, (0, 1), ()),
               Demand(ONE, 1, 0, 5, (1,), ()))
    problem = assignment_problem(demands, bus_types=(BIG, SMALL))
    problem = dataclasses.replace(problem, fleet_caps={**problem.fleet_caps, ("B16", 0): 0})
    start, _ = _start(problem)
    assert {k: n for k, n in start.buses.items() if n} == {(0, 0, 0): 1, (0, 1, 1): 1}


def test_a_stranded_unit_gets_a_companion_moved_to_its_wave() -> None:
    """Two riders must leave on day 0, one may leave on day 0 or 1 and one only on day
    1. Dispatch seats the flexible rider on day 0 and strands the last; the start moves
    the flexible rider to a day-1 bus with it, as the day-0 bus keeps two riders."""
    demands = (Demand(ONE, 1, 0, 2, (0,), ()), Demand(ONE, 1, 0, 1, (0, 1), ()),
               Demand(ONE, 1, 0, 1, (1,), ()))
    problem = assignment_problem(demands)
    start, left = _start(problem)
    assert not any(left.values())
    assert {k: n for k, n in start.buses.items() if n} == {(0, 0, 0): 1, (0, 1, 0): 1}
    assert _is_a_solution(problem)


def test_no_companion_leaves_a_bus_below_the_minimum() -> None:
    """When moving the flexible rider would leave the day-0 bus with one rider, the
    last rider stays stranded in the start (CP-SAT may still do better)."""
    demands = (Demand(ONE, 1, 0, 1, (0,), ()), Demand(ONE, 1, 0, 1, (0, 1), ()),
               Demand(ONE, 1, 0, 1, (1,), ()))
    problem = assignment_problem(demands)
    _, left = _start(problem)
    assert left == {0: 0, 1: 0, 2: 1}
    assert _is_a_solution(problem)


def test_without_pairing_the_stranded_unit_stays_left() -> None:
    """Areas that must not run two-rider buses (door to door: ``pair_stranded`` off)
    leave the stranded rider of the case above to CP-SAT and the shares."""
    demands = (Demand(ONE, 1, 0, 2, (0,), ()), Demand(ONE, 1, 0, 1, (0, 1), ()),
               Demand(ONE, 1, 0, 1, (1,), ()))
    problem = dataclasses.replace(assignment_problem(demands), pair_stranded=False)
    start, left = _start(problem)
    assert left == {0: 0, 1: 0, 2: 1}
    assert {k: n for k, n in start.buses.items() if n} == {(0, 0, 0): 1}
    assert _is_a_solution(problem)


def test_a_load_rides_the_cheapest_pattern_that_holds_it() -> None:
    """No pattern is exactly {A} (as when buses collect at several pickup points): the
    riders for A ride the cheaper of the two patterns holding A."""
    pa_b, pa_c = A | B, A | frozenset({"C"})
    problem = dataclasses.replace(
        assignment_problem((Demand(A, 1, 0, 5, (0,), ()),), patterns=(pa_b, pa_c)),
        pattern_km=(150.0, 120.0))
    start, left = _start(problem)
    assert {k: n for k, n in start.buses.items() if n} == {(1, 0, 0): 1}
    assert not any(left.values())
    assert _is_a_solution(problem)


def _by_train(problem: AssignmentProblem, seat_cost: float, seats: int = 100,
              feeder_day: int | None = 0) -> AssignmentProblem:
    """``problem`` with one train whose seat costs ``seat_cost``, that every demand may
    take, reached by feeders on ``feeder_day``."""
    return dataclasses.replace(
        problem, rails=(RailChoice("T", seat_cost, feeder_day),), seat_caps={"T": seats},
        demands=tuple(dataclasses.replace(d, rails=(0,)) for d in problem.demands))


def test_a_thin_flow_goes_by_train_though_a_full_bus_is_cheaper_a_seat() -> None:
    """Three riders: a full 22-seat bus (2,700 yuan) costs 123 yuan a seat, a train
    seat 400, but three riders never fill the bus, which costs 900 yuan each."""
    problem = _by_train(assignment_problem((Demand(ONE, 1, 0, 3, (0,), ()),)), 400.0,
                        feeder_day=None)
    start, left = _start(problem)
    assert dict(start.rail) == {(0, 0): 3} and not any(start.buses.values())
    assert not any(left.values()) and _is_a_solution(problem)


def test_a_full_flow_rides_its_bus() -> None:
    """Forty-four riders fill two buses at 123 yuan a seat: the train (400) loses,
    unless the start sends everyone it can by train (``rail_first``)."""
    problem = _by_train(assignment_problem((Demand(ONE, 1, 0, 44, (0,), ()),)), 400.0,
                        feeder_day=None)
    start, _ = _start(problem)
    assert not any(start.rail.values()) and sum(start.buses.values()) == 2
    start, _ = _start(problem, rail_first=True)
    assert sum(start.rail.values()) == 44 and not any(start.buses.values())


def test_feeders_mix_bus_types_when_the_largest_runs_short() -> None:
    """Thirty riders for a train reached by feeders: one 22-seat bus is free on the
    feeders' day and one 16-seat bus, so both run and everyone boards."""
    problem = dataclasses.replace(
        _by_train(assignment_problem((Demand(ONE, 1, 0, 30, (), ()),), bus_types=(BIG, SMALL)),
                  400.0),
        fleet_caps={("B22", 0): 1, ("B16", 0): 1, ("B22", 1): 1, ("B16", 1): 1})
    start, left = _start(problem)
    assert {k: n for k, n in start.feeders.items() if n} == {(0, 0): 1, (0, 1): 1}
    assert sum(start.rail.values()) == 30 and not any(left.values())
    assert _is_a_solution(problem)


def test_feeders_that_run_out_leave_the_last_riders_home() -> None:
    """Only one 22-seat feeder: 22 of 30 train-only riders go, 8 are left."""
    problem = dataclasses.replace(
        _by_train(assignment_problem((Demand(ONE, 1, 0, 30, (), ()),)), 400.0),
        fleet_caps={("B22", 0): 1, ("B22", 1): 1})
    start, left = _start(problem)
    assert sum(start.rail.values()) == 22 and left == {0: 8}
    assert _is_a_solution(problem)


@settings(max_examples=200)  # the rare cases (direct-only units on shared patterns) need it
@given(assignment_problems(), st.booleans())
def test_the_start_is_a_solution_of_the_model(problem: AssignmentProblem, rail_first: bool) -> None:
    """Whatever the windows, sizes, shared patterns, trains and fleet, either start
    satisfies every constraint of the model."""
    assert _is_a_solution(problem, rail_first)


@settings(max_examples=100)
@given(assignment_problems(), st.booleans())
def test_moving_riders_between_days_never_costs_more(problem: AssignmentProblem,
                                                      rail_first: bool) -> None:
    """The start after :func:`~charterplan.solvers._improve.improve` costs at most what
    dispatch alone built, and leaves nobody more."""
    _, v, _ = _model(problem)
    keys = _keys(v)
    improved = construct(problem, keys, rail_first=rail_first)
    with patch.object(_start_module, "improve", lambda p, buses, seats, b, s, sent, f: (b, s)):
        dispatched = construct(problem, keys, rail_first=rail_first)
    assert _start_cost(problem, *improved) <= _start_cost(problem, *dispatched)
    assert improved[1] == dispatched[1]
