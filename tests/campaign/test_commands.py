"""The daily loop from Python: intake events, re-planning around published trips,
boarding, arrival, status, trace and the report."""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

import charterplan.campaign as campaign
from charterplan.campaign import ledger
from charterplan.check import check_plan
from charterplan.model import Trip
from tests.campaign.conftest import first_day, second_day, write_list
from tests.conftest import worker

DAY = date(2020, 2, 20)


def _started(db: str, county: Path, tmp_path: Path) -> campaign.PlanResult:
    """A ledger with the first day's workers planned and everything up to the 21st
    published."""
    campaign.init(db, county)
    campaign.intake(db, write_list(tmp_path / "day1.json", first_day()), DAY)
    result = campaign.plan(db, DAY)
    assert campaign.publish(db, "2020-02-21")
    return result


def _state(db: str) -> dict[str, object]:
    with ledger.transaction(db) as connection:
        return ledger.ledger_state(connection)


def test_intake_records_each_change_as_an_event(db: str, county: Path, tmp_path: Path) -> None:
    """New, changed and cancelled workers each leave an event with source, row and
    before/after; an unchanged worker leaves none."""
    campaign.init(db, county)
    got = campaign.intake(db, write_list(tmp_path / "a.json", first_day()), DAY)
    assert len(got.new) == 9
    changed = first_day()
    changed[0]["health"] = {"status": "symptomatic"}
    again = campaign.intake(db, write_list(tmp_path / "b.json", [
        changed[0], changed[1], {"id": "W2", "status": "取消"}]), DAY)
    assert (again.changed, again.unchanged, again.cancelled) == (["W0"], ["W1"], ["W2"])
    story = campaign.worker_story(db, "W0")
    kinds = [(e["kind"], e["source"], e["row"]) for e in story["events"]]
    assert kinds == [("registered", "a.json", 1), ("changed", "b.json", 1)]
    assert story["events"][1]["before"]["health"] == {"status": "cleared"}
    assert story["events"][1]["after"]["health"] == {"status": "symptomatic"}
    assert campaign.worker_story(db, "W2")["state"] == "cancelled"


def test_bad_intake_names_every_place_and_records_nothing(db: str, county: Path,
                                                          tmp_path: Path) -> None:
    """Every bad item is reported with its place in the file; the ledger is unchanged."""
    campaign.init(db, county)
    before = _state(db)
    items = [worker("A", destination="E-99"), worker("B", first="2020-02-25",
                                                     last="2020-02-21"),
             {"id": "C", "status": "cancelled"}, worker("D")]
    with pytest.raises(campaign.CampaignError) as error:
        campaign.intake(db, write_list(tmp_path / "bad.json", items), DAY)
    message = str(error.value)
    assert "bad.json[0].destination: unknown destination 'E-99'" in message
    assert "bad.json[1].latest_arrival" in message
    assert _state(db) == before
    with pytest.raises(campaign.CampaignError, match="cancels unknown worker 'C'"):
        campaign.intake(db, write_list(tmp_path / "c.json", items[2:]), DAY)
    assert _state(db) == before


