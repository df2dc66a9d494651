"""Peer adapters on tiny requests: complete, within capacity, repeatable, fairly judged."""

from __future__ import annotations

from collections import Counter

import pytest

from benchmarks.peers import pyvrp_horizon, pyvrp_peer
from benchmarks.peers.common import Route, build_problems, unit_keys
from benchmarks.peers.measure import PEERS, runner
from benchmarks.peers.policy import violations
from benchmarks.peers.pyvrp_horizon import build_hub_problems
from charterplan import parse_request
from charterplan.model import PlanRequest
from charterplan.samples import generate_request
from charterplan.shared.context import build_context
from charterplan.shared.routes import route as charter_route
from charterplan.stages.s1_eligibility import screen
from charterplan.stages.s2_areas import neighbours

NEEDS = {"pyvrp": "pyvrp", "pyvrp-rules": "pyvrp", "pyvrp-horizon": "pyvrp",
         "pyvrp-horizon-rules": "pyvrp", "vroom": "vroom"}
"""Peers of the ``bench`` extra, by the package they need (CI installs none)."""


@pytest.mark.parametrize("peer", sorted(PEERS))
def test_a_peer_serves_every_unit_once_within_capacity_and_repeats(
        peer: str, tiny_request: PlanRequest) -> None:
    if peer in NEEDS:
        pytest.importorskip(NEEDS[peer])
    request = tiny_request
    first = runner(peer)(request)
    context = build_context(request)
    seats = sum(u.size for u in screen(context).units)
    assert first.riders == seats  # everyone who may travel rides, nobody twice
    served = Counter(unit for route in first.routes for drop in route.drops
                     for unit in drop.units)
    assert set(served) == set(unit_keys(screen(context).units).values())
    assert all(route.load <= route.kind.capacity for route in first.routes)
    assert first.violations["overload"] == 0
    again = runner(peer)(request)
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


def test_told_the_rules_a_day_states_the_radius_and_the_driving_times(
        tiny_request: PlanRequest) -> None:
    context = build_context(tiny_request)
    apart = 0
    for problem in build_problems(context, rules=True):
        rules = problem.rules
        assert rules is not None and rules.max_stops == 3
        ids = [problem.hub, *(c.destination for c in problem.chunks)]
        near = neighbours(context, sorted(set(ids[1:])))
        leave = context.grids[problem.hub].first_at_or_after(problem.day * 1440)
        for i, frm in enumerate(ids):
            if i:
                trip = charter_route(context, problem.hub, (frm,)).arrivals(leave)
                assert rules.minutes[0, i] == trip[0] - leave
            for j, to in enumerate(ids):
                joined = 0 in (i, j) or frm == to or near.has_edge(frm, to)
                assert rules.apart[i, j] == (not joined)
        apart += int(rules.apart.sum())
    assert apart  # the tiny request has employers beyond 30 km of each other


def test_over_the_horizon_each_rider_is_in_one_chunk_that_can_arrive_in_time(
        tiny_request: PlanRequest) -> None:
    context = build_context(tiny_request)
    problems = build_hub_problems(context, told=True)
    assert sum(c.demand for p in problems for c in p.chunks) == sum(
        u.size for u in screen(context).units)
    for problem in problems:
        smallest = min(k.capacity for k in problem.kinds)
        for i, one in enumerate(problem.chunks):
            assert one.demand <= smallest
            assert one.ready + problem.rules.minutes[0, i + 1] <= problem.due(i)
            assert problem.slots[one.ready // 1440][0] <= one.ready


def test_told_the_rules_pyvrp_keeps_the_drop_off_rules() -> None:
    pytest.importorskip("pyvrp")
    request = parse_request(generate_request(1000, 7, 2020))
    for told in (pyvrp_peer.run_with_rules, pyvrp_horizon.run_with_rules):
        counted = told(request).violations
        assert counted["max_dropoffs"] == counted["dropoff_radius"] == 0, counted
