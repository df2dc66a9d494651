"""A request written as a county keeps it: a registry table (附件1) and a county file.

:func:`registry_rows` gives a row per worker with the headers of SPEC §9, as a clerk
would fill them in (employers and gathering points by name, health in Chinese, dates
as dates); :func:`county_data` is everything else of the request. Imported again with
:func:`charterplan.tables.import_registry`, they give the request back, provided its
worker ids are the registry's (``generate_request(..., registry_ids=True)``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from charterplan.tables.registry import HEALTH

__all__ = ["COUNTY_NOTE", "REGISTRY_HEADERS", "county_data", "county_toml", "registry_rows",
           "write_registry", "write_sample"]

REGISTRY_HEADERS = ("乡镇", "村（社区）", "姓名", "性别", "身份证号码", "电话号码", "是否贫困户",
                    "返岗单位", "最早出发日期", "最迟到岗日期", "健康状况", "隔离期满日期",
                    "健康证明有效期至", "同行组", "愿任车长", "集合点")
TITLE = "农民工返岗需求摸排情况明细表"
COUNTY_NOTE = """\
# County file: everything of a planning request but its workers, who come from the
# registry table (SPEC §9; docs/format.md, "Registry tables"). Keys are the request's,
# plus `townships` (the names a registry's 乡镇 may hold) and `defaults`
# (`latest_arrival`: the date a row without 最迟到岗日期 must arrive by).
"""
_HEALTH_WORDS = {code: word for word, code in HEALTH.items()}
_TEXT_COLUMNS = ("身份证号码", "电话号码", "同行组")
_WIDTHS = {"身份证号码": 21, "电话号码": 14, "返岗单位": 24, "最早出发日期": 17, "集合点": 18}


def _names(items: list[dict[str, Any]]) -> dict[str, str]:
    """Each item's id → its name, or its id where two items share the name."""
    count = Counter(item["name"] for item in items)
    return {item["id"]: item["name"] if count[item["name"]] == 1 else item["id"]
            for item in items}


def _moment(text: str) -> date | datetime:
    return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)


def registry_rows(request: Mapping[str, Any]) -> list[list[Any]]:
    """The workers of ``request`` as registry rows, headers first (:data:`REGISTRY_HEADERS`)."""
    employers = _names(request["destinations"])
    points = _names(request.get("pickup_points", []))
    hubs = _names(request["hubs"])
    rows: list[list[Any]] = [list(REGISTRY_HEADERS)]
    for w in request["workers"]:
        health = w["health"]
        gathering = (points[w["pickup_point"]] if "pickup_point" in w
                     else hubs[w["hub"]] if "hub" in w else None)
        rows.append([
            w["township"], w.get("village"), w["name"], w.get("gender"), w.get("id_number"),
            w.get("phone"), "是" if w.get("poverty_registered") else "否",
            employers[w["destination"]], _moment(w["earliest_departure"]),
            _moment(w["latest_arrival"]), _HEALTH_WORDS[health["status"]],
            _moment(health["quarantine_until"]) if "quarantine_until" in health else None,
            _moment(health["certificate_valid_until"])
            if "certificate_valid_until" in health else None,
            w.get("group"), "是" if w.get("captain_volunteer") else "否", gathering,
        ])
    return rows


def write_registry(request: Mapping[str, Any], path: Path) -> None:
    """The registry of ``request`` as a workbook: a title row, then the table, with text
    columns for ID numbers and phones, dates formatted as dates and the header frozen."""
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has its sheet
    sheet.title = "Sheet1"
    sheet.append([TITLE])
    sheet["A1"].font = Font(bold=True, size=14)
    for row in registry_rows(request):
        sheet.append(row)
    for index, header in enumerate(REGISTRY_HEADERS, start=1):
        sheet.cell(2, index).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = _WIDTHS.get(header, 12)
    text = {i for i, h in enumerate(REGISTRY_HEADERS) if h in _TEXT_COLUMNS}
    for cells in sheet.iter_rows(min_row=3):
        for i, cell in enumerate(cells):
            if isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
            elif i in text:
                cell.number_format = "@"
    sheet.freeze_panes = "A3"
    book.save(path)


def county_data(request: Mapping[str, Any]) -> dict[str, Any]:
    """Everything of ``request`` but its workers, with the townships its workers and
    pickup points name."""
    townships = [p["township"] for p in request.get("pickup_points", [])]
    townships += [w["township"] for w in request["workers"]]
    data = {k: v for k, v in request.items() if k != "workers"}
    return {"plan_id": data.pop("plan_id"), "timezone": data.pop("timezone", "Asia/Shanghai"),
            "townships": list(dict.fromkeys(townships)), **data}


def county_toml(request: Mapping[str, Any]) -> str:
    """:func:`county_data` as a TOML county file, with a note on what it is."""
    import tomli_w

    return COUNTY_NOTE + "\n" + tomli_w.dumps(county_data(request))


def write_sample(request: Mapping[str, Any], folder: Path) -> None:
    """Write ``registry.xlsx`` and ``county.toml`` of ``request`` into ``folder``."""
    write_registry(request, folder / "registry.xlsx")
    (folder / "county.toml").write_text(county_toml(request), encoding="utf-8")
