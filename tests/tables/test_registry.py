"""A registry and a county file make a request; every bad cell is named in one pass."""

from __future__ import annotations

import copy
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from charterplan import parse_request
from charterplan.tables import (
    REGISTRY_COLUMNS,
    TableError,
    import_registry,
    read_county,
    read_table,
    registry_request,
    worker_id,
)
from charterplan.tables.idcard import check_character
from tests.conftest import BASE
from tests.tables.conftest import write_table

TODAY = date(2020, 2, 20)
HEADERS = ["乡镇", "村（社区）", "姓名", "性别", "身份证号码", "电话号码", "是否贫困户", "返岗单位",
           "最早出发日期", "最迟到岗日期", "健康状况", "隔离期满日期", "健康证明有效期至", "同行组",
           "愿任车长", "集合点", "就业意愿", "意向地区", "意向工种", "状态"]


def id_number(sequence: int, born: str = "19900101") -> str:
    """A valid ID number of Xinhuang county; odd ``sequence`` is a man's."""
    body = f"431229{born}{sequence:03d}"
    return body + check_character(body)


def row(**cells: Any) -> dict[str, Any]:
    """A valid row of a cleared man bound for 东莞电子厂, with ``cells`` over it."""
    return {"乡镇": "晃州镇", "村（社区）": "东村", "姓名": "张三", "性别": "男",
            "身份证号码": id_number(11), "电话号码": "13812345678", "是否贫困户": "否",
            "返岗单位": "东莞电子厂", "最早出发日期": date(2020, 2, 21),
            "最迟到岗日期": "2020-02-25", "健康状况": "健康", **cells}


def county(tmp_path: Path, **extra: Any) -> Path:
    """The unit request of tests/conftest.py as a county file, with ``extra`` keys."""
    data = {k: copy.deepcopy(v) for k, v in BASE.items() if k != "workers"}
    data["pickup_points"] = [{"id": "P1", "name": "晃州镇集合点", "township": "晃州镇",
                              "lat": 27.37, "lon": 109.13}]
    data["townships"] = ["晃州镇", "波洲镇", "中寨镇"]
    data.update(extra)
    path = tmp_path / "county.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def registry(tmp_path: Path, rows: list[dict[str, Any]], name: str = "registry.xlsx",
             **options: Any) -> Path:
    """The rows as a registry table (columns in the order of HEADERS)."""
    grid = [HEADERS, *[[r.get(h) for h in HEADERS] for r in rows]]
    return write_table(tmp_path / name, grid, **options)


def problems(tmp_path: Path, rows: list[dict[str, Any]], **county_extra: Any) -> list[str]:
    """The problems the import reports for ``rows``."""
    with pytest.raises(TableError) as caught:
        import_registry(registry(tmp_path, rows), county(tmp_path, **county_extra),
                        today=TODAY)
    return [str(p) for p in caught.value.problems]


def test_a_row_becomes_a_worker(tmp_path: Path) -> None:
    """Every column lands in its request field; the id comes from the ID number."""
    rows = [row(同行组=7, 愿任车长="是", 集合点="晃州镇集合点", 是否贫困户="是", 性别=None,
                最早出发日期=datetime(2020, 2, 21, 8, 0), 健康状况="隔离中",
                隔离期满日期="2020/2/22", 健康证明有效期至=date(2020, 3, 1))]
    result = import_registry(registry(tmp_path, rows), county(tmp_path), today=TODAY)
    (worker,) = result.data["workers"]
    assert worker == {
        "id": worker_id(id_number(11)), "name": "张三", "gender": "男",
        "id_number": id_number(11), "phone": "13812345678", "township": "晃州镇",
        "village": "东村", "pickup_point": "P1", "destination": "DG1",
        "earliest_departure": "2020-02-21T08:00", "latest_arrival": "2020-02-25",
        "health": {"status": "quarantine", "quarantine_until": "2020-02-22",
                   "certificate_valid_until": "2020-03-01"},
        "poverty_registered": True, "group": "7", "captain_volunteer": True}
    assert result.request == parse_request(result.data)
    assert result.request.plan_id == "unit" and result.rows == {worker["id"]: 2}


