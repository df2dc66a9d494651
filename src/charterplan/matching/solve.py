"""``match(seekers, vacancies)``: the matching itself, and why each unmatched seeker is.

Aims, in order: registered poor households matched, then seekers matched, then the
least travel and the best fit of 意向地区 / 意向工种. Hard rules: no vacancy line takes
more than its count; a group goes whole to one vacancy line or stays; a seeker who
is not health-cleared takes only 县内 vacancies. Without groups one min-cost flow
solves it exactly (:mod:`._flow`); with groups CP-SAT does (:mod:`._groups`).
"""

from __future__ import annotations

from collections.abc import Sequence
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

from charterplan.matching._instance import Instance, build_instance
from charterplan.matching.model import (
    Matching,
    MatchPolicy,
    Seeker,
    Unmatched,
    UnmatchedReason,
    Vacancy,
)

__all__ = ["match"]


def _groups(seekers: Sequence[Seeker]) -> tuple[list[int], list[list[int]]]:
    """Seekers alone, and groups of two or more (seeker indices, input order)."""
    by_label: dict[str, list[int]] = {}
    for s, seeker in enumerate(seekers):
        if seeker.group is not None:
            by_label.setdefault(seeker.group, []).append(s)
    groups = [members for members in by_label.values() if len(members) > 1]
    grouped = {s for members in groups for s in members}
    return [s for s in range(len(seekers)) if s not in grouped], groups


def match(seekers: Sequence[Seeker], vacancies: Sequence[Vacancy],
          policy: MatchPolicy | None = None) -> Matching:
    """Match seekers to vacancies (SPEC §11); deterministic.

    Raises:
        ValueError: if seeker or vacancy ids repeat.
        SolverError: if a solver fails.
    """
    policy = policy or MatchPolicy()
    for name, ids in (("seeker", [s.id for s in seekers]), ("vacancy", [v.id for v in vacancies])):
        if len(set(ids)) != len(ids):
            raise ValueError(f"{name} ids repeat")
    instance = build_instance(seekers, vacancies, policy)
    singles, groups = _groups(seekers)
    bound = None
    if not seekers or not vacancies:
        vacancy_of = np.full(len(seekers), -1, dtype=np.int64)
        proven = True
    elif groups:
        from charterplan.matching._groups import (
            MAX_CP_SAT_PAIRS,
            aims_of,
            place_groups,
            solve_groups,
        )

        if (instance.num_classes + len(groups)) * len(vacancies) <= MAX_CP_SAT_PAIRS:
            vacancy_of, proven = solve_groups(instance, singles, groups,
                                              policy.max_deterministic_time)
        else:
            vacancy_of, bound = place_groups(instance, singles, groups)
            proven = aims_of(instance, vacancy_of) == bound
    else:
        from charterplan.matching._flow import solve_flow

        vacancy_of, proven = solve_flow(instance, singles), True
    return _matching(instance, vacancy_of, groups, proven,
                     None if proven or bound is None else bound)


def _matching(instance: Instance, vacancy_of: NDArray[np.int64], groups: list[list[int]],
              proven: bool, bound: tuple[int, int, int] | None) -> Matching:
    seekers, vacancies = instance.seekers, instance.vacancies
    group_of = {s: members for members in groups for s in members}
    taken = vacancy_of >= 0
    cost = int(instance.pair_cost(instance.key_of[taken], vacancy_of[taken]).sum())
    # seekers of one cost class (or groups of the same classes) share their reason
    reasons: dict[tuple[int, ...], tuple[UnmatchedReason, str]] = {}
    unmatched = []
    for s in np.flatnonzero(~taken).tolist():
        keys = tuple(sorted(instance.key_of[group_of.get(s, [s])].tolist()))
        if keys not in reasons:
            reasons[keys] = _why(instance, np.array(keys, dtype=np.int64))
        unmatched.append(Unmatched(seekers[s].id, *reasons[keys]))
    filled = np.bincount(vacancy_of[taken], minlength=len(vacancies))
    return Matching(
        vacancy_of=MappingProxyType({seekers[s].id: vacancies[v].id for s, v in
                                     enumerate(vacancy_of.tolist()) if v >= 0}),
        unmatched=tuple(unmatched),
        poor_matched=sum(seekers[s].poor for s in np.flatnonzero(taken).tolist()),
        matched=int(taken.sum()), cost_km=cost,
        status="optimal" if proven else "feasible", bound=bound,
        filled=MappingProxyType({v.id: int(n) for v, n in zip(vacancies, filled.tolist(),
                                                                strict=True)}))


def _why(instance: Instance, keys: NDArray[np.int64]) -> tuple[UnmatchedReason, str]:
    """Why a seeker is unmatched, alone or in a group: ``keys`` are the cost classes of
    the seeker or of each member."""
    reach = instance.rows(keys)[1].all(axis=0)
    cleared = bool(instance.cleared[keys].all())
    if not reach.any():
        if not cleared:
            return (UnmatchedReason.HEALTH,
                    "未获健康通行，只能去县内岗位，可达范围内没有县内岗位")
        return UnmatchedReason.NO_VACANCY_IN_REACH, "可达范围内没有岗位"
    size = len(keys)
    if size > 1 and not (reach & (instance.capacity >= size)).any():
        most = int(instance.capacity[reach].max())
        return (UnmatchedReason.GROUP_TOO_LARGE,
                f"同行组 {size} 人，可去企业最多只招 {most} 人")
    places = int(instance.capacity[reach].sum())
    only_local = "（未获健康通行，仅限县内岗位）" if not cleared else ""
    return UnmatchedReason.VACANCIES_TAKEN, f"可去岗位 {places} 个均已安排他人{only_local}"
