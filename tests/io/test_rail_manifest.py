"""Rail manifests: a carriage's, a feeder's and a whole train's, with personal data masked."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from charterplan.cli import _summary
from charterplan.io._roster import train_name
from charterplan.io.manifest import PASSENGER_COLUMNS, manifest_csv, manifests_html
from charterplan.io.output import write_outputs
from charterplan.io.reports import write_reports
from charterplan.io.trains import train_csv, train_uses, trains_html, write_trains
from charterplan.model import Plan, PlanRequest
from charterplan.model.report import report_tables
from tests.readable import readable_text


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def _header(rows: list[list[str]]) -> dict[str, str]:
    return {row[0]: row[1] for row in rows if len(row) == 2}


def _table(rows: list[list[str]], heading: str) -> list[list[str]]:
    """The rows under ``heading`` (its columns first), up to the next blank row."""
    start = rows.index([heading]) + 1
    end = rows.index([], start) if [] in rows[start:] else len(rows)
    return rows[start:end]


def test_carriage_manifest_names_train_carriage_stations_and_employer_leg(
        rail_request: PlanRequest, rail_plan: Plan) -> None:
    """A carriage's manifest is titled G1234次 2号车厢 and gives the station, the staff
    masked, each passenger's alighting station and time, and the employer's last leg."""
    carriage = rail_plan.trips[3]
    rows = _rows(manifest_csv(rail_request, carriage, rail_plan))
    assert rows[0] == ["乘车名单 G1234次 2号车厢"]
    head = _header(rows)
    assert head["车次"] == "G1234次" and head["车厢"] == "2号车厢"
    assert head["车型"] == "车厢（118座，限乘59人）"
    assert head["发车站"] == "新晃西站" and head["出发时间"] == "2020-02-21 14:30"
    assert head["跟车干部"] == "蒋干部 133****3333" and head["医务人员"] == "沈医生 133****4444"
    assert head["车长"] == "冯十 158****8888" and head["副车长"] == "王芳 137****1234"
    assert head["接驳车"] == "XH-0221-002"
    assert "用工单位到站接站" in head["最后一程"]
    assert "驾驶员人数" not in head
    assert _table(rows, "到站接站（用工单位到站接站）")[1:] == [
        ["广州南站", "2020-02-21 20:00", "广州服装厂", "广州市", "1", "黄主管 139****2222",
         "用工单位到站接站"],
        ["东莞站", "2020-02-21 20:40", "东莞电子厂", "东莞市", "1", "王经理 139****1111",
         "用工单位到站接站"]]
    passengers = rows[rows.index(list(PASSENGER_COLUMNS)) + 1:]
    at = PASSENGER_COLUMNS.index
    assert [(p[at("姓名")], p[at("上车点")], p[at("下车点")], p[at("预计到达")])
            for p in passengers] == [("冯十", "新晃西站", "广州南站", "2020-02-21 20:00"),
                                     ("王芳", "新晃西站", "东莞站", "2020-02-21 20:40")]
    assert passengers[0][at("身份证号")] == "431227********7778"


def test_feeder_manifest_names_station_train_carriages_and_cutoff(
        rail_request: PlanRequest, rail_plan: Plan) -> None:
    """A feeder's manifest says it is a 接驳车 to 新晃西站 for G1234次, with the cut-off 60
    minutes before the train, and names each rider's carriage."""
    rows = _rows(manifest_csv(rail_request, rail_plan.trips[1], rail_plan))
    assert rows[0] == ["乘车名单 XH-0221-002（接驳车）"]
    head = _header(rows)
    assert head["接驳"] == "接驳车：送往新晃西站换乘G1234次"
    assert head["到站截止"] == "2020-02-21 13:30"
    assert head["车型"].endswith("接驳车")
    assert _table(rows, "换乘列车") == [
        ["列车", "车厢", "乘车站", "开车时间", "到站截止", "人数"],
        ["G1234次", "1号车厢", "新晃西站", "2020-02-21 14:30", "2020-02-21 13:30", "3"],
        ["G1234次", "2号车厢", "新晃西站", "2020-02-21 14:30", "2020-02-21 13:30", "2"]]
    passengers = rows[rows.index([*PASSENGER_COLUMNS, "换乘车厢"]) + 1:]
    assert [(p[1], p[-1]) for p in passengers] == [
        ("张三", "G1234次 1号车厢"), ("李四", "G1234次 1号车厢"), ("王芳", "G1234次 2号车厢"),
        ("郑九", "G1234次 1号车厢"), ("冯十", "G1234次 2号车厢")]


