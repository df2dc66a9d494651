"""Workbooks with openpyxl: ``plan.xlsx`` (the whole plan for the office) and the sheets
of the hand-over workbooks.

Every sheet has a title row and a column row, both frozen and repeated on every printed
page, a 合计 row under tables of counts and money (numbers, not formulas, so a reader
without Excel's calculation sees them), column widths that fit Chinese text (a CJK
character is two columns wide), money as numbers shown with two decimals, and a print
set-up: A4 landscape, fit to the page width, sheet name and "第 k 页 / 共 n 页" in the footer.
"""

from __future__ import annotations

import functools
import io
import re
import zipfile
from collections.abc import Sequence
from datetime import datetime
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

from charterplan.io._roster import PASSENGER_COLUMNS, Roster
from charterplan.io.office._content import TRIP_COLUMNS, trip_rows
from charterplan.io.reports import REASON_LABELS, UNASSIGNED_COLUMNS, unassigned_rows
from charterplan.io.trains import trains_table
from charterplan.model import Plan, PlanRequest

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["SHEETS", "add_sheet", "new_workbook", "save", "write_plan_workbook"]

SHEETS = {"demand_by_township": "附件2", "destinations_by_township": "附件4",
          "departures_by_day": "每日发车"}
"""The sheet of each summary table of the plan (others are named by their title)."""

TOTAL = "合计"
_MONEY = "#,##0.00"
_STAMP = datetime(2020, 1, 1)  # fixed document dates: the same plan gives the same cells


@functools.lru_cache(maxsize=4096)
def _columns(text: str) -> int:
    """How many spreadsheet columns ``text`` takes: two for a Chinese character, as
    many as its GB18030 bytes (two for a character of GB2312, one for ASCII). Kept for
    the texts sheets repeat on every row (dates, places, employers)."""
    return min(len(text.encode("gb18030", errors="replace")), 2 * len(text))


def new_workbook() -> Workbook:
    """An empty write-only workbook: rows stream to the file, four times as fast as
    openpyxl's ordinary mode for the sheets of a plan."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    book.properties.creator = "charterplan"
    book.properties.created = book.properties.modified = _STAMP
    return book


def _styled(sheet: Worksheet, values: Sequence[object], *, font: Font | None = None,
            fill: PatternFill | None = None, money: Sequence[int] = ()) -> list[object]:
    """A row of cells with a font, a fill and the money format on the ``money`` columns."""
    from openpyxl.cell import WriteOnlyCell

    row: list[object] = []
    for i, value in enumerate(values):
        if font is None and fill is None and i not in money:
            row.append(value)
            continue
        cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]  # cells hold any
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
        if i in money:
            cell.number_format = _MONEY
        row.append(cell)
    return row


def add_sheet(book: Workbook, name: str, title: str, columns: Sequence[str],
              rows: Sequence[Sequence[object]], *, total: bool = False,
              sum_columns: Sequence[int] | None = None, footer: str = "",
              break_on: int | None = None) -> Worksheet:
    """Add a sheet: ``title`` in row 1, ``columns`` in row 2, ``rows`` below.

    Args:
        total: add a 合计 row summing the numeric columns (or ``sum_columns``, indices).
        footer: text at the left of the printed footer (e.g. the plan id).
        break_on: start a new printed page whenever this column's value changes (the
            trip of a manifest row).
    """
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.pagebreak import Break

    sheet: Worksheet = book.create_sheet(name[:31])
    widths = [_columns(str(c)) for c in columns]
    for row in rows:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], _columns(str(value)) + (3 if isinstance(value, float)
                                                               else 0))
    for i, width in enumerate(widths, start=1):  # before the rows: write-only
        sheet.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 6), 60)
    if break_on is not None:
        for n in range(1, len(rows)):
            if rows[n][break_on] != rows[n - 1][break_on]:
                sheet.row_breaks.append(Break(id=n + 2))
    _print_setup(sheet, footer)
    bold = Font(bold=True)
    money = [i for i, c in enumerate(columns) if "元" in c or "费用" in c]
    sheet.append(_styled(sheet, [title], font=Font(bold=True, size=13)))
    sheet.append(_styled(sheet, columns, font=bold, fill=PatternFill("solid", fgColor="E6E6E6")))
    everything = range(1, len(columns))
    for row in rows:  # a row labelled in yuan (汇总's 总费用（元）) is money throughout
        here = everything if isinstance(row[0], str) and "（元）" in row[0] else money
        sheet.append(_styled(sheet, row, money=here) if here else list(row))
    if total:
        summed = (set(sum_columns) if sum_columns is not None else {
            i for i in range(len(columns))
            if any(isinstance(r[i], int | float) and not isinstance(r[i], bool) for r in rows)})
        line: list[object] = [TOTAL, *[""] * (len(columns) - 1)]
        for i in summed:
            values = [v for r in rows if isinstance(v := r[i], int | float)]
            line[i] = (round(sum(values), 2) if any(isinstance(v, float) for v in values)
                       else sum(values))
        sheet.append(_styled(sheet, line, font=bold, money=money))
    return sheet


def _print_setup(sheet: Worksheet, footer: str) -> None:
    sheet.freeze_panes = "A3"
    sheet.print_title_rows = "1:2"
    setup = sheet.page_setup
    setup.orientation, setup.paperSize = "landscape", "9"  # A4
    setup.fitToWidth, setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True  # type: ignore[union-attr]
    sheet.print_options.horizontalCentered = True
    for side in (sheet.oddFooter, sheet.evenFooter):
        assert side is not None  # openpyxl makes both with every sheet
        side.left.text = footer
        side.center.text = "&A　第 &P 页 / 共 &N 页"


_ZIP_STAMP = (2020, 1, 1, 0, 0, 0)
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def save(book: Workbook, path: str | PathLike[str]) -> Path:
    """Save ``book`` at ``path``, making its folder. The same book gives the same bytes:
    openpyxl stamps the time of saving into the document's properties and on every
    entry of the zip, so both are set to a fixed moment."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.properties.created = _STAMP
    saved = io.BytesIO()
    book.save(saved)
    with (zipfile.ZipFile(saved) as source,
          zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target):
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == "docProps/core.xml":
                data = _MODIFIED.sub(rb"\g<1>2020-01-01T00:00:00Z\g<2>", data)
            target.writestr(zipfile.ZipInfo(entry.filename, date_time=_ZIP_STAMP), data,
                            compress_type=zipfile.ZIP_DEFLATED)
    return path


