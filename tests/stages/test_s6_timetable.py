"""Timetable, convoys, staff and crew on board, through the whole pipeline."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from types import SimpleNamespace
from typing import Any

from charterplan import parse_request, plan
from charterplan.model import Plan, Reason
from charterplan.samples import generate_request
from charterplan.shared.context import SlotGrid, build_context
from charterplan.stages.s1_eligibility import screen
from charterplan.stages.s2_areas import build_areas
from charterplan.stages.s3_assign import assign
from charterplan.stages.s6_timetable import _allot, _convoy_order, _Draft, _draft, _place
from tests.conftest import worker


def _plan(base: dict[str, Any], workers: list[dict[str, Any]]) -> Plan:
    base["workers"] = workers
    return plan(parse_request(base))


def test_slot_grid_rounds_to_opening_hours() -> None:
    """Slots run from open to close; before opening means the day's first slot, after
    closing the next day's first."""
    grid = SlotGrid(open=360, close=1080, slot=30, per_slot=1)
    assert grid.first_at_or_after(0) == 360
    assert grid.first_at_or_after(361) == 390
    assert grid.first_at_or_after(1081) == 1440 + 360
    assert grid.last_at_or_before(1439) == 1080
    assert grid.last_at_or_before(1440 + 100) == 1080
    assert grid.slots_per_day == 25


def test_convoy_leaves_in_consecutive_slots(base: dict[str, Any]) -> None:
    """Three full buses to one employer form a convoy leaving one slot apart, and a
    slot never holds more departures than the hub allows."""
    base["hubs"][0]["max_departures_per_slot"] = 1
    result = _plan(base, [worker(f"W{i:02d}") for i in range(66)])
    assert len(result.trips) == 3
    (convoy,) = result.convoys
    times = sorted(t.departure for t in result.trips)
    assert [(b - a).total_seconds() for a, b in itertools.pairwise(times)] == [
        600, 600]
    assert convoy.leader in {t.escort for t in result.trips}


def test_short_staff_leave_riders_with_no_staff(base: dict[str, Any]) -> None:
    """With one escort and one medic, only one bus a day runs: a long trip keeps them
    busy, and the riders of trips they cannot cover are left with no_staff."""
    base["staff"] = base["staff"][:2]
    workers = [worker(f"W{i:02d}", last="2020-02-20T23:59") for i in range(30)]
    workers += [worker(f"P{i:02d}", poverty_registered=True, last="2020-02-20T23:59")
                for i in range(4)]
    result = _plan(base, workers)
    assert len(result.trips) == 1
    (trip,) = result.trips
    assert {f"P{i:02d}" for i in range(4)} <= set(trip.passengers)
    assert Counter(u.reason for u in result.unassigned) == {Reason.NO_STAFF: 12}


def test_short_staff_swap_the_bus_that_runs_for_a_larger_one(base: dict[str, Any]) -> None:
    """As above, with a 53-seat type too (26 riders at load factor 0.5, dearer than two
    45-seat buses would be with their crews): the bus that runs is swapped for it, so
    that four more riders travel rather than stay home."""
    base["staff"] = base["staff"][:2]
    base["bus_types"].append({"id": "C53", "seats": 53, "fixed_cost": 3000,
                              "cost_per_km": 9, "available_per_day": 5})
    workers = [worker(f"W{i:02d}", last="2020-02-20T23:59") for i in range(30)]
    workers += [worker(f"P{i:02d}", poverty_registered=True, last="2020-02-20T23:59")
                for i in range(4)]
    result = _plan(base, workers)
    (trip,) = result.trips
    assert trip.vehicle_type == "C53" and len(trip.passengers) == 26
    assert Counter(u.reason for u in result.unassigned) == {Reason.NO_STAFF: 8}


def test_captain_is_a_volunteer_and_deputy_another_passenger(base: dict[str, Any]) -> None:
    """Volunteers captain first; the deputy is a different passenger of the same trip."""
    workers = [worker(f"W{i}") for i in range(5)]
    workers[3]["captain_volunteer"] = True
    (trip,) = _plan(base, workers).trips
    assert trip.captain == "W3"
    assert trip.deputy_captain in trip.passengers and trip.deputy_captain != "W3"


