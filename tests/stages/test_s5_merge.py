"""Buses of nearby areas share one bus when that is cheaper and every rider's window
allows it (``policy.share_buses_across_areas``)."""

from __future__ import annotations

from collections import defaultdict
from types import SimpleNamespace
from typing import Any

import pytest

from charterplan import parse_request, plan, replan
from charterplan.check import check_plan
from charterplan.model import Plan, Reason, Unassigned
from charterplan.samples import generate_request
from charterplan.shared.context import DAY, build_context
from charterplan.shared.packing import Bus
from charterplan.stages import s5_merge as merge
from charterplan.stages.s1_eligibility import screen
from charterplan.stages.s5_merge import dissolving
from charterplan.stages.s5_merge.hub import Hub, route_over, stops_of
from charterplan.stages.s6_timetable import Timetable
from tests.conftest import worker


def _plan(base: dict[str, Any], workers: list[dict[str, Any]], **policy: Any) -> Plan:
    # one destination an area: DG1 and DG2 (13 km apart) are solved apart
    base["workers"] = workers
    base["policy"] = {"max_area_destinations": 1, **policy}
    request = parse_request(base)
    result = plan(request)
    assert check_plan(request, result) == []
    return result


def _riders(destination: str, n: int, first: str, last: str) -> list[dict[str, Any]]:
    return [worker(f"{destination}-{k}", destination, first, last) for k in range(n)]


def _add_dg3(base: dict[str, Any]) -> None:
    """A third employer between DG1 and DG2."""
    base["destinations"].append({"id": "DG3", "name": "东莞玩具厂", "city": "东莞市",
                                 "province": "广东省", "lat": 22.990, "lon": 113.810})


def test_half_empty_buses_of_two_nearby_areas_become_one(base: dict[str, Any]) -> None:
    """Three riders each for two employers 13 km apart, who must all leave on the
    20th: one bus drops at both, where the areas alone run a bus each."""
    riders = (_riders("DG1", 3, "2020-02-20", "2020-02-21")
              + _riders("DG2", 3, "2020-02-20", "2020-02-21"))
    apart = _plan(base, riders, share_buses_across_areas=False)
    shared = _plan(base, riders)
    assert len(apart.trips) == 2
    (trip,) = shared.trips
    assert sorted(trip.passengers) == sorted(r["id"] for r in riders)
    assert [s.place for s in trip.stops if s.kind == "dropoff"] in (["DG1", "DG2"],
                                                                    ["DG2", "DG1"])
    assert shared.summary.total_cost < apart.summary.total_cost


def test_buses_whose_riders_share_no_departure_stay_apart(base: dict[str, Any]) -> None:
    """Riders who must leave on the 20th and riders who may leave only from the 23rd
    cannot share a bus, however empty."""
    riders = (_riders("DG1", 3, "2020-02-20", "2020-02-21")
              + _riders("DG2", 3, "2020-02-23", "2020-02-25"))
    assert len(_plan(base, riders).trips) == 2


def test_a_merged_bus_never_exceeds_the_seats(base: dict[str, Any]) -> None:
    """Two buses of 20 riders do not merge onto one 22-seat bus."""
    riders = (_riders("DG1", 20, "2020-02-20", "2020-02-21")
              + _riders("DG2", 20, "2020-02-20", "2020-02-21"))
    result = _plan(base, riders)
    assert len(result.trips) == 2
    assert result.summary.assigned == 40


@pytest.mark.parametrize(("dg2", "dg3", "days"), [
    (("2020-02-20", "2020-02-21"), ("2020-02-20", "2020-02-21"), 1),
    (("2020-02-21", "2020-02-22"), ("2020-02-20", "2020-02-22"), 2),
], ids=["same-day", "other-day"])
def test_a_small_bus_is_dissolved_into_the_free_seats_of_two_others(
        base: dict[str, Any], dg2: tuple[str, str], dg3: tuple[str, str], days: int) -> None:
    """20 riders each for DG1 (who must leave on the 20th) and DG2, and 4 for DG3
    between them: no two buses fit on one (22 seats), but the 4 fill the last two seats
    of each of the others, also when DG2's bus leaves on the 21st and DG3's riders may
    leave on either day."""
    _add_dg3(base)
    riders = (_riders("DG1", 20, "2020-02-20", "2020-02-21")
              + _riders("DG2", 20, *dg2) + _riders("DG3", 4, *dg3))
    assert len(_plan(base, riders, share_buses_across_areas=False).trips) == 3
    result = _plan(base, riders)
    assert len(result.trips) == 2
    assert result.summary.assigned == 44
    assert all(len(t.passengers) == 22 for t in result.trips)
    assert len({t.departure.date() for t in result.trips}) == days


