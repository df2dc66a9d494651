"""The CP-SAT assignment model on tiny problems with known optima."""

from __future__ import annotations

import dataclasses

from hypothesis import given
from hypothesis import strategies as st

from charterplan.model import BusType
from charterplan.solvers._problem import typed_seats
from charterplan.solvers.assignment import AssignmentProblem, Demand, departures_left, solve
from tests.strategies import BIG, ONE, SMALL


def _problem(demands: tuple[Demand, ...], fleet: int = 5, bus_types: tuple[BusType, ...] = (BIG,),
             waves: tuple[int, ...] = (0,)) -> AssignmentProblem:
    return AssignmentProblem(patterns=(ONE,), pattern_km=(100.0,), pattern_extra=(0.0,),
                             bus_types=bus_types,
                   wave_day=waves,
                   demands=demands,
                   fleet_caps={(k.id, d): fleet for k in bus_types for d in waves},
                   slot_caps=dict.fromkeys(waves, 10), min_passengers=2, effort=1.0, seed=0,
                   time_limit_s=10.0)


def test_thirty_workers_need_two_buses() -> None:
    """30 workers for one destination, 22 seats a bus: two buses, everyone served."""
    solution = solve(_problem((Demand(ONE, 1, 0, 30, (0,), ()),)))
    assert solution.optimal
    assert sum(solution.buses.values()) == 2 and not solution.left


def test_cheaper_small_bus_takes_a_small_load() -> None:
    """Ten workers ride the 16-seat bus, the cheaper one that fits them."""
    solution = solve(_problem((Demand(ONE, 1, 0, 10, (0,), ()),), bus_types=(BIG, SMALL)))
    assert solution.buses == {(0, 0, 1): 1}


def test_one_bus_for_thirty_serves_the_poor_first() -> None:
    """With one bus, every poor-household worker boards before anyone else."""
    demands = (Demand(ONE, 1, 0, 20, (0,), ()), Demand(ONE, 1, 1, 10, (0,), ()))
    solution = solve(_problem(demands, fleet=1))
    assert solution.left == {0: 8}


def test_flexible_workers_wait_for_a_full_bus() -> None:
    """Eleven workers free on either of two days and eleven on the second day only
    share one bus on the second day rather than two half-empty buses."""
    demands = (Demand(ONE, 1, 0, 11, (0, 1), ()), Demand(ONE, 1, 0, 11, (1,), ()))
    solution = solve(_problem(demands, waves=(0, 1)))
    assert solution.buses == {(0, 1, 0): 1}


@given(st.lists(st.integers(0, 4), min_size=2, max_size=2).filter(any), st.data())
def test_seats_split_over_bus_types_fill_every_bus_to_its_minimum_and_no_more(
        counts: list[int], data: st.DataObject) -> None:
    """The model gives seats per pattern and wave, for buses of every type together;
    the split per type seats each destination set's riders, at least the minimum load
    on each type's buses and never more than their seats."""
    problem = _problem((), bus_types=(BIG, SMALL))
    buses = {(0, 0, t): n for t, n in enumerate(counts) if n}
    least = sum(2 * n for n in counts)
    most = sum(k.capacity * n for k, n in zip((BIG, SMALL), counts, strict=True))
    total = data.draw(st.integers(least, most))
    first = data.draw(st.integers(0, total))
    seats = {(ONE, 0, 0): first, (frozenset({"E"}), 0, 0): total - first}
    typed = typed_seats(problem, buses, seats)
    for (q, _, _), n in seats.items():
        assert sum(v for (q2, *_), v in typed.items() if q2 == q) == n
    for (_, _, t), n in buses.items():
        on_type = sum(v for (_, _, _, t2), v in typed.items() if t2 == t)
        assert 2 * n <= on_type <= (BIG, SMALL)[t].capacity * n


def test_a_crew_away_two_days_sends_buses_every_other_day() -> None:
    """One crew, each bus keeping it two days: of three days' departures only the
    first and the third run, and the riders left are counted, not sent uncrewed."""
    problem = dataclasses.replace(
        _problem((Demand(ONE, 1, 0, 66, (0, 1, 2), ()),), waves=(0, 1, 2)),
        crew_days={0: 2, 1: 2, 2: 2}, crew_caps={0: 1, 1: 1, 2: 1, 3: 1})
    solution = solve(problem)
    days = sorted(problem.wave_day[w] for (_, w, _), n in solution.buses.items()
                  for _ in range(n))
    assert days == [0, 2]
    assert solution.left == {0: 22}


def test_departures_left_counts_the_buses_still_keeping_their_crews() -> None:
    """A bus of day 0 keeping its crew two days takes day 1's only crew too."""
    problem = dataclasses.replace(_problem((), waves=(0, 1, 2)), crew_days={0: 2, 1: 2, 2: 2},
                                  crew_caps={0: 1, 1: 1, 2: 1, 3: 1})
    assert [departures_left(problem, {0: 1}, day) for day in (0, 1, 2)] == [0, 0, 1]


def test_a_stay_keeps_units_on_their_day_unless_moving_saves_more() -> None:
    """Five units the last plan sent on day 1 would save 500 yuan on day 0 (one coach
    and a 16-seater instead of two coaches): at a full seat's price a move (5 x 122.7
    yuan) costs more, so they stay; at half a seat's they move."""
    fixed = (Demand(ONE, 1, 0, 17, (0,), ()), Demand(ONE, 1, 0, 16, (1,), ()))

    def flexible(stay: tuple[int, float] | None) -> dict[tuple[int, int], int]:
        demands = (*fixed, Demand(ONE, 1, 0, 5, (0, 1), (), stay=stay))
        return solve(_problem(demands, bus_types=(BIG, SMALL), waves=(0, 1))).any_units

    assert flexible(None).get((2, 0)) == 5
    assert flexible((1, 1.0)).get((2, 1)) == 5
    assert flexible((1, 0.5)).get((2, 0)) == 5
