"""Job matching on the county's tables: registry and demand table in, a match out.

:func:`match_tables` reads the registration list (附件1) with the county file as
``import`` does (the same checks; job seekers are the rows without 返岗单位 whose
就业意愿 is 是), reads the demand table (附件5) and matches. Matched employers the
county file does not know become new destinations (:func:`county_with_employers`), so
the registry with 返岗单位 filled plans with that county file directly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from os import PathLike
from pathlib import Path
from typing import Any

from charterplan.matching.demand import DemandLine, read_demand
from charterplan.matching.model import Matching, MatchPolicy, Seeker
from charterplan.matching.places import CountyPlaces
from charterplan.matching.solve import match
from charterplan.tables import (
    REGISTRY_COLUMNS,
    County,
    Registrant,
    Table,
    TableError,
    read_county,
    read_table,
    registry_request,
)

__all__ = ["TableMatch", "county_with_employers", "match_tables"]


@dataclass(frozen=True)
class TableMatch:
    """A match made on tables: what was read, and the answer.

    ``employer_of`` gives each matched seeker's 返岗单位 as the extended county file
    names it (:attr:`county_fields`); ``seekers`` are the registry's job seekers in
    row order, ``rows`` their row numbers.
    """

    registry: Path
    sheet: str
    header_row: int
    employer_column: int
    county: County
    county_fields: dict[str, Any]
    seekers: tuple[Registrant, ...]
    demand: tuple[DemandLine, ...]
    matching: Matching
    employer_of: dict[str, str]


def _seekers(found: tuple[Registrant, ...], places: CountyPlaces) -> list[Seeker]:
    seekers = []
    for registrant in found:
        worker = registrant.worker
        spot = places.gathering(worker)
        seekers.append(Seeker(
            id=f"R{registrant.row}", township=worker.get("township") or "",
            lat=spot.lat, lon=spot.lon, poor=bool(worker.get("poverty_registered")),
            cleared=worker["health"]["status"] == "cleared", group=worker.get("group"),
            region=registrant.region, trade=registrant.trade))
    return seekers


def county_with_employers(fields: dict[str, Any], demand: tuple[DemandLine, ...],
                          used: set[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The county's request fields with a destination for each employer of ``used``
    vacancy ids that it does not know by name, and each vacancy id's 返岗单位 text.

    New destinations get ids ``J001``… (not used elsewhere in the county file); an
    employer named twice at two places gets one destination per place, and its rows
    then name the destination's id rather than the shared name.
    """
    destinations = [dict(d) for d in fields.get("destinations", [])]
    taken = {str(item.get("id")) for key in ("hubs", "pickup_points", "destinations")
             for item in fields.get(key, []) if isinstance(item, dict)}
    taken |= {s.get("id") for r in fields.get("rail_services", []) for s in r.get("stops", [])}
    known = {d.get("name"): d["id"] for d in destinations} | {
        d["id"]: d["id"] for d in destinations}  # a row may name an employer by id
    site_of: dict[tuple[str, float, float], str] = {}
    text_of: dict[str, str] = {}
    number = 0
    for line in demand:
        vacancy = line.vacancy
        if vacancy.id not in used:
            continue
        if vacancy.employer in known:
            text_of[vacancy.id] = vacancy.employer
            continue
        site = (vacancy.employer, round(vacancy.lat, 5), round(vacancy.lon, 5))
        if site not in site_of:
            number += 1
            while f"J{number:03d}" in taken:
                number += 1
            site_of[site] = f"J{number:03d}"
            destination: dict[str, Any] = {
                "id": site_of[site], "name": vacancy.employer, "city": vacancy.city or "",
                "province": vacancy.province or "", "lat": site[1], "lon": site[2]}
            if line.contact:
                destination["contact"] = line.contact
            if line.phone:
                destination["contact_phone"] = line.phone
            destinations.append(destination)
        text_of[vacancy.id] = site_of[site]
    names = [d["name"] for d in destinations]
    for vid, text in text_of.items():
        name = next(d["name"] for d in destinations if d["id"] == text or d["name"] == text)
        text_of[vid] = name if names.count(name) == 1 else text
    return {**fields, "destinations": destinations}, text_of


def match_tables(registry: str | PathLike[str], demand: str | PathLike[str],
                 county: str | PathLike[str], *, sheet: str | None = None,
                 demand_sheet: str | None = None, policy: MatchPolicy | None = None,
                 today: date | None = None,
                 progress: Callable[[str, int, int], None] | None = None) -> TableMatch:
    """Read the three files and match the registry's job seekers to the demand.

    Raises:
        TableError: every problem of the registry, the county file and the demand
            table, each named by its cell or its place in the county file.
    """
    report = progress or (lambda stage, done, total: None)
    report("read", 0, 3)
    county_file = read_county(county)
    places = CountyPlaces.from_fields(county_file.fields, county_file.townships,
                                      county_file.name)
    table: Table = read_table(registry, REGISTRY_COLUMNS, sheet=sheet)
    problems: list[Any] = []
    try:
        imported = registry_request(table, county_file, plan_id=Path(registry).stem,
                                    today=today)
    except TableError as exc:
        problems.extend(exc.problems)
    report("read", 1, 3)
    try:
        lines = read_demand(demand, places, sheet=demand_sheet)
    except TableError as exc:
        problems.extend(exc.problems)
    if problems:
        raise TableError(f"{Path(registry).name} and {Path(demand).name}", problems)
    report("read", 3, 3)
    report("match", 0, 1)
    seekers = _seekers(imported.job_seekers, places)
    matching = match(seekers, [line.vacancy for line in lines], policy)
    report("match", 1, 1)
    fields, text_of = county_with_employers(county_file.fields, lines,
                                            set(matching.vacancy_of.values()))
    employer_of = {seeker: text_of[vacancy] for seeker, vacancy in matching.vacancy_of.items()}
    return TableMatch(Path(registry), table.sheet, table.header_row,
                      table.headers["employer"], county_file, fields,
                      imported.job_seekers, lines, matching, employer_of)
