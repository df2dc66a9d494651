"""Intake of a registration table (附件1, SPEC §9): rows become workers, 状态 取消
cancels, and a bad cell is named as FILE!SHEET!CELL with nothing recorded."""

from __future__ import annotations

import csv
from datetime import date, datetime, time
from pathlib import Path

import pytest
from openpyxl import load_workbook

import charterplan.campaign as campaign
from charterplan.campaign import ledger
from charterplan.tables import TableError

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


def _rows(count: int) -> tuple[list[str], list[list[object]]]:
    sheet = load_workbook(SAMPLE / "registry.xlsx", read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(min_row=2, max_row=2 + count, values_only=True))
    header = [str(h) for h in rows[0]]
    return [*header, "状态"], [[*(_text(v) for v in r), ""] for r in rows[1:]]


def _text(value: object) -> object:
    """A cell as a clerk types it in a CSV: dates as YYYY-MM-DD (with HH:MM if any)."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d" if value.time() == time(0) else "%Y-%m-%d %H:%M")
    return "" if value is None else value


def _csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([header, *rows])
    return path


def test_a_registry_table_is_taken_in_row_by_row(tmp_path: Path) -> None:
    """Each row is a registration event naming its row; 取消 in 状态 cancels; the
    workers are then planned with the county file the table was read with."""
    db = tmp_path / "l.db"
    campaign.init(db, SAMPLE / "county.toml")
    header, rows = _rows(3)
    got = campaign.intake(db, _csv(tmp_path / "day1.csv", header, rows), date(2020, 2, 19))
    assert len(got.new) == 3
    story = campaign.worker_story(db, got.new[1])
    assert (story["events"][0]["source"], story["events"][0]["row"]) == ("day1.csv", 3)
    assert "********" in story["record"]["id_number"]
    rows[1][-1] = "取消"
    again = campaign.intake(db, _csv(tmp_path / "day2.csv", header, rows), date(2020, 2, 20))
    assert again.cancelled == [got.new[1]] and len(again.unchanged) == 2
    planned = campaign.plan(db, date(2020, 2, 20))  # the county's townships stay out
    assert {w.id for w in planned.request.workers} == set(got.new) - {got.new[1]}


def test_a_bad_cell_is_named_and_nothing_recorded(tmp_path: Path) -> None:
    """A wrong check digit is reported by its cell and header; the ledger is unchanged."""
    db = tmp_path / "l.db"
    campaign.init(db, SAMPLE / "county.toml")
    with ledger.transaction(db) as connection:
        before = ledger.ledger_state(connection)
    header, rows = _rows(2)
    number = str(rows[1][4])
    rows[1][4] = number[:-1] + ("0" if number[-1] != "0" else "1")
    with pytest.raises(TableError, match=r"bad.csv!.*E3 \(身份证号码\)"):
        campaign.intake(db, _csv(tmp_path / "bad.csv", header, rows), date(2020, 2, 19))
    with ledger.transaction(db) as connection:
        assert ledger.ledger_state(connection) == before
