"""The matching instance in integers: cost classes, their costs and reach per vacancy.

Seekers who gather at the same place with the same wishes and the same health state
cost the same at every vacancy, so they share a *cost class*; the solvers work on
classes (a few thousand) rather than on seekers (up to hundreds of thousands).
Costs are whole km (great circle × road factor, rounded once) plus the fit penalties.
A class's costs are the sum of three small tables (by place, by region wish, by trade
wish), so rows are computed when asked for, never stored for every class at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from charterplan.geo import great_circle_km
from charterplan.matching.model import MatchPolicy, Seeker, Vacancy

__all__ = ["Instance", "build_instance"]

Ints = NDArray[np.int64]
Bools = NDArray[np.bool_]


@dataclass(frozen=True)
class Instance:
    """Seekers and vacancies as arrays.

    ``key_of[s]`` is seeker ``s``'s cost class; :meth:`rows` gives classes' costs at
    every vacancy and whether they may take it at all (health, 扶贫特岗, distance).
    ``capacity[v]`` is the vacancy's count.
    """

    seekers: tuple[Seeker, ...]
    vacancies: tuple[Vacancy, ...]
    key_of: Ints
    capacity: Ints
    cleared: Bools  # per class
    _place_of: Ints
    _region_of: Ints
    _trade_of: Ints
    _poor: Bools  # per class: poor, where some places are kept for the poor
    _km: Ints  # place × vacancy
    _far: Bools  # place × vacancy: beyond max_km
    _region_fit: Bools  # region wish × vacancy (all True for no wish)
    _trade_fit: Bools  # trade wish × vacancy (all True for no wish)
    _local: Bools
    _poor_only: Bools
    _region_named: Bools
    _trade_named: Bools
    region_penalty: int
    trade_penalty: int

    @property
    def num_classes(self) -> int:
        """Number of cost classes."""
        return len(self._place_of)

    def rows(self, keys: Ints) -> tuple[Ints, Bools]:
        """Cost and reach of classes ``keys`` at every vacancy (rows in ``keys`` order)."""
        cost = (self._km[self._place_of[keys]]
                + self.region_penalty * ~self._region_fit[self._region_of[keys]]
                + self.trade_penalty * ~self._trade_fit[self._trade_of[keys]])
        reach = self.allowed(self.cleared[keys], self._poor[keys]) & ~self._far[
            self._place_of[keys]]
        return cost.astype(np.int64), reach

    def allowed(self, cleared: Bools, poor: Bools) -> Bools:
        """Whether classes of these health and poverty flags may take each vacancy."""
        return np.asarray((cleared[:, None] | self._local[None, :])
                          & (poor[:, None] | ~self._poor_only[None, :])
                          & (self.capacity[None, :] > 0))

    def pair_cost(self, keys: Ints, vacancies: Ints) -> Ints:
        """Cost of class ``keys[i]`` at vacancy ``vacancies[i]``, for each ``i``."""
        return np.asarray(
            self._km[self._place_of[keys], vacancies]
            + self.region_penalty * ~self._region_fit[self._region_of[keys], vacancies]
            + self.trade_penalty * ~self._trade_fit[self._trade_of[keys], vacancies],
            dtype=np.int64)

    def parts(self, keys: Ints) -> tuple[Ints, Ints, Ints, Bools, Bools]:
        """Place, region wish, trade wish, cleared and poor of classes ``keys``."""
        return (self._place_of[keys], self._region_of[keys], self._trade_of[keys],
                self.cleared[keys], self._poor[keys])

    def fits(self, place: int, region: int, trade: int, cleared: bool, poor: bool) -> Bools:
        """Vacancies in reach of ``place`` for these flags, in ``region``'s and ``trade``'s
        fit (−1: any region or trade)."""
        mask = self.allowed(np.array([cleared]), np.array([poor]))[0] & ~self._far[place]
        if region >= 0:
            mask &= self._region_fit[region]
        if trade >= 0:
            mask &= self._trade_fit[trade]
        return np.asarray(mask)

    def km(self, place: int) -> Ints:
        """Road km from ``place`` to every vacancy."""
        return np.asarray(self._km[place])

    def wishes(self, regions: Ints, trades: Ints) -> tuple[Bools, Bools]:
        """Whether each region and trade index is a wish (not None)."""
        return self._region_named[regions], self._trade_named[trades]


def _codes(values: Sequence[object]) -> tuple[Ints, list[object]]:
    """Each value's index among the distinct values, in order of first appearance."""
    index: dict[object, int] = {}
    codes = np.fromiter((index.setdefault(v, len(index)) for v in values), dtype=np.int64,
                        count=len(values))
    return codes, list(index)


def _fits(wishes: list[object], columns: list[NDArray[np.object_]],
          num_vacancies: int) -> Bools:
    """wish × vacancy: True where the wish is None or one of ``columns`` equals it."""
    fit = np.ones((len(wishes), num_vacancies), dtype=np.bool_)
    for w, wish in enumerate(wishes):
        if wish is not None:
            fit[w] = np.logical_or.reduce([column == wish for column in columns])
    return fit


def build_instance(seekers: Sequence[Seeker], vacancies: Sequence[Vacancy],
                   policy: MatchPolicy) -> Instance:
    """Group seekers into cost classes and tabulate what their costs are made of."""
    num_vac = len(vacancies)
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
    road_km = (great_circle_km(p_lat[:, None], p_lon[:, None], v_lat[None, :],
                               v_lon[None, :]) * policy.road_factor
               ).reshape(len(places), num_vac)
    far = (road_km > policy.max_km if policy.max_km is not None
           else np.zeros(road_km.shape, dtype=np.bool_))

    province = np.array([v.province for v in vacancies], dtype=object)
    city = np.array([v.city for v in vacancies], dtype=object)
    v_trade = np.array([v.trade for v in vacancies], dtype=object)
    return Instance(
        seekers=tuple(seekers), vacancies=tuple(vacancies), key_of=key_of,
        capacity=np.array([v.count for v in vacancies], dtype=np.int64),
        cleared=np.array([bool(k[4]) for k in distinct], dtype=np.bool_),  # type: ignore[index]
        _place_of=place_of, _region_of=region_of, _trade_of=trade_of,
        _poor=np.array([bool(k[5]) for k in distinct], dtype=np.bool_),  # type: ignore[index]
        _km=np.rint(road_km).astype(np.int64), _far=far,
        _region_fit=_fits(regions, [province, city], num_vac),
        _trade_fit=_fits(trades, [v_trade], num_vac),
        _local=np.array([v.local for v in vacancies], dtype=np.bool_), _poor_only=poor_only,
        _region_named=np.array([r is not None for r in regions], dtype=np.bool_),
        _trade_named=np.array([t is not None for t in trades], dtype=np.bool_),
        region_penalty=policy.region_penalty_km, trade_penalty=policy.trade_penalty_km)