def test_feeder_manifest_without_the_plan_says_its_train_is_unknown(
        rail_request: PlanRequest, rail_plan: Plan) -> None:
    """Without the plan a feeder's manifest cannot name the train, and says so."""
    rows = _rows(manifest_csv(rail_request, rail_plan.trips[1]))
    assert "计划中未找到" in _header(rows)["接驳"]
    assert "到站截止" not in _header(rows)
    assert _table(rows, "换乘列车")[1] == ["计划中未找到", "", "", "", "", "5"]


def test_bus_manifest_has_no_rail_lines(rail_request: PlanRequest, rail_plan: Plan) -> None:
    """An ordinary bus's manifest keeps its drivers and has no train, feeder or handover."""
    rows = _rows(manifest_csv(rail_request, rail_plan.trips[0], rail_plan))
    head = _header(rows)
    assert rows[0] == ["乘车名单 XH-0221-001"]
    assert head["驾驶员人数"] == "1"
    assert not {"接驳", "到站截止", "接驳车", "最后一程"} & set(head)
    assert ["换乘列车"] not in rows and ["到站接站（用工单位到站接站）"] not in rows


def test_train_manifest_lists_every_carriage_with_staff_and_the_stops(
        rail_request: PlanRequest, rail_plan: Plan) -> None:
    """The train manifest gives each carriage's escort, medic, captain (masked) and
    riders, the stops with who alights from which carriage, and the employers' contacts."""
    rows = _rows(train_csv(rail_request, rail_plan, "G1234"))
    assert rows[0] == ["包车厢名单 G1234次"]
    head = _header(rows)
    assert head["使用车厢"] == "2节（共8节）" and head["乘客人数"] == "5"
    assert head["带队干部"] == "陈干部 131****2222" and head["编组"] == "XHW-0221-G1234"
    assert "用工单位到站接站" in head["最后一程"]
    assert _table(rows, "车厢") == [
        ["车厢", "编号", "人数", "跟车干部", "医务人员", "车长", "副车长", "下车站"],
        ["1号车厢", "G1234-01", "3", "陈干部 131****2222", "吴护士 132****2222",
         "郑九 158****7777", "张三 138****5678", "广州南站 1人、东莞站 2人"],
        ["2号车厢", "G1234-02", "2", "蒋干部 133****3333", "沈医生 133****4444",
         "冯十 158****8888", "王芳 137****1234", "广州南站 1人、东莞站 1人"]]
    assert _table(rows, "停靠站")[1:] == [
        ["1", "新晃西站", "2020-02-21 14:30", "上车", "5", "1、2"],
        ["2", "广州南站", "2020-02-21 20:00", "下车", "2", "1、2"],
        ["3", "东莞站", "2020-02-21 20:40", "下车", "3", "1、2"]]
    handover = _table(rows, "到站接站（用工单位到站接站）")
    assert handover[0][-1] == "车厢"
    assert handover[2] == ["东莞站", "2020-02-21 20:40", "东莞电子厂", "东莞市", "3",
                           "王经理 139****1111", "用工单位到站接站", "1、2"]


def test_train_manifest_of_an_unused_service_is_refused(
        rail_request: PlanRequest, rail_plan: Plan) -> None:
    """Asking for the train manifest of a service the plan does not use raises KeyError."""
    with pytest.raises(KeyError, match="K9999"):
        train_csv(rail_request, rail_plan, "K9999")


def test_train_use_is_counted_when_the_summary_lacks_it(
        rail_request: PlanRequest, rail_plan: Plan) -> None:
    """A plan without summary.trains still gets a train's figures, counted from its trips."""
    bare = rail_plan.model_copy(update={
        "summary": rail_plan.summary.model_copy(update={"trains": ()})})
    assert train_uses(rail_request, bare) == list(rail_plan.summary.trains)


