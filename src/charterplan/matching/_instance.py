"""The matching instance in integers: cost classes, their costs and reach per vacancy.

Seekers who gather at the same place with the same wishes and the same health state
cost the same at every vacancy, so they share a *cost class*; the solvers work on
classes (a few thousand) rather than on seekers (up to hundreds of thousands).
Costs are whole km (great circle × road factor, rounded once) plus the fit penalties.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from charterplan.geo import great_circle_km
from charterplan.matching.model import MatchPolicy, Seeker, Vacancy

__all__ = ["Instance", "build_instance"]


@dataclass(frozen=True)
class Instance:
    """Seekers and vacancies as arrays.

    ``key_of[s]`` is seeker ``s``'s cost class; ``cost[k, v]`` the class's cost at
    vacancy ``v`` and ``reach[k, v]`` whether it may take it at all (health, 扶贫特岗,
    distance).
    ``capacity[v]`` is the vacancy's count; ``local[v]`` its 县内 flag.
    """

    seekers: tuple[Seeker, ...]
    vacancies: tuple[Vacancy, ...]
    key_of: NDArray[np.int64]
    cost: NDArray[np.int64]
    reach: NDArray[np.bool_]
    capacity: NDArray[np.int64]
    local: NDArray[np.bool_]
    cleared: NDArray[np.bool_]  # per class

    @property
    def num_classes(self) -> int:
        """Number of cost classes."""
        return int(self.cost.shape[0])


def _codes(values: Sequence[object]) -> tuple[NDArray[np.int64], list[object]]:
    """Each value's index among the distinct values, in order of first appearance."""
    index: dict[object, int] = {}
    codes = np.fromiter((index.setdefault(v, len(index)) for v in values), dtype=np.int64,
                        count=len(values))
    return codes, list(index)


def build_instance(seekers: Sequence[Seeker], vacancies: Sequence[Vacancy],
                   policy: MatchPolicy) -> Instance:
    """Group seekers into cost classes and price every class at every vacancy."""
    poor_only = np.array([v.poor_only for v in vacancies], dtype=np.bool_)
    # poverty changes what a class may take only when some places are kept for it
    split_poor = bool(poor_only.any())
    keys = [(s.lat, s.lon, s.region, s.trade, s.cleared, s.poor and split_poor)
            for s in seekers]
    key_of, distinct = _codes(keys)
    place_of, places = _codes([(k[0], k[1]) for k in distinct])  # type: ignore[index]
    region_of, regions = _codes([k[2] for k in distinct])  # type: ignore[index]
    trade_of, trades = _codes([k[3] for k in distinct])  # type: ignore[index]

    v_lat = np.array([v.lat for v in vacancies], dtype=np.float64)
    v_lon = np.array([v.lon for v in vacancies], dtype=np.float64)
    p_lat = np.array([p[0] for p in places], dtype=np.float64)  # type: ignore[index]
    p_lon = np.array([p[1] for p in places], dtype=np.float64)  # type: ignore[index]
    road_km = great_circle_km(p_lat[:, None], p_lon[:, None], v_lat[None, :],
                              v_lon[None, :]) * policy.road_factor
    km = np.rint(road_km).astype(np.int64).reshape(len(places), len(vacancies))

    province = np.array([v.province for v in vacancies], dtype=object)
    city = np.array([v.city for v in vacancies], dtype=object)
    v_trade = np.array([v.trade for v in vacancies], dtype=object)
    region_cost = np.array(
        [np.zeros(len(vacancies), dtype=np.int64) if r is None else
         np.where((province == r) | (city == r), 0, policy.region_penalty_km)
         for r in regions], dtype=np.int64).reshape(len(regions), len(vacancies))
    trade_cost = np.array(
        [np.zeros(len(vacancies), dtype=np.int64) if t is None else
         np.where(v_trade == t, 0, policy.trade_penalty_km)
         for t in trades], dtype=np.int64).reshape(len(trades), len(vacancies))

    cost = km[place_of] + region_cost[region_of] + trade_cost[trade_of]
    cleared = np.array([bool(k[4]) for k in distinct], dtype=np.bool_)  # type: ignore[index]
    local = np.array([v.local for v in vacancies], dtype=np.bool_)
    capacity = np.array([v.count for v in vacancies], dtype=np.int64)
    poor = np.array([bool(k[5]) for k in distinct], dtype=np.bool_)  # type: ignore[index]
    reach = ((cleared[:, None] | local[None, :]) & (poor[:, None] | ~poor_only[None, :])
             & (capacity[None, :] > 0))
    if policy.max_km is not None:
        reach &= road_km[place_of] <= policy.max_km
    return Instance(tuple(seekers), tuple(vacancies), key_of,
                    cost.reshape(len(distinct), len(vacancies)),
                    reach.reshape(len(distinct), len(vacancies)), capacity, local, cleared)
