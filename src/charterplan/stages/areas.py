"""Grouping: destination areas and the drop-off patterns a bus may run in each.

Per hub, destinations whose drop-offs lie within ``dropoff_radius_km`` of each other
(geopy's geodesic) are joined in a networkx graph; each connected component is an area,
halved along its wider extent until each piece has at most ``max_area_destinations``,
so each sub-problem stays small.
A *pattern* is a set of destinations one bus may serve — a clique of the graph with at
most ``max_dropoffs_per_bus`` members — visited in the order that makes the shortest
closed route hub → drop-offs → hub.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import networkx as nx
import numpy as np
from geopy.distance import geodesic

from charterplan.geo import great_circle_km
from charterplan.stages.context import HUB_TOKEN, Context
from charterplan.stages.eligibility import Unit
from charterplan.stages.routes import Pattern, best_route

__all__ = ["Area", "build_areas"]


@dataclass(frozen=True, slots=True)
class Area:
    """A sub-problem: one hub, nearby destinations, their patterns and units."""

    id: str
    hub: str
    name: str
    destinations: tuple[str, ...]
    patterns: tuple[Pattern, ...]
    units: tuple[Unit, ...]


def _neighbours(context: Context, dests: list[str]) -> nx.Graph:
    """Graph of destinations, joined when their geodesic distance is within the radius."""
    radius = context.request.policy.dropoff_radius_km
    graph = nx.Graph()
    graph.add_nodes_from(dests)
    index = context.places.index
    lat = np.asarray([context.places.lat[index[d]] for d in dests])
    lon = np.asarray([context.places.lon[index[d]] for d in dests])
    order = np.argsort(lat, kind="stable")
    band = radius / 110.0 + 1e-6  # degrees of latitude the radius spans, generously
    for pos, i in enumerate(order):
        near = order[pos + 1:][lat[order[pos + 1:]] - lat[i] <= band]
        # the sphere is within 0.5 % of the ellipsoid: ask geopy only near the edge
        km = great_circle_km(lat[i], lon[i], lat[near], lon[near])
        for j, approx in zip(near, km, strict=True):
            if approx <= radius * 0.99 or (approx <= radius * 1.01 and geodesic(
                    (lat[i], lon[i]), (lat[j], lon[j])).km <= radius):
                graph.add_edge(dests[i], dests[j])
    return graph


def _split(context: Context, dests: list[str], limit: int) -> list[list[str]]:
    """Halve destinations along their wider extent until each piece has at most
    ``limit``. (Pieces sized to whole limits — six in pairs rather than 1 + 2 + 1 + 2 —
    measured 2–3 % dearer on the 10,000-worker benchmark: see RESULTS.md.)"""
    if len(dests) <= limit:
        return [sorted(dests)]
    index = context.places.index
    lat = np.asarray([context.places.lat[index[d]] for d in dests])
    lon = np.asarray([context.places.lon[index[d]] for d in dests])
    key = lat if np.ptp(lat) >= np.ptp(lon) * np.cos(np.radians(lat.mean())) else lon
    order = [dests[i] for i in np.lexsort((np.asarray(dests), key))]
    half = len(order) // 2
    return _split(context, order[:half], limit) + _split(context, order[half:], limit)


def _boardings(units: list[Unit]) -> list[tuple[frozenset[str], tuple[str, ...]]]:
    """The boarding options of an area's buses: tokens and the pickup points they call at.

    One per boarding token its units hold (the hub, each pickup zone, with the zone's
    points that have riders here), and one per zone together with the hub."""
    points: dict[str, set[str]] = defaultdict(set)
    for unit in units:
        for token in unit.boarding:
            points.setdefault(token, set())
        zone = sorted(unit.boarding - {HUB_TOKEN})
        if zone:
            points[zone[0]] |= set(unit.pickups)
    options = [(frozenset({token}), tuple(sorted(points[token]))) for token in sorted(points)]
    if HUB_TOKEN in points:
        options += [(frozenset({token, HUB_TOKEN}), tuple(sorted(points[token])))
                    for token in sorted(points) if token != HUB_TOKEN]
    return options


def _patterns(context: Context, hub: str, graph: nx.Graph, units: list[Unit]) -> (
        tuple[Pattern, ...]):
    """Every clique of at most ``max_dropoffs_per_bus`` destinations, as a route, once
    for each way of boarding; a route that detours any rider beyond ``max_detour_km``
    is not offered."""
    policy = context.request.policy
    found: list[Pattern] = []
    boardings = _boardings(units)
    for clique in nx.enumerate_all_cliques(graph):
        if len(clique) > policy.max_dropoffs_per_bus:
            break
        for tokens, pickups in boardings:
            pattern = best_route(context, hub, tuple(sorted(clique)), pickups, tokens)
            detours = pattern.detours(context)
            if HUB_TOKEN not in tokens:
                detours = detours[1:]  # nobody boards at the hub
            if max(detours) <= policy.max_detour_km:
                found.append(pattern)
    return tuple(sorted(found, key=lambda p: (len(p.stops), sorted(p.stops), sorted(p.boarding))))


def _area_name(context: Context, dests: list[str]) -> str:
    cities = {d.id: d.city for d in context.request.destinations}
    return "、".join(sorted({cities[d] for d in dests}))


def build_areas(context: Context, units: tuple[Unit, ...]) -> list[Area]:
    """Cut each hub's destinations into areas and give each area its patterns and units.

    A group that goes to several destinations keeps them in one area. Areas come in
    hub order, then by their sorted destinations, so ids are stable.
    """
    policy = context.request.policy
    by_hub: dict[str, list[Unit]] = defaultdict(list)
    for unit in units:
        by_hub[unit.hub].append(unit)
    areas: list[Area] = []
    for hub in sorted(by_hub, key=list(context.hubs).index):
        hub_units = by_hub[hub]
        dests = sorted({d for u in hub_units for d in u.destinations})
        graph = _neighbours(context, dests)
        pieces: list[set[str]] = []
        for component in sorted(nx.connected_components(graph), key=min):
            pieces += [set(p) for p in _split(context, sorted(component),
                                              policy.max_area_destinations)]
        joined = nx.utils.UnionFind(range(len(pieces)))
        piece_of = {d: i for i, piece in enumerate(pieces) for d in piece}
        for unit in hub_units:
            first = piece_of[unit.destinations[0]]
            for d in unit.destinations[1:]:
                joined.union(first, piece_of[d])
        merged: dict[int, set[str]] = defaultdict(set)
        for i, piece in enumerate(pieces):
            merged[joined[i]] |= piece
        members: dict[int, list[Unit]] = defaultdict(list)
        for unit in hub_units:
            members[joined[piece_of[unit.destinations[0]]]].append(unit)
        for n, key in enumerate(sorted(merged, key=lambda r: min(merged[r]))):
            area_dests = sorted(merged[key])
            areas.append(Area(
                id=f"{hub}/{n + 1}",
                hub=hub,
                name=_area_name(context, area_dests),
                destinations=tuple(area_dests),
                patterns=_patterns(context, hub, graph.subgraph(area_dests), members[key]),
                units=tuple(members[key]),
            ))
    return areas