def test_replan_keeps_published_trips_and_fills_their_free_seats(
        db: str, county: Path, tmp_path: Path) -> None:
    """Published trips keep id, vehicle, departure and crew; cancelled riders leave
    them, pending workers take the free seats, a trip left with one rider is cancelled,
    and the union of published and new trips passes every SPEC §5 check."""
    first = _started(db, county, tmp_path)
    published = {t.id: t for t in first.plan.trips}
    campaign.intake(db, write_list(tmp_path / "day2.json", second_day()), DAY)
    out = tmp_path / "out"
    second = campaign.plan(db, DAY, out=out)
    assert check_plan(second.request, second.plan) == []
    trips = {t.id: t for t in second.plan.trips}
    dg1 = next(t for t in published.values() if "W0" in t.passengers)
    kept = trips[dg1.id]
    for name in ("vehicle_type", "departure", "escort", "medic", "hub", "stops"):
        if name != "stops":
            assert getattr(kept, name) == getattr(dg1, name)
    assert [s.place for s in kept.stops] == [s.place for s in dg1.stops]
    assert "W5" not in kept.passengers
    assert {"X0", "X1", "X2", "X3"} <= set(kept.passengers)
    cs = next(t for t in published.values() if "C0" in t.passengers)
    assert cs.id not in trips  # C1 and C2 cancelled: no captain and deputy left
    rows = list(csv.reader((out / "changes.csv").read_text(encoding="utf-8-sig").splitlines()))
    why = {r[0]: (r[1], r[2], r[3]) for r in rows[1:]}
    assert why["W5"] == (dg1.id, "", "cancelled")
    assert why["X0"] == ("", dg1.id, "free seat on a published trip")
    assert why["C0"][0] == cs.id and why["C0"][1] == ""
    with ledger.transaction(db) as connection:
        statuses = {r.id: r.status for r in connection.execute(ledger.trips.select())}
    assert statuses[cs.id] == "cancelled"
    # new trips leave after the published days, with crews back and rested
    for trip in second.plan.trips:
        if trip.id not in published:
            assert trip.departure.date() > date(2020, 2, 21)


def test_every_plan_version_is_kept(db: str, county: Path, tmp_path: Path) -> None:
    """Each plan records a version with its request digest and plan; a worker's story
    lists their trip in each."""
    _started(db, county, tmp_path)
    campaign.intake(db, write_list(tmp_path / "day2.json", second_day()), DAY)
    campaign.plan(db, DAY)
    with ledger.transaction(db) as connection:
        versions = list(connection.execute(ledger.plan_versions.select()))
    assert [v.version for v in versions] == [1, 2]
    assert all(json.loads(v.plan)["request_sha256"] == v.request_sha256 for v in versions)
    plans = campaign.worker_story(db, "W0")["plans"]
    assert [p["version"] for p in plans] == [1, 2] and plans[0]["trip"] == plans[1]["trip"]


def test_an_unchanged_day_keeps_the_last_plan(db: str, county: Path, tmp_path: Path) -> None:
    """Planning again with nothing new moves nobody (the last plan's trips are kept)."""
    campaign.init(db, county)
    campaign.intake(db, write_list(tmp_path / "a.json", [
        worker(f"L{i}", first="2020-02-22", last="2020-02-26") for i in range(5)]), DAY)
    first = campaign.plan(db, DAY)
    second = campaign.plan(db, DAY)
    assert second.changes == []
    assert [t.id for t in second.plan.trips] == [t.id for t in first.plan.trips]


def test_board_arrive_trace_and_report(db: str, county: Path, tmp_path: Path) -> None:
    """Boarding records who came (no-shows return to pending), arrival marks riders
    arrived, trace lists the vehicle's riders and crew with masked phones, and the
    report counts each township in CSV and XLSX."""
    first = _started(db, county, tmp_path)
    trip = next(t for t in first.plan.trips if "W0" in t.passengers)
    present = tmp_path / "present.txt"
    present.write_text("\n".join(w for w in trip.passengers if w != "W5") + "\n",
                       encoding="utf-8")
    boarded, absent = campaign.board(db, trip.id, present)
    assert absent == ["W5"] and "W0" in boarded
    assert campaign.worker_story(db, "W5")["reason"] == "no_show"
    assert campaign.arrive(db, trip.id) == boarded
    assert campaign.worker_story(db, "W0")["state"] == "arrived"
    rows = campaign.trace(db, "W0")
    people = {(r[2], r[3]) for r in rows}
    assert ("escort", trip.escort) in people and ("medic", trip.medic) in people
    assert ("rider", "W5") not in people and any(r[3] == "W1" for r in rows)
    assert all(r[0] == trip.id for r in rows)
    table, written = campaign.report(db, date(2020, 2, 21), tmp_path / "report")
    total = table[-1]
    assert total[0] == "合计" and total[1] == 9 and total[2] == len(boarded)
    assert total[3] == len(boarded)
    sheet = load_workbook(written[1]).active
    assert sheet["A2"].value == "乡镇" and sheet.cell(sheet.max_row, 2).value == 9
    with pytest.raises(campaign.CampaignError, match="boarding is recorded once"):
        campaign.board(db, trip.id, [])