def test_same_request_gives_the_same_plan(base: dict[str, Any]) -> None:
    """Planning twice gives equal plans (byte equality is tested on the sample)."""
    workers = [worker(f"W{i:02d}", "DG1" if i % 2 else "CS", first=f"2020-02-{20 + i % 4}")
               for i in range(40)]
    assert _plan(base, workers) == _plan(base, workers)


class _AnyTime:
    """A route on which any departure is in time."""

    stops = ("E1",)

    def in_time(self, minute: int, deadlines: object) -> bool:
        return True


def test_a_convoy_bus_that_cannot_leave_before_the_last_slot_leaves_last() -> None:
    """Three buses of one convoy may leave 06:00–08:00, one of them not before 08:00,
    one slot each: ordered by the close of their windows alone (all 08:00) the late one
    could stand first or second and the convoy would find no run of slots."""

    def draft(lo: int, kind: str) -> _Draft:
        bus = SimpleNamespace(feeder=None, bus_type=kind)
        return _Draft(bus, _AnyTime(), lo, 8 * 60, ())

    grid = SlotGrid(open=6 * 60, close=18 * 60, slot=10, per_slot=1)
    late = draft(8 * 60, "A")
    convoy = sorted([draft(6 * 60, "B"), late, draft(6 * 60, "C")], key=_convoy_order)
    times = _place(grid, defaultdict(int), convoy)
    assert times is not None and times[convoy.index(late)] == 8 * 60



def test_a_convoy_does_not_leave_across_the_night_ban() -> None:
    """Three buses free from 01:00, one a slot of 30 min, at a hub open all night under
    the ban 02:00–05:00: 01:00, 01:30 and 05:00 are not one slot apart, so the convoy
    leaves 05:00, 05:30 and 06:00."""
    grid = SlotGrid(open=0, close=18 * 60, slot=30, per_slot=1, ban=(120, 300))
    convoy = [_Draft(SimpleNamespace(feeder=None, bus_type=k), _AnyTime(), 60, 18 * 60, ())
              for k in "ABC"]
    assert _place(grid, defaultdict(int), convoy) == [300, 330, 360]
    feeders = [_Draft(SimpleNamespace(feeder="T1", bus_type=k), _AnyTime(), 0, 330, ())
               for k in "AB"]
    assert _place(grid, defaultdict(int), feeders) == [300, 330]

def test_feeders_ready_only_at_the_last_slot_keep_it() -> None:
    """Five feeders to one train may leave 06:00–08:00, two of them not before 08:00,
    two buses a slot. The convoy of five finds no run of slots and is split; placed
    latest first, the feeders that could leave earlier must not take 08:00 first, or
    the two late ones are cancelled."""
    bus = SimpleNamespace(feeder="T1", bus_type="A")
    early = [_Draft(bus, _AnyTime(), 6 * 60, 8 * 60, ()) for _ in range(3)]
    late = [_Draft(bus, _AnyTime(), 8 * 60, 8 * 60, ()) for _ in range(2)]
    grid = SlotGrid(open=6 * 60, close=18 * 60, slot=10, per_slot=2)
    convoy = sorted(early + late, key=_convoy_order)
    placed = {id(d): t for *_, members, times in _allot({"H": grid}, [("H", "H→T1", convoy)])
              for d, t in zip(members, times or [None] * len(members), strict=True)}
    assert [placed[id(d)] for d in late] == [8 * 60, 8 * 60]
    assert all(placed[id(d)] is not None for d in early)


