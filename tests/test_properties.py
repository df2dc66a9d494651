"""Property tests: every plan of a random valid request holds every SPEC §5 invariant.

The requests (tests/strategies.py) mix health states, windows from hours to days,
groups, one or two hubs, tight fleets and slots and short staff rosters; the plans are
verified by charterplan.check, which shares no code with the planner.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given

from charterplan import parse_request, plan, read_request
from charterplan.check import check_plan
from charterplan.io.plan_json import dump_plan
from tests.strategies import night_requests, requests


@given(requests())
def test_every_plan_holds_every_invariant(data: dict[str, Any]) -> None:
    """check_plan finds no violation in the plan of any random valid request."""
    request = parse_request(data)
    result = plan(request)
    violations = check_plan(request, result)
    assert violations == [], "\n".join(map(str, violations))


@given(night_requests())
def test_no_bus_leaves_inside_a_random_night_ban(data: dict[str, Any]) -> None:
    """Under random night bans and bus stations open at night, no bus of the plan
    leaves (or drives) inside the ban, and the plan holds every other invariant too."""
    request = parse_request(data)
    result = plan(request)
    violations = check_plan(request, result)
    assert violations == [], "\n".join(map(str, violations))
    policy, zone = request.policy, ZoneInfo(request.timezone)
    ban = (policy.night_ban_from, policy.night_ban_until)
    for trip in result.trips:
        clock = trip.departure.astimezone(zone).time()
        inside = ban[0] <= clock < ban[1] if ban[0] <= ban[1] else not ban[1] <= clock < ban[0]
        assert trip.mode == "rail" or not inside, (trip.id, clock)


@given(requests(max_workers=25))
def test_same_request_and_seed_give_the_same_bytes(data: dict[str, Any]) -> None:
    """Planning the same request twice gives byte-identical plan.json."""
    request = parse_request(data)
    assert dump_plan(plan(request)) == dump_plan(plan(request))


@given(requests())
def test_nobody_is_dropped_and_reasons_add_up(data: dict[str, Any]) -> None:
    """Assigned plus unassigned is every worker, and the summary counts agree."""
    request = parse_request(data)
    result = plan(request)
    riding = [w for t in result.trips if not t.feeder for w in t.passengers]
    left = [u.worker for u in result.unassigned]
    assert sorted(riding + left) == sorted(w.id for w in request.workers)
    assert result.summary.assigned == len(riding)
    assert sum(result.summary.unassigned_by_reason.values()) == len(left)


def test_rounded_trip_costs_never_undercut_the_bound() -> None:
    """Regression: trip km rounded to 0.1 km once made the cost 0.07 below the bound."""
    path = Path(__file__).parent / "data" / "valid" / "bound_rounding.json"
    request = read_request(path)
    result = plan(request)
    assert check_plan(request, result) == []
    assert result.summary.lower_bound_cost <= result.summary.total_cost
