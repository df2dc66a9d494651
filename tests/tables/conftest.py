"""A builder of small registry files: the same rows as .xlsx or as .csv in an encoding."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from pathlib import Path

import openpyxl
import pytest

Rows = Sequence[Sequence[object]]
MakeTable = Callable[..., Path]


def write_table(path: Path, rows: Rows, *, sheet: str = "Sheet1", encoding: str = "utf-8",
                above: Rows = ()) -> Path:
    """Write ``rows`` (header first) to ``path``: a workbook for ``.xlsx`` (``above``
    rows before them, e.g. a title), else CSV in ``encoding``."""
    if path.suffix == ".xlsx":
        book = openpyxl.Workbook()
        ws = book.active
        assert ws is not None
        ws.title = sheet
        for row in [*above, *rows]:
            ws.append(list(row))
        book.save(path)
        return path
    text = io.StringIO(newline="")
    csv.writer(text).writerows([*above, *rows])
    path.write_bytes(text.getvalue().encode(encoding))
    return path


@pytest.fixture
def make_table(tmp_path: Path) -> MakeTable:
    """``make_table("name.xlsx", rows, **options)``: a table file in a temporary folder."""
    def make(name: str, rows: Rows, **options: object) -> Path:
        return write_table(tmp_path / name, rows, **options)  # type: ignore[arg-type]
    return make
