"""The campaign from the command line: one day in the README's five commands."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest

import charterplan.campaign as campaign
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


class _Killed(Exception):
    """Stands for the process dying."""


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_a_plan_killed_after_its_commit_leaves_no_folder_and_folder_writes_it(
        tmp_path: Path, county: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The folder takes its place only after the version is committed: a plan stopped
    between the two leaves the version recorded and no folder, and 'campaign folder'
    then writes the same files the plan would have (run.json names the version)."""
    from charterplan.io.folder import OutputFolder

    db = str(tmp_path / "county.db")
    assert main(["campaign", "init", db, "--county", str(county)]) == 0
    assert main(["campaign", "intake", db, str(write_list(tmp_path / "a.json", first_day())),
                 "--day", "2020-02-20"]) == 0
    whole = tmp_path / "whole"
    assert main(["campaign", "plan", db, "--day", "2020-02-20", "--out", str(whole)]) == 0
    assert json.loads((whole / "run.json").read_text(encoding="utf-8"))["ledger_version"] == 1

    def killed(self: OutputFolder) -> Path:
        raise _Killed  # as a kill -9 after the commit, before the rename

    monkeypatch.setattr(OutputFolder, "commit", killed)
    out = tmp_path / "plans"
    with pytest.raises(_Killed):
        campaign.plan(db, date(2020, 2, 20), out=out)
    monkeypatch.undo()
    assert not out.exists()
    assert main(["campaign", "folder", db, "--out", str(out)]) == 0
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["ledger_version"] == 2
    assert main(["campaign", "folder", db, "--out", str(tmp_path / "x"), "--version", "9"]) == 2


def test_campaign_folder_writes_the_bytes_plan_wrote(tmp_path: Path, county: Path) -> None:
    """'campaign folder' of a version writes byte for byte the folder 'campaign plan
    --out' wrote for it."""
    db = str(tmp_path / "county.db")
    assert main(["campaign", "init", db, "--county", str(county)]) == 0
    assert main(["campaign", "intake", db, str(write_list(tmp_path / "a.json", first_day())),
                 "--day", "2020-02-20"]) == 0
    first, second = tmp_path / "first", tmp_path / "second"
    assert main(["campaign", "plan", db, "--day", "2020-02-20", "--out", str(first)]) == 0
    assert main(["campaign", "folder", db, "--out", str(second), "--version", "1"]) == 0
    assert _files(first) == _files(second)
