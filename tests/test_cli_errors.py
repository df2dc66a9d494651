"""Bad input and bad usage exit with status 2, name the problem, and write nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from charterplan.cli import main

INVALID = Path(__file__).parent / "data" / "invalid"

# Each fixture breaks the valid request tests/data/valid/minimal.json in one way; the
# value is the JSON path (or, for unparsable text, the words) its one error must name.
EXPECTED = {
    "ClockNotHHMM": "hubs[0].open",
    "DateNotIso": "workers[4].earliest_departure",
    "DuplicateWorkerId": "workers[1].id",
    "HubCloseBeforeOpen": "hubs[0].close",
    "LoadFactorAboveOne": "bus_types[0].load_factor",
    "MalformedJson": "malformed JSON",
    "MissingWorkerName": "workers[5].name",
    "NegativeSeats": "bus_types[0].seats",
    "RailArrivalBeforeDeparture": "rail_services[0].stops[0].arrival: arrival "
                                  "2020-02-21T07:30+08:00 is not after the departure",
    "RailHubIsBusStation": "rail_services[0].hub: unknown rail-station hub 'XH'",
    "RailLoadFactorLeavesNoSeat": "rail_services[0].load_factor: leaves no passenger seat",
    "RailNegativeCost": "rail_services[0].cost_per_carriage",
    "RailStopsOutOfOrder": "rail_services[0].stops[1].arrival",
    "RailUnknownHub": "rail_services[0].hub: unknown rail-station hub 'HHN'",
    "RailUnknownStation": "destinations[0].rail_station: unknown rail station 'ST-SZN'",
    "RailZeroCarriages": "rail_services[0].carriages",
    "ReservedSeatsLeaveNoSeat": "bus_types[0].reserved_seats",
    "StaffAvailabilityEndsBeforeStart": "staff[1].available_until",
    "UnknownBusTypeHub": "bus_types[0].hub",
    "UnknownDestination": "workers[0].destination: unknown destination 'E-99'",
    "UnknownField": "workers[0].dormitory",
    "UnknownHealthStatus": "workers[3].health.status",
    "UnknownPickupPoint": "workers[2].pickup_point",
    "UnknownTimezone": "timezone",
    "WindowEndsBeforeStart": "workers[2].latest_arrival",
    # SPEC §8: bad input of every kind is exit 2 with its place named
    "AvailablePerDayAbove2To63": "bus_types[0].available_per_day: Input should be less "
                                 "than or equal to 100000",
    "ContactPhoneNotText": "destinations[0].contact_phone: Input should be a valid string "
                           "(got ['137****5604（王经理）'])",
    "CostIsInfinity": "bus_types[0].fixed_cost: Input should be a finite number",
    "CostIsNaN": "bus_types[0].cost_per_km: Input should be a finite number",
    "DeepNesting": "nested too deeply",
    "DestinationSharesHubId": "destinations[2].id: id 'XH' is also the id of hubs[0]",
    "DestinationSharesPickupPointId": "destinations[1].id: id 'CS' is also the id of "
                                      "pickup_points[1]",
    "DuplicateKey": "workers[0].health.status: key given more than once",
    "EncodingGBK": "not UTF-8 text: byte 0xD0 at line 7, column 13; it reads as GB18030/GBK",
    "EncodingLatin1": "not UTF-8 text: byte 0xE9 at line 7, column 16",
    "FixedCostAbove1e18": "bus_types[0].fixed_cost: Input should be less than or equal to "
                          "100000",
    "IdNumberAsNumber": "workers[0].id_number: Input should be a valid string "
                        "(got 431229********3829)",
    "IntegerOf5000Digits": "bus_types[0].seats: Input should be a finite number",
    "MissingWorkers": "workers: required field is missing",
    "NotAnObjectInList": "workers[6]: expected a JSON object (got 0)",
    "YearOne": "workers[0].earliest_departure: the year 1 is outside the years 2000–2099",
    "YearOutOfRange": "workers[0].latest_arrival: the year 9999 is outside the years 2000–2099",
    "ZoneChangesOffsetInSpan": "timezone: America/New_York changes its UTC offset from "
                               "-05:00 to -04:00 on 2020-03-08",
}


def _run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "charterplan", *map(str, args)],
                          capture_output=True, text=True, encoding="utf-8", cwd=cwd,
                          timeout=120, check=False)


def test_every_fixture_has_an_expectation() -> None:
    """Each file in tests/data/invalid is checked below, and each expectation has its file."""
    assert {p.stem for p in INVALID.glob("*.json")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_request_exits_2_naming_the_path_and_writes_nothing(name: str,
                                                                tmp_path: Path) -> None:
    """The request is refused with its one problem on stderr and no output folder."""
    out = tmp_path / "out"
    result = _run("plan", INVALID / f"{name}.json", "--out", out, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert EXPECTED[name] in result.stderr
    assert "has 1 problem\n" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []
    assert result.stdout == ""


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_check_calls_a_bad_request_bad_input_not_a_violation(
        name: str, capsys: pytest.CaptureFixture[str]) -> None:
    """check exits 2 on every bad request (a GBK file included), never 1 (violation)."""
    plan = Path(__file__).parent / "data" / "valid" / "minimal.json"  # never read
    assert main(["check", str(INVALID / f"{name}.json"), str(plan)]) == 2
    assert EXPECTED[name] in capsys.readouterr().err


def test_check_calls_a_plan_file_in_gbk_bad_input(tmp_path: Path) -> None:
    """A plan file saved as GBK is bad input (exit 2, the encoding named), not a violation."""
    plan = tmp_path / "plan.json"
    plan.write_bytes('{"plan_id": "新晃"}'.encode("gbk"))
    valid = Path(__file__).parent / "data" / "valid" / "minimal.json"
    result = _run("check", valid, plan)
    assert result.returncode == 2, result.stderr
    assert "GB18030/GBK" in result.stderr


def test_no_message_repeats_a_full_id_number_or_phone() -> None:
    """The fixtures that put an ID number or a mobile into a message show them masked."""
    for name, secret in [("IdNumberAsNumber", "431229199608313829"),
                         ("ContactPhoneNotText", "13712345604")]:
        result = _run("plan", INVALID / f"{name}.json", "--out", "unused")
        assert result.returncode == 2
        assert secret not in result.stderr


def test_missing_request_file_exits_2(tmp_path: Path) -> None:
    """A request file that does not exist is bad input, not a crash."""
    result = _run("plan", tmp_path / "nowhere.json", "--out", tmp_path / "out")
    assert result.returncode == 2
    assert "nowhere.json" in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("args", [
    (), ("frobnicate",), ("plan",), ("plan", "a.json", "--seed", "-1"),
    ("plan", "a.json", "--time-limit", "0"), ("check", "a.json"), ("plan", "a.json", "--bogus"),
])
def test_usage_errors_exit_2(args: tuple[str, ...], tmp_path: Path) -> None:
    """No command, an unknown command, missing or bad arguments: usage on stderr, exit 2."""
    result = _run(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert "usage:" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_malformed_plan_file_in_check_exits_2(tmp_path: Path) -> None:
    """check refuses a plan file that is not a plan with status 2 and the path of the defect."""
    plan = tmp_path / "plan.json"
    plan.write_text('{"plan_id": "x"}', encoding="utf-8")
    valid = Path(__file__).parent / "data" / "valid" / "minimal.json"
    result = _run("check", valid, plan)
    assert result.returncode == 2
    assert "request_sha256: required field is missing" in result.stderr
