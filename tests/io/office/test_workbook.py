"""plan.xlsx: the sheets of SPEC §9 with 合计 rows that equal the sums, frozen and
repeated header rows, print set-up, money as numbers shown with two decimals."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from charterplan.io.output import write_outputs
from charterplan.model import Plan, PlanRequest

SHEETS = ["汇总", "附件2", "附件4", "每日发车", "车次", "乘车名单", "未安排"]


def _body(sheet: Worksheet) -> list[tuple[object, ...]]:
    return [tuple(c.value for c in row) for row in sheet.iter_rows(min_row=3)]


def test_the_workbook_has_the_sheets_of_the_spec(rail_folder: Path, rail_plan: Plan) -> None:
    """plan.xlsx opens with openpyxl and has 汇总, 附件2, 附件4, 每日发车, 车次, 乘车名单,
    未安排 (in that order), and 火车 when the plan uses a train."""
    book = load_workbook(rail_folder / "plan.xlsx")
    assert [s for s in book.sheetnames if s in SHEETS] == [
        s for s in SHEETS if s not in ("附件2", "附件4", "每日发车")
        or any(k for k in rail_plan.summary.tables)]
    assert "火车" in book.sheetnames


def test_totals_equal_the_sums_of_their_columns(rail_folder: Path, rail_plan: Plan) -> None:
    """Every 合计 row holds, in each numeric column, the sum of the rows above it; the
    车次 sheet's totals are the plan's riders, km and cost."""
    book = load_workbook(rail_folder / "plan.xlsx")
    checked = 0
    for sheet in book.worksheets[1:]:
        body = _body(sheet)
        if not body or body[-1][0] != "合计":
            continue
        *rows, total = body
        for i, value in enumerate(total[1:], start=1):
            if isinstance(value, int | float):
                assert value == pytest.approx(sum(r[i] for r in rows  # type: ignore[misc]
                                                  if isinstance(r[i], int | float)))
                checked += 1
    assert checked >= 3
    trips = _body(book["车次"])
    assert trips[-1][7] == sum(len(t.passengers) for t in rail_plan.trips)
    assert trips[-1][15] == pytest.approx(sum(t.cost for t in rail_plan.trips))
    assert len(trips) == len(rail_plan.trips) + 1


def test_every_rider_is_listed_under_their_trip(rail_folder: Path, rail_plan: Plan) -> None:
    """乘车名单 has one row per passenger of each trip, in trip order."""
    rows = _body(load_workbook(rail_folder / "plan.xlsx")["乘车名单"])
    assert [r[0] for r in rows] == [t.id for t in rail_plan.trips for _ in t.passengers]


def test_sheets_are_set_up_for_printing(rail_folder: Path) -> None:
    """Each sheet freezes and repeats its two header rows and prints A4 landscape, fit
    to the width, with the sheet and page numbers in the footer; money shows 2 decimals."""
    book = load_workbook(rail_folder / "plan.xlsx")
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A3"
        assert sheet.print_title_rows == "$1:$2"
        assert sheet.page_setup.orientation == "landscape"
        assert int(sheet.page_setup.paperSize or 0) == int(sheet.PAPERSIZE_A4)
        assert sheet.page_setup.fitToWidth == 1
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert "&P" in sheet.oddFooter.center.text and "&N" in sheet.oddFooter.center.text
    trips = book["车次"]
    cost = next(c for c in trips[3] if c.column == 16)
    assert isinstance(cost.value, float) and cost.number_format == "#,##0.00"


def test_reasons_are_in_chinese_with_their_codes(rail_folder: Path) -> None:
    """未安排 gives the reason in Chinese, then the code for machines."""
    rows = _body(load_workbook(rail_folder / "plan.xlsx")["未安排"])
    assert rows[0][4] == "隔离期晚于出行时间" and rows[0][6] == "quarantine_past_window"


def test_the_same_plan_gives_the_same_workbook_bytes(rail_folder: Path, rail_request: PlanRequest,
                                                     rail_plan: Plan, tmp_path: Path) -> None:
    """Written again a moment later, plan.xlsx and the hand-over workbooks are the same
    bytes: no time of saving is stamped into them."""
    time.sleep(2.1)  # zip entries keep time in 2-second steps
    again = write_outputs(rail_request, rail_plan, tmp_path / "out", {})
    books = sorted(p.relative_to(rail_folder) for p in rail_folder.rglob("*.xlsx"))
    assert books and Path("plan.xlsx") in books
    for book in books:
        assert (again / book).read_bytes() == (rail_folder / book).read_bytes(), book
