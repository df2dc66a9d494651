"""Hand-over lists (人员交接) for the receiving side: who arrives, when, on which vehicle,
with which escort and medic, in what health state — so the destination city can arrange
checks and quarantine before the vehicle arrives.

``handover/<city>.xlsx`` has a sheet per employer of that city, and
``handover/<city>.pdf`` a page (or more) per employer, ready to send ahead. Every rider
is in exactly one sheet, their employer's, under the vehicle they arrive on (a rail
rider under their carriage, not the feeder bus). ID numbers are masked; phones too,
unless contacts are asked for.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from charterplan.io._files import file_name
from charterplan.io._roster import Roster
from charterplan.io.office._content import (
    HANDOVER_COLUMNS,
    Arrival,
    by_employer,
    handover_rows,
    handover_sections,
)
from charterplan.io.office._pdf import Section
from charterplan.io.office.workbook import add_sheet, new_workbook, save
from charterplan.model import Plan

__all__ = ["by_city", "handover_documents", "write_handover_workbooks"]

_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")


def by_city(roster: Roster, riders: Sequence[Arrival]) -> dict[str, list[Arrival]]:
    """Riders by their employer's city (the request's order of cities is kept sorted)."""
    cities: dict[str, list[Arrival]] = {}
    for a in riders:
        dest = roster.destinations.get(a.worker.destination)
        cities.setdefault(dest.city if dest else "未知城市", []).append(a)
    return dict(sorted(cities.items()))


def _sheet_name(name: str, taken: set[str]) -> str:
    """An Excel sheet name: no ``[]:*?/\\``, at most 31 characters, unique in the book."""
    base = _SHEET_UNSAFE.sub("_", name)[:31] or "_"
    candidate, n = base, 2
    while candidate in taken:
        suffix = f"_{n}"
        candidate, n = base[:31 - len(suffix)] + suffix, n + 1
    taken.add(candidate)
    return candidate


def _paths(folder: Path, cities: Sequence[str], suffix: str) -> dict[str, Path]:
    paths: dict[str, Path] = {}
    for city in cities:
        path = folder / "handover" / f"{file_name(city)}{suffix}"
        while path in paths.values():  # two cities that differ only in unsafe characters
            path = path.with_name(f"{path.stem}_{suffix}")
        paths[city] = path
    return paths


def write_handover_workbooks(roster: Roster, plan: Plan, riders: Sequence[Arrival],
                             folder: Path, unmasked: bool = False) -> list[Path]:
    """Write ``handover/<city>.xlsx`` for every city riders arrive in; return the paths."""
    cities = by_city(roster, riders)
    written = []
    for city, path in _paths(folder, list(cities), ".xlsx").items():
        book, taken = new_workbook(), set[str]()
        for dest_id, group in sorted(by_employer(cities[city]).items()):
            dest = roster.destinations.get(dest_id)
            name = dest.name if dest else dest_id
            contact = roster.contact(dest) if not unmasked or dest is None else " ".join(
                filter(None, [dest.contact, dest.contact_phone]))
            add_sheet(book, _sheet_name(name, taken),
                      f"返岗人员交接单　{name}（{city}）　单位联系人：{contact or '未登记'}　"
                      f"共{len(group)}人", HANDOVER_COLUMNS,
                      handover_rows(roster, group, unmasked), footer=f"计划 {plan.plan_id}")
        written.append(save(book, path))
    return written


def handover_documents(roster: Roster, plan: Plan, riders: Sequence[Arrival], folder: Path,
                       unmasked: bool = False) -> dict[Path, list[Section]]:
    """The hand-over PDFs to write: ``handover/<city>.pdf`` and its employers' pages."""
    cities = by_city(roster, riders)
    return {path: handover_sections(roster, cities[city], plan, unmasked)
            for city, path in _paths(folder, list(cities), ".pdf").items()}
