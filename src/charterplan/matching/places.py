"""What the county file knows about places: townships, pickup points, employers, cities.

Seekers gather at their 集合点 or else at their township's first pickup point (else
the first bus station); a vacancy lies where its row's 纬度/经度 say, or at the county's
employer of that name, or (县内) at the first bus station, the county seat, or at the
centre of the county's employers in its 所在市.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from charterplan.errors import Problem, RequestError
from charterplan.io.request import parse_request

__all__ = ["CountyPlaces", "Spot"]


@dataclass(frozen=True)
class Spot:
    """A place's coordinates, with the city and province when known."""

    lat: float
    lon: float
    city: str = ""
    province: str = ""


@dataclass(frozen=True)
class CountyPlaces:
    """The places of a county file, by the names a table uses for them."""

    seat: Spot
    townships: Mapping[str, Spot]
    pickup_points: Mapping[str, Spot]  # by id and by name
    hubs: Mapping[str, Spot]  # by id
    employers: Mapping[str, Spot]  # by name and by id
    cities: Mapping[str, Spot]

    @classmethod
    def from_fields(cls, fields: Mapping[str, Any], townships: tuple[str, ...] = (),
                    name: str = "county") -> CountyPlaces:
        """The places of a county file's request fields (``hubs``, ``pickup_points``,
        ``destinations``) and its township list.

        Raises:
            RequestError: the fields do not make a valid request without workers; each
                problem names ``name`` and the JSON path.
        """
        try:
            request = parse_request({"plan_id": "county", **fields, "workers": []})
        except RequestError as exc:
            raise RequestError(Problem(f"{name}: {p.path}", p.message)
                               for p in exc.problems) from None
        hubs = [h for h in request.hubs if h.kind == "bus_station"] or list(request.hubs)
        seat = Spot(hubs[0].lat, hubs[0].lon)
        points: dict[str, Spot] = {}
        by_township: dict[str, Spot] = {}
        for p in request.pickup_points:
            spot = Spot(p.lat, p.lon)
            points.setdefault(p.id, spot)
            points.setdefault(p.name, spot)
            by_township.setdefault(p.township, spot)
        for township in townships:
            by_township.setdefault(township, seat)
        employers: dict[str, Spot] = {}
        in_city: dict[str, list[Spot]] = {}
        for d in request.destinations:
            spot = Spot(d.lat, d.lon, d.city, d.province)
            employers.setdefault(d.name, spot)
            employers.setdefault(d.id, spot)
            in_city.setdefault(d.city, []).append(spot)
        cities = {city: Spot(sum(s.lat for s in spots) / len(spots),
                             sum(s.lon for s in spots) / len(spots), city, spots[0].province)
                  for city, spots in in_city.items()}
        hub_spots = {h.id: Spot(h.lat, h.lon) for h in request.hubs}
        return cls(seat, by_township, points, hub_spots, employers, cities)

    def gathering(self, worker: Mapping[str, Any]) -> Spot:
        """Where a registry worker gathers: their pickup point or hub, else their
        township's first pickup point, else the county seat."""
        if worker.get("pickup_point") in self.pickup_points:
            return self.pickup_points[worker["pickup_point"]]
        if worker.get("hub") in self.hubs:
            return self.hubs[worker["hub"]]
        return self.townships.get(worker.get("township") or "", self.seat)
