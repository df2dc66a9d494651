"""Trains in the assignment: a seat's price, the carriages withdrawn when thinly
filled, the riders sent by train, and what an assignment costs with every area's
riders of a train pooled."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

from charterplan.shared.context import DAY, Context
from charterplan.shared.routes import feeder_leaves, feeder_route
from charterplan.shared.units import Area, RailRider
from charterplan.shared.waves import Waves, area_services
from charterplan.solvers.assignment import (
    AssignmentProblem,
    RailChoice,
    Solution,
    bus_cost,
)
from charterplan.stages.s3_assign.resources import Resource

__all__ = ["THIN_CARRIAGE", "by_train", "left_and_cost", "rail_choices", "without_thin_carriages"]


THIN_CARRIAGE = 0.5
"""A train's last carriage runs only if its riders fill at least this share of it."""


def feeder_seat(context: Context, hub: str, station: str) -> float:
    """A seat's share of a full feeder bus from ``hub`` to ``station``, on the type
    that makes it cheapest."""
    if hub == station:
        return 0.0
    feeder = feeder_route(context, hub, station)
    return min((bus_cost(b, feeder.km, feeder.extra_cost) / b.capacity
                for b in context.bus_types_at.get(hub, ())), default=0.0)


def rail_choices(context: Context, area: Area) -> tuple[RailChoice, ...]:
    """The area's trains; a seat costs its share of a full carriage and feeder."""
    choices = []
    for service_id in area_services(area):
        service = context.rail.services[service_id]
        leaves = feeder_leaves(context, area.hub, service)
        seat = service.cost / service.capacity + feeder_seat(context, area.hub, service.hub)
        choices.append(RailChoice(
            service=service_id, seat_cost=seat,
            feeder_day=None if area.hub == service.hub else leaves // DAY))
    return tuple(choices)


def without_thin_carriages(context: Context, problems: Sequence[AssignmentProblem],
                            solutions: Sequence[Solution],
                            capacity: Callable[[Resource], int]) -> Callable[[Resource], int]:
    """``capacity`` less each train's last carriage when, with every area's riders of
    the train pooled, that carriage would run under ``THIN_CARRIAGE`` full: the areas
    then share the carriages that run well filled and the rest go by bus (or by another
    train), so that a nearly empty carriage loses to a bus."""
    riders: dict[str, int] = defaultdict(int)
    only: dict[str, int] = defaultdict(int)
    for problem, solution in zip(problems, solutions, strict=True):
        for (c, o), n in solution.rail_units.items():
            demand = problem.demands[c]
            riders[problem.rails[o].service] += n * demand.size
            if not demand.any_waves and not demand.direct_waves:
                only[problem.rails[o].service] += n * demand.size
    trimmed = {}
    for service_id, n in riders.items():
        service = context.rail.services[service_id]
        full, rest = divmod(n, service.capacity)
        if 0 < rest < THIN_CARRIAGE * service.capacity:
            # riders no bus can take keep their carriages, however thin
            needed = -(-only[service_id] // service.capacity)
            trimmed[service_id] = min(max(full, needed), service.carriages)

    def limited(resource: Resource) -> int:
        kind, name, _ = resource
        if kind == "seats" and name in trimmed:
            return trimmed[name] * context.rail.services[name].capacity
        return capacity(resource)
    return limited


def left_and_cost(context: Context, areas: Sequence[Area], problems: Sequence[AssignmentProblem],
              solutions: Sequence[Solution]) -> tuple[int, float]:
    """Riders the solutions leave behind, and what their vehicles cost: each area's
    buses and feeders, and each train's carriages for every area's riders pooled."""
    left = sum(n * p.demands[c].size for p, s in zip(problems, solutions, strict=True)
               for c, n in s.left.items())
    cost = 0.0
    riders: dict[str, int] = defaultdict(int)
    for area, p, s in zip(areas, problems, solutions, strict=True):
        cost += sum(n * bus_cost(p.bus_types[t], p.pattern_km[pi], p.pattern_extra[pi])
                    for (pi, _, t), n in s.buses.items())
        for (o, t), n in s.feeders.items():
            feeder = feeder_route(context, area.hub, context.rail.services[p.rails[o].service].hub)
            cost += n * bus_cost(p.bus_types[t], feeder.km, feeder.extra_cost)
        for (c, o), n in s.rail_units.items():
            riders[p.rails[o].service] += n * p.demands[c].size
    for service_id, n in riders.items():
        service = context.rail.services[service_id]
        cost += -(-n // service.capacity) * service.cost
    return left, cost


def by_train(area: Area, problem: AssignmentProblem, waves: Waves, solution: Solution) -> (
        list[RailRider]):
    """The units the solution sends by train: after each demand's bus units, in order."""
    riders = []
    for c, demand in enumerate(waves.demands):
        units = list(waves.members[c])
        skip = sum(solution.any_units.get((c, w), 0) for w in demand.any_waves) + sum(
            solution.direct_units.get((c, w), 0) for w in demand.direct_waves)
        units = units[skip:]
        for o in demand.rails:
            take = solution.rail_units.get((c, o), 0)
            riders += [RailRider(area.hub, problem.rails[o].service, u) for u in units[:take]]
            units = units[take:]
    return riders
