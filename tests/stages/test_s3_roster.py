"""The roster bound (stages/s3_assign/roster.py) against the best plan of tiny
requests, found by brute force."""

from __future__ import annotations

import itertools
import math
from typing import Any

import networkx as nx
from hypothesis import given, settings

from charterplan import check_plan, parse_request, plan
from charterplan.model import PlanRequest
from charterplan.shared.context import DAY, Context, build_context
from charterplan.shared.routes import route
from tests.strategies import roster_requests


def _crewed(trips: tuple[tuple[int, int, int], ...], people: list[tuple[frozenset[str], int, int]],
            busy: list[list[tuple[int, int]]]) -> bool:
    """Whether each of ``trips`` (start, end of duty) finds an escort and a different
    medic, each free for the whole duty and available from its start to its return."""
    if not trips:
        return True
    (start, end, back), rest = trips[0], trips[1:]
    for e, m in itertools.permutations(range(len(people)), 2):
        if all(role in people[i][0] and people[i][1] <= start and back <= people[i][2]
               and all(end <= s or e2 <= start for s, e2 in busy[i])
               for i, role in ((e, "escort"), (m, "medic"))):
            busy[e].append((start, end))
            busy[m].append((start, end))
            found = _crewed(rest, people, busy)
            busy[e].pop()
            busy[m].pop()
            if found:
                return True
    return False


def _best(request: PlanRequest) -> int:
    """The most workers any timetable of buses can carry: every set of departures up
    to the buses all workers need, staffed by exhaustive search, riders matched to
    buses by maximum flow (minimum loads and slot limits relaxed)."""
    context: Context = build_context(request)
    grid = context.grids["XH"]
    path = route(context, "XH", ("D",))
    seats = math.floor(8 * 0.5)
    rest = math.ceil(request.policy.staff_rest_hours * 60)
    windows = [(context.minute_up(w.earliest_departure), context.minute(w.latest_arrival))
               for w in request.workers]
    last_day = max(by for _, by in windows) // DAY
    slots = [day * DAY + grid.open + k * grid.slot for day in range(last_day + 1)
             for k in range(grid.slots_per_day)]
    people = [(s.roles, context.minute_up(s.available_from), context.minute(s.available_until))
              for s in request.staff]
    best = 0
    for count in range(1, -(-len(windows) // seats) + 1):
        for times in itertools.combinations_with_replacement(slots, count):
            duties = tuple((t, path.back(t) + rest, path.back(t)) for t in times)
            if not _crewed(duties, people, [[] for _ in people]):
                continue
            flow = nx.DiGraph()
            for b, t in enumerate(times):
                flow.add_edge(("bus", b), "sink", capacity=seats)
                for w, (earliest, by) in enumerate(windows):
                    if earliest <= t and path.arrivals(t)[0] <= by:
                        flow.add_edge("source", ("worker", w), capacity=1)
                        flow.add_edge(("worker", w), ("bus", b), capacity=1)
            if flow.has_node("source"):
                best = max(best, nx.maximum_flow_value(flow, "source", "sink"))
    return best


@settings(max_examples=25, deadline=None)
@given(roster_requests())
def test_roster_bound_is_at_least_the_best_plan(data: dict[str, Any]) -> None:
    """No plan carries more workers than the roster bound: brute force finds the best
    timetable of a tiny request, and the bound is at least that; the planner's own plan,
    which check accepts, carries no more than brute force."""
    request = parse_request(data)
    result = plan(request)
    best = _best(request)
    assert not check_plan(request, result)
    assert result.summary.assigned <= best
    assert result.summary.roster_bound_workers is not None
    assert best <= result.summary.roster_bound_workers
