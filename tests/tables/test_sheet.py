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
