"""What ``python -m charterplan match`` does, for the command line to call and print."""

from __future__ import annotations

from collections.abc import Callable
from os import PathLike
from pathlib import Path

from charterplan.matching.model import MatchPolicy
from charterplan.matching.tables import TableMatch, match_tables
from charterplan.matching.write import fill_match

__all__ = ["match_into"]


def match_into(staging: Path, registry: str | PathLike[str], demand: str | PathLike[str],
               county: str | PathLike[str], *, sheet: str | None = None,
               demand_sheet: str | None = None, max_km: float | None = None,
               progress: Callable[[str, int, int], None] | None = None) -> TableMatch:
    """Match the registry's job seekers to the demand and write the files into the
    claimed folder's ``staging`` (the command line claims and commits it).

    Raises:
        TableError: a bad cell or county entry (each named).
    """
    found = match_tables(registry, demand, county, sheet=sheet, demand_sheet=demand_sheet,
                         policy=MatchPolicy(max_km=max_km), progress=progress)
    fill_match(found, staging)
    return found
