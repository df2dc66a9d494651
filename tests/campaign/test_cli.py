"""The campaign from the command line: one day in the README's five commands."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from charterplan.cli import main
from tests.campaign.conftest import first_day, write_list


def test_one_day_in_five_commands(tmp_path: Path, county: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    """init, intake, plan, publish, board, arrive, status, trace and report each exit 0
    and write what they say."""
    db = str(tmp_path / "county.db")
    today = write_list(tmp_path / "today.json", first_day())
    assert main(["campaign", "init", db, "--county", str(county)]) == 0
    assert main(["campaign", "intake", db, str(today), "--day", "2020-02-20"]) == 0
    assert "9 new" in capsys.readouterr().out
    out = tmp_path / "plans"
    assert main(["campaign", "plan", db, "--day", "2020-02-20", "--out", str(out)]) == 0
    assert (out / "plan.json").is_file() and (out / "changes.csv").is_file()
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert main(["campaign", "publish", db, "--until", "2020-02-21T23:00"]) == 0
    trip = plan["trips"][0]
    present = tmp_path / "present.txt"
    present.write_text("\n".join(trip["passengers"]), encoding="utf-8")
    capsys.readouterr()
    assert main(["campaign", "board", db, trip["id"], "--present", str(present)]) == 0
    assert main(["campaign", "arrive", db, trip["id"]]) == 0
    assert main(["campaign", "status", db]) == 0
    assert main(["campaign", "status", db, "--worker", trip["passengers"][0]]) == 0
    capsys.readouterr()
    assert main(["campaign", "trace", db, trip["passengers"][0]]) == 0
    rows = list(csv.reader(capsys.readouterr().out.splitlines()))
    assert rows[0] == ["trip", "date", "role", "id", "name", "phone", "boarded"]
    assert {r[2] for r in rows[1:]} >= {"escort", "medic", "driver"}
    assert main(["campaign", "report", db, "--day", "2020-02-21", "--out",
                 str(tmp_path / "reports")]) == 0
    assert (tmp_path / "reports" / "report-2020-02-21.xlsx").is_file()


def test_a_plan_folder_of_other_files_is_refused(tmp_path: Path, county: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """plan --out into a folder of someone's files exits 2 and records no version."""
    db = str(tmp_path / "county.db")
    assert main(["campaign", "init", db, "--county", str(county)]) == 0
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["campaign", "plan", db, "--day", "2020-02-20", "--out", str(theirs)]) == 2
    assert (theirs / "notes.txt").read_text(encoding="utf-8") == "mine"
    capsys.readouterr()
    assert main(["campaign", "status", db]) == 0
    assert json.loads(capsys.readouterr().out)["plan_versions"] == 0


def test_the_next_plan_replaces_the_last_plans_folder(tmp_path: Path, county: Path) -> None:
    """A plan folder written by campaign plan (changes.csv included) is ours to
    replace the next day."""
    db = str(tmp_path / "county.db")
    out = str(tmp_path / "plans")
    assert main(["campaign", "init", db, "--county", str(county)]) == 0
    assert main(["campaign", "intake", db, str(write_list(tmp_path / "a.json", first_day())),
                 "--day", "2020-02-20"]) == 0
    assert main(["campaign", "plan", db, "--day", "2020-02-20", "--out", out]) == 0
    assert main(["campaign", "plan", db, "--day", "2020-02-20", "--out", out]) == 0
    assert (Path(out) / "changes.csv").read_text(encoding="utf-8-sig").splitlines() == [
        "worker,from_trip,to_trip,why"]
