"""Reading a table whose cells know where they are: ``.xlsx`` or ``.csv`` in, rows out.

Columns are found by their header text, in any order; headers are compared without
spaces or line breaks and with ASCII parentheses for full-width ones, so ``电话\\n号码``
and ``村（社区）`` match ``电话号码`` and ``村(社区)``. The header row is the row of the
first :data:`HEADER_SEARCH_ROWS` that names the most wanted columns, so a title row
above it (as on the county's printed forms) is fine. The printed 附件1 has a header of
two rows: parents merged across the columns they head (计划返岗情况, 健康证明), their
children below, and single headers merged down both rows. Such a header is read when
the pair of rows names more wanted columns than either row alone: a column's header is
then its child, the parent and child together (``健康证明`` over ``有效期至`` names
``健康证明有效期至``), or the parent over an empty child (a header merged down). A
merged cell holds its text in its first cell only, and a CSV file saved from such a
sheet leaves the others blank, so a parent is carried right over the columns whose
child is filled until the next parent. Columns nobody asked for are ignored; rows with
every cell blank are skipped.

Workbooks are read with python-calamine (a Rust reader; twelve times as fast as
openpyxl's read-only mode on a 20,000-row registry, see benchmarks/RESULTS.md).
CSV files are read as UTF-8 (with or without BOM) or GB18030 (which includes GBK);
any other encoding is refused with its name. In a CSV file the sheet is named after
the file without its suffix, as a spreadsheet program opening it names it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from os import PathLike
from pathlib import Path
from typing import NamedTuple

from charterplan.tables.problems import TableProblems, column_letter

__all__ = ["HEADER_SEARCH_ROWS", "Cell", "Column", "Row", "Table", "normal_header",
           "read_table"]

HEADER_SEARCH_ROWS = 20
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")

Value = str | float | int | bool | date | datetime | time | timedelta | None


def normal_header(text: str) -> str:
    """A header as compared: no whitespace, ASCII parentheses."""
    return re.sub(r"\s+", "", text).replace("（", "(").replace("）", ")")


@dataclass(frozen=True)
class Column:
    """A column a reader wants: its key in code, its header, other headers meaning it.

    A required column missing from the table is a problem; an optional one reads as
    blank cells.
    """

    key: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = True

    def matches(self, header: str) -> bool:
        """True when the table's ``header`` names this column."""
        wanted = normal_header(header)
        return any(normal_header(h) == wanted for h in (self.header, *self.aliases))


class Cell(NamedTuple):
    """One cell: its value (None when blank; text stripped), row (1-based, as Excel
    numbers rows), column (0-based; None for a column the table lacks) and the header
    of its column."""

    value: Value
    row: int
    column: int | None
    header: str

    @property
    def address(self) -> str:
        """Excel's name of the cell, ``E17`` (``17:17`` for a column the table lacks)."""
        if self.column is None:
            return f"{self.row}:{self.row}"
        return f"{column_letter(self.column)}{self.row}"

    @property
    def blank(self) -> bool:
        """True when the cell holds nothing."""
        return self.value is None


_new_cell = tuple.__new__  # Cell(...) without NamedTuple's Python-level __new__: 40 % less


class Row:
    """One data row: its number in the sheet and its cells by column key (made when
    asked for: a 20,000-row registry has 400,000 cells)."""

    __slots__ = ("_columns", "_values", "number")

    def __init__(self, number: int, values: list[Value],
                 columns: dict[str, tuple[int | None, str]]) -> None:
        self.number = number
        self._values = values
        self._columns = columns

    def __getitem__(self, key: str) -> Cell:
        index, header = self._columns[key]
        values = self._values
        value = values[index] if index is not None and index < len(values) else None
        return _new_cell(Cell, (value, self.number, index, header))

    @property
    def cells(self) -> dict[str, Cell]:
        """Every wanted column's cell, by key."""
        return {key: self[key] for key in self._columns}