def test_a_small_bus_is_dissolved_onto_full_buses_that_swap_for_larger_ones(
        base: dict[str, Any]) -> None:
    """22 riders each for DG1 and DG2 fill a 22-seat coach each, and DG3's 4 riders
    between them fit on neither, nor does any pair fit on one 24-seat coach; but two
    of them on each full coach, swapped for a 24-seat one, cost less than their own."""
    _add_dg3(base)
    base["bus_types"].append({"id": "C49", "seats": 49, "fixed_cost": 2300,
                              "cost_per_km": 7.5, "available_per_day": 5})
    riders = (_riders("DG1", 22, "2020-02-20", "2020-02-21")
              + _riders("DG2", 22, "2020-02-20", "2020-02-21")
              + _riders("DG3", 4, "2020-02-20", "2020-02-21"))
    apart = _plan(base, riders, share_buses_across_areas=False)
    assert sorted(t.vehicle_type for t in apart.trips) == ["C45", "C45", "C45"]
    result = _plan(base, riders)
    assert sorted((t.vehicle_type, len(t.passengers)) for t in result.trips) == [
        ("C49", 24), ("C49", 24)]
    assert result.summary.total_cost < apart.summary.total_cost


def _bus(name: str, hub: str, kind: str = "K", *workers: str) -> SimpleNamespace:
    return SimpleNamespace(area=name, hub=hub, bus_type=kind, day=0,
                           units=(SimpleNamespace(workers=workers or (f"{name}-w",)),))


PAIRS = {("A1", "A2"): "A12", ("B1", "B2"): "B12", ("B3", "B4"): "B34"}
"""The buses the stubbed merge stage merges, when given both."""


def _timetable_with(monkeypatch: pytest.MonkeyPatch, fleet: dict[str, int],
                    buses: list[str] | None = None) -> list[str]:
    """The buses (by name) that replan.merge_and_schedule keeps when the merge stage merges
    the :data:`PAIRS` it is given (onto type L), and the timetable finds no slot for
    the merged bus B12, with the daily ``fleet`` per type."""
    given = [_bus(name, name[0]) for name in buses or ["A1", "A2", "B1", "B2"]]

    def merge_buses(context: object, some: list[SimpleNamespace], progress: object,
                    **how: object) -> tuple[SimpleNamespace, ...]:
        names = {b.area: b for b in some}
        pairs = {pair: merged for pair, merged in PAIRS.items() if set(pair) <= set(names)}
        out = [b for b in some if not any(b.area in pair for pair in pairs)]
        return (*out, *(_bus(merged, merged[0], "L", *(w for name in pair
                                                      for w in names[name].units[0].workers))
                        for pair, merged in pairs.items()))

    def schedule(context: object, some: tuple[SimpleNamespace, ...]) -> Timetable:
        left = tuple(Unassigned(worker=w, reason=Reason.NO_VEHICLE_CAPACITY, detail="")
                     for b in some if b.area == "B12" for u in b.units for w in u.workers)
        return Timetable(trips=tuple(b for b in some if b.area != "B12"), convoy_areas={},
                         left=left)

    monkeypatch.setattr(replan, "merge_buses", merge_buses)
    monkeypatch.setattr(replan, "schedule", schedule)
    context = SimpleNamespace(request=SimpleNamespace(
        policy=SimpleNamespace(share_buses_across_areas=True),
        bus_types=[SimpleNamespace(id=k, available_per_day=n) for k, n in fleet.items()]))
    return [t.area for t in replan.merge_and_schedule(  # type: ignore[arg-type]
        context, given, (), lambda stage, done, total: None).trips]


