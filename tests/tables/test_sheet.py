"""read_table finds columns by header and names every cell as Excel does."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from charterplan.tables import Column, TableError, column_letter, read_table
from tests.tables.conftest import MakeTable

COLUMNS = [Column("name", "姓名"), Column("village", "村（社区）", aliases=("村",)),
           Column("phone", "电话号码"), Column("group", "同行组", required=False)]
ROWS = [["电话号码", " 姓名 ", "村(社区)", "备注"],
        ["13812345678", "张三", "东村", "x"],
        [None, None, None, None],
        ["13912345678", "李四", "西寨", None]]


def test_column_letters_follow_excel() -> None:
    """Column indexes name as Excel does, past Z into two letters."""
    assert [column_letter(i) for i in (0, 25, 26, 27, 51, 52, 701, 702)] == [
        "A", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]


@pytest.mark.parametrize("name", ["t.xlsx", "t.csv"])
def test_columns_found_by_header_in_any_order(make_table: MakeTable, name: str) -> None:
    """Headers match with spaces ignored and either kind of parentheses; blank rows skip."""
    table = read_table(make_table(name, ROWS), COLUMNS)
    assert table.headers == {"name": 1, "village": 2, "phone": 0}
    assert [r.number for r in table] == [2, 4]
    second = table.rows[1]
    assert (second["name"].value, second["name"].address) == ("李四", "B4")
    assert second["village"].header == "村（社区）"
    assert second["group"].blank and second["group"].address == "4:4"


def test_header_below_a_title_row(make_table: MakeTable) -> None:
    """A title row above the headers (as on the printed forms) is passed over."""
    title = [["新晃侗族自治县农民工返岗需求摸排情况明细表"]]
    table = read_table(make_table("t.xlsx", ROWS, above=title), COLUMNS)
    assert table.header_row == 2
    assert table.rows[0]["phone"].address == "A3"


def test_alias_and_line_break_in_header(make_table: MakeTable) -> None:
    """``村`` stands for ``村（社区）`` and ``电话\\n号码`` for ``电话号码``."""
    table = read_table(make_table("t.csv", [["姓名", "村", "电话\n号码"], ["张三", "东村", "1"]]),
                       COLUMNS)
    assert table.headers == {"name": 0, "village": 1, "phone": 2}


def test_excel_values_keep_their_types(make_table: MakeTable) -> None:
    """Workbook cells come back as numbers and dates, CSV cells as text."""
    rows = [["姓名", "村", "电话号码"], ["张三", date(2020, 2, 21), 13812345678]]
    cells = read_table(make_table("t.xlsx", rows), COLUMNS).rows[0].cells
    assert cells["village"].value == date(2020, 2, 21)
    assert cells["phone"].value == 13812345678
    cells = read_table(make_table("t.csv", rows), COLUMNS).rows[0].cells
    assert cells["village"].value == "2020-02-21"


def _problems(path: Path, **options: object) -> list[str]:
    with pytest.raises(TableError) as caught:
        read_table(path, COLUMNS, **options)  # type: ignore[arg-type]
    return [str(p) for p in caught.value.problems]


def test_missing_and_repeated_columns_named(make_table: MakeTable) -> None:
    """A missing column is named at its header row, a repeated one at its cell."""
    path = make_table("t.xlsx", [["姓名", "姓名", "村"], ["a", "b", "c"]])
    assert _problems(path) == [
        "t.xlsx!Sheet1!1:1: no column 电话号码 in the header row (its headers: 姓名, 姓名, 村)",
        "t.xlsx!Sheet1!B1 (姓名): a second column 姓名 (the first is A1)"]


def test_no_header_row(make_table: MakeTable) -> None:
    """A table naming none of the columns says which it looked for."""
    (problem,) = _problems(make_table("t.csv", [["a", "b"], ["1", "2"]]))
    assert problem.startswith("t.csv!t: no header row")


def test_named_sheet(make_table: MakeTable) -> None:
    """``sheet`` picks a sheet; a missing one is named with the sheets there are."""
    path = make_table("t.xlsx", ROWS, sheet="名单")
    assert read_table(path, COLUMNS, sheet="名单").sheet == "名单"
    assert _problems(path, sheet="Sheet2") == ["t.xlsx!Sheet2: no sheet 'Sheet2'; the "
                                               "workbook has '名单'"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_read(make_table: MakeTable, encoding: str) -> None:
    """UTF-8 with or without BOM, GBK and GB18030 read the same Chinese text."""
    table = read_table(make_table("t.csv", ROWS, encoding=encoding), COLUMNS)
    assert table.headers == {"name": 1, "village": 2, "phone": 0}
    assert table.rows[1]["village"].value == "西寨"


@pytest.mark.parametrize(("encoding", "named"), [("utf-16", "UTF-16 LE"),
                                                 ("big5", "read as GB18030/GBK")])
def test_other_encodings_refused_by_name(make_table: MakeTable, encoding: str,
                                         named: str) -> None:
    """An encoding neither UTF-8 nor GB18030 is refused, saying what it is or is not."""
    rows = [["姓名", "村", "電話號碼"], ["張三", "東村", "1"], ["龘", "爨", "\u2e80"]]
    try:
        path = make_table("t.csv", rows, encoding=encoding)
    except UnicodeEncodeError:
        path = make_table("t.csv", rows[:2], encoding=encoding)
    problems = _problems(path)
    assert len(problems) == 1
    assert named in problems[0]


def test_not_a_table(tmp_path: Path) -> None:
    """A file that is no table, or a broken workbook, is a problem, not a crash."""
    (tmp_path / "t.txt").write_text("x")
    (tmp_path / "t.xlsx").write_text("not a zip")
    assert "expected a table file" in _problems(tmp_path / "t.txt")[0]
    assert "not a readable workbook" in _problems(tmp_path / "t.xlsx")[0]
    assert "cannot read" in _problems(tmp_path / "none.csv")[0]


def _printed_form(path: Path, parents: list[tuple[str, int]], children: list[str | None],
                  data: list[list[object]]) -> Path:
    """A workbook laid out as the printed 附件1: a title merged across, a header of two
    rows (``parents`` as (text, columns spanned): merged across the span, or down both
    rows where ``children`` has None), then ``data``."""
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "附件1"
    ws.cell(1, 1, "新晃侗族自治县农民工返岗需求摸排情况明细表")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(children))
    column = 1
    for text, span in parents:
        ws.cell(2, column, text)
        if span > 1:
            ws.merge_cells(start_row=2, start_column=column, end_row=2,
                           end_column=column + span - 1)
        elif children[column - 1] is None:
            ws.merge_cells(start_row=2, start_column=column, end_row=3, end_column=column)
        column += span
    for n, child in enumerate(children, start=1):
        if child is not None:
            ws.cell(3, n, child)
    for row in data:
        ws.append(row)
    book.save(path)
    return path


FORM_COLUMNS = (*COLUMNS, Column("certificate", "健康证明有效期至"),
                Column("employer", "返岗单位", required=False))


def test_a_header_of_two_merged_rows(tmp_path: Path) -> None:
    """The printed form's header: 姓名 and 电话号码 merged down two rows, 计划返岗情况
    merged across its children, 健康证明 over 有效期至 naming 健康证明有效期至; rows
    start below it, numbered as Excel numbers them."""
    path = _printed_form(
        tmp_path / "form.xlsx",
        [("姓名", 1), ("电话\n号码", 1), ("计划返岗情况", 2), ("健康证明", 1)],
        [None, None, "返岗单位", "村", "有效期至"],
        [["张三", "138", "东莞电子厂", "东寨", "2020-03-01"], ["李四", "139", None, "西寨", None]])
    table = read_table(path, FORM_COLUMNS)
    assert (table.header_row, table.header_rows) == (2, 2)
    assert table.headers == {"name": 0, "phone": 1, "employer": 2, "village": 3,
                             "certificate": 4}
    assert [(r.number, r["name"].value, r["village"].value) for r in table] == [
        (4, "张三", "东寨"), (5, "李四", "西寨")]
    assert table.rows[0]["certificate"].address == "E4"


def test_a_two_row_header_saved_as_csv(make_table: MakeTable) -> None:
    """The same header saved as CSV (a merged cell's text in its first cell, the others
    blank) reads the same."""
    rows = [["姓名", "电话号码", "计划返岗情况", "", "健康证明"],
            ["", "", "返岗单位", "村", "有效期至"],
            ["张三", "138", "东莞电子厂", "东寨", "2020-03-01"]]
    table = read_table(make_table("form.csv", rows), FORM_COLUMNS)
    assert (table.header_row, table.header_rows) == (1, 2)
    assert table.headers == {"name": 0, "phone": 1, "employer": 2, "village": 3,
                             "certificate": 4}
    assert table.rows[0].number == 3


def test_a_two_row_header_names_its_missing_and_repeated_columns(tmp_path: Path) -> None:
    """Problems of a two-row header name its cells: a repeated child where it stands,
    a missing column with the headers read from both rows."""
    path = _printed_form(
        tmp_path / "form.xlsx", [("姓名", 1), ("计划返岗情况", 3)],
        [None, "村", "返岗单位", "村"], [["张三", "东寨", "东莞电子厂", "西寨"]])
    assert _problems(path) == [
        "form.xlsx!附件1!2:2: no column 电话号码 in the header rows 2-3 (its headers: "
        "姓名, 计划返岗情况村, 计划返岗情况返岗单位, 计划返岗情况村)",
        "form.xlsx!附件1!D3 (村（社区）): a second column 村（社区） (the first is B3)"]
