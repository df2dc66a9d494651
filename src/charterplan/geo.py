"""Distances between places: vectorised great-circle maths, scaled once for solvers.

The planner needs many distances (every hub to every destination, destinations to each
other), so they come from a numpy haversine on the mean Earth radius rather than from
geopy's ellipsoidal geodesic (~30 µs a pair). The two differ by under 0.5 %; geopy
stays the reference in :mod:`charterplan.check` and in the tests.

Solvers get integers: road distances in units of 100 m (:data:`UNIT_M`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

__all__ = ["EARTH_RADIUS_KM", "UNIT_M", "great_circle_km", "to_units"]

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG), the radius that makes haversine closest to the geodesic."""

UNIT_M = 100
"""Metres in one solver distance unit."""


def great_circle_km(
    lat_a: NDArray[np.float64] | float,
    lon_a: NDArray[np.float64] | float,
    lat_b: NDArray[np.float64] | float,
    lon_b: NDArray[np.float64] | float,
) -> NDArray[np.float64]:
    """Great-circle distance in km between points a and b (degrees), broadcasting.

    Pass column and row vectors (``lat[:, None]``, ``lat[None, :]``) for a matrix.
    """
    phi_a, phi_b = np.radians(lat_a), np.radians(lat_b)
    d_phi = phi_b - phi_a
    d_lambda = np.radians(np.asarray(lon_b) - np.asarray(lon_a))
    h = np.sin(d_phi / 2) ** 2 + np.cos(phi_a) * np.cos(phi_b) * np.sin(d_lambda / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))))


def to_units(distance_km: NDArray[np.float64] | float) -> NDArray[np.int64]:
    """Round km to whole solver units of :data:`UNIT_M` metres."""
    return np.asarray(np.rint(np.asarray(distance_km) * (1000 / UNIT_M)), dtype=np.int64)


class Places:
    """Coordinates of every place a request names, with vectorised road distances.

    Places are hubs, pickup points, destinations and rail stops, looked up by id
    (``entries`` as :meth:`~charterplan.model.PlanRequest.places_by_id` gives them, one
    per id).
    ``measured`` roads — (from, to, km, minutes or None) — override the estimate for
    their pair, and for the reverse pair unless it is measured too.
    """

    def __init__(self, entries: list[tuple[str, float, float]], road_factor: float,
                 measured: Sequence[tuple[str, str, float, float | None]] = ()) -> None:
        self.index: dict[str, int] = {}
        lats: list[float] = []
        lons: list[float] = []
        for ident, lat, lon in entries:
            self.index[ident] = len(lats)
            lats.append(lat)
            lons.append(lon)
        self.lat = np.asarray(lats, dtype=np.float64)
        self.lon = np.asarray(lons, dtype=np.float64)
        self.road_factor = road_factor
        self.measured: dict[tuple[str, str], tuple[float, float | None]] = {}
        for origin, target, km, minutes in measured:
            self.measured[origin, target] = (km, minutes)
        for origin, target, km, minutes in measured:
            self.measured.setdefault((target, origin), (km, minutes))
        self._pairs: dict[tuple[str, str], float] = {}

    def km(self, origin: str, target: str) -> float:
        """Road km from ``origin`` to ``target``, as :meth:`road_km` gives it, remembered:
        routes of a few stops ask for the same pairs over and over, and a matrix call
        costs more than the arithmetic."""
        found = self._pairs.get((origin, target))
        if found is None:
            found = self._pairs[origin, target] = float(self.road_km([origin], [target])[0, 0])
        return found

    def road_km(self, origins: list[str], targets: list[str]) -> NDArray[np.float64]:
        """Road km matrix (great circle × road factor, or measured), origins by rows."""
        a = np.asarray([self.index[o] for o in origins], dtype=np.int64)
        b = np.asarray([self.index[t] for t in targets], dtype=np.int64)
        km = great_circle_km(self.lat[a][:, None], self.lon[a][:, None],
                             self.lat[b][None, :], self.lon[b][None, :]) * self.road_factor
        if self.measured:
            rows: dict[str, list[int]] = {}
            cols: dict[str, list[int]] = {}
            for i, o in enumerate(origins):
                rows.setdefault(o, []).append(i)
            for j, t in enumerate(targets):
                cols.setdefault(t, []).append(j)
            if len(rows) * len(cols) <= len(self.measured):
                pairs = [(o, t) for o in rows for t in cols if (o, t) in self.measured]
            else:
                pairs = [(o, t) for o, t in self.measured if o in rows and t in cols]
            for o, t in pairs:
                km[np.ix_(rows[o], cols[t])] = self.measured[o, t][0]
        return np.asarray(km)

    def measured_minutes(self, origin: str, target: str) -> float | None:
        """The measured driving time from ``origin`` to ``target``, if the table has one."""
        found = self.measured.get((origin, target))
        return None if found is None else found[1]
