"""Cell parsers accept what workbooks store and clerks type, and say what they got."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from charterplan.tables import (
    Cell,
    CellError,
    parse_day,
    parse_integer,
    parse_moment,
    parse_number,
    parse_text,
    parse_yes_no,
)


def cell(value: object) -> Cell:
    """A cell at B2 holding ``value``."""
    return Cell(value, 2, 1, "列")  # type: ignore[arg-type]


@pytest.mark.parametrize(("value", "expected"), [
    (date(2020, 2, 21), date(2020, 2, 21)),
    (datetime(2020, 2, 21), date(2020, 2, 21)),
    (datetime(2020, 2, 21, 8, 30), datetime(2020, 2, 21, 8, 30)),
    ("2020-02-21", date(2020, 2, 21)),
    ("2020/2/21", date(2020, 2, 21)),
    ("2020.2.1", date(2020, 2, 1)),
    ("2020年2月21日", date(2020, 2, 21)),
    ("20200221", date(2020, 2, 21)),
    ("2020-02-21 08:00", datetime(2020, 2, 21, 8, 0)),
    ("2020/2/21 8:05", datetime(2020, 2, 21, 8, 5)),
    ("2020-02-21T13:00", datetime(2020, 2, 21, 13, 0)),
    (43882.0, date(2020, 2, 21)),  # an Excel serial number without a date format
    (43882.5, datetime(2020, 2, 21, 12, 0)),
    (None, None),
])
def test_moments(value: object, expected: object) -> None:
    """Excel dates, ISO, slashed, Chinese and compact dates, with or without a time."""
    assert parse_moment(cell(value)) == expected


@pytest.mark.parametrize("value", ["2020-02-30", "2月21日", "tomorrow", "2020-02-21 25:00",
                                   12.0, True, "2020-02-21x"])
def test_bad_moments(value: object) -> None:
    """A text that is no date, an impossible date or a small number is refused, shown."""
    with pytest.raises(CellError, match="expected a date"):
        parse_moment(cell(value))


def test_day_refuses_a_time() -> None:
    """A column of dates refuses a time of day, naming it."""
    assert parse_day(cell("2020/2/21")) == date(2020, 2, 21)
    with pytest.raises(CellError, match=r"without a time of day \(got 2020-02-21 08:00"):
        parse_day(cell("2020-02-21 08:00"))


@pytest.mark.parametrize(("value", "expected"), [
    ("是", True), ("否", False), ("Y", True), ("no", False), (1.0, True), (0.0, False),
    (True, True), ("√", True), (None, None)])
def test_yes_no(value: object, expected: bool | None) -> None:
    """是/否 and the usual spellings of yes and no."""
    assert parse_yes_no(cell(value)) is expected


def test_yes_no_refuses_other_text() -> None:
    """Anything else is refused, with the text shown."""
    with pytest.raises(CellError, match=r"expected 是 or 否 \(got '可能'"):
        parse_yes_no(cell("可能"))


def test_integers_in_range() -> None:
    """Whole numbers in range pass; fractions, text and numbers out of range do not."""
    assert parse_integer(cell(3.0), 1, 5) == 3
    assert parse_integer(cell("4"), 1, 5) == 4
    for value, words in ((2.5, "whole number"), ("x", "whole number"), (9.0, "must be 1 to 5"),
                         (True, "whole number")):
        with pytest.raises(CellError, match=words):
            parse_integer(cell(value), 1, 5)


def test_text() -> None:
    """Whole numbers lose ``.0``; dates read in ISO form."""
    assert parse_text(cell(13812345678.0)) == "13812345678"
    assert parse_text(cell(date(2020, 2, 1))) == "2020-02-01"
    assert parse_text(cell(2.5)) == "2.5"
    assert parse_text(cell(None)) is None


def test_numbers_in_range() -> None:
    """Decimals in range pass, as numbers or text; others are refused, shown."""
    assert parse_number(cell(23.02), -90, 90) == 23.02
    assert parse_number(cell(" 113.75"), -180, 180) == 113.75
    assert parse_number(cell(None), 0, 1) is None
    for value, words in (("北纬23", "expected a number"), (95.0, "must be -90 to 90"),
                         ("nan", "must be"), (True, "expected a number")):
        with pytest.raises(CellError, match=words):
            parse_number(cell(value), -90, 90)