@dataclass(frozen=True)
class Table:
    """A read table: where it came from, its (first) header row, its columns and its
    rows.

    ``headers`` maps each found column's key to its 0-based index; ``header_rows`` is 2
    for a header of two rows (the rows start below the second).
    """

    file: str
    sheet: str
    header_row: int
    headers: dict[str, int]
    rows: list[Row]
    header_rows: int = 1

    def new_problems(self) -> TableProblems:
        """An empty collector naming places in this table, for a caller's checks."""
        return TableProblems(self.file, self.sheet)

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def read_table(path: str | PathLike[str], columns: Sequence[Column], *,
               sheet: str | None = None) -> Table:
    """Read the table at ``path`` (``.xlsx`` / ``.xlsm`` / ``.xls`` / ``.ods`` or ``.csv``)
    and find ``columns`` in it by their headers.

    Args:
        path: the workbook or CSV file.
        columns: the columns wanted; keys must be unique.
        sheet: the sheet of a workbook to read (default: the first visible one);
            ignored for CSV.

    Raises:
        TableError: the file cannot be read (named encoding, missing sheet, not a
            table), or it has no header row, or lacks a required column, or repeats one.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    problems = TableProblems(path.name, path.stem if suffix == ".csv" else sheet or "")
    note = ""
    grid: list[list[Value]] = []
    if suffix == ".csv":
        grid, encoding = _csv_grid(path, problems)
        if encoding == "gb18030":
            note = ("; the file was read as GB18030/GBK: if it is in another encoding, "
                    "save it as CSV UTF-8")
    elif suffix in WORKBOOK_SUFFIXES:
        problems.sheet, grid = _workbook_grid(path, sheet, problems)
    else:
        problems.table(f"expected a table file ({', '.join(WORKBOOK_SUFFIXES)} or .csv), "
                       f"not {suffix or 'a file without a suffix'}")
    problems.raise_if_any()
    header = _find_headers(grid, columns, problems, note)
    problems.raise_if_any()
    found: dict[str, tuple[int | None, str]] = {c.key: (header.columns.get(c.key), c.header)
                                                for c in columns}
    last = header.row + header.rows - 1
    rows = [Row(number, values, found)
            for number, values in enumerate(grid[last:], start=last + 1)
            if any(v is not None for v in values)]
    return Table(path.name, problems.sheet, header.row, header.columns, rows, header.rows)


class _Header(NamedTuple):
    """A header: its first row (1-based), how many rows it spans, and each found
    column's index."""

    row: int
    rows: int
    columns: dict[str, int]


_Label = tuple[str, int]  # a header text and the row (1-based) it is written in


def _labels(grid: list[list[Value]], row: int, rows: int) -> list[list[_Label]]:
    """The texts that may name each column of a header at ``row`` spanning ``rows``
    rows (1 or 2): see the module docstring."""
    top = grid[row - 1]
    if rows == 1:
        return [[(v, row)] if isinstance(v, str) else [] for v in top]
    below = grid[row] if row < len(grid) else []
    labels: list[list[_Label]] = []
    parent: str | None = None
    for i in range(max(len(top), len(below))):
        upper = top[i] if i < len(top) else None
        child = below[i] if i < len(below) else None
        if isinstance(upper, str):
            parent = upper
        elif upper is not None or not isinstance(child, str):
            parent = None  # a number, or a column without a child: no parent over it
        if not isinstance(child, str):
            labels.append([(parent, row)] if parent is not None and upper is not None else [])
        elif parent is None:
            labels.append([(child, row + 1)])
        else:
            labels.append([(child, row + 1), (parent + child, row + 1)])
    return labels


def _matches(column: Column, labels: list[_Label]) -> _Label | None:
    """The first of ``labels`` naming ``column``."""
    return next((label for label in labels if column.matches(label[0])), None)


