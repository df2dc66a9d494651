"""Grouping: destination areas and the drop-off patterns a bus may run in each.

Per hub, destinations whose drop-offs lie within ``dropoff_radius_km`` of each other
(geopy's geodesic) are joined in a networkx graph; each connected component is an area,
halved until each piece has at most ``max_area_destinations``, so each sub-problem
stays small: north to south, west to east or by when the riders travel, whichever keeps
together more riders who could share a bus (:func:`_split`).
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
from numpy.typing import NDArray

from charterplan.geo import great_circle_km
from charterplan.shared.bus_route import BusRoute
from charterplan.shared.context import DAY, HUB_TOKEN, Context
from charterplan.shared.routes import best_route, too_long
from charterplan.shared.units import Area, Unit

__all__ = ["build_areas", "neighbours"]


def neighbours(context: Context, dests: list[str]) -> nx.Graph:
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


SHARING_KM = 30.0
"""Great-circle km between two neighbours at which their riders who could share a bus
count half in :func:`_split`: a bus shared between them runs the farther out of its
way the farther apart they are. Counted alike, a wide ``dropoff_radius_km`` joined a
province's employers into a few components, whose halving cut apart employers a few
km apart as readily as those 150 km apart."""


@dataclass(frozen=True)
class _Sharing:
    """Who could share a bus among a hub's destinations: ``near[i, j]``, for neighbours
    ``i`` and ``j``, the riders of each who may travel on a common day (0 for others),
    counted the less the farther apart they are (half at :data:`SHARING_KM`), and
    ``when[i]`` the mean day ``i``'s riders may travel on; ``pos`` a destination's
    row. A unit's seats are spread evenly over the days from its earliest departure
    to its first deadline."""

    pos: dict[str, int]
    near: NDArray[np.float64]
    when: NDArray[np.float64]

    @classmethod
    def of(cls, context: Context, dests: list[str], graph: nx.Graph,
           units: list[Unit]) -> _Sharing:
        pos = {d: i for i, d in enumerate(dests)}
        horizon = 1 + max(max(by for _, by in u.deadlines) for u in units) // DAY
        spread = np.zeros((len(dests), horizon))
        for unit in units:
            first = unit.earliest // DAY
            last = max(first, min(by for _, by in unit.deadlines) // DAY)
            share = unit.size / len(unit.destinations) / (last - first + 1)
            for dest in unit.destinations:
                spread[pos[dest], first:last + 1] += share
        near = np.zeros((len(dests), len(dests)))
        if graph.number_of_edges():
            rows, cols = np.asarray([(pos[a], pos[b]) for a, b in graph.edges]).T
            place = [context.places.index[d] for d in dests]
            lat, lon = context.places.lat[place], context.places.lon[place]
            km = great_circle_km(lat[rows], lon[rows], lat[cols], lon[cols])
            near[rows, cols] = near[cols, rows] = (
                np.minimum(spread[rows], spread[cols]).sum(axis=1) / (1 + km / SHARING_KM))
        when = spread @ np.arange(horizon) / np.maximum(spread.sum(axis=1), 1e-9)
        return cls(pos, near, when)


def _split(context: Context, dests: list[str], limit: int, sharing: _Sharing) -> (
        list[list[str]]):
    """Halve destinations until each piece has at most ``limit``: in the order (north to
    south, west to east, or by when their riders travel) whose halves keep together
    the most riders who could share a bus — for each pair of neighbours, those of each
    who may travel on a common day (:class:`_Sharing`).

    Within a city every employer is every other's neighbour, and only time tells who
    may share; across a province, place does. Pieces are halved, not sized to whole
    limits (six in pairs rather than 1 + 2 + 1 + 2), which plans dearer."""
    if len(dests) <= limit:
        return [sorted(dests)]
    index = context.places.index
    lat = np.asarray([context.places.lat[index[d]] for d in dests])
    lon = np.asarray([context.places.lon[index[d]] for d in dests])
    rows = [sharing.pos[d] for d in dests]
    near, when = sharing.near[np.ix_(rows, rows)], sharing.when[rows]
    across = lon * np.cos(np.radians(lat.mean()))
    wider = (lat, across) if np.ptp(lat) >= np.ptp(across) else (across, lat)
    half = len(dests) // 2

    def kept(order: NDArray[np.intp]) -> float:
        first = np.zeros(len(dests), dtype=bool)
        first[order[:half]] = True
        return float(near[first][:, first].sum() + near[~first][:, ~first].sum())

    # max keeps the first of equals: the wider extent, as before
    order = max((np.lexsort((np.asarray(dests), key)) for key in (*wider, when)), key=kept)
    return (_split(context, [dests[i] for i in order[:half]], limit, sharing)
            + _split(context, [dests[i] for i in order[half:]], limit, sharing))

Boarding = tuple[frozenset[str], tuple[str, ...]]
"""Boarding tokens of a bus and the pickup points it calls at for them."""


def _boardings(units: list[Unit]) -> (
        tuple[list[Boarding], dict[frozenset[str], set[Boarding]]]):
    """The ways an area's buses may board riders: from the hub, for any drop-offs, and
    direct ones, by destination set, that board exactly one unit's tokens (so that
    every unit has the pattern its model demand is keyed on). Riders gather at the hub
    here; door to door collects them at their pickup points after the timetable
    (:mod:`charterplan.stages.s6_pickups`)."""
    direct: dict[frozenset[str], set[Boarding]] = defaultdict(set)
    for unit in units:
        direct[frozenset(unit.destinations)].add((unit.boarding, unit.pickups))
    return [(frozenset({HUB_TOKEN}), ())], direct


def _patterns(context: Context, hub: str, graph: nx.Graph, units: list[Unit]) -> (
        tuple[BusRoute, ...]):
    """Every clique of at most ``max_dropoffs_per_bus`` destinations, as a route, once
    for each way of boarding; a route that detours any rider beyond ``max_detour_km``
    is not offered (a shared one then boards no hub riders, if that is enough)."""
    policy = context.request.policy
    found: set[BusRoute] = set()
    shared, direct = _boardings(units)
    for clique in nx.enumerate_all_cliques(graph):
        if len(clique) > policy.max_dropoffs_per_bus:
            break
        stops = tuple(sorted(clique))
        for tokens, pickups in [*shared, *direct.get(frozenset(stops), ())]:
            pattern = best_route(context, hub, stops, pickups, tokens)
            if HUB_TOKEN in tokens and too_long(context, pattern, True) and pickups:
                tokens = tokens - {HUB_TOKEN}
                pattern = best_route(context, hub, stops, pickups, tokens)
            if not too_long(context, pattern, HUB_TOKEN in tokens):
                found.add(pattern)
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
        graph = neighbours(context, dests)
        sharing = _Sharing.of(context, dests, graph, hub_units)
        pieces: list[set[str]] = []
        for component in sorted(nx.connected_components(graph), key=min):
            pieces += [set(p) for p in _split(context, sorted(component),
                                              policy.max_area_destinations, sharing)]
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
