"""Small helpers of the writers: CSV text for a spreadsheet, safe file names."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

__all__ = ["csv_text", "file_name", "money"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    # A text cell starting like a formula would run as one in a spreadsheet.
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_text(rows: Iterable[Sequence[object]]) -> str:
    """Rows as CSV text with a byte-order mark and CRLF line ends, as Excel expects.

    Written with ``encoding="utf-8"`` the text is a ``utf-8-sig`` file. A text cell
    that starts with ``=``, ``+``, ``-`` or ``@`` gets a leading apostrophe, so a
    spreadsheet shows it instead of evaluating it.
    """
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(
        [_cell(value) for value in row] for row in rows)
    return "\ufeff" + buffer.getvalue()


def file_name(text: str) -> str:
    """``text`` made safe as one file or folder name: no separators, no leading dot."""
    name = re.sub(r"[^\w.\-]", "_", text.strip()).lstrip(".")
    return name or "_"


def money(value: float) -> str:
    """An amount of yuan as text with two decimals: ``40440.0`` → ``40440.00``."""
    return f"{value:.2f}"
