"""Problems of a table, each named by its cell: ``FILE!SHEET!CELL (header): problem``.

A :class:`TableProblems` collects every problem of a pass over a table, so the user
sees them all at once; :meth:`TableProblems.raise_if_any` then raises one
:class:`TableError` listing at most :data:`MAX_LISTED` of them, then "and N more".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, TypeVar

from charterplan.errors import Problem, RequestError

if TYPE_CHECKING:
    from charterplan.tables.sheet import Cell, Row

__all__ = ["MAX_LISTED", "CellError", "TableError", "TableProblems", "column_letter"]

MAX_LISTED = 50
T = TypeVar("T")


class CellError(ValueError):
    """A cell whose value does not fit its column; the message says why."""


def column_letter(index: int) -> str:
    """Excel's name of the 0-based column ``index``: 0 → ``A``, 26 → ``AA``."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


class TableError(RequestError):
    """A table (or the county file that goes with it) that cannot be imported.

    ``problems`` holds at most :data:`MAX_LISTED` problems, each with its place as its
    ``path`` (``registry.xlsx!Sheet1!E17 (身份证号码)``), then one saying how many more.
    ``total`` counts them all.
    """

    def __init__(self, source: str, problems: Iterable[Problem]) -> None:
        found = list(problems)
        self.total = len(found)
        listed = found[:MAX_LISTED]
        if self.total > MAX_LISTED:
            listed.append(Problem("", f"and {self.total - MAX_LISTED} more"))
        super().__init__(listed)
        head = f"{source} has {self.total} problem{'s' if self.total != 1 else ''}"
        self.args = ("\n".join([head, *(f"  {p}" for p in listed)]),)


class TableProblems:
    """Collects the problems of one table; places are written as Excel names them.

    Args:
        file: the file's name as the user knows it (``registry.xlsx``).
        sheet: the sheet's name (for a CSV file, its name without the suffix, as a
            spreadsheet program opening it names its one sheet).
    """

    def __init__(self, file: str, sheet: str) -> None:
        self.file = file
        self.sheet = sheet
        self._found: list[tuple[tuple[int, int], Problem]] = []

    def __bool__(self) -> bool:
        return bool(self._found)

    def __len__(self) -> int:
        return len(self._found)

    def place(self, where: str) -> str:
        """``FILE!SHEET!where``."""
        return f"{self.file}!{self.sheet}!{where}"

    def cell(self, cell: Cell, message: str) -> None:
        """A problem of one cell (``E17 (身份证号码)``); a cell of a column the table
        lacks is named by its row (``17:17 (最迟到岗日期)``)."""
        where = cell.address if cell.column is not None else f"{cell.row}:{cell.row}"
        self._found.append(((cell.row, cell.column if cell.column is not None else -1),
                            Problem(self.place(f"{where} ({cell.header})"), message)))

    def parse(self, cell: Cell, parser: Callable[[Cell], T]) -> T | None:
        """``parser(cell)``, or None with the problem recorded if it raises CellError."""
        try:
            return parser(cell)
        except CellError as exc:
            self.cell(cell, str(exc))
            return None

    def row(self, row: Row | int, message: str) -> None:
        """A problem of a whole row (``17:17``)."""
        number = row if isinstance(row, int) else row.number
        self._found.append(((number, -1), Problem(self.place(f"{number}:{number}"), message)))

    def table(self, message: str) -> None:
        """A problem of the table as a whole (no such sheet, no header row)."""
        self._found.append(((0, -1), Problem(f"{self.file}!{self.sheet}", message)))

    def other(self, problem: Problem) -> None:
        """A problem found elsewhere (the county file), listed after the table's."""
        self._found.append(((1 << 62, 0), problem))

    def problems(self) -> list[Problem]:
        """Every problem so far, in the order of the table: by row, then by column."""
        return [p for _, p in sorted(self._found, key=lambda item: item[0])]

    def raise_if_any(self) -> None:
        """Raise a :class:`TableError` listing the problems, if there are any."""
        if self._found:
            raise TableError(self.file, self.problems())
