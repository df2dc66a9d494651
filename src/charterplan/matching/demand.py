"""The enterprise demand table (附件5) read into vacancies, every bad cell named.

Columns by header (order free): ``企业名称``, ``所在省``, ``所在市``, ``纬度``, ``经度``,
``用工人数``, ``开工日期``, ``工种``, ``县内`` (是/否), ``扶贫特岗`` (是/否: places kept
for registered poor households), ``联系人``, ``联系电话``. A row gives 纬度 and 经度, or
names an employer or a 所在市 the county file knows (:mod:`.places`).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from os import PathLike

from charterplan.matching.model import Vacancy
from charterplan.matching.places import CountyPlaces, Spot
from charterplan.tables import (
    Cell,
    Column,
    Row,
    TableProblems,
    parse_day,
    parse_integer,
    parse_number,
    parse_text,
    parse_yes_no,
    read_table,
)

__all__ = ["DEMAND_COLUMNS", "DemandLine", "read_demand"]

DEMAND_COLUMNS = (
    Column("employer", "企业名称", ("单位名称",)),
    Column("province", "所在省", required=False),
    Column("city", "所在市", ("所在市州",), required=False),
    Column("lat", "纬度", required=False),
    Column("lon", "经度", required=False),
    Column("count", "用工人数", ("缺员工数", "需求人数")),
    Column("start", "开工日期", required=False),
    Column("trade", "工种", required=False),
    Column("local", "县内", required=False),
    Column("poor_only", "扶贫特岗", required=False),
    Column("contact", "联系人", required=False),
    Column("phone", "联系电话", required=False),
)
MAX_COUNT = 100_000


@dataclass(frozen=True)
class DemandLine:
    """A demand row: its vacancy, its row number and the employer's contact."""

    vacancy: Vacancy
    row: int
    contact: str | None = None
    phone: str | None = None


def _lat(cell: Cell) -> float | None:
    return parse_number(cell, -90, 90)


def _lon(cell: Cell) -> float | None:
    return parse_number(cell, -180, 180)


def _closest(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.3)
    return f"; closest known: {', '.join(close)}" if close else ""


def _spot(row: Row, places: CountyPlaces, problems: TableProblems, employer: str,
          city: str | None, local: bool) -> Spot | None:
    if row["lat"].blank != row["lon"].blank:
        blank = row["lat"] if row["lat"].blank else row["lon"]
        problems.cell(blank, "纬度 and 经度 go together: give both or neither")
        return None
    if not row["lat"].blank:
        lat, lon = problems.parse(row["lat"], _lat), problems.parse(row["lon"], _lon)
        return None if lat is None or lon is None else Spot(lat, lon)
    if employer in places.employers:
        return places.employers[employer]
    if local:  # 县内: in the county, whatever city the row names
        return places.seat
    if city and city in places.cities:
        return places.cities[city]
    if city:
        problems.cell(row["city"], f"the county file knows no city {city!r} and the row "
                      f"gives no 纬度/经度{_closest(city, sorted(places.cities))}")
    else:
        problems.cell(row["city"], "give 所在市 (a city the county file knows) or 纬度 "
                      "and 经度")
    return None


def read_demand(path: str | PathLike[str], places: CountyPlaces, *,
                sheet: str | None = None) -> tuple[DemandLine, ...]:
    """Read the demand table at ``path`` (``.xlsx`` or ``.csv``) into demand lines.

    Raises:
        TableError: every bad cell, as ``FILE!SHEET!CELL (header): problem``.
    """
    table = read_table(path, DEMAND_COLUMNS, sheet=sheet)
    problems = table.new_problems()
    lines = []
    for row in table:
        employer = problems.parse(row["employer"], parse_text)
        if employer is None and not row["employer"].blank:
            continue
        if employer is None:
            problems.cell(row["employer"], "blank: every row names its employer")
        count = problems.parse(row["count"], lambda c: parse_integer(c, 0, MAX_COUNT))
        if count is None and row["count"].blank:
            problems.cell(row["count"], "blank: how many workers the employer needs")
        start = problems.parse(row["start"], parse_day)
        trade = problems.parse(row["trade"], parse_text)
        local = problems.parse(row["local"], parse_yes_no)
        poor_only = problems.parse(row["poor_only"], parse_yes_no)
        city = problems.parse(row["city"], parse_text)
        province = problems.parse(row["province"], parse_text)
        spot = _spot(row, places, problems, employer or "", city, bool(local))
        if employer is None or count is None or spot is None:
            continue
        lines.append(DemandLine(
            Vacancy(id=f"V{row.number}", employer=employer,
                    province=province or spot.province, city=city or spot.city,
                    lat=spot.lat, lon=spot.lon, count=count, trade=trade,
                    local=bool(local), poor_only=bool(poor_only), start=start),
            row.number, problems.parse(row["contact"], parse_text),
            problems.parse(row["phone"], parse_text)))
    problems.raise_if_any()
    return tuple(lines)
