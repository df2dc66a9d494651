"""A match's output folder: the registry with 返岗单位 filled, 附件3, 附件6, the county.

``matched.xlsx`` / ``matched.csv`` are the registry as given (every row and column,
from the header row on) with 返岗单位 filled for each matched job seeker; unmatched
seekers keep a blank 返岗单位 and 就业意愿 是, so ``import`` lists them again instead
of failing. ``county.json`` is the county file with the matched employers it did not
know added as destinations: plan ``matched.xlsx`` with it. 附件3 lists the seekers
left (reasons in Chinese, codes for machines), 附件6 each employer's places, filled
and open, with a 合计 row. ID numbers and phones are masked in 附件3 and 附件6.
The folder is claimed, filled and put in place as every command's is
(:mod:`charterplan.io.folder`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import date, datetime
from os import PathLike
from pathlib import Path
from typing import Any

from charterplan.io._files import csv_text
from charterplan.io.folder import claim_output_folder
from charterplan.io.masking import mask_id_number, mask_phone
from charterplan.matching.tables import TableMatch

__all__ = ["ANNEX3", "ANNEX6", "default_match_folder", "describe", "fill_match",
           "write_match"]

ANNEX3 = "附件3_劳动力资源供给清单"
ANNEX6 = "附件6_用工需求汇总"


def _grid(match: TableMatch) -> list[list[Any]]:
    """The registry sheet's cells from the header row on, as read."""
    path = match.registry
    if path.suffix.lower() == ".csv":
        data = path.read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("gb18030")  # the reader accepted the file, so it is this
        rows: list[list[Any]] = [list(r) for r in csv.reader(io.StringIO(text, newline=""))]
    else:
        from python_calamine import CalamineWorkbook

        with CalamineWorkbook.from_path(path) as book:
            rows = book.get_sheet_by_name(match.sheet).to_python(skip_empty_area=False)
    return [list(r) for r in rows[match.header_row - 1:]]


def _filled(match: TableMatch) -> list[list[Any]]:
    grid = _grid(match)
    column = match.employer_column
    for registrant in match.seekers:
        employer = match.employer_of.get(f"R{registrant.row}")
        if employer is not None:
            row = grid[registrant.row - match.header_row]
            row.extend([""] * (column + 1 - len(row)))
            row[column] = employer
    width = max(len(r) for r in grid)
    return [[_plain(v) for v in r] + [""] * (width - len(r)) for r in grid]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return "" if value is None else value