def test_board_refuses_strangers_with_their_line(db: str, county: Path,
                                                 tmp_path: Path) -> None:
    """A present list naming a non-rider is refused with its line; nothing recorded."""
    first = _started(db, county, tmp_path)
    trip = first.plan.trips[0]
    present = tmp_path / "present.txt"
    present.write_text(f"{trip.passengers[0]}\nNOBODY\n", encoding="utf-8")
    before = _state(db)
    with pytest.raises(campaign.CampaignError, match=r"present.txt:2: 'NOBODY'"):
        campaign.board(db, trip.id, present)
    assert _state(db) == before


def test_published_trip_bodies_round_trip(db: str, county: Path, tmp_path: Path) -> None:
    """The ledger stores each trip as the plan's trip, to the minute."""
    first = _started(db, county, tmp_path)
    with ledger.transaction(db) as connection:
        stored = {r.id: Trip.model_validate_json(r.body)
                  for r in connection.execute(ledger.trips.select())}
    assert stored == {t.id: t for t in first.plan.trips}


def test_crews_of_trips_that_left_rest_before_new_trips(db: str, tmp_path: Path) -> None:
    """With one escort and one medic, a new trip leaves only once they are back from
    the trip that left and have rested."""
    from tests.conftest import BASE

    county = tmp_path / "county.json"
    county.write_text(json.dumps({**{k: v for k, v in BASE.items() if k != "workers"},
                                  "staff": BASE["staff"][:2]}), encoding="utf-8")
    campaign.init(db, county)
    campaign.intake(db, write_list(tmp_path / "a.json", first_day()[:6]), DAY)
    first = campaign.plan(db, DAY)
    campaign.publish(db, "2020-02-21")
    (trip,) = first.plan.trips
    campaign.board(db, trip.id, trip.passengers)
    late = [worker(f"Z{i}", "CS", first="2020-02-22", last="2020-02-22") for i in range(3)]
    later = [worker(f"Y{i}", "CS", first="2020-02-22", last="2020-02-26") for i in range(3)]
    campaign.intake(db, write_list(tmp_path / "b.json", late + later), date(2020, 2, 21))
    second = campaign.plan(db, date(2020, 2, 21))
    (new,) = second.plan.trips
    assert new.departure >= trip.back_at_hub + timedelta(hours=8)
    assert {u.worker: u.reason.value for u in second.plan.unassigned} == dict.fromkeys(
        ("Z0", "Z1", "Z2"), "no_staff")


def test_a_new_rider_does_not_move_the_others(db: str, county: Path, tmp_path: Path) -> None:
    """A registration that joins an unpublished bus leaves its riders' trip id as it was:
    changes list only the newcomer (and riders whose departure moved, with why)."""
    campaign.init(db, county)
    campaign.intake(db, write_list(tmp_path / "a.json", [
        worker(f"L{i}", first="2020-02-22", last="2020-02-26") for i in range(6)]), DAY)
    first = campaign.plan(db, DAY)
    (trip,) = first.plan.trips
    campaign.intake(db, write_list(tmp_path / "b.json", [
        worker("L9", first="2020-02-22", last="2020-02-26")]), DAY)
    second = campaign.plan(db, DAY)
    assert [t.id for t in second.plan.trips] == [trip.id]
    moved = {c.worker: c for c in second.changes}
    assert moved.pop("L9").to_trip == trip.id
    assert all(c.why.startswith("departure moved") for c in moved.values())


