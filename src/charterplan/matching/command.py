"""What ``python -m charterplan match`` does, for the command line to call and print."""

from __future__ import annotations

from collections.abc import Callable
from os import PathLike
from pathlib import Path

from charterplan.matching.model import MatchPolicy
from charterplan.matching.tables import TableMatch, match_tables
from charterplan.matching.write import (
    check_match_folder,
    default_match_folder,
    describe,
    write_match,
)

__all__ = ["match_files", "run_match"]

Progress = Callable[[str, int, int], None]


def match_files(registry: str | PathLike[str], demand: str | PathLike[str],
                county: str | PathLike[str], *, out: str | PathLike[str] | None = None,
                sheet: str | None = None, demand_sheet: str | None = None,
                max_km: float | None = None,
                progress: Progress | None = None) -> tuple[TableMatch, Path]:
    """Match and write the output folder (``out``, default :func:`default_match_folder`).

    The folder is checked before anything is read, and written only when all is well.

    Raises:
        TableError: a bad cell or county entry (each named).
        MatchFolderError: the folder holds things an earlier match did not write.
    """
    folder = check_match_folder(out or default_match_folder(registry))
    found = match_tables(registry, demand, county, sheet=sheet, demand_sheet=demand_sheet,
                         policy=MatchPolicy(max_km=max_km), progress=progress)
    write_match(found, folder)
    return found, folder


def run_match(registry: str | PathLike[str], demand: str | PathLike[str],
              county: str | PathLike[str], *, out: str | PathLike[str] | None = None,
              sheet: str | None = None, demand_sheet: str | None = None,
              max_km: float | None = None, progress: Progress | None = None) -> str:
    """:func:`match_files`, and the summary to print."""
    found, folder = match_files(registry, demand, county, out=out, sheet=sheet,
                                demand_sheet=demand_sheet, max_km=max_km, progress=progress)
    return describe(found, folder)
