"""County tables: read a registry from Excel or CSV with every bad cell named.

``read_table(path, columns)`` finds columns by header and yields rows whose cells know
their address; ``TableProblems`` collects what is wrong as ``FILE!SHEET!CELL (header):
problem`` and raises one :class:`TableError` (a :class:`~charterplan.errors.RequestError`)
listing them all.
"""

from charterplan.tables.cells import (
    parse_day,
    parse_integer,
    parse_moment,
    parse_text,
    parse_yes_no,
)
from charterplan.tables.problems import CellError, TableError, TableProblems, column_letter
from charterplan.tables.sheet import Cell, Column, Row, Table, read_table

__all__ = [
    "Cell",
    "CellError",
    "Column",
    "Row",
    "Table",
    "TableError",
    "TableProblems",
    "column_letter",
    "parse_day",
    "parse_integer",
    "parse_moment",
    "parse_text",
    "parse_yes_no",
    "read_table",
]