def test_blank_id_number_gives_a_row_id(tmp_path: Path) -> None:
    """A row without an ID number is R<row>; its gender stays as written."""
    rows = [row(), row(身份证号码=None, 性别="女", 姓名="李四")]
    workers = import_registry(registry(tmp_path, rows), county(tmp_path),
                              today=TODAY).request.workers
    assert [w.id for w in workers] == [worker_id(id_number(11)), "R3"]
    assert workers[1].gender == "女" and workers[1].id_number is None


def test_every_bad_cell_in_one_pass(tmp_path: Path) -> None:
    """Each kind of bad cell is named FILE!SHEET!CELL (header), all at once."""
    rows = [
        row(身份证号码=id_number(11)[:17] + ("3" if id_number(11)[17] != "3" else "4")),
        row(身份证号码=id_number(12), 性别="男"),
        row(身份证号码=id_number(13), 电话号码="1381234567"),
        row(身份证号码=id_number(15), 返岗单位="东莞电子"),
        row(身份证号码=id_number(17), 乡镇="晃州"),
        row(身份证号码=id_number(19), 最早出发日期="2月21日"),
        row(身份证号码=id_number(21), 健康状况="良好"),
        row(身份证号码=id_number(23), 是否贫困户="可能"),
        row(身份证号码=id_number(25), 集合点="晃州集合点"),
        row(身份证号码=id_number(27), 姓名=None),
        row(身份证号码=id_number(27)),
        row(身份证号码=id_number(29), 最迟到岗日期="2020-02-20"),
        row(身份证号码=id_number(31), 状态="已出发"),
        row(身份证号码=id_number(33), 返岗单位=None),
        row(身份证号码=id_number(35), 隔离期满日期="2020-02-21 09:00"),
        row(身份证号码=431229199001011.0),
        row(身份证号码=id_number(37), 最迟到岗日期=None),
    ]
    expected_check = check_character(id_number(11)[:17])
    written = "3" if expected_check != "3" else "4"
    found = problems(tmp_path, rows)
    place = "registry.xlsx!Sheet1!"
    assert found == [
        f"{place}E2 (身份证号码): check digit is {expected_check}, not {written}",
        f"{place}D3 (性别): 男, but the ID number is a 女's",
        f"{place}F4 (电话号码): a mobile number has 11 digits starting with 1 "
        "(this one has 10 digits)",
        f"{place}H5 (返岗单位): unknown employer '东莞电子'; closest: 东莞电子厂, 东莞鞋厂",
        f"{place}A6 (乡镇): unknown township '晃州'; closest: 晃州镇",
        f"{place}I7 (最早出发日期): expected a date such as 2020-02-21 or 2020/2/21 "
        "(got '2月21日')",
        f"{place}K8 (健康状况): expected 健康 / 隔离中 / 有症状 / 未核验 (got '良好')",
        f"{place}G9 (是否贫困户): expected 是 or 否 (got '可能')",
        f"{place}P10 (集合点): unknown gathering point '晃州集合点'; closest: 晃州镇集合点",
        f"{place}C11 (姓名): blank; it is required",
        f"{place}E12 (身份证号码): the same ID number as row 11",
        f"{place}J13 (最迟到岗日期): 最迟到岗日期 2020-02-20T23:59+08:00 is not "
        "after 最早出发日期 2020-02-21T00:00+08:00",
        f"{place}T14 (状态): expected 取消 or blank (got '已出发')",
        f"{place}H15 (返岗单位): blank: name the employer, or write 是 under 就业意愿 to "
        "have job matching find one",
        f"{place}L16 (隔离期满日期): expected a date without a time of day "
        "(got 2020-02-21 09:00)",
        f"{place}E17 (身份证号码): stored as a number, which keeps only 15 digits; format "
        "the column as text and type the number again",
        f"{place}J18 (最迟到岗日期): blank, and county.json has no defaults.latest_arrival",
    ]
    for number in (id_number(11), id_number(13)):
        assert not any(number[:14] in p or number[-8:] in p for p in found)
    assert not any("13812345678"[:8] in p or "1381234567" in p for p in found)


