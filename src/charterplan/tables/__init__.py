"""County tables: read a registry from Excel or CSV with every bad cell named.

``read_table(path, columns)`` finds columns by header and yields rows whose cells know
their address; ``TableProblems`` collects what is wrong as ``FILE!SHEET!CELL (header):
problem`` and raises one :class:`TableError` (a :class:`~charterplan.errors.RequestError`)
listing them all. ``import_registry(registry, county)`` builds a planning request from
the registration list (附件1) and the county file.
"""

from charterplan.tables.cells import (
    parse_day,
    parse_integer,
    parse_moment,
    parse_number,
    parse_text,
    parse_yes_no,
)
from charterplan.tables.county import County, read_county
from charterplan.tables.idcard import parse_id_number, worker_id
from charterplan.tables.problems import CellError, TableError, TableProblems, column_letter
from charterplan.tables.registry import (
    REGISTRY_COLUMNS,
    Registrant,
    RegistryImport,
    import_registry,
    registry_request,
)
from charterplan.tables.sheet import Cell, Column, Row, Table, read_table

__all__ = [
    "REGISTRY_COLUMNS",
    "Cell",
    "CellError",
    "Column",
    "County",
    "Registrant",
    "RegistryImport",
    "Row",
    "Table",
    "TableError",
    "TableProblems",
    "column_letter",
    "import_registry",
    "parse_day",
    "parse_id_number",
    "parse_integer",
    "parse_moment",
    "parse_number",
    "parse_text",
    "parse_yes_no",
    "read_county",
    "read_table",
    "registry_request",
    "worker_id",
]
