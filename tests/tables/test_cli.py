"""`import` and `plan REGISTRY --county` exit 2 on bad tables, naming cells, writing nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from charterplan.cli import main
from charterplan.tables import worker_id
from tests.tables.test_registry import county, id_number, registry, row

Capture = pytest.CaptureFixture[str]


def test_bad_cells_exit_2_and_write_nothing(tmp_path: Path, capsys: Capture) -> None:
    """A bad ID number and phone: both cells named, no request file, no plan folder."""
    good = id_number(11)
    rows = [row(身份证号码=good[:17] + ("0" if good[17] != "0" else "1")),
            row(身份证号码=id_number(13), 电话号码="02512345678")]
    table, county_file = registry(tmp_path, rows), county(tmp_path)
    assert main(["import", str(table), "--county", str(county_file),
                 "-o", str(tmp_path / "request.json")]) == 2
    assert main(["plan", str(table), "--county", str(county_file),
                 "--out", str(tmp_path / "out")]) == 2
    assert not (tmp_path / "request.json").exists() and not (tmp_path / "out").exists()
    err = capsys.readouterr().err
    assert "registry.xlsx!Sheet1!E2 (身份证号码): check digit is" in err
    assert "registry.xlsx!Sheet1!F3 (电话号码): a mobile number has 11 digits" in err
    assert good[:17] not in err and "02512345678" not in err


def test_table_without_county_is_bad_usage(tmp_path: Path, capsys: Capture) -> None:
    """A registry table without --county exits 2, saying what to add."""
    assert main(["plan", str(registry(tmp_path, [row()]))]) == 2
    assert "give the county file with --county" in capsys.readouterr().err


def test_import_prints_the_request_and_notes_job_seekers(tmp_path: Path,
                                                         capsys: Capture) -> None:
    """Without -o the request goes to stdout; job seekers are named on stderr."""
    rows = [row(), row(身份证号码=id_number(13), 返岗单位=None, 就业意愿="是")]
    assert main(["import", str(registry(tmp_path, rows, "r.csv")), "--county",
                 str(county(tmp_path))]) == 0
    out, err = capsys.readouterr()
    assert [w["id"] for w in json.loads(out)["workers"]] == [worker_id(id_number(11))]
    assert "1 row(s) have no 返岗单位 but 就业意愿 是 (rows 3)" in err
    assert "python -m charterplan match" in err


def test_check_takes_the_registry_too(tmp_path: Path, capsys: Capture) -> None:
    """A plan made from a registry checks against the same registry and county file."""
    table, county_file = registry(tmp_path, [row()]), county(tmp_path)
    out = tmp_path / "out"
    assert main(["plan", str(table), "--county", str(county_file), "--out", str(out),
                 "--quiet"]) == 0
    assert main(["check", str(table), str(out / "plan.json"), "--county",
                 str(county_file)]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("plan is sound: ")


def test_import_replaces_no_file(tmp_path: Path, capsys: Capture) -> None:
    """`import -o` onto an existing file exits 2 and leaves the file as it was (SPEC §8:
    it may be the registry itself, or anyone's file); a new name is written."""
    table, county_file = registry(tmp_path, [row()]), county(tmp_path)
    mine = tmp_path / "notes.json"
    mine.write_text("a person's file", encoding="utf-8")
    assert main(["import", str(table), "--county", str(county_file), "-o", str(mine)]) == 2
    assert mine.read_text(encoding="utf-8") == "a person's file"
    assert "exists; charterplan replaces no file it was not given" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["county.json", "notes.json",
                                                           "registry.xlsx"]
    fresh = tmp_path / "request.json"
    assert main(["import", str(table), "--county", str(county_file), "-o", str(fresh)]) == 0
    assert json.loads(fresh.read_text(encoding="utf-8"))["workers"]