def test_default_latest_arrival(tmp_path: Path) -> None:
    """A blank 最迟到岗日期 takes the county's defaults.latest_arrival."""
    path = county(tmp_path, defaults={"latest_arrival": "2020-03-01"})
    result = import_registry(registry(tmp_path, [row(最迟到岗日期=None)]), path, today=TODAY)
    assert result.data["workers"][0]["latest_arrival"] == "2020-03-01"


def test_cancelled_and_job_seekers_left_out_and_listed(tmp_path: Path) -> None:
    """状态 取消 and a blank employer with 就业意愿 是 are listed, not in the request."""
    rows = [row(),
            row(身份证号码=id_number(13), 状态="取消", 返岗单位="不存在的厂"),
            row(身份证号码=id_number(15), 返岗单位=None, 就业意愿="是", 意向地区="广东省",
                意向工种="电子")]
    result = import_registry(registry(tmp_path, rows), county(tmp_path), today=TODAY)
    assert [w.id for w in result.request.workers] == [worker_id(id_number(11))]
    assert [(c.row, c.worker["id"]) for c in result.cancelled] == [
        (3, worker_id(id_number(13)))]
    (seeker,) = result.job_seekers
    assert (seeker.row, seeker.region, seeker.trade) == (4, "广东省", "电子")
    assert "destination" not in seeker.worker and seeker.worker["township"] == "晃州镇"


def test_county_problems_listed_with_the_cells(tmp_path: Path) -> None:
    """A bad county field is named in the county file, next to the bad cells."""
    bad = copy.deepcopy(BASE["bus_types"])
    bad[0]["seats"] = -1
    found = problems(tmp_path, [row(电话号码="12")], bus_types=bad)
    assert found[0].startswith("registry.xlsx!Sheet1!F2 (电话号码): ")
    assert found[1].startswith("county.json: bus_types[0].seats: ")


def test_unknown_county_key(tmp_path: Path) -> None:
    """A county file with workers or an unknown key is refused by name."""
    with pytest.raises(TableError, match=r"county\.json: dormitories: unknown key"):
        import_registry(registry(tmp_path, [row()]), county(tmp_path, dormitories=[]),
                        today=TODAY)


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8"])
def test_csv_registry_same_as_workbook(tmp_path: Path, encoding: str) -> None:
    """A GBK, UTF-8 BOM or UTF-8 CSV registry gives the workbook's request."""
    rows = [row(), row(身份证号码=id_number(12), 性别="女", 姓名="王芳", 同行组="G1")]
    from_xlsx = import_registry(registry(tmp_path, rows), county(tmp_path), today=TODAY)
    from_csv = import_registry(registry(tmp_path, rows, "registry.csv", encoding=encoding),
                               county(tmp_path), today=TODAY)
    assert from_csv.request == from_xlsx.request


def test_csv_problems_name_the_file_stem_as_sheet(tmp_path: Path) -> None:
    """In a CSV file the sheet is the file's name without suffix."""
    path = registry(tmp_path, [row(电话号码="123")], "名单.csv", encoding="gbk")
    with pytest.raises(TableError) as caught:
        import_registry(path, county(tmp_path), today=TODAY)
    assert str(caught.value.problems[0]).startswith("名单.csv!名单!F2 (电话号码): ")


def test_toml_county(tmp_path: Path) -> None:
    """A TOML county file reads as the JSON one, TOML dates included."""
    toml = tmp_path / "county.toml"
    toml.write_text('plan_id = "t"\ntownships = ["晃州镇"]\n[defaults]\n'
                    'latest_arrival = 2020-03-01\n'
                    '[[hubs]]\nid = "XH"\nname = "新晃汽车站"\nkind = "bus_station"\n'
                    'lat = 27.359\nlon = 109.174\nopen = 06:00:00\n'
                    '[[destinations]]\nid = "DG1"\nname = "东莞电子厂"\ncity = "东莞市"\n'
                    'province = "广东省"\nlat = 23.0\nlon = 113.7\n', encoding="utf-8")
    result = import_registry(registry(tmp_path, [row(最迟到岗日期=None)]), toml, today=TODAY)
    assert result.data["workers"][0]["latest_arrival"] == "2020-03-01"
    assert result.data["hubs"][0]["open"] == "06:00"


