"""The output folder is written all or nothing, and never over someone else's files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from charterplan.io import output
from charterplan.io.output import OutputFolderError, default_output_folder, write_outputs
from charterplan.model import Plan, PlanRequest

RUN = {"wall_seconds": 0.5}


def test_writes_every_file(request_: PlanRequest, hand_plan: Plan, tmp_path: Path) -> None:
    """plan.json, run.json, manifests, the page, reports, unassigned.csv and the marker
    listing them are written."""
    folder = write_outputs(request_, hand_plan, tmp_path / "out", RUN)
    names = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
    assert names == {".charterplan-output.json", "plan.json", "run.json", "manifests.html",
                     "unassigned.csv",
                     "manifests/XH-0221-001.csv", "manifests/XH-0222-001.csv",
                     "reports/departures_by_day.csv"}
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_failure_leaves_nothing(request_: PlanRequest, hand_plan: Plan, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A writer that fails half-way leaves neither the folder nor a staging folder."""
    def broken(*args: Any) -> None:
        raise OSError("disk full")
    monkeypatch.setattr(output, "write_reports", broken)
    with pytest.raises(OSError, match="disk full"):
        write_outputs(request_, hand_plan, tmp_path / "out", RUN)
    assert list(tmp_path.iterdir()) == []


def test_earlier_output_is_replaced(request_: PlanRequest, hand_plan: Plan,
                                    tmp_path: Path) -> None:
    """An earlier output folder is replaced as a whole, a manifest it had and the new
    plan has not included."""
    target = tmp_path / "out"
    write_outputs(request_, hand_plan, target, RUN)
    fewer = hand_plan.model_copy(update={"trips": hand_plan.trips[:1]})
    write_outputs(request_, fewer, target, RUN)
    assert sorted(p.name for p in (target / "manifests").iterdir()) == ["XH-0221-001.csv"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_earlier_output_with_a_person_file_is_refused(request_: PlanRequest,
                                                      hand_plan: Plan, tmp_path: Path) -> None:
    """A file a person added to an earlier output keeps the whole folder as it is."""
    target = tmp_path / "out"
    write_outputs(request_, hand_plan, target, RUN)
    (target / "notes.csv").write_text("mine", encoding="utf-8")
    with pytest.raises(OutputFolderError, match=r"'notes\.csv', which charterplan did not"):
        write_outputs(request_, hand_plan, target, RUN)
    assert (target / "notes.csv").read_text(encoding="utf-8") == "mine"


def test_foreign_folder_is_refused(request_: PlanRequest, hand_plan: Plan,
                                   tmp_path: Path) -> None:
    """A non-empty folder that is not an earlier output is left alone."""
    (tmp_path / "thesis.docx").write_text("precious", encoding="utf-8")
    with pytest.raises(OutputFolderError, match=r"'thesis\.docx', which charterplan did not"):
        write_outputs(request_, hand_plan, tmp_path, RUN)
    assert [p.name for p in tmp_path.iterdir()] == ["thesis.docx"]


def test_default_folder_is_safe_for_any_plan_id() -> None:
    """The default folder stays inside charterplan-out whatever the plan id says."""
    assert default_output_folder("县-2020/02") == Path("charterplan-out/县-2020_02")
    assert default_output_folder("..") == Path("charterplan-out/_")