def test_a_first_plan_is_the_plain_plan(db: str, county: Path, tmp_path: Path) -> None:
    """With nothing published, the campaign's plan has the trips, unassigned and report
    tables of a plain plan of the same request."""
    from charterplan.pipeline import plan as plain

    campaign.init(db, county)
    campaign.intake(db, write_list(tmp_path / "a.json", [*first_day(), *second_day()[:7]]),
                    DAY)
    ours = campaign.plan(db, DAY)
    theirs = plain(ours.request)
    assert ours.plan.trips == theirs.trips
    assert ours.plan.unassigned == theirs.unassigned
    assert ours.plan.summary.tables == theirs.summary.tables
    assert ours.plan.request_sha256 == theirs.request_sha256


def test_drivers_named_at_boarding_appear_in_trace_masked(db: str, county: Path,
                                                         tmp_path: Path) -> None:
    """Drivers the escort names at boarding are listed by trace with masked phones;
    before boarding, trace says the trip's drivers are not named yet."""
    first = _started(db, county, tmp_path)
    trip = next(t for t in first.plan.trips if "W0" in t.passengers)
    before = [r for r in campaign.trace(db, "W0") if r[2] == "driver"]
    assert [r[4] for r in before] == ["(not named yet)"] * trip.drivers
    names = [(f"司机{k}", f"1390000{k:04d}") for k in range(trip.drivers)]
    campaign.board(db, trip.id, list(trip.passengers), names)
    drivers = [r for r in campaign.trace(db, "W0") if r[2] == "driver"]
    assert [r[4] for r in drivers] == [n for n, _ in names]
    assert all("****" in r[5] and r[5] != p for r, (_, p) in zip(drivers, names, strict=True))


def test_too_few_drivers_are_refused_and_nothing_recorded(db: str, county: Path,
                                                           tmp_path: Path) -> None:
    """Naming fewer drivers than the trip carries, or a blank name, is refused, the
    phone never in the message, and nothing is recorded."""
    first = _started(db, county, tmp_path)
    trip = first.plan.trips[0]
    before = _state(db)
    with pytest.raises(campaign.CampaignError, match="driver 1: the name is empty") as error:
        campaign.board(db, trip.id, list(trip.passengers), [(" ", "13900001234")])
    assert "13900001234" not in str(error.value)
    assert _state(db) == before


def test_a_ledger_of_the_first_schema_upgrades_with_its_data(db: str, county: Path,
                                                             tmp_path: Path) -> None:
    """A ledger made before drivers were recorded (revision 0001) is refused until
    init upgrades it; the upgrade keeps every row and adds the drivers' table."""
    from alembic import command

    _started(db, county, tmp_path)
    with ledger.transaction(db) as connection:
        command.downgrade(ledger._config(connection), "0001")
    with pytest.raises(campaign.CampaignError, match="schema revision 0001"):
        campaign.status(db)
    assert campaign.init(db) == "0002"
    state = _state(db)
    assert state["trip_drivers"] == [] and len(state["trips"]) >= 2


def test_late_registrations_get_a_new_bus_on_a_published_day(db: str, county: Path,
                                                              tmp_path: Path) -> None:
    """Ten workers registered after the 20th and 21st were published, who must arrive
    by the 21st, for an employer no published bus serves: a new bus on a published day
    takes them (within the fleet, slots and crews the published trips leave), and the
    published trips stay as announced."""
    first = _started(db, county, tmp_path)
    announced = {t.id: t for t in first.plan.trips}
    campaign.intake(db, write_list(tmp_path / "late.json", [
        worker(f"L{i}", "DG2", first="2020-02-20", last="2020-02-21") for i in range(10)]),
        DAY)
    result = campaign.plan(db, DAY)
    assert check_plan(result.request, result.plan) == []
    late = [t for t in result.plan.trips if t.id not in announced]
    assert {w for t in late for w in t.passengers} == {f"L{i}" for i in range(10)}
    assert all(t.departure.date() <= date(2020, 2, 21) for t in late)
    assert all(t == announced[t.id] for t in result.plan.trips if t.id in announced)