def test_a_hub_whose_merges_strand_riders_keeps_its_buses_apart(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Hub B's merged bus would find no slot: B keeps its two buses and hub A its
    merge; before, the whole plan went unmerged for B's sake."""
    assert sorted(_timetable_with(monkeypatch, {"K": 4, "L": 2})) == ["A12", "B1", "B2"]


def test_a_hub_keeps_apart_only_the_buses_of_riders_a_merge_strands(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Hub B merges two pairs, and only B12 finds no slot: B merges again with B1 and
    B2 kept as they were, and keeps B34; before, all four of B's buses ran apart."""
    assert sorted(_timetable_with(monkeypatch, {"K": 6, "L": 3}, [
        "A1", "A2", "B1", "B2", "B3", "B4"])) == ["A12", "B1", "B2", "B34"]


def test_the_plan_goes_unmerged_when_mixing_would_overuse_a_fleet(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """With one bus of type K a day, B's two unmerged buses beside A's merged one would
    need two: the plan goes unmerged, as it strands fewer riders."""
    assert sorted(_timetable_with(monkeypatch, {"K": 1, "L": 2})) == ["A1", "A2", "B1", "B2"]


def test_hubs_share_the_spare_fleet_by_the_buses_they_merge() -> None:
    """Hubs merge apart, each within its share of a day's spare vehicles: five of type
    K a day, four running (one a feeder of B, which is not merged); the spare one
    goes to A, which merges two buses that day against B's one."""
    kind = SimpleNamespace(id="K", available_per_day=5)
    context = SimpleNamespace(request=SimpleNamespace(bus_types=[kind]),
                              bus_types_at={"A": (kind,), "B": (kind,)})
    a1, a2, b1, feeder = (_bus("A1", "A"), _bus("A2", "A"), _bus("B1", "B"),
                          _bus("BF", "B"))
    used, caps = merge._fleet_caps(context, [a1, a2, b1, feeder],  # type: ignore[arg-type]
                                   {"A": [a1, a2], "B": [b1]})  # type: ignore[list-item]
    assert used == {"A": {("K", 0): 2}, "B": {("K", 0): 2}}
    assert caps == {"A": {("K", 0): 3}, "B": {("K", 0): 2}}


def test_a_small_bus_takes_the_place_of_riders_a_third_bus_can_carry(
        base: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """A bus drops at DG1, DG2 and DG3; two riders for E4, a neighbour of all three,
    ride alone, and 15 riders for E5, near DG3 but 40 km from E4, ride a bus of their
    own. No bus can take E4's riders as it is, but the six of DG2 or DG3 can move to
    E5's bus, and E4's two take their place: two buses instead of three."""
    _add_dg3(base)
    base["destinations"] += [
        {"id": "E4", "name": "东莞五金厂", "city": "东莞市", "province": "广东省",
         "lat": 23.200, "lon": 113.800},
        {"id": "E5", "name": "东莞纺织厂", "city": "东莞市", "province": "广东省",
         "lat": 22.800, "lon": 113.810}]
    base["workers"] = [r for d, n in (("DG1", 8), ("DG2", 6), ("DG3", 6), ("E4", 2), ("E5", 15))
                       for r in _riders(d, n, "2020-02-20", "2020-02-21")]
    context = build_context(parse_request(base))
    units = screen(context).units

    def bus(*dests: str) -> Bus:
        on = [u for u in units if u.destinations[0] in dests]
        kind = context.request.bus_types[0]
        return Bus(area=dests[0], hub="XH", bus_type=kind.id, capacity=kind.capacity, wave=0,
                   day=on[0].earliest // DAY, units=tuple(on),
                   pattern=route_over(context, "XH", tuple(sorted(dests))))

    three = [bus("DG1", "DG2", "DG3"), bus("E4"), bus("E5")]
    # without the hand-over, nothing merges
    with monkeypatch.context() as patch:
        patch.setattr(dissolving, "room_by_hand_over", lambda *args: None)
        assert len(merge.merge_buses(context, [bus("DG1", "DG2", "DG3"), bus("E4"),
                                               bus("E5")])) == 3
    two = merge.merge_buses(context, three)
    drops = sorted((b.load, stops_of(b)) for b in two)
    assert [load for load, _ in drops] == [16, 21]
    (_, near_e4), (_, near_e5) = drops
    assert "E4" in near_e4 and "E5" in near_e5 and len(near_e4) == 3 and len(near_e5) == 2
    assert sum(Hub(context, "XH", two, defaultdict(int)).own_cost(b) for b in two) < sum(
        Hub(context, "XH", three, defaultdict(int)).own_cost(b) for b in three)


def test_hand_overs_on_a_generated_county_keep_every_rule(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A generated county (3,000 workers over 14 days) makes hand-overs, and its plan
    keeps every invariant ``check_plan`` knows."""
    found: list[bool] = []
    relay = dissolving.room_by_hand_over

    def spy(*args: Any) -> Any:
        made = relay(*args)
        found.append(made is not None)
        return made

    monkeypatch.setattr(dissolving, "room_by_hand_over", spy)
    request = parse_request(generate_request(3000, 14, 2020))
    result = plan(request)
    assert sum(found) > 0
    assert check_plan(request, result) == []