def test_pages_show_carriages_trains_and_the_rail_summary(
        rail_request: PlanRequest, rail_plan: Plan) -> None:
    """manifests.html titles a carriage's page by train and carriage; trains.html opens
    with the rail summary, then a page per train, all escaped."""
    page = manifests_html(rail_request, rail_plan)
    assert page.count("<section>") == len(rail_plan.trips)
    assert "<h1>乘车名单 G1234次 1号车厢</h1>" in page
    assert "<h1>乘车名单 XH-0221-002（接驳车）</h1>" in page
    trains = trains_html(rail_request, rail_plan)
    assert trains.count("<section>") == 2
    assert "专列及包车厢汇总" in trains and "<td>12000.0</td>" in trains
    assert "<h1>包车厢名单 G1234次</h1>" in trains
    assert "<script" not in trains and "http" not in trains


def test_every_rail_output_is_written_and_masks_personal_data(
        rail_request: PlanRequest, rail_plan: Plan, tmp_path: Path) -> None:
    """The output folder has a manifest per trip, the train CSV and page and the rail
    summary; no ID number, worker or staff phone or employer mobile appears unmasked."""
    folder = write_outputs(rail_request, rail_plan, tmp_path / "out", {})
    names = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
    assert {"trains/G1234.csv", "trains.html", "reports/trains.csv",
            "manifests/G1234-01.csv", "manifests/G1234-02.csv"} <= names
    assert len(list((folder / "manifests").glob("*.csv"))) == len(rail_plan.trips)
    assert _rows((folder / "reports" / "trains.csv").read_text(encoding="utf-8")) == [
        ["车次", "发车站", "开车时间", "使用车厢", "车厢总数", "乘客人数", "费用（元）"],
        ["G1234次", "新晃西站", "2020-02-21 14:30", "2", "8", "5", "12000.00"]]
    secrets = [w.id_number for w in rail_request.workers] + [w.phone for w in rail_request.workers]
    secrets += [s.phone for s in rail_request.staff] + ["13900001111", "13900002222"]
    for path in folder.rglob("*"):
        if path.is_file() and path.name != "plan.json":  # plan.json holds ids, not people
            text = readable_text(path)
            for secret in secrets:
                assert secret and str(secret)[-8:] not in text, (path.name, secret)


def test_a_bus_only_plan_writes_no_train_files(
        request_: PlanRequest, hand_plan: Plan, tmp_path: Path) -> None:
    """Without a rail trip there is no trains folder, page or rail summary."""
    assert write_trains(request_, hand_plan, tmp_path) == []
    assert all(p.name != "trains.csv" for p in write_reports(request_, hand_plan, tmp_path))
    assert not (tmp_path / "trains").exists()


def test_departures_by_day_counts_carriages_and_each_rider_once(
        rail_request: PlanRequest, rail_plan: Plan) -> None:
    """The daily departures table counts buses (the feeder among them) and carriages apart,
    each rider once (a rail rider on the train, not also on the feeder), every cost."""
    tables = report_tables(rail_request, rail_plan.trips, rail_plan.unassigned)
    day = tables["departures_by_day"]
    assert day.columns == ("日期", "汽车车次", "其中接驳车", "火车车厢", "人数", "其中乘火车",
                           "贫困户人数", "费用（元）")
    cost = round(sum(t.cost for t in rail_plan.trips), 2)
    assert day.rows == (("2020-02-21", 2, 1, 2, 7, 5, 1, cost),)
    demand = {row[0]: row for row in tables["demand_by_township"].rows}
    assert demand["晃州镇"][3] == 6  # W1, W2, W4, W5, W7, W8 ride; none twice


def test_train_numbers_get_ci_and_other_ids_stay_as_given() -> None:
    """G1234 prints as G1234次; an id that is not a train number is printed unchanged."""
    assert [train_name(s) for s in ("G1234", "K9", "1461", "R-GZS-0222")] == [
        "G1234次", "K9次", "1461次", "R-GZS-0222"]


def test_printed_summary_names_the_trains(rail_plan: Plan, hand_plan: Plan) -> None:
    """The command line's summary has a trains line for a plan with rail, none without."""
    text = _summary(rail_plan, 1.0, Path("out"))
    assert "  trains       1  (2 carriages, 5 riders, 12,000.00; see trains.html)" in text
    assert "trains" not in _summary(hand_plan, 1.0, Path("out"))
