"""Parsers of cell values: text, 是/否, whole numbers in a range, dates, dates with times.

Each takes a :class:`~charterplan.tables.sheet.Cell` and returns its value (None when
the cell is blank) or raises :class:`CellError` saying what was expected and what the
cell holds. They accept what a workbook stores (numbers, Excel dates) and what a CSV
file or a clerk types (``2020-02-21``, ``2020/2/21``, ``2020年2月21日``, ``20200221``).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from charterplan.tables.problems import CellError
from charterplan.tables.sheet import Cell

__all__ = ["CellError", "parse_day", "parse_integer", "parse_moment", "parse_number",
           "parse_text", "parse_yes_no"]

_YES = {"是", "y", "yes", "true", "1", "√"}
_NO = {"否", "n", "no", "false", "0", "×"}
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*(?:日|(?=\s|T|$))")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_TIME = re.compile(r"(?:[T\s]\s*(\d{1,2})[:：](\d{2})(?::(\d{2}))?)?")
_EXCEL_EPOCH = date(1899, 12, 30)
# serial numbers of 1 Jan 2000 and 31 Dec 2099: a number outside is not meant as a date
_SERIALS = (36526, 73415)


def _shown(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return repr(value) if isinstance(value, str) else str(value)


def parse_text(cell: Cell) -> str | None:
    """The cell as text: a whole number without ``.0``, a date in ISO form."""
    value = cell.value
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def parse_yes_no(cell: Cell) -> bool | None:
    """是 / 否 (also Y/N, yes/no, true/false, 1/0, √/×)."""
    value = cell.value
    if value is None or isinstance(value, bool):
        return value
    text = parse_text(cell) or ""
    if text.lower() in _YES:
        return True
    if text.lower() in _NO:
        return False
    raise CellError(f"expected 是 or 否 (got {_shown(value)})")


def parse_integer(cell: Cell, low: int, high: int) -> int | None:
    """A whole number in ``[low, high]``."""
    value = cell.value
    if value is None:
        return None
    number: float
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise CellError(f"expected a whole number (got {_shown(value)})")
    try:
        number = float(value)
    except ValueError:
        raise CellError(f"expected a whole number (got {_shown(value)})") from None
    if not number.is_integer():
        raise CellError(f"expected a whole number (got {_shown(value)})")
    if not low <= number <= high:
        raise CellError(f"must be {low} to {high} (got {_shown(value)})")
    return int(number)


def parse_number(cell: Cell, low: float, high: float) -> float | None:
    """A finite number in ``[low, high]`` (a coordinate, an amount)."""
    value = cell.value
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise CellError(f"expected a number (got {_shown(value)})")
    try:
        number = float(value)
    except ValueError:
        raise CellError(f"expected a number (got {_shown(value)})") from None
    if not low <= number <= high:  # also refuses nan
        raise CellError(f"must be {low:g} to {high:g} (got {_shown(value)})")
    return number


def parse_moment(cell: Cell) -> date | datetime | None:
    """A date, or a date with a time of day (``2020-02-21 08:00``)."""
    value = cell.value
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date() if value.time() == time() else value.replace(second=0)
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if _SERIALS[0] <= value <= _SERIALS[1]:
            moment = datetime.combine(_EXCEL_EPOCH, time()) + timedelta(days=float(value))
            moment = moment.replace(second=0, microsecond=0)
            return moment.date() if moment.time() == time() else moment
        raise CellError(f"expected a date such as 2020-02-21 (got the number {_shown(value)})")
    if isinstance(value, str):
        typed = _moment(value)
        if typed is not None:
            return typed
    raise CellError(f"expected a date such as 2020-02-21 or 2020/2/21 (got {_shown(value)})")


def parse_day(cell: Cell) -> date | None:
    """A date; a time of day other than midnight is refused."""
    moment = parse_moment(cell)
    if isinstance(moment, datetime):
        raise CellError(f"expected a date without a time of day (got {moment:%Y-%m-%d %H:%M})")
    return moment


def _moment(text: str) -> date | datetime | None:
    """``text`` as a date or a date and time; None if it is neither."""
    match = _DATE.match(text) or _COMPACT.match(text)
    if match is None:
        return None
    clock = _TIME.fullmatch(text[match.end():])
    if clock is None:
        return None
    try:
        day = date(*(int(g) for g in match.groups()))
        if clock.group(1) is None:
            return day
        hour, minute = int(clock.group(1)), int(clock.group(2))
        return datetime.combine(day, time(hour, minute, int(clock.group(3) or 0)))
    except ValueError:
        return None
