"""The matching model against brute force, and its hard rules on every instance."""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from charterplan.geo import great_circle_km
from charterplan.matching import (
    Matching,
    MatchPolicy,
    Seeker,
    UnmatchedReason,
    Vacancy,
    match,
)
from charterplan.matching._flow import solve_flow
from charterplan.matching._groups import solve_groups
from charterplan.matching._instance import build_instance
from tests.strategies import match_instances


def _cost(seeker: Seeker, vacancy: Vacancy, policy: MatchPolicy) -> tuple[float, int]:
    """Road km and the third aim's cost of one seeker at one vacancy, written anew."""
    km = float(great_circle_km(seeker.lat, seeker.lon, vacancy.lat, vacancy.lon))
    km *= policy.road_factor
    cost = round(km)
    if seeker.region is not None and seeker.region not in (vacancy.province, vacancy.city):
        cost += policy.region_penalty_km
    if seeker.trade is not None and seeker.trade != vacancy.trade:
        cost += policy.trade_penalty_km
    return km, cost


def _allowed(seeker: Seeker, vacancy: Vacancy, policy: MatchPolicy) -> bool:
    km, _ = _cost(seeker, vacancy, policy)
    return ((seeker.cleared or vacancy.local) and (seeker.poor or not vacancy.poor_only)
            and (policy.max_km is None or km <= policy.max_km))


def _feasible(seekers: list[Seeker], vacancies: list[Vacancy], policy: MatchPolicy,
              choice: tuple[int | None, ...]) -> bool:
    counts = Counter(v for v in choice if v is not None)
    if any(n > vacancies[v].count for v, n in counts.items()):
        return False
    groups: dict[str, set[int | None]] = {}
    for seeker, v in zip(seekers, choice, strict=True):
        if v is not None and not _allowed(seeker, vacancies[v], policy):
            return False
        if seeker.group is not None:
            groups.setdefault(seeker.group, set()).add(v)
    return all(len(chosen) == 1 for chosen in groups.values())


def _aims(seekers: list[Seeker], vacancies: list[Vacancy], policy: MatchPolicy,
          choice: tuple[int | None, ...]) -> tuple[int, int, int]:
    """(poor matched, matched, −cost): larger is better, compared in this order."""
    taken = [(s, vacancies[v]) for s, v in zip(seekers, choice, strict=True) if v is not None]
    return (sum(s.poor for s, _ in taken), len(taken),
            -sum(_cost(s, v, policy)[1] for s, v in taken))


def _brute_force(seekers: list[Seeker], vacancies: list[Vacancy],
                 policy: MatchPolicy) -> tuple[int, int, int]:
    options = [None, *range(len(vacancies))]
    return max(_aims(seekers, vacancies, policy, choice)
               for choice in itertools.product(options, repeat=len(seekers))
               if _feasible(seekers, vacancies, policy, choice))


def _choice(seekers: list[Seeker], vacancies: list[Vacancy],
            result: Matching) -> tuple[int | None, ...]:
    index = {v.id: k for k, v in enumerate(vacancies)}
    return tuple(index[result.vacancy_of[s.id]] if s.id in result.vacancy_of else None
                 for s in seekers)


Instance = tuple[list[Seeker], list[Vacancy], MatchPolicy]


@given(match_instances(groups=False))
def test_flow_reaches_the_brute_force_optimum_of_every_aim(instance: Instance) -> None:
    """Without groups, the min-cost flow's match is lexicographically optimal."""
    seekers, vacancies, policy = instance
    result = match(seekers, vacancies, policy)
    choice = _choice(seekers, vacancies, result)
    assert _feasible(seekers, vacancies, policy, choice)
    assert _aims(seekers, vacancies, policy, choice) == _brute_force(seekers, vacancies,
                                                                     policy)
    assert (result.poor_matched, result.matched, -result.cost_km) == _aims(
        seekers, vacancies, policy, choice)
    assert result.status == "optimal"


@given(match_instances(groups=True))
def test_groups_reach_the_brute_force_optimum_of_every_aim(instance: Instance) -> None:
    """With groups, CP-SAT's match is lexicographically optimal and says so."""
    seekers, vacancies, policy = instance
    result = match(seekers, vacancies, policy)
    choice = _choice(seekers, vacancies, result)
    assert _feasible(seekers, vacancies, policy, choice)
    assert _aims(seekers, vacancies, policy, choice) == _brute_force(seekers, vacancies,
                                                                     policy)
    assert result.status == "optimal"


@given(match_instances(max_seekers=40, max_vacancies=6, groups=True))
def test_rules_hold_on_every_instance(instance: Instance) -> None:
    """Counts, groups and health hold, and every seeker is matched or has a reason."""
    seekers, vacancies, policy = instance
    result = match(seekers, vacancies, policy)
    assert _feasible(seekers, vacancies, policy, _choice(seekers, vacancies, result))
    unmatched = [u.seeker for u in result.unmatched]
    assert sorted([*result.vacancy_of, *unmatched]) == sorted(s.id for s in seekers)
    assert sum(result.filled.values()) == result.matched == len(result.vacancy_of)
    for v in vacancies:
        assert result.filled[v.id] <= v.count


