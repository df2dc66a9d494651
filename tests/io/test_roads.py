"""Measured roads: a table of km and minutes that overrides the estimate."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from charterplan import parse_request, plan
from charterplan.check import check_plan
from charterplan.errors import RequestError
from charterplan.io.request import parse_roads
from charterplan.shared.context import build_context
from tests.conftest import worker


def _request(base: dict[str, Any], roads: list[dict[str, Any]]) -> Any:
    base["workers"] = [worker("W1", "CS"), worker("W2", "CS")]
    base["roads"] = roads
    return parse_request(base)


def test_a_measured_road_sets_distance_cost_and_time(base: dict[str, Any]) -> None:
    request = _request(base, [{"from": "XH", "to": "CS", "km": 700.0, "minutes": 600.0}])
    result = plan(request)
    assert check_plan(request, result) == []
    (trip,) = result.trips
    assert trip.distance_km == 1400.0  # the reverse road is the same road
    assert trip.drivers == 2  # 700 km one way
    ride = (trip.arrival - trip.departure).total_seconds() / 60
    assert ride == 600 + 2 * 10  # two change-overs of drivers in ten hours at the wheel


def test_a_measured_road_without_minutes_is_driven_at_the_policy_speed(
        base: dict[str, Any]) -> None:
    request = _request(base, [{"from": "CS", "to": "XH", "km": 390.0}])
    (trip,) = plan(request).trips
    assert trip.drivers == 1
    assert (trip.arrival - trip.departure).total_seconds() / 60 >= 390


@pytest.mark.parametrize(("road", "path", "words"), [
    ({"from": "XH", "to": "E-99", "km": 700}, "roads[0].to", "unknown place 'E-99'"),
    ({"from": "XH", "to": "CS", "km": 100}, "roads[0].km", "shorter than the straight line"),
    ({"from": "CS", "to": "CS", "km": 10}, "roads[0].to", "leads back"),
    ({"from": "XH", "to": "CS", "km": -5}, "roads[0].km", ""),
])
def test_bad_roads_are_refused_with_their_path(base: dict[str, Any], road: dict[str, Any],
                                               path: str, words: str) -> None:
    with pytest.raises(RequestError) as caught:
        _request(base, [road])
    assert any(p.path == path and words in p.message for p in caught.value.problems)


def test_csv_and_json_tables_read_alike() -> None:
    csv_rows = parse_roads("from,to,km,minutes\nXH,CS,700,600\nCS,DG1,800,\n")
    json_rows = parse_roads(json.dumps([{"from": "XH", "to": "CS", "km": "700",
                                         "minutes": "600"}, {"from": "CS", "to": "DG1",
                                                             "km": "800"}]))
    assert csv_rows == json_rows


def test_the_command_line_plans_and_checks_with_a_road_table(
        base: dict[str, Any], tmp_path: Path) -> None:
    base["workers"] = [worker("W1", "CS"), worker("W2", "CS")]
    (tmp_path / "input.json").write_text(json.dumps(base, ensure_ascii=False), "utf-8")
    (tmp_path / "roads.csv").write_text("from,to,km,minutes\nXH,CS,700,600\n", "utf-8")
    run = [sys.executable, "-m", "charterplan"]
    planned = subprocess.run([*run, "plan", "input.json", "--roads", "roads.csv", "--out",
                              "out", "--quiet"], cwd=tmp_path, capture_output=True, text=True)
    assert planned.returncode == 0, planned.stderr
    plan_json = json.loads((tmp_path / "out" / "plan.json").read_text("utf-8"))
    assert plan_json["trips"][0]["distance_km"] == 1400.0
    checked = subprocess.run([*run, "check", "input.json", "out/plan.json", "--roads",
                              "roads.csv"], cwd=tmp_path, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_remembered_pair_reads_as_the_matrix_does(base: dict[str, Any]) -> None:
    """Routes ask ``Places.km`` pair by pair; it gives what the matrix gives, measured
    roads and their reverse included, asked once or again."""
    places = build_context(_request(base, [{"from": "XH", "to": "CS", "km": 700.0}])).places
    ids = ["XH", "CS", "DG1", "DG2"]
    matrix = places.road_km(ids, ids)
    for _ in range(2):
        assert [[places.km(a, b) for b in ids] for a in ids] == matrix.tolist()
    assert places.km("CS", "XH") == 700.0
