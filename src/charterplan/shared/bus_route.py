"""A bus route: a closed route hub → pickup points → drop-offs → hub.

Its length is fixed; its timing is not, because the coach driving rules
(:mod:`charterplan.shared.driving`) make a bus that leaves in the evening wait out the
night ban. So a route keeps its legs (minutes at the wheel, minutes stopped) and
answers *when*, given a departure minute. :mod:`charterplan.shared.routes` builds them.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from charterplan.geo import Places
from charterplan.shared.driving import Journeys, Leg

__all__ = ["BusRoute"]


@dataclass(frozen=True, slots=True)
class BusRoute:
    """Where one bus calls, in visiting order, with its route.

    ``pickups`` are township pickup points, ``stops`` the drop-offs; ``boarding`` the
    boarding tokens (a pickup zone, the hub) of the riders it may take, so that
    :attr:`key` — drop-offs and tokens — is what the assignment model matches riders
    against. ``km`` is the closed route's road length, back to the hub included;
    ``outward_km`` the length up to the last drop-off. ``legs`` has one leg per call
    and a last one back to the hub; ``drivers`` is how many the outward length needs.
    ``journeys`` times it: the plan's memo of journeys under its driving rules.
    """

    hub: str
    pickups: tuple[str, ...]
    stops: tuple[str, ...]
    boarding: frozenset[str]
    km: float
    outward_km: float
    legs: tuple[Leg, ...]
    drivers: int
    journeys: Journeys
    @property
    def key(self) -> frozenset[str]:
        """Drop-offs and boarding tokens: a unit whose key is a subset may ride."""
        return frozenset(self.stops) | self.boarding

    @property
    def calls(self) -> tuple[str, ...]:
        """Pickup points, then drop-offs, in visiting order."""
        return self.pickups + self.stops

    @property
    def extra_cost(self) -> float:
        """Cost of the drivers beyond the first."""
        return (self.drivers - 1) * self.journeys.rules.extra_driver_cost

    def timeline(self, departure: int) -> tuple[int, ...]:
        """Minute of arrival at each call and back at the hub, leaving at ``departure``."""
        return self.journeys.timeline(departure, self.legs, self.drivers)

    def arrivals(self, departure: int) -> tuple[int, ...]:
        """Minute of arrival at each call, leaving the hub at ``departure``.

        The rules look only back in time, so the calls' arrivals are those of the
        journey without its way home: not driving that leg halves the work of
        searching departures (:func:`latest_slot`)."""
        return self.journeys.timeline(departure, self.legs[:-1], self.drivers)

    def in_time(self, departure: int, deadlines: Sequence[tuple[str, int]]) -> bool:
        """Whether leaving at ``departure`` reaches each (place, minute) of ``deadlines``
        by its minute."""
        arrivals = self.arrivals(departure)
        return all(arrivals[self.calls.index(place)] <= by for place, by in deadlines)

    def back(self, departure: int) -> int:
        """Minute the bus is back at the hub, leaving it at ``departure``."""
        return self.timeline(departure)[-1]

    def detours(self, places: Places) -> list[float]:
        """Road km each boarding place (hub, pickup point) rides beyond the direct road,
        to the farthest-detoured drop-off: the worst a rider boarding there suffers."""
        path = [self.hub, *self.calls]
        km = places.km
        along = [0.0, *itertools.accumulate(km(a, b) for a, b in itertools.pairwise(path))]
        drops = range(len(self.pickups) + 1, len(path))
        return [max(along[j] - along[i] - km(path[i], path[j]) for j in drops)
                for i in range(len(self.pickups) + 1)]