def test_malformed_county(tmp_path: Path) -> None:
    """A county file that does not parse is named with the parser's words."""
    (tmp_path / "county.toml").write_text("hubs = [", encoding="utf-8")
    with pytest.raises(TableError, match=r"county\.toml: malformed TOML"):
        import_registry(registry(tmp_path, [row()]), tmp_path / "county.toml")


def test_county_json_key_given_twice(tmp_path: Path) -> None:
    """A JSON county file repeating a key is refused, as a TOML one would be."""
    (tmp_path / "county.json").write_text('{"plan_id": "a", "plan_id": "b"}', encoding="utf-8")
    with pytest.raises(TableError, match=r"malformed JSON: the key 'plan_id' is given twice"):
        import_registry(registry(tmp_path, [row()]), tmp_path / "county.json")


def test_many_bad_rows_list_fifty_then_how_many_more(tmp_path: Path) -> None:
    """120 rows with unknown employers: 50 listed, with closest names, then 'and 70 more'."""
    rows = [row(身份证号码=id_number(2 * k + 1), 返岗单位=f"东莞电子{k}") for k in range(120)]
    with pytest.raises(TableError) as caught:
        import_registry(registry(tmp_path, rows), county(tmp_path), today=TODAY)
    error = caught.value
    assert error.total == 120 and len(error.problems) == 51
    assert str(error.problems[0]).endswith("unknown employer '东莞电子0'; closest: 东莞电子厂, "
                                           "东莞鞋厂")
    assert str(error.problems[-1]) == "and 70 more"


def test_a_read_table_imports_again_the_same(tmp_path: Path) -> None:
    """A table keeps no problems of an earlier import: a second gives the same answer."""
    table = read_table(registry(tmp_path, [row(电话号码="1")]), REGISTRY_COLUMNS)
    place = read_county(county(tmp_path))
    found = []
    for _ in range(2):
        with pytest.raises(TableError) as caught:
            registry_request(table, place, today=TODAY)
        found.append([str(p) for p in caught.value.problems])
    assert found[0] == found[1] and len(found[0]) == 1


def test_a_name_two_places_share_asks_for_the_id(tmp_path: Path) -> None:
    """Two employers or gathering points of one name: the row must give the id."""
    twins = copy.deepcopy(BASE["destinations"])
    twins[1]["name"] = twins[0]["name"]
    points = [{"id": f"P{k}", "name": "晃州镇集合点", "township": "晃州镇", "lat": 27.37,
               "lon": 109.13} for k in (1, 2)]
    found = problems(tmp_path, [row(集合点="晃州镇集合点")], destinations=twins,
                     pickup_points=points)
    assert found == [
        "registry.xlsx!Sheet1!H2 (返岗单位): two employers are named '东莞电子厂'; write the id",
        "registry.xlsx!Sheet1!P2 (集合点): two gathering points are named '晃州镇集合点'; "
        "write the id"]
    result = import_registry(registry(tmp_path, [row(返岗单位="DG2", 集合点="P2")]),
                             county(tmp_path, destinations=twins, pickup_points=points),
                             today=TODAY)
    assert (result.request.workers[0].destination, result.request.workers[0].pickup_point) == (
        "DG2", "P2")


def test_gender_and_wish_cells_checked(tmp_path: Path) -> None:
    """A 性别 that is neither 男 nor 女 and a 就业意愿 that is not 是/否 are named."""
    found = problems(tmp_path, [row(性别="不详"), row(身份证号码=id_number(13), 就业意愿="想")])
    assert found == ["registry.xlsx!Sheet1!D2 (性别): expected 男 or 女 (got '不详')",
                     "registry.xlsx!Sheet1!Q3 (就业意愿): expected 是 or 否 (got '想')"]
