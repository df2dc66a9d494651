"""Eligibility: health gating, windows and groups."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from charterplan import parse_request
from charterplan.model import Reason
from charterplan.shared.context import build_context
from charterplan.shared.units import Unit
from charterplan.stages.s1_eligibility import Screening, screen
from tests.conftest import worker


def _screen(base: dict[str, Any], *workers: dict[str, Any]) -> Screening:
    base["workers"] = list(workers)
    return screen(build_context(parse_request(base)))


def _earliest(base: dict[str, Any], unit: Unit) -> str:
    """The unit's earliest departure as local 'YYYY-MM-DD HH:MM'."""
    context = build_context(parse_request(base))
    return context.moment(unit.earliest).strftime("%Y-%m-%d %H:%M")


def _reasons(screening: Screening) -> dict[str, Reason]:
    return {u.worker: u.reason for u in screening.unassigned}


def test_cleared_worker_becomes_a_unit(base: dict[str, Any]) -> None:
    """A cleared worker becomes a one-worker unit at their hub from their first day."""
    result = _screen(base, worker("W1"))
    assert result.unassigned == ()
    (unit,) = result.units
    assert unit.workers == ("W1",) and unit.hub == "XH"
    assert _earliest(base, unit) == "2020-02-20 00:00"


@pytest.mark.parametrize(("health", "reason"), [
    ({"status": "symptomatic"}, Reason.HEALTH_NOT_CLEARED),
    ({"status": "unverified"}, Reason.HEALTH_NOT_CLEARED),
    ({"status": "quarantine"}, Reason.HEALTH_NOT_CLEARED),
    ({"status": "quarantine", "quarantine_until": "2020-02-26"},
     Reason.QUARANTINE_PAST_WINDOW),
    ({"status": "cleared", "certificate_valid_until": "2020-02-19"},
     Reason.HEALTH_NOT_CLEARED),
])
def test_health_gates_travel(base: dict[str, Any], health: dict[str, Any],
                             reason: Reason) -> None:
    """Workers who are not cleared in their window are left out with the right reason."""
    result = _screen(base, worker("W1", health=health))
    assert result.units == ()
    assert _reasons(result) == {"W1": reason}


def test_quarantine_ending_in_window_delays_departure(base: dict[str, Any]) -> None:
    """A quarantine that ends inside the window moves the earliest departure after it."""
    result = _screen(base, worker("W1", health={"status": "quarantine",
                                                "quarantine_until": "2020-02-21"}))
    (unit,) = result.units
    assert _earliest(base, unit) == "2020-02-22 00:00"  # the day after the quarantine


def test_window_shorter_than_the_ride_is_infeasible(base: dict[str, Any]) -> None:
    """Dongguan is ~15 h away: arriving by noon of the departure day is impossible."""
    result = _screen(base, worker("W1", last="2020-02-20T12:00"))
    assert _reasons(result) == {"W1": Reason.WINDOW_INFEASIBLE}


def test_group_rides_together_as_one_unit(base: dict[str, Any]) -> None:
    """Members of a group form one unit with the intersection of their windows."""
    result = _screen(base, worker("W1", group="G", first="2020-02-21"),
                     worker("W2", group="G", last="2020-02-24"))
    (unit,) = result.units
    assert isinstance(unit, Unit) and unit.workers == ("W1", "W2")
    assert _earliest(base, unit) == "2020-02-21 00:00"


def test_group_with_a_member_not_cleared_stays_home_together(base: dict[str, Any]) -> None:
    """If one member cannot travel, the whole group is left out with one reason."""
    result = _screen(base, worker("W1", group="G"),
                     worker("W2", group="G", health={"status": "symptomatic"}))
    assert result.units == ()
    assert _reasons(result) == {"W1": Reason.GROUP_SPLIT_REFUSED,
                                "W2": Reason.GROUP_SPLIT_REFUSED}
    assert all("W2" in u.detail for u in result.unassigned)


def test_group_larger_than_any_bus_is_refused(base: dict[str, Any]) -> None:
    """A group that cannot fit on the largest bus is refused rather than split."""
    base["bus_types"][0]["seats"] = 4  # 2 passengers at load factor 0.5
    result = _screen(base, *(worker(f"W{i}", group="G") for i in range(3)))
    assert set(_reasons(result).values()) == {Reason.GROUP_SPLIT_REFUSED}


def test_a_deadline_the_driving_rules_miss_is_window_infeasible(base: dict[str, Any]) -> None:
    """Pure driving would arrive in time; with the drivers' change-overs it would not,
    so the worker is not put on a bus that arrives late."""
    context = build_context(parse_request(base))
    drive = context.drive_minutes(context.ride_km["XH", "DG1"])
    six = context.minute(datetime(2020, 2, 20, 6, tzinfo=context.zone))
    arrive = context.moment(six + drive + 5)  # leaving 06:00, five minutes to spare
    late = worker("W1", first="2020-02-20", last=arrive.strftime("%Y-%m-%dT%H:%M"))
    assert _reasons(_screen(base, late)) == {"W1": Reason.WINDOW_INFEASIBLE}
    base["policy"] = {"continuous_driving_limit": False, "daily_driving_limit": False}
    assert _reasons(_screen(base, late)) == {}


def test_a_previous_trip_becomes_the_units_stay(base: dict[str, Any]) -> None:
    """A worker's ``previous`` (campaign's last plan) becomes their unit's stay: the day
    index, the trip and the weight; a worker without one has none."""
    before = {"trip": "T7", "departure": "2020-02-22T08:00", "weight": 0.05}
    result = _screen(base, worker("W1", previous=before), worker("W2"))
    stays = {u.workers[0]: u.stay for u in result.units}
    assert stays["W2"] is None
    stay = stays["W1"]
    assert stay is not None and (stay.trip, stay.weight) == ("T7", 0.05)
    context = build_context(parse_request(base))
    assert context.moment(stay.day * 1440).date() == datetime(2020, 2, 22).date()
