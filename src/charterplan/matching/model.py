"""The matching problem's typed inputs and its answer (SPEC §11).

A :class:`Seeker` is a registered worker without an employer who wants work; a
:class:`Vacancy` is one line of the enterprise demand table (附件5): an employer's
need for ``count`` workers of one trade at one place. :func:`~charterplan.matching.match`
turns both into a :class:`Matching`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import Literal

__all__ = ["MatchPolicy", "Matching", "Seeker", "Unmatched", "UnmatchedReason", "Vacancy"]


@dataclass(frozen=True)
class Seeker:
    """A worker who wants work and has no employer yet.

    ``lat``/``lon`` are where the worker gathers (their township's pickup point in the
    county file); ``region`` (意向地区) is a province or a city, ``trade`` (意向工种) a
    trade; either may be ``None`` (no wish). ``group`` labels workers who go together:
    all of a group go to one vacancy line, or none of them does.
    """

    id: str
    township: str
    lat: float
    lon: float
    poor: bool = False
    cleared: bool = True
    group: str | None = None
    region: str | None = None
    trade: str | None = None


@dataclass(frozen=True)
class Vacancy:
    """One line of the demand table: ``count`` places of ``trade`` at an employer.

    ``local`` (县内) marks work inside the county, the only work open to workers who
    are not health-cleared; ``poor_only`` (扶贫特岗) marks places kept for registered
    poor households.
    """

    id: str
    employer: str
    province: str
    city: str
    lat: float
    lon: float
    count: int
    trade: str | None = None
    local: bool = False
    poor_only: bool = False
    start: date | None = None


@dataclass(frozen=True)
class MatchPolicy:
    """How travel and fit are weighed in the third aim, and how long groups may search.

    A seeker's cost at a vacancy is the road km (great circle × ``road_factor``,
    rounded to whole km) plus ``region_penalty_km`` when the seeker names a region
    that is neither the vacancy's province nor its city, plus ``trade_penalty_km``
    when the seeker names another trade. ``max_km`` (if set) puts vacancies further
    away out of reach. ``max_deterministic_time`` bounds each CP-SAT solve (used only
    when groups are present) in CP-SAT's deterministic seconds, so the match repeats.
    """

    road_factor: float = 1.3
    region_penalty_km: int = 1000
    trade_penalty_km: int = 300
    max_km: float | None = None
    max_deterministic_time: float = 60.0

    def __post_init__(self) -> None:
        if not 1.0 <= self.road_factor <= 3.0:
            raise ValueError(f"road_factor must be in 1..3 (got {self.road_factor})")
        if self.region_penalty_km < 0 or self.trade_penalty_km < 0:
            raise ValueError("penalties must be >= 0")
        if self.max_km is not None and self.max_km < 0:
            raise ValueError(f"max_km must be >= 0 (got {self.max_km})")
        if self.max_deterministic_time <= 0:
            raise ValueError("max_deterministic_time must be > 0")


class UnmatchedReason(StrEnum):
    """Why a seeker was left without a vacancy (附件3 备注)."""

    HEALTH = "health_not_cleared"
    NO_VACANCY_IN_REACH = "no_vacancy_in_reach"
    GROUP_TOO_LARGE = "group_too_large"
    VACANCIES_TAKEN = "vacancies_taken"

    @property
    def chinese(self) -> str:
        """The reason as the county's forms say it."""
        return _CHINESE[self]


_CHINESE = {
    UnmatchedReason.HEALTH: "健康状况未达出行条件，县内暂无岗位",
    UnmatchedReason.NO_VACANCY_IN_REACH: "可达范围内无对口岗位",
    UnmatchedReason.GROUP_TOO_LARGE: "同行组人数超过任一可去企业的岗位数",
    UnmatchedReason.VACANCIES_TAKEN: "可去岗位已满（贫困户优先，其次就近）",
}


@dataclass(frozen=True)
class Unmatched:
    """A seeker left without a vacancy, with the reason and a sentence of detail."""

    seeker: str
    reason: UnmatchedReason
    detail: str


@dataclass(frozen=True)
class Matching:
    """The answer: each matched seeker's vacancy, and every other seeker with a reason.

    Every seeker id is in exactly one of ``vacancy_of`` and ``unmatched``. The three
    aims' values: ``poor_matched``, ``matched`` and ``cost_km`` (the third aim's
    total). ``status`` is ``"optimal"`` when all three are proven optimal in that
    order, else ``"feasible"``; then ``bound`` holds the aims of the match that lets
    groups split (poor matched, matched, cost), which no match can beat.
    """

    vacancy_of: MappingProxyType[str, str]
    unmatched: tuple[Unmatched, ...]
    poor_matched: int
    matched: int
    cost_km: int
    status: Literal["optimal", "feasible"]
    filled: MappingProxyType[str, int] = field(
        default_factory=lambda: MappingProxyType({}))
    bound: tuple[int, int, int] | None = None