def _text(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def _age(id_number: str | None, on: str | None) -> int | str:
    """Age in whole years on the day ``on`` (the earliest departure), from the ID number's
    birth date; blank without either."""
    if not id_number or len(id_number) != 18 or not on:
        return ""
    born, day = id_number[6:14], date.fromisoformat(on[:10])
    return day.year - int(born[:4]) - ((day.month, day.day) < (int(born[4:6]), int(born[6:8])))


_HEALTH = {"cleared": "健康", "quarantine": "隔离中", "symptomatic": "有症状",
           "unverified": "未核验"}


def annex3_rows(match: TableMatch) -> list[list[Any]]:
    """附件3: each job seeker left unmatched, with the reason."""
    why = {u.seeker: u for u in match.matching.unmatched}
    rows: list[list[Any]] = [["序号", "乡镇", "村（社区）", "姓名", "性别", "年龄", "身份证号码",
                              "身体状况", "是否贫困户", "同行组", "意愿工作地", "意愿从事工种",
                              "联系方式", "备注", "原因代码", "登记表行号"]]
    for registrant in match.seekers:
        reason = why.get(f"R{registrant.row}")
        if reason is None:
            continue
        w = registrant.worker
        rows.append([len(rows), w.get("township", ""), w.get("village", ""), w.get("name", ""),
                     w.get("gender", ""), _age(w.get("id_number"), w.get("earliest_departure")),
                     mask_id_number(w.get("id_number")),
                     _HEALTH.get(w["health"]["status"], ""),
                     "是" if w.get("poverty_registered") else "否", w.get("group", ""),
                     registrant.region or "", registrant.trade or "",
                     mask_phone(w.get("phone")), f"{reason.reason.chinese}：{reason.detail}",
                     reason.reason.value, registrant.row])
    return rows


def annex6_rows(match: TableMatch) -> list[list[Any]]:
    """附件6: each employer's places, filled and open, in demand-table order; 合计 last."""
    employers: dict[str, dict[str, Any]] = {}
    for line in match.demand:
        v = line.vacancy
        e = employers.setdefault(v.employer, {
            "province": v.province, "city": v.city, "local": v.local, "trades": [],
            "poor_only": 0, "count": 0, "filled": 0, "contact": line.contact or "",
            "phone": mask_phone(line.phone)})
        if v.trade and v.trade not in e["trades"]:
            e["trades"].append(v.trade)
        e["count"] += v.count
        e["poor_only"] += v.count if v.poor_only else 0
        e["filled"] += match.matching.filled.get(v.id, 0)
    rows: list[list[Any]] = [["序号", "单位名称", "所在省", "所在市", "县内", "工种",
                              "用工人数", "其中扶贫特岗", "已匹配", "缺员", "联系人", "联系电话"]]
    for name, e in employers.items():
        rows.append([len(rows), name, e["province"], e["city"], "是" if e["local"] else "否",
                     "、".join(e["trades"]), e["count"], e["poor_only"], e["filled"],
                     e["count"] - e["filled"], e["contact"], e["phone"]])
    totals = [sum(r[k] for r in rows[1:]) for k in (6, 7, 8, 9)]
    rows.append(["合计", "", "", "", "", "", *totals, "", ""])
    return rows


def _workbook(path: Path, title: str, rows: Sequence[Sequence[Any]]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from charterplan.io.office.workbook import save

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = title[:31]
    for row in rows:
        sheet.append(list(row))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for k, column in enumerate(zip(*rows, strict=False), start=1):
        width = max(sum(2 if ord(ch) > 0x2E80 else 1 for ch in _text(v)) for v in column)
        sheet.column_dimensions[get_column_letter(k)].width = min(40, width + 2)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.print_title_rows = "1:1"
    save(book, path)  # the same match gives the same bytes


def _both(folder: Path, stem: str, title: str, rows: Sequence[Sequence[Any]]) -> list[str]:
    _workbook(folder / f"{stem}.xlsx", title, rows)
    (folder / f"{stem}.csv").write_text(
        csv_text([[_text(v) for v in r] for r in rows]), encoding="utf-8", newline="")
    return [f"{stem}.xlsx", f"{stem}.csv"]


def summary(match: TableMatch) -> dict[str, Any]:
    """The match's figures, as ``match.json`` records them."""
    m = match.matching
    by_reason: dict[str, int] = {}
    for u in m.unmatched:
        by_reason[u.reason.value] = by_reason.get(u.reason.value, 0) + 1
    return {"status": m.status, "job_seekers": len(match.seekers),
            "poor_seekers": sum(bool(r.worker.get("poverty_registered")) for r in match.seekers),
            "poor_matched": m.poor_matched, "matched": m.matched,
            "unmatched": len(m.unmatched), "unmatched_by_reason": by_reason,
            "vacancies": sum(line.vacancy.count for line in match.demand),
            "employers": len({line.vacancy.employer for line in match.demand}),
            "travel_and_fit_km": m.cost_km,
            **({"bound": dict(zip(("poor_matched", "matched", "travel_and_fit_km"), m.bound,
                                  strict=True))} if m.bound else {})}


def fill_match(match: TableMatch, folder: Path) -> list[str]:
    """Write the match's files into the existing ``folder``; return their names."""
    grid = _filled(match)
    names = _both(folder, "matched", match.sheet or "返岗需求", grid)
    (folder / "county.json").write_text(
        json.dumps({**match.county_fields, "townships": list(match.county.townships),
                    "defaults": match.county.defaults}, ensure_ascii=False, indent=1)
        + "\n", encoding="utf-8")
    names += ["county.json", *_both(folder, ANNEX3, "劳动力资源供给清单", annex3_rows(match)),
              *_both(folder, ANNEX6, "用工需求汇总", annex6_rows(match)), "match.json"]
    (folder / "match.json").write_text(json.dumps(summary(match), ensure_ascii=False,
                                                  indent=1) + "\n", encoding="utf-8")
    return names


def write_match(match: TableMatch, folder: str | PathLike[str]) -> Path:
    """Write the match's files into ``folder``, all or nothing (SPEC §8: replaced only
    when an earlier run wrote everything in it); return its path.

    Raises:
        OutputFolderError: the folder is not ours to replace, or another run holds it.
    """
    with claim_output_folder(folder) as out:
        fill_match(match, out.staging)
        return out.commit()


def default_match_folder(registry: str | PathLike[str]) -> Path:
    """``charterplan-out/<registry name>-match`` (relative)."""
    return Path("charterplan-out") / f"{Path(registry).stem}-match"


def _bound_line(s: dict[str, Any]) -> list[str]:
    if "bound" not in s:
        return []
    b = s["bound"]
    return [f"  bound         {b['poor_matched']} poor households, {b['matched']} matched, "
            f"{b['travel_and_fit_km']:,} km, were groups allowed to split"]


def describe(match: TableMatch, folder: Path) -> str:
    """The summary the command line prints after a match."""
    s = summary(match)
    reasons = ", ".join(f"{k} {v}" for k, v in s["unmatched_by_reason"].items())
    return "\n".join([
        f"match {match.registry.name}: {s['status']}",
        f"  job seekers   {s['job_seekers']}  ({s['poor_seekers']} poor households)",
        f"  matched       {s['matched']}  ({s['poor_matched']} poor households)",
        f"  unmatched     {s['unmatched']}" + (f"  ({reasons})" if reasons else ""),
        f"  vacancies     {s['vacancies']} at {s['employers']} employers",
        f"  travel + fit  {s['travel_and_fit_km']:,} km",
        *_bound_line(s),
        f"written to {folder}: matched.xlsx/.csv with county.json (plan them: python -m "
        f"charterplan plan {folder / 'matched.xlsx'} --county {folder / 'county.json'}), "
        f"{ANNEX3}, {ANNEX6}",
    ])