@given(match_instances(max_seekers=40, max_vacancies=6, groups=False))
def test_flow_and_cp_sat_agree_on_larger_instances(instance: Instance) -> None:
    """Two exact methods (weighted flow, CP-SAT in sequence) reach the same three aims."""
    seekers, vacancies, policy = instance
    if not seekers or not vacancies:
        return
    built = build_instance(seekers, vacancies, policy)
    everyone = list(range(len(seekers)))
    by_flow = solve_flow(built, everyone)
    by_sat, proven = solve_groups(built, everyone, [], 30.0)
    assert proven

    def aims(vacancy_of: np.ndarray[Any, Any]) -> tuple[int, int, int]:
        return _aims(seekers, vacancies, policy,
                     tuple(None if v < 0 else int(v) for v in vacancy_of))

    assert aims(by_flow) == aims(by_sat)


@given(match_instances(max_seekers=30, max_vacancies=5), st.randoms())
def test_the_match_repeats(instance: Instance, _: Any) -> None:
    """The same seekers and vacancies give the same match, twice."""
    seekers, vacancies, policy = instance
    assert match(seekers, vacancies, policy) == match(seekers, vacancies, policy)


HOME = ("晃州镇", 27.374, 109.134)


def _seeker(ident: str, **fields: Any) -> Seeker:
    return Seeker(ident, HOME[0], HOME[1], HOME[2], **fields)


FAR = Vacancy("FAR", "东莞电子厂", "广东省", "东莞市", 23.02, 113.75, 2, "电子厂")
LOCAL = Vacancy("LOCAL", "新晃工业园", "湖南省", "怀化市", 27.37, 109.17, 1, local=True)


def test_poor_household_is_served_before_a_nearer_fit() -> None:
    """A poor household takes the last place even when another seeker fits it better."""
    seekers = [_seeker("A", trade="电子厂"), _seeker("B", poor=True, trade="鞋业")]
    result = match(seekers, [replace(FAR, count=1)])
    assert dict(result.vacancy_of) == {"B": "FAR"}
    assert result.unmatched[0].reason is UnmatchedReason.VACANCIES_TAKEN


def test_health_limits_to_local_vacancies() -> None:
    """A seeker not health-cleared takes a 县内 place, never one outside the county."""
    result = match([_seeker("A", cleared=False), _seeker("B", cleared=False)], [FAR, LOCAL])
    assert list(result.vacancy_of.values()) == ["LOCAL"]
    assert [u.reason for u in result.unmatched] == [UnmatchedReason.VACANCIES_TAKEN]
    alone = match([_seeker("A", cleared=False)], [FAR])
    assert [u.reason for u in alone.unmatched] == [UnmatchedReason.HEALTH]


def test_group_larger_than_any_place_is_named() -> None:
    """A group of three facing lines of two stays together, unmatched, as too large."""
    seekers = [_seeker(f"S{k}", group="G") for k in range(3)]
    result = match(seekers, [FAR])
    assert not result.vacancy_of
    assert {u.reason for u in result.unmatched} == {UnmatchedReason.GROUP_TOO_LARGE}


def test_distance_limit_leaves_far_vacancies_out_of_reach() -> None:
    """With max_km, a vacancy beyond it is out of reach and named so."""
    result = match([_seeker("A")], [FAR], MatchPolicy(max_km=300))
    assert [u.reason for u in result.unmatched] == [UnmatchedReason.NO_VACANCY_IN_REACH]


@pytest.mark.parametrize("field", ["road_factor", "max_km", "max_deterministic_time"])
def test_policy_refuses_values_out_of_range(field: str) -> None:
    """A policy value out of range is a ValueError naming the field."""
    with pytest.raises(ValueError, match=field):
        MatchPolicy(**{field: -1.0})


@given(match_instances(max_seekers=6, max_vacancies=3, groups=True))
def test_placing_groups_keeps_the_rules_and_its_optimal_claims(instance: Instance) -> None:
    """The placement used above CP-SAT's size keeps every rule, never beats brute force,
    and says optimal only when it is."""
    seekers, vacancies, policy = instance
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("charterplan.matching._groups.MAX_CP_SAT_PAIRS", 0)
        result = match(seekers, vacancies, policy)
    choice = _choice(seekers, vacancies, result)
    assert _feasible(seekers, vacancies, policy, choice)
    best = _brute_force(seekers, vacancies, policy)
    reached = _aims(seekers, vacancies, policy, choice)
    assert reached <= best
    if result.status == "optimal":
        assert reached == best


def test_sample_demand_and_job_seekers_are_the_generators() -> None:
    """data/sample/demand.xlsx and job_seekers.xlsx hold what the generator makes."""
    from python_calamine import CalamineWorkbook

    from charterplan.samples.demand import DEMAND_HEADERS, SEEKER_HEADERS, demand_rows, seeker_rows
    from charterplan.tables import read_county

    sample = Path(__file__).parents[2] / "data" / "sample"
    known = sorted({d["city"] for d in read_county(sample / "county.toml").fields[
        "destinations"]})
    for name, headers, rows in (
            ("demand.xlsx", DEMAND_HEADERS, demand_rows(60, 1500, 2020, known_cities=known)),
            ("job_seekers.xlsx", SEEKER_HEADERS, seeker_rows(300, 2020))):
        with CalamineWorkbook.from_path(sample / name) as book:
            grid = book.get_sheet_by_index(0).to_python()
        assert grid[0] == list(headers)
        expected = [["" if row[h] is None else row[h] for h in headers] for row in rows]
        found = [[v.date() if hasattr(v, "date") and not isinstance(v, date) else v
                  for v in line] for line in grid[1:]]
        assert found == expected, name
