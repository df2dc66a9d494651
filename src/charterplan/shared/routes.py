"""Building bus routes (:class:`~charterplan.shared.bus_route.BusRoute`): the order of
a bus's stops (exact for few, OR-Tools routing for many), the latest departure slot
that keeps deadlines, and the feeder buses to a train's station.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from charterplan.geo import to_units
from charterplan.shared.bus_route import BusRoute
from charterplan.shared.context import DAY, HUB_TOKEN, NEVER, Context, SlotGrid
from charterplan.shared.driving import Journeys, Leg
from charterplan.shared.railnet import Service
from charterplan.solvers.routing import RoutingProblem, solve_routes

__all__ = ["best_route", "feeder_leaves", "feeder_route", "latest_slot", "route"]


def too_long(context: Context, pattern: BusRoute, from_hub: bool) -> bool:
    """Whether ``pattern`` detours a rider beyond ``max_detour_km``; riders board at
    the hub too when ``from_hub``."""
    detours = pattern.detours(context.places)
    return max(detours if from_hub else detours[1:]) > context.request.policy.max_detour_km


RouteMemo = dict[tuple[str, tuple[str, ...], frozenset[str]], BusRoute]
"""Patterns built, by hub, calls and boarding tokens."""


def route(context: Context, hub: str, stops: tuple[str, ...], pickups: tuple[str, ...] = (),
          boarding: frozenset[str] = frozenset(), memo: RouteMemo | None = None) -> BusRoute:
    """The pattern calling at ``pickups`` then ``stops``, in the given orders, from
    ``hub`` and back. A new pattern is kept in ``memo`` if given (a caller's trials,
    dropped with it), else in the plan's (:attr:`~charterplan.shared.context.Context.memo`)."""
    key = (hub, pickups + stops, boarding)
    found = context.memo.routes.get(key) or (memo.get(key) if memo is not None else None)
    if found is not None:
        return found
    path = [hub, *pickups, *stops, hub]
    km = [context.places.km(a, b) for a, b in itertools.pairwise(path)]
    pause = context.request.policy.stop_minutes
    calls = len(pickups) + len(stops)
    legs = tuple((context.leg_minutes(path[i], path[i + 1], k), pause if i < calls else 0)
                 for i, k in enumerate(km))
    outward = sum(km[:calls])
    pattern = BusRoute(hub=hub, pickups=pickups, stops=stops, boarding=boarding, km=sum(km),
                      outward_km=outward, legs=legs,
                      drivers=context.rules.drivers_for(outward),
                      journeys=context.memo.journeys)
    (context.memo.routes if memo is None else memo)[key] = pattern
    return pattern


def best_route(context: Context, hub: str, stops: tuple[str, ...], pickups: tuple[str, ...] = (),
               boarding: frozenset[str] = frozenset(), memo: RouteMemo | None = None,
               ) -> BusRoute:
    """The shortest closed route collecting at ``pickups`` and then dropping at ``stops``:
    exact up to 7 drop-offs and 4 pickups; beyond, the pickups in a shortest path towards
    the drop-off nearest the hub, then the drop-offs in a shortest path back to the hub,
    both by OR-Tools routing. New patterns go to ``memo`` as :func:`route` says."""
    if len(stops) > 7 or len(pickups) > 4:
        nearest = min(stops, key=lambda d: (context.ride_km.get((hub, d), 0.0), d))
        first = _path(context, hub, pickups, nearest)
        return route(context, hub, _path(context, first[-1] if first else hub, stops, hub),
                     first, boarding, memo)
    # rank the orders on one small matrix and build only the one route() would rank
    # first: the shortest, ties (a route and its reverse) going to the first calls in
    # order. route() sums the same legs in the same order, so its km is the length
    picks, drops = sorted(pickups), sorted(stops)
    nodes = [hub, *picks, *drops]
    km = [[context.places.km(a, b) for b in nodes] for a in nodes]
    paths = _closed_paths(len(picks), len(drops))
    if len(paths) <= FEW_ORDERS:
        lengths = [sum(km[a][b] for a, b in itertools.pairwise(path)) for path in paths]
    else:
        # the same sums, leg by leg in the same order, for every order at once
        rows = _path_rows(len(picks), len(drops))
        legs = np.asarray(km)[rows[:, :-1], rows[:, 1:]]
        total = legs[:, 0].copy()
        for leg in legs.T[1:]:
            total += leg
        lengths = total.tolist()
    shortest = min(lengths)
    _, _, chosen = min((length, tuple(nodes[i] for i in path[1:-1]), path)
                       for path, length in zip(paths, lengths, strict=True)
                       if length <= shortest + 1e-6)
    calls = [nodes[i] for i in chosen[1:-1]]
    return route(context, hub, tuple(calls[len(picks):]), tuple(calls[:len(picks)]),
                 boarding, memo)