def _overview(request: PlanRequest, plan: Plan) -> list[tuple[str, object]]:
    s = plan.summary
    rows: list[tuple[str, object]] = [
        ("计划编号", plan.plan_id), ("状态", {"optimal": "最优", "feasible": "可行",
                                           "partial": "部分安排"}[plan.status.value]),
        ("登记人数", s.workers), ("已安排", s.assigned), ("未安排", s.unassigned)]
    labels = {r.value: label for r, label in REASON_LABELS.items()}
    rows += [(f"　其中：{labels.get(k, k)}（{k}）", v) for k, v in s.unassigned_by_reason.items()]
    modes = {"bus": "汽车车次", "rail": "火车车厢"}
    rows += [(modes.get(k, k), v) for k, v in s.trips_by_mode.items()]
    feeders = sum(t.feeder for t in plan.trips)
    if feeders:
        rows.append(("　其中接驳车", feeders))
    rows += [("总里程（公里）", round(s.total_km, 1)), ("总费用（元）", round(s.total_cost, 2)),
             ("费用下界（元）", round(s.lower_bound_cost, 2)),
             ("与下界差距（%）", round(s.gap_pct, 2)),
             *([("　线性规划下界（元）", s.lp_bound_cost)] if s.lp_bound_cost is not None else []),
             *([("　径向下界（元）", s.radial_bound_cost)]
               if s.radial_bound_cost is not None else []),
             ("时区", request.timezone)]
    return rows


def write_plan_workbook(request: PlanRequest, plan: Plan,
                        folder: str | PathLike[str], roster: Roster | None = None) -> Path:
    """Write ``plan.xlsx``: 汇总, 附件2, 附件4, 每日发车, 车次, 乘车名单, 未安排 (and 火车
    when the plan uses a train); phones and ID numbers masked."""
    roster = roster or Roster(request, plan.trips)
    book = new_workbook()
    footer = f"计划 {plan.plan_id}"
    add_sheet(book, "汇总", f"运输计划汇总　{plan.plan_id}", ("项目", "数值"),
              _overview(request, plan), footer=footer)
    for key, table in plan.summary.tables.items():
        add_sheet(book, SHEETS.get(key, table.title), table.title, table.columns,
                  table.rows, total=True, footer=footer)
    add_sheet(book, "车次", f"车次一览　{plan.plan_id}", TRIP_COLUMNS, trip_rows(roster, plan),
              total=True, sum_columns=[7, 14, 15], footer=footer)
    riders: list[tuple[object, ...]] = []
    for trip in plan.trips:
        riders += [(trip.id, *row) for row in roster.passengers(trip)]
    add_sheet(book, "乘车名单", f"乘车名单（按车次）　{plan.plan_id}", ("车次", *PASSENGER_COLUMNS),
              riders, footer=footer, break_on=0)
    left = unassigned_rows(request, plan)
    add_sheet(book, "未安排", f"未安排人员　{plan.plan_id}", UNASSIGNED_COLUMNS, left,
              footer=footer)
    trains = trains_table(request, plan)
    if trains.rows:
        add_sheet(book, "火车", trains.title, trains.columns, trains.rows, total=True,
                  footer=footer)
    return save(book, Path(folder) / "plan.xlsx")
