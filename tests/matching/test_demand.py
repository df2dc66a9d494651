"""The demand table (附件5): vacancies read, every bad cell named once."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from charterplan.matching.demand import read_demand
from charterplan.matching.places import CountyPlaces
from charterplan.tables import TableError, read_county

COUNTY = Path(__file__).parents[2] / "data" / "sample" / "county.toml"
HEADERS = ["企业名称", "所在省", "所在市", "纬度", "经度", "用工人数", "开工日期", "工种", "县内",
           "扶贫特岗", "联系人", "联系电话"]


@pytest.fixture(scope="module")
def places() -> CountyPlaces:
    county = read_county(COUNTY)
    return CountyPlaces.from_fields(county.fields, county.townships, county.name)


def _table(tmp_path: Path, rows: list[list[object]]) -> Path:
    path = tmp_path / "demand.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows([HEADERS, *rows])
    return path


def test_rows_become_vacancies_placed_by_coordinates_city_or_county(
        tmp_path: Path, places: CountyPlaces) -> None:
    """Coordinates win; else a city the county knows; a 县内 row without either is at the seat."""
    city = next(iter(places.cities))
    path = _table(tmp_path, [
        ["甲厂", "广东省", "东莞市", 23.0, 113.7, 12, "2020-02-25", "电子厂", "否", "否", "王",
         "1"],
        ["乙厂", "", city, "", "", 3, "", "", "", "", "", ""],
        ["丙社", "湖南省", "怀化市", "", "", 2, "2020/3/1", "保洁", "是", "是", "", ""],
    ])
    lines = read_demand(path, places)
    first, second, third = (line.vacancy for line in lines)
    assert (first.lat, first.lon, first.count, first.trade, first.local) == (
        23.0, 113.7, 12, "电子厂", False)
    assert (second.lat, second.lon) == (places.cities[city].lat, places.cities[city].lon)
    assert second.province == places.cities[city].province
    assert third.local and third.poor_only and (third.lat, third.lon) == (
        places.seat.lat, places.seat.lon)
    assert [line.row for line in lines] == [2, 3, 4]


def test_every_bad_cell_is_named_in_one_pass(tmp_path: Path, places: CountyPlaces) -> None:
    """Bad counts, dates, yes/no cells, half coordinates and unknown cities all at once."""
    path = _table(tmp_path, [
        ["甲厂", "广东省", "东莞市", 23.0, "", "十二", "2020-02-25", "", "否", "", "", ""],
        ["", "广东省", "东莞市", 23.0, 113.7, "", "明天", "", "也许", "", "", ""],
        ["丙厂", "", "东筦市", "", "", 5, "", "", "", "x", "", ""],
        ["丁厂", "", "", 95, 113.7, 5, "", "", "", "", "", ""],
    ])
    with pytest.raises(TableError) as caught:
        read_demand(path, places)
    text = str(caught.value)
    for where in ("demand.csv!demand!E2 (经度)", "demand.csv!demand!F2 (用工人数)",
                  "demand.csv!demand!A3 (企业名称)", "demand.csv!demand!F3 (用工人数)",
                  "demand.csv!demand!G3 (开工日期)", "demand.csv!demand!I3 (县内)",
                  "demand.csv!demand!C4 (所在市)", "demand.csv!demand!J4 (扶贫特岗)",
                  "demand.csv!demand!D5 (纬度)"):
        assert where in text, where
    assert "东莞市" in text  # the closest known city to the misspelt one
    assert caught.value.total == 9


def test_missing_required_column_is_named(tmp_path: Path, places: CountyPlaces) -> None:
    """A table without 用工人数 is refused, naming the column."""
    path = tmp_path / "demand.csv"
    path.write_text("企业名称,所在市\n甲厂,东莞市\n", encoding="utf-8")
    with pytest.raises(TableError, match="用工人数"):
        read_demand(path, places)
