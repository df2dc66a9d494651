"""The rail network: stations and services as a networkx graph, in plan minutes.

Every station is a node — the rail-station hubs trains leave from and the stops they
call at. Every service adds one edge per leg between consecutive calls, keyed by the
service id; which services reach a stop is a graph query, when they arrive is the
service's.

A destination is served by the stop it names as ``rail_station``; else by the nearest
stop of any service (geodesic, ties by stop id) when that stop lies within
``rail_radius_km``; else by none, and its workers ride buses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import networkx as nx
import numpy as np
from geopy.distance import geodesic

from charterplan.geo import great_circle_km
from charterplan.model import PlanRequest, RailService, RailStop

__all__ = ["RailNetwork", "Service", "build_network"]


@dataclass(frozen=True, slots=True)
class Service:
    """A rail service in plan minutes: ``calls`` pairs each stop with its arrival."""

    id: str
    index: int
    hub: str
    departure: int
    calls: tuple[tuple[str, int], ...]
    carriages: int
    capacity: int
    cost: float

    def arrival(self, stop: str) -> int:
        """Minute the service reaches ``stop``."""
        return dict(self.calls)[stop]


@dataclass(frozen=True)
class RailNetwork:
    """Stations and services (see the module docstring)."""

    graph: nx.MultiDiGraph
    services: dict[str, Service]
    serving: dict[str, str]
    """The stop serving each destination that has one."""

    def services_to(self, stop: str) -> tuple[Service, ...]:
        """Services that call at ``stop``, in request order."""
        if stop not in self.graph:
            return ()
        keys = {key for _, _, key in self.graph.in_edges(stop, keys=True)}
        return tuple(sorted((self.services[k] for k in keys), key=lambda s: s.index))


def _serving(request: PlanRequest) -> dict[str, str]:
    """The stop serving each destination: named, or the nearest within the radius."""
    stops = {key: (p.lat, p.lon) for key, p in request.places_by_id().items()
             if isinstance(p, RailStop)}
    serving = {d.id: d.rail_station for d in request.destinations
               if d.rail_station is not None}
    rest = [d for d in request.destinations if d.rail_station is None]
    if not stops or not rest:
        return serving
    ids = sorted(stops)
    lat = np.asarray([stops[s][0] for s in ids])
    lon = np.asarray([stops[s][1] for s in ids])
    radius = request.policy.rail_radius_km
    approx = great_circle_km(np.asarray([d.lat for d in rest])[:, None],
                             np.asarray([d.lon for d in rest])[:, None], lat[None, :],
                             lon[None, :])
    for row, dest in zip(approx, rest, strict=True):
        if row.min() > radius * 1.01 + 0.01:
            continue
        # the sphere is within 0.5 % of the ellipsoid: ask geopy among the near-nearest
        near = np.flatnonzero(row <= row.min() * 1.01 + 0.01)
        km, best = min((geodesic((dest.lat, dest.lon), stops[ids[i]]).km, ids[i])
                       for i in near)
        if km <= radius:
            serving[dest.id] = best
    return serving


def _service(index: int, service: RailService, minute: Callable[[datetime], int],
             minute_up: Callable[[datetime], int]) -> Service:
    # departures round down and arrivals up: a plan is never in time on paper only
    return Service(
        id=service.id, index=index, hub=service.hub, departure=minute(service.departure),
        calls=tuple((s.id, minute_up(s.arrival)) for s in service.stops),
        carriages=service.carriages, capacity=service.carriage_capacity,
        cost=service.cost_per_carriage)


def build_network(request: PlanRequest, minute: Callable[[datetime], int],
                  minute_up: Callable[[datetime], int]) -> RailNetwork:
    """The network of ``request``'s rail services; ``minute`` and ``minute_up`` map a
    time to plan minutes, rounding down and up."""
    graph = nx.MultiDiGraph()
    services: dict[str, Service] = {}
    for index, raw in enumerate(request.rail_services):
        service = _service(index, raw, minute, minute_up)
        services[service.id] = service
        previous = service.hub
        for stop, _ in service.calls:
            graph.add_edge(previous, stop, key=service.id)
            previous = stop
    return RailNetwork(graph=graph, services=services, serving=_serving(request))