FEW_ORDERS = 6
"""Up to this many orders (three drop-offs, no pickups) :func:`best_route` sums them in
Python; beyond, with numpy: five drop-offs have 120 orders, and summing them one by
one took a quarter of the planning time."""


@functools.cache
def _closed_paths(picks: int, drops: int) -> tuple[tuple[int, ...], ...]:
    """Every order of ``picks`` pickups (nodes 1..picks) then ``drops`` drop-offs (the
    nodes after), as a closed path from node 0 and back."""
    return tuple((0, *p, *d, 0) for p in itertools.permutations(range(1, picks + 1))
                 for d in itertools.permutations(range(picks + 1, picks + drops + 1)))


@functools.cache
def _path_rows(picks: int, drops: int) -> NDArray[np.intp]:
    """:func:`_closed_paths` as an array, a path a row."""
    return np.asarray(_closed_paths(picks, drops), dtype=np.intp)


def _path(context: Context, start: str, places: tuple[str, ...], end: str) -> tuple[str, ...]:
    """``places`` in the order of a shortest path start → places → end, found by the
    OR-Tools routing solver in its repeatable mode."""
    if len(places) < 2:
        return places
    nodes = [start, *sorted(places), end]
    problem = RoutingProblem(
        distances=to_units(context.places.road_km(nodes, nodes)), demands=(0,) * len(nodes),
        capacity=1, num_vehicles=1, ends=len(nodes) - 1)
    (tour,) = solve_routes(problem, seed=context.request.policy.seed).routes
    return tuple(nodes[i] for i in tour.stops)


def latest_slot(pattern: BusRoute, grid: SlotGrid, deadlines: Sequence[tuple[str, int]],
                cap: int) -> int:
    """The latest departure slot, at or before ``cap``, from which ``pattern`` reaches
    each of its ``deadlines``' stops in time (earlier than any plan when none does).

    When a bus reaches a stop depends only on its journey up to that stop (the driving
    rules look back, never ahead), so patterns that begin alike share the answer: the
    route to one employer, then to two or three more, asked for the first one's
    deadline. An area of 16 employers asks a tenth of a million questions, fewer than
    half of them different journeys."""
    index = tuple(pattern.calls.index(stop) for stop, _ in deadlines)
    legs = pattern.legs[:max(index) + 1]
    times = tuple(zip(index, (by for _, by in deadlines), strict=True))
    journey = (grid, legs, pattern.drivers, times, cap)
    found = pattern.journeys.latest.get(journey)
    if found is None:
        found = pattern.journeys.latest[journey] = _latest_slot(
            pattern.journeys, grid, legs, pattern.drivers, times, cap)
    return found


def _latest_slot(journeys: Journeys, grid: SlotGrid, legs: tuple[Leg, ...], drivers: int,
                 times: tuple[tuple[int, int], ...], cap: int) -> int:
    """:func:`latest_slot` of the journey ``legs`` (its last leg ends at the last stop
    asked about), each (leg, minute) of ``times`` a deadline at the end of that leg."""
    fastest = [sum(m + d for m, d in legs[:i]) + legs[i][0] for i, _ in times]
    bound = min([cap] + [by - f for (_, by), f in zip(times, fastest, strict=True)])
    slot = grid.last_at_or_before(bound)
    # the rules at most triple a journey (8 h at the wheel in 24) and add the night bans
    floor = bound - 4 * sum(m + d for m, d in legs) - 2 * DAY
    while slot >= floor:
        arrivals = journeys.timeline(slot, legs, drivers)
        late = max(arrivals[i] - by for i, by in times)
        if late <= 0:
            return slot
        # the same clock a day earlier arrives exactly a day earlier, and leaving
        # earlier arrives at most a rest's minutes later (tests/stages/test_driving.py):
        # a day's step back skips no feasible slot unless that slot is within minutes
        slot = grid.last_at_or_before(slot - DAY if late > DAY else slot - 1)
    return floor - DAY


def feeder_route(context: Context, hub: str, station: str) -> BusRoute:
    """The feeder bus's route: from bus station ``hub`` to rail station ``station``."""
    return route(context, hub, (station,), (), frozenset({HUB_TOKEN}))


def feeder_leaves(context: Context, hub: str, service: Service) -> int:
    """The latest slot at ``hub`` whose feeder makes ``service``'s boarding cut-off
    (the train's departure when the train leaves from ``hub`` itself)."""
    if hub == service.hub:
        return service.departure
    key = (hub, service.id)
    slots = context.memo.feeder_slots
    if key not in slots:
        cutoff = service.departure - context.request.policy.rail_cutoff_minutes
        slots[key] = latest_slot(feeder_route(context, hub, service.hub), context.grids[hub],
                                 ((service.hub, cutoff),), NEVER)
    return slots[key]
