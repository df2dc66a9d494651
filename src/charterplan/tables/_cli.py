"""What the command line needs to take a registry table where it takes a request."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from os import PathLike
from pathlib import Path

from charterplan.errors import Problem, RequestError
from charterplan.tables.registry import RegistryImport, import_registry
from charterplan.tables.sheet import WORKBOOK_SUFFIXES

__all__ = ["import_notes", "is_table", "request_json", "table_import", "write_request"]


def is_table(path: str | PathLike[str]) -> bool:
    """True when ``path`` names a registry table (a workbook or CSV file) by its suffix."""
    return Path(path).suffix.lower() in (*WORKBOOK_SUFFIXES, ".csv")


def table_import(registry: str | PathLike[str], county: str | PathLike[str] | None,
                 sheet: str | None) -> RegistryImport:
    """:func:`~charterplan.tables.import_registry`, refusing a missing county file."""
    if county is None:
        raise RequestError([Problem("", f"{Path(registry).name} is a registry table: give "
                                    "the county file with --county COUNTY.toml")])
    return import_registry(registry, county, sheet=sheet)


def request_json(result: RegistryImport) -> str:
    """The imported request as the JSON text a request file holds."""
    return json.dumps(result.data, ensure_ascii=False, indent=1) + "\n"


def write_request(path: str | PathLike[str], result: RegistryImport,
                  before_commit: Callable[[], None] = lambda: None) -> None:
    """Write the request JSON to ``path`` whole or not at all (a temporary file in the
    same folder, linked to ``path``; readable by its owner only, as it holds ID numbers
    and phones). An existing ``path`` is never replaced: it may be a file a person owns
    (SPEC §8). ``before_commit`` runs just before the link (the command line's last
    chance to stop on an interrupt).

    Raises:
        RequestError: ``path`` exists, or its folder cannot be written.
    """
    path = Path(path)
    exists = RequestError([Problem("", f"{str(path)!r} exists; charterplan replaces no file "
                                   "it was not given: choose another name or remove it")])
    if path.exists() or path.is_symlink():
        raise exists
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise RequestError([Problem("", f"cannot write {str(path)!r}: "
                                    f"{exc.strerror or exc}")]) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(request_json(result))
        before_commit()
        os.link(temporary, path)  # unlike a rename, fails if path appeared meanwhile
    except FileExistsError:
        raise exists from None
    finally:
        Path(temporary).unlink(missing_ok=True)


def import_notes(result: RegistryImport) -> list[str]:
    """Lines for a person about rows left out of the request (none when there are none)."""
    notes = []
    if result.job_seekers:
        rows = ", ".join(str(s.row) for s in result.job_seekers[:20])
        more = " …" if len(result.job_seekers) > 20 else ""
        notes.append(f"{len(result.job_seekers)} row(s) have no 返岗单位 but 就业意愿 是 "
                     f"(rows {rows}{more}): they are not in this request; give them an "
                     "employer with 'python -m charterplan match' first")
    if result.cancelled:
        notes.append(f"{len(result.cancelled)} row(s) are cancelled (状态 取消) and left out")
    return notes
