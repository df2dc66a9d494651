"""plan.json: stable writing, faithful reading, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from charterplan import plan as make_plan
from charterplan.errors import CharterplanError
from charterplan.io.plan_json import PlanFileError, dump_plan, parse_plan, read_plan
from charterplan.model import Plan, PlanRequest


def test_round_trip_gives_the_same_plan_and_bytes(hand_plan: Plan) -> None:
    """Writing, reading and writing again gives an equal plan and identical text."""
    text = dump_plan(hand_plan)
    again = parse_plan(text)
    assert again == hand_plan
    assert dump_plan(again) == text


def test_round_trip_of_a_planned_request(request_: PlanRequest, tmp_path: Path) -> None:
    """A plan from the planner survives a trip through a file unchanged."""
    planned = make_plan(request_)
    path = tmp_path / "plan.json"
    path.write_text(dump_plan(planned), encoding="utf-8")
    assert read_plan(path) == planned
    assert json.loads(path.read_text(encoding="utf-8")) == planned.model_dump(mode="json")


def test_dump_follows_field_order_and_keeps_chinese(hand_plan: Plan) -> None:
    """Keys come in model field order, Chinese text stays readable, the text ends in a newline."""
    text = dump_plan(hand_plan)
    assert list(json.loads(text)) == list(Plan.model_fields)
    assert "每日发车汇总" in text
    assert text.endswith("}\n")


@pytest.mark.parametrize(("text", "path"), [
    ("{not json", "malformed JSON"),
    ("[1, 2]", "expected a JSON object"),
])
def test_malformed_text_is_refused(text: str, path: str) -> None:
    """Text that is not a JSON object raises PlanFileError saying so."""
    with pytest.raises(PlanFileError, match=path):
        parse_plan(text)


def test_wrong_fields_are_named_by_path(hand_plan: Plan) -> None:
    """Each defect of a plan is reported with its JSON path."""
    data = hand_plan.model_dump(mode="json")
    data["trips"][1]["passengers"] = "W1"
    del data["summary"]["total_cost"]
    data["status"] = "great"
    with pytest.raises(PlanFileError) as caught:
        parse_plan(json.dumps(data))
    paths = {p.path for p in caught.value.problems}
    assert {"trips[1].passengers", "summary.total_cost", "status"} <= paths
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, CharterplanError)


def test_unreadable_file_is_refused(tmp_path: Path) -> None:
    """A missing file raises PlanFileError naming the file."""
    with pytest.raises(PlanFileError, match=r"missing\.json"):
        read_plan(tmp_path / "missing.json")
