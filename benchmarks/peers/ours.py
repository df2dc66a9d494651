"""Charterplan's own plan as Routes, to be judged by the yardstick the peers are.

Each bus trip of a :class:`~charterplan.model.Plan` (rail carriages and the feeder
buses to a train are left out: the peers plan buses only) becomes a
:class:`~benchmarks.peers.common.Route`: its hub, bus type, departure, the pickup points
it calls at and one drop per drop-off, holding the riders who alight there with the
deadlines and certificates of their units (as :func:`benchmarks.peers.common.pieces`
gives the peers'). Its ``day`` is the day it leaves, so ``slots`` counts nothing here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from benchmarks.peers.common import Chunk, Route, chunk, pieces
from benchmarks.peers.policy import violations
from charterplan.model import BusType, Plan, Stop, Trip
from charterplan.shared.context import DAY, Context
from charterplan.shared.units import Unit
from charterplan.stages.s1_eligibility import screen

__all__ = ["breaches", "plan_routes"]


def plan_routes(context: Context, plan: Plan) -> list[Route]:
    """The bus trips of ``plan`` (not feeders) as routes, in the plan's order."""
    unit_of = {w: unit for unit in screen(context).units for w in unit.workers}
    kinds = {k.id: k for k in context.request.bus_types}
    return [_route(context, unit_of, kinds, trip) for trip in plan.trips
            if trip.mode == "bus" and not trip.feeder]


def _route(context: Context, unit_of: Mapping[str, Unit], kinds: Mapping[str, BusType],
           trip: Trip) -> Route:
    """One bus trip as a route; boarding at the hub is not a pickup call."""
    departure = context.minute(trip.departure)
    return Route(trip.hub, departure // DAY, kinds[trip.vehicle_type], departure,
                 tuple(_drop(context, unit_of, s) for s in trip.stops if s.kind == "dropoff"),
                 tuple(s.place for s in trip.stops
                       if s.kind == "pickup" and s.place != trip.hub))


def _drop(context: Context, unit_of: Mapping[str, Unit], stop: Stop) -> Chunk:
    """The riders alighting at ``stop``, with their units' deadlines there."""
    riders: dict[str, list[str]] = defaultdict(list)
    for worker in stop.workers:
        riders[unit_of[worker].workers[0]].append(worker)
    return chunk(stop.place, [pieces(context, unit_of[ws[0]], ws)[stop.place]
                              for ws in riders.values()])


def breaches(context: Context, plan: Plan) -> dict[str, int]:
    """How often the bus trips of ``plan`` break charterplan's policy, counted as the
    peers' are (:func:`benchmarks.peers.policy.violations`)."""
    return violations(context, plan_routes(context, plan))