def test_feeders_that_find_no_late_run_split_rather_than_take_the_early_slots() -> None:
    """Two buses a slot, 06:00–06:40. Two feeders must leave at 06:40, four more of the
    same train may leave 06:00–06:40, and four buses must leave at 06:00 or 06:10. The
    four feeders find no run of four slots ending at 06:40; walking back in one run
    they would take a place at 06:00 and 06:10 each, and two buses would be cancelled.
    Split, they share 06:20 and 06:30."""
    def draft(lo: int, hi: int, feeder: str | None) -> _Draft:
        return _Draft(SimpleNamespace(feeder=feeder, bus_type="A"), _AnyTime(), lo, hi, ())

    grid = SlotGrid(open=6 * 60, close=6 * 60 + 40, slot=10, per_slot=2)
    late = [("H", "H→T1", [draft(400, 400, "T1")]) for _ in range(2)]
    feeders = [draft(360, 400, "T1") for _ in range(4)]
    buses = [("H", f"H/{i}", [draft(360 + 10 * (i // 2), 360 + 10 * (i // 2), None)])
             for i in range(4)]
    placed = [(members, times) for *_, members, times in
              _allot({"H": grid}, [*late, ("H", "H→T1", feeders), *buses])]
    assert all(times is not None for _, times in placed)
    assert sorted(t for members, times in placed if members[0] in feeders
                  for t in times or ()) == [380, 380, 390, 390]


def test_feeder_convoy_with_a_bus_ready_only_at_the_last_slot_goes_first() -> None:
    """Eight feeders to one train, in convoys of five as the timetable forms them
    (ordered by window): the first five may leave 06:00–08:00, the second convoy holds
    two such and one not ready before 08:00. An earlier train's feeders fill 07:40 and
    07:50 (two buses a slot). Placed first, the first convoy would be split and fill
    08:00, and the late feeder would be cancelled."""
    def draft(lo: int, hi: int = 480, train: str = "T1") -> _Draft:
        return _Draft(SimpleNamespace(feeder=train, bus_type="A"), _AnyTime(), lo, hi, ())

    grid = SlotGrid(open=6 * 60, close=18 * 60, slot=10, per_slot=2)
    drafts = sorted([draft(360) for _ in range(7)] + [draft(480)], key=_convoy_order)
    earlier = [("H", "H→T0", [draft(360, 470, "T0"), draft(360, 470, "T0")]) for _ in range(2)]
    convoys = [*earlier, ("H", "H→T1", drafts[:5]), ("H", "H→T1", drafts[5:])]
    placed = {id(d): t for *_, members, times in _allot({"H": grid}, convoys)
              for d, t in zip(members, times or [None] * len(members), strict=True)}
    assert None not in placed.values()
    assert placed[id(drafts[-1])] == 480


def test_every_assigned_bus_has_a_departure_window_with_wide_drop_off_radius() -> None:
    """A bus that serves fewer stops than its pattern runs the shortest order over them,
    unless that order makes some rider late: with drop-offs up to 150 km apart, the
    shortest of two can reach first the one whose riders may arrive last (in this
    county, two buses of 30 riders had no departure left and lost their riders)."""
    data = generate_request(2000, 14, 2020)
    data["policy"]["dropoff_radius_km"] = 150
    context = build_context(parse_request(data))
    units = screen(context).units
    buses = assign(context, build_areas(context, units), progress=lambda *_: None).buses
    drafts = [_draft(context, bus) for bus in buses]
    assert any(d.route.stops != d.bus.pattern.stops for d in drafts)
    assert all(d.lo <= d.hi for d in drafts)


def test_no_bus_detours_a_rider_beyond_the_limit_with_five_wide_drop_offs() -> None:
    """With up to five drop-offs within 150 km, the shortest order over the stops a bus
    serves can go round the other way and bring the riders of the drop-off nearest the
    hub there after 170 km of others (two buses of this county did): such a bus keeps
    its pattern's order, whose detours the areas checked."""
    data = generate_request(2000, 14, 2020)
    data["policy"].update(max_dropoffs_per_bus=5, dropoff_radius_km=150)
    context = build_context(parse_request(data))
    buses = assign(context, build_areas(context, screen(context).units),
                   progress=lambda *_: None).buses
    limit = context.request.policy.max_detour_km
    drafts = [_draft(context, bus) for bus in buses]
    assert any(d.route.stops != d.bus.pattern.stops for d in drafts)
    assert all(max(d.route.detours(context.places)) <= limit for d in drafts)
