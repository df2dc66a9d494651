"""The resources areas share — a bus type's daily fleet, a hub's daily slots, a train's
seats — as caps on an area's problem, what a solution uses of them, and each area's
share where the areas together overuse one."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Mapping

from charterplan.shared.context import Context
from charterplan.shared.units import Area
from charterplan.solvers._problem import apportion
from charterplan.solvers.assignment import AssignmentProblem, Solution

__all__ = ["Resource", "capacity_of", "caps_of", "resources", "shares", "usage", "with_caps"]


Resource = tuple[str, str, int]
"""("fleet", bus type, day), ("slots", hub, day) or ("seats", service, 0): the riders a
train's carriages take."""


def resources(problem: AssignmentProblem, hub: str) -> list[Resource]:
    days = sorted(set(problem.wave_day) | {
        r.feeder_day for r in problem.rails if r.feeder_day is not None})
    return ([("fleet", k.id, d) for k in problem.bus_types for d in days]
            + [("slots", hub, d) for d in days]
            + [("seats", r.service, 0) for r in problem.rails])


def with_caps(problem: AssignmentProblem, hub: str,
              caps: Mapping[Resource, int]) -> AssignmentProblem:
    fleet: dict[tuple[str, int], int] = {}
    slots: dict[int, int] = {}
    seats: dict[str, int] = {}
    for resource in resources(problem, hub):
        kind, name, day = resource
        if kind == "fleet":
            fleet[name, day] = caps[resource]
        elif kind == "slots":
            slots[day] = caps[resource]
        else:
            seats[name] = caps[resource]
    return dataclasses.replace(problem, fleet_caps=fleet, slot_caps=slots, seat_caps=seats)


def usage(problem: AssignmentProblem, hub: str, solution: Solution) -> dict[Resource, int]:
    used: dict[Resource, int] = defaultdict(int)
    for (_, w, t), count in solution.buses.items():
        day = problem.wave_day[w]
        used["fleet", problem.bus_types[t].id, day] += count
        used["slots", hub, day] += count
    for (o, t), count in solution.feeders.items():
        feeder_day = problem.rails[o].feeder_day
        assert feeder_day is not None
        used["fleet", problem.bus_types[t].id, feeder_day] += count
        used["slots", hub, feeder_day] += count
    for (c, o), count in solution.rail_units.items():
        used["seats", problem.rails[o].service, 0] += count * problem.demands[c].size
    return used


def capacity_of(context: Context) -> Callable[[Resource], int]:
    available = {b.id: b.available_per_day for b in context.request.bus_types}
    seats = {s.id: s.carriages * s.capacity for s in context.rail.services.values()}

    def capacity(resource: Resource) -> int:
        kind, name, day = resource
        if kind == "fleet":
            return available[name]
        if kind == "seats":
            return seats[name]
        grid = context.grids[name]
        slots = grid.slots_per_day * grid.per_slot
        return min(slots, context.departure_caps.get((name, day), slots))
    return capacity


def shares(areas: list[Area], problems: list[AssignmentProblem], used: list[dict[Resource, int]],
            capacity: Callable[[Resource], int]) -> dict[int, dict[Resource, int]]:
    """Per-area caps for the areas that must be solved again; empty if none must."""
    total: dict[Resource, int] = defaultdict(int)
    for usage in used:
        for r, n in usage.items():
            total[r] += n
    over = sorted(r for r, n in total.items() if n > capacity(r))
    if not over:
        return {}
    caps: dict[int, dict[Resource, int]] = defaultdict(dict)
    for r in over:
        for a, part in apportion(capacity(r), {a: u.get(r, 0) for a, u in enumerate(used)}).items():
            caps[a][r] = part
    again = sorted(a for a in caps if any(used[a].get(r, 0) > caps[a][r] for r in over))
    users: dict[Resource, list[int]] = defaultdict(list)
    for a in again:
        for r in resources(problems[a], areas[a].hub):
            if r not in over:
                users[r].append(a)
    for r, group in users.items():
        fixed = sum(used[a].get(r, 0) for a in range(len(areas)) if a not in again)
        weights = {a: sum(u.size for u in areas[a].units) for a in group}
        for a, part in apportion(max(0, capacity(r) - fixed), weights).items():
            caps[a][r] = part
    return {a: caps[a] for a in again}


def caps_of(problem: AssignmentProblem) -> dict[Resource, int]:
    """``problem``'s caps as resources (its hub's slots under the hub name ``""``, as
    :func:`usage` gives them with that name)."""
    return ({("fleet", kind, day): n for (kind, day), n in problem.fleet_caps.items()}
            | {("slots", "", day): n for day, n in problem.slot_caps.items()}
            | {("seats", service, 0): n for service, n in problem.seat_caps.items()})
