"""Peer adapters on tiny requests: complete, within capacity, repeatable, fairly judged."""

from __future__ import annotations

from collections import Counter
from types import ModuleType

import pytest

from benchmarks import clerk
from benchmarks.peers import ortools_routing
from benchmarks.peers.common import Route, build_problems, unit_keys
from benchmarks.peers.policy import violations
from charterplan.model import PlanRequest
from charterplan.stages.context import build_context
from charterplan.stages.eligibility import screen


def _peers() -> list[ModuleType]:
    found = [clerk, ortools_routing]
    for module, package in (("benchmarks.peers.pyvrp_peer", "pyvrp"),
                            ("benchmarks.peers.vroom_peer", "vroom")):
        try:
            __import__(package)
        except ImportError:
            continue
        found.append(__import__(module, fromlist=["run"]))
    return found


@pytest.mark.parametrize("peer", _peers(), ids=lambda m: m.NAME)
def test_a_peer_serves_every_unit_once_within_capacity_and_repeats(
        peer: ModuleType, tiny_request: PlanRequest) -> None:
    request = tiny_request
    first = peer.run(request)
    context = build_context(request)
    seats = sum(u.size for u in screen(context).units)
    assert first.riders == seats  # everyone who may travel rides, nobody twice
    served = Counter(unit for route in first.routes for drop in route.drops
                     for unit in drop.units)
    assert set(served) == set(unit_keys(screen(context).units).values())
    assert all(route.load <= route.kind.capacity for route in first.routes)
    assert first.violations["overload"] == 0
    again = peer.run(request)
    assert [r.drops for r in again.routes] == [r.drops for r in first.routes]


def test_a_route_with_four_drop_offs_breaks_the_drop_off_rules(
        tiny_request: PlanRequest) -> None:
    context = build_context(tiny_request)
    problem = next(p for p in build_problems(context) if len(p.chunks) >= 4)
    drops = tuple(sorted(problem.chunks, key=lambda c: c.destination)[:4])
    assert len({c.destination for c in drops}) == 4
    route = Route(problem.hub, problem.day, problem.kinds[0], problem.day * 1440 + 360, drops)
    counted = violations(context, [route])
    assert counted["max_dropoffs"] == 1  # policy: at most 3
    assert counted["dropoff_radius"] == 1  # four cities are not within 30 km
    assert counted["detour"] == 1  # nor on one road from the hub


def test_buses_the_roster_cannot_crew_are_counted(tiny_request: PlanRequest) -> None:
    """Two buses leaving together need two escorts and two medics: with one person of
    each role on the roster, one of them has no crew and cannot run."""
    short = tiny_request.model_copy(update={"staff": (
        next(s for s in tiny_request.staff if s.roles == {"escort"}),
        next(s for s in tiny_request.staff if s.roles == {"medic"}))})
    context = build_context(short)
    problem = next(p for p in build_problems(context) if len(p.chunks) >= 2)
    leaves = problem.day * 1440 + 360
    routes = [Route(problem.hub, problem.day, problem.kinds[0], leaves, (c,))
              for c in problem.chunks[:2]]
    assert violations(context, routes)["no_crew"] == 1
    assert violations(build_context(tiny_request), routes)["no_crew"] == 0
