"""Problems name their cells as FILE!SHEET!CELL (header) and list at most 50, in order."""

from __future__ import annotations

import pytest

from charterplan.errors import RequestError
from charterplan.tables import Cell, TableError, TableProblems, parse_yes_no


def test_places_and_order() -> None:
    """Problems come sorted by row then column, each named by its place."""
    problems = TableProblems("r.xlsx", "Sheet1")
    problems.cell(Cell("x", 9, 4, "身份证号码"), "bad")
    problems.row(3, "a row")
    problems.cell(Cell(None, 3, None, "最迟到岗日期"), "blank")
    problems.cell(Cell("x", 3, 2, "姓名"), "name")
    problems.table("whole")
    assert [str(p) for p in problems.problems()] == [
        "r.xlsx!Sheet1: whole",
        "r.xlsx!Sheet1!3:3: a row",
        "r.xlsx!Sheet1!3:3 (最迟到岗日期): blank",
        "r.xlsx!Sheet1!C3 (姓名): name",
        "r.xlsx!Sheet1!E9 (身份证号码): bad"]


def test_parse_records_the_problem() -> None:
    """``parse`` returns the value, or None with the cell's problem recorded."""
    problems = TableProblems("r.csv", "r")
    assert problems.parse(Cell("是", 2, 0, "愿任车长"), parse_yes_no) is True
    assert problems.parse(Cell("也许", 2, 0, "愿任车长"), parse_yes_no) is None
    assert [str(p) for p in problems.problems()] == [
        "r.csv!r!A2 (愿任车长): expected 是 or 否 (got '也许')"]


def test_at_most_fifty_then_how_many_more() -> None:
    """A table with 120 problems lists 50, then 'and 70 more'; it is a RequestError."""
    problems = TableProblems("r.xlsx", "Sheet1")
    for row in range(2, 122):
        problems.row(row, "bad")
    with pytest.raises(RequestError) as caught:
        problems.raise_if_any()
    error = caught.value
    assert isinstance(error, TableError) and error.total == 120
    assert len(error.problems) == 51
    assert str(error.problems[-1]) == "and 70 more"
    assert str(error).splitlines()[0] == "r.xlsx has 120 problems"


def test_nothing_to_raise() -> None:
    """No problems, no error."""
    TableProblems("r.xlsx", "Sheet1").raise_if_any()