def _find_headers(grid: list[list[Value]], columns: Sequence[Column],
                  problems: TableProblems, note: str) -> _Header:
    """The header (its rows and each found column's index); problems for missing or
    repeated columns."""
    # the most columns named; of as many, one row before two (a title row above a
    # header of one row names as many as the header alone), then the first
    best = (0, 0, 1)  # (columns matched, -rows, -row number)
    for number in range(1, min(len(grid), HEADER_SEARCH_ROWS) + 1):
        for rows in (1, 2):
            labels = _labels(grid, number, rows)
            matched = sum(any(_matches(c, cell) for cell in labels) for c in columns)
            best = max(best, (matched, -rows, -number))
    matched, header_row, rows = best[0], -best[2], -best[1]
    wanted = ", ".join(c.header for c in columns if c.required)
    if not matched:
        problems.table(f"no header row: none of the first {HEADER_SEARCH_ROWS} rows names "
                       f"the columns {wanted}{note}")
        return _Header(0, 1, {})
    labels = _labels(grid, header_row, rows)
    headers: dict[str, int] = {}
    for column in columns:
        found = [(i, label) for i, cell in enumerate(labels)
                 if (label := _matches(column, cell)) is not None]
        if found:
            first, (_, at) = found[0]
            headers[column.key] = first
        for again, (text, again_row) in found[1:]:
            problems.cell(Cell(text, again_row, again, column.header),
                          f"a second column {column.header} (the first is "
                          f"{column_letter(first)}{at})")
    missing = [c.header for c in columns if c.required and c.key not in headers]
    if missing:
        present = ", ".join(cell[-1][0] for cell in labels if cell)
        where = "header row" if rows == 1 else f"header rows {header_row}-{header_row + 1}"
        problems.row(header_row, f"no column {', '.join(missing)} in the {where} "
                     f"(its headers: {present})")
    return _Header(header_row, rows, headers)


def _cleaned(row: Sequence[Value]) -> list[Value]:
    """The row with text stripped and blank text as None."""
    return [(v.strip() or None) if isinstance(v, str) else v for v in row]


def _workbook_grid(path: Path, sheet: str | None,
                   problems: TableProblems) -> tuple[str, list[list[Value]]]:
    """The sheet's name and its cells from A1, blanks as None."""
    from python_calamine import CalamineError, CalamineWorkbook, SheetVisibleEnum

    try:
        with CalamineWorkbook.from_path(path) as book:
            if sheet is None:
                visible = [m.name for m in book.sheets_metadata
                           if m.visible == SheetVisibleEnum.Visible]
                if not visible:
                    problems.table("the workbook has no visible sheet")
                    return "", []
                sheet = visible[0]
            elif sheet not in book.sheet_names:
                problems.table(f"no sheet {sheet!r}; the workbook has "
                               f"{', '.join(repr(n) for n in book.sheet_names)}")
                return sheet, []
            rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except OSError as exc:
        problems.table(f"cannot read the file: {exc.strerror or exc}")
        return sheet or "", []
    except CalamineError as exc:
        problems.table(f"not a readable workbook ({type(exc).__name__}: {exc})")
        return sheet or "", []
    return sheet, [_cleaned(row) for row in rows]


def _csv_grid(path: Path, problems: TableProblems) -> tuple[list[list[Value]], str]:
    """The CSV file's cells, blanks as None, and the encoding it was read in."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.table(f"cannot read the file: {exc.strerror or exc}")
        return [], ""
    text, encoding = _decode(data, problems)
    try:
        rows = csv.reader(io.StringIO(text, newline=""))
        return [_cleaned(row) for row in rows], encoding
    except csv.Error as exc:
        problems.table(f"not a readable CSV file: {exc}")
        return [], encoding


def _decode(data: bytes, problems: TableProblems) -> tuple[str, str]:
    """``data`` decoded as UTF-8 (a BOM dropped) or else GB18030, and which; for
    anything else a problem naming the encoding found, and no text."""
    for bom, name in ((b"\xff\xfe", "UTF-16 LE"), (b"\xfe\xff", "UTF-16 BE")):
        if data.startswith(bom):
            problems.table(f"the file is {name}; save it as CSV UTF-8 (or GB18030/GBK)")
            return "", ""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            error = exc
    problems.table(f"the file is neither UTF-8 nor GB18030/GBK (byte "
                   f"0x{data[error.start]:02x} at offset {error.start}); save it as "
                   "CSV UTF-8")
    return "", ""
