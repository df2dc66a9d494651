"""The slot grid: departures every slot in opening hours, none inside the night ban."""

from __future__ import annotations

from typing import Any

from charterplan import parse_request
from charterplan.shared.context import DAY, NEVER, SlotGrid, build_context


def test_the_ban_is_a_gap_in_the_grid_with_slots_on_both_sides() -> None:
    """Open all day with the ban 02:00–05:00: no slot in [02:00, 05:00); 01:30 is the
    last before it and 05:00 the first after it."""
    grid = SlotGrid(open=0, close=23 * 60 + 30, slot=30, per_slot=1, ban=(120, 300))
    assert grid.slots_per_day == 48 - 6
    assert [grid.is_slot(m) for m in (90, 120, 270, 300, DAY + 120)] == [
        True, False, False, True, False]
    assert grid.first_at_or_after(91) == 300
    assert grid.first_at_or_after(DAY + 150) == DAY + 300
    assert grid.last_at_or_before(299) == 90
    assert grid.last_at_or_before(DAY + 299) == DAY + 90
    assert grid.day_slots(1) == (DAY, DAY + 23 * 60 + 30)


def test_a_ban_across_midnight_closes_the_end_and_the_start_of_each_day() -> None:
    """The ban 23:00–01:00 takes 23:00–23:30 and 00:00–00:30: after 22:30 the next slot
    is 01:00 the next day, and the day's first and last slots are 01:00 and 22:30."""
    grid = SlotGrid(open=0, close=23 * 60 + 30, slot=30, per_slot=2, ban=(23 * 60, 60))
    assert grid.first_at_or_after(22 * 60 + 31) == DAY + 60
    assert grid.last_at_or_before(DAY + 59) == 22 * 60 + 30
    assert grid.day_slots(0) == (60, 22 * 60 + 30)


def test_a_ban_outside_opening_hours_changes_nothing() -> None:
    """Open 06:00–18:00, the default ban 02:00–05:00 leaves every slot."""
    plain = SlotGrid(open=360, close=1080, slot=10, per_slot=2)
    banned = SlotGrid(open=360, close=1080, slot=10, per_slot=2, ban=(120, 300))
    assert banned.clocks == plain.clocks and banned.slots_per_day == 73


def test_a_grid_without_slots_has_no_first_nor_last() -> None:
    """Every slot banned: no slot ever (the request refuses such a bus station; the
    grid still answers without looping)."""
    grid = SlotGrid(open=150, close=240, slot=30, per_slot=1, ban=(120, 300))
    assert grid.slots_per_day == 0
    assert grid.first_at_or_after(0) == NEVER and grid.last_at_or_before(DAY) == -NEVER


def test_bus_stations_take_the_policys_ban_and_rail_stations_do_not(
        base: dict[str, Any]) -> None:
    """The context's grids hold the ban for bus stations, switched off with the policy;
    trains leave a rail station when they leave, so its grid has no ban."""
    base["hubs"][0]["open"] = "00:00"
    base["hubs"].append({**base["hubs"][0], "id": "XHW", "kind": "rail_station"})
    base["policy"] = {"night_ban_from": "01:00", "night_ban_until": "04:30"}
    grids = build_context(parse_request(base)).grids
    assert grids["XH"].ban == (60, 270) and grids["XHW"].ban is None
    assert not grids["XH"].is_slot(60) and grids["XH"].is_slot(270)
    base["policy"]["night_driving_ban"] = False
    assert build_context(parse_request(base)).grids["XH"].ban is None
