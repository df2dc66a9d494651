"""Manifests and reports: the headers a county expects, and no raw personal data."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from charterplan.io.manifest import PASSENGER_COLUMNS, manifest_csv, manifests_html, write_manifests
from charterplan.io.reports import unassigned_csv, write_reports
from charterplan.model import Plan, PlanRequest, Trip

BOM = b"\xef\xbb\xbf"


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def _write_all(request: PlanRequest, plan: Plan, folder: Path) -> list[Path]:
    return [*write_manifests(request, plan, folder), *write_reports(request, plan, folder)]


def test_one_csv_per_trip_with_header_block_and_passenger_columns(
        request_: PlanRequest, hand_plan: Plan, tmp_path: Path) -> None:
    """Each trip's CSV opens with its header block, then the passenger table, BOM first."""
    write_manifests(request_, hand_plan, tmp_path)
    path = tmp_path / "manifests" / "XH-0222-001.csv"
    assert path.read_bytes().startswith(BOM)
    rows = _rows(path)
    header = {row[0]: row[1:] for row in rows if len(row) >= 2}
    for label in ("车次", "出发时间", "发车站", "车型", "编组", "跟车干部", "医务人员",
                  "车长", "副车长"):
        assert label in header, label
    assert header["车次"] == ["XH-0222-001"]
    assert header["跟车干部"] == ["陈干部 131****2222"]
    assert header["车长"] == ["张三 138****5678"]
    assert ["2", "下车", "东莞电子厂", "2020-02-22 20:27", "3"] in rows
    table = rows[rows.index(list(PASSENGER_COLUMNS)):]
    assert table[1] == ["1", "张三", "男", "431227********1234", "138****5678", "晃州镇", "大桥村",
                        "新晃汽车站", "2020-02-22 06:00", "东莞电子厂", "东莞电子厂", "东莞市",
                        "王经理 139****1111",
                        "2020-02-22 20:27"]
    assert len(table) == 1 + 3


def test_landline_of_an_employer_stays_readable(request_: PlanRequest, hand_plan: Plan) -> None:
    """An employer's office landline is business data and is printed as given."""
    text = manifest_csv(request_, hand_plan.trips[0])
    assert "李主任 0731-88886666" in text


def test_no_raw_id_number_or_phone_in_any_written_file(
        request_: PlanRequest, hand_plan: Plan, tmp_path: Path) -> None:
    """No worker's ID number or phone and no staff phone appears unmasked in any output."""
    written = _write_all(request_, hand_plan, tmp_path)
    secrets = [w.id_number for w in request_.workers] + [w.phone for w in request_.workers]
    secrets += [s.phone for s in request_.staff]
    secrets += ["13900001111"]  # an employer contact's mobile
    assert all(secrets)
    for path in tmp_path.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            for secret in secrets:
                assert secret not in text, (path.name, secret)
                assert str(secret)[-8:] not in text, (path.name, secret)
    assert {p.name for p in written} >= {"XH-0221-001.csv", "manifests.html", "unassigned.csv",
                                         "departures_by_day.csv"}


def test_html_page_has_a_section_per_trip_and_escapes_text(
        request_: PlanRequest, hand_plan: Plan) -> None:
    """The printable page has one section per trip, no script, no external asset, escaped text."""
    workers = list(request_.workers)
    workers[0] = workers[0].model_copy(update={"name": "<script>alert(1)</script>"})
    page = manifests_html(request_.model_copy(update={"workers": tuple(workers)}), hand_plan)
    assert page.count("<section>") == len(hand_plan.trips)
    assert "<script" not in page
    assert "&lt;script&gt;" in page
    assert "http" not in page and "src=" not in page and "<link" not in page
    assert "page-break-after:always" in page


def test_unsafe_trip_id_becomes_a_safe_file_name(
        request_: PlanRequest, hand_plan: Plan, tmp_path: Path) -> None:
    """A trip id with a path separator cannot write outside the manifests folder."""
    odd: Trip = hand_plan.trips[0].model_copy(update={"id": "../../evil"})
    plan = hand_plan.model_copy(update={"trips": (odd,)})
    [path, _] = write_manifests(request_, plan, tmp_path / "out")
    assert path.parent == tmp_path / "out" / "manifests"


def test_unassigned_list_has_code_label_and_detail(request_: PlanRequest, hand_plan: Plan) -> None:
    """unassigned.csv says why in Chinese for people, then the reason code and the
    planner's detail for machines."""
    rows = list(csv.reader(io.StringIO(unassigned_csv(request_, hand_plan).lstrip("\ufeff"))))
    assert rows[0] == ["工人编号", "姓名", "乡镇", "目的地", "原因", "说明", "reason", "detail"]
    assert rows[1][:5] == ["W6", "孙八", "波洲镇", "长沙机械厂", "隔离期晚于出行时间"]
    assert rows[1][5].startswith("隔离期至") and not re.search("[A-Za-z]", rows[1][5])
    assert rows[1][6:] == ["quarantine_past_window", "quarantine ends after the window"]


def test_report_tables_become_csv_files(
        request_: PlanRequest, hand_plan: Plan, tmp_path: Path) -> None:
    """Every summary table is written as reports/<name>.csv: one header row (the title
    is the workbook's), then the rows."""
    write_reports(request_, hand_plan, tmp_path)
    assert _rows(tmp_path / "reports" / "departures_by_day.csv") == [
        ["日期", "车次", "人数"], ["2020-02-21", "1", "2"],
        ["2020-02-22", "1", "3"]]
