"""The JSON route and the table route give the same request and the same plan."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given

from charterplan import read_request
from charterplan.io.request import request_digest
from charterplan.samples import generate_request, write_sample
from charterplan.tables import import_registry
from tests.strategies import county_requests

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "charterplan", *map(str, args)],
                          capture_output=True, text=True, encoding="utf-8", timeout=300,
                          check=False)


def test_sample_registry_imports_as_the_sample_request() -> None:
    """data/sample/registry.xlsx with county.toml is data/sample/request.json exactly."""
    imported = import_registry(SAMPLE / "registry.xlsx", SAMPLE / "county.toml")
    assert imported.data == json.loads((SAMPLE / "request.json").read_text(encoding="utf-8"))
    request = read_request(SAMPLE / "request.json")
    assert imported.request == request
    assert request_digest(imported.request) == request_digest(request)
    assert not imported.job_seekers and not imported.cancelled


@given(county_requests())
def test_any_generated_county_imports_as_itself(data: dict[str, Any]) -> None:
    """Written as registry.xlsx and county.toml, a generated request imports as itself:
    dates with and without times, health states and their dates, groups, gathering
    points, poor households and captains all survive the table."""
    with tempfile.TemporaryDirectory() as folder:
        write_sample(data, Path(folder))
        imported = import_registry(Path(folder) / "registry.xlsx",
                                   Path(folder) / "county.toml")
    assert imported.data == data


def test_both_routes_plan_the_same_bytes(tmp_path: Path) -> None:
    """A generated county planned from its JSON and from its workbook gives
    byte-identical plan.json files; `import -o` writes the JSON itself."""
    data = generate_request(80, 3, seed=7, rail=True, registry_ids=True)
    (tmp_path / "request.json").write_text(json.dumps(data, ensure_ascii=False),
                                           encoding="utf-8")
    write_sample(data, tmp_path)
    imported = _run("import", tmp_path / "registry.xlsx", "--county", tmp_path / "county.toml",
                    "-o", tmp_path / "imported.json")
    assert imported.returncode == 0, imported.stderr
    assert json.loads((tmp_path / "imported.json").read_text(encoding="utf-8")) == data
    for route, source in (("json", tmp_path / "request.json"),
                          ("xlsx", tmp_path / "registry.xlsx")):
        extra = [] if route == "json" else ["--county", tmp_path / "county.toml"]
        run = _run("plan", source, *extra, "--out", tmp_path / route, "--quiet")
        assert run.returncode == 0, run.stderr
    plans = [(tmp_path / route / "plan.json").read_bytes() for route in ("json", "xlsx")]
    assert plans[0] == plans[1]
    assert json.loads(plans[0])["trips"]


_FORM_PARENTS = {"返岗单位": "计划返岗情况", "最早出发日期": "计划返岗情况",
                 "最迟到岗日期": "计划返岗情况", "同行组": "出行", "愿任车长": "出行",
                 "集合点": "出行"}
"""Headers of the sample registry set under a parent merged across them."""


def test_the_printed_form_with_a_two_row_merged_header_imports(tmp_path: Path) -> None:
    """The sample registry laid out as the printed 附件1 (a title, then a header of two
    rows: single headers merged down, 计划返岗情况 and 出行 merged across their columns,
    健康证明 over 有效期至) imports with `charterplan import` as the sample request; a
    bad cell below it is named by its cell and header."""
    import openpyxl
    from python_calamine import CalamineWorkbook

    with CalamineWorkbook.from_path(SAMPLE / "registry.xlsx") as source:
        title, headers, *rows = source.get_sheet_by_index(0).to_python()
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.cell(1, 1, title[0])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    for n, header in enumerate(headers, start=1):
        parent = _FORM_PARENTS.get(header)
        if header == "健康证明有效期至":
            ws.cell(2, n, "健康证明")
            ws.cell(3, n, "有效期至")
        elif parent is None:
            ws.cell(2, n, header)
            ws.merge_cells(start_row=2, start_column=n, end_row=3, end_column=n)
        else:
            if _FORM_PARENTS.get(headers[n - 2]) != parent:
                ws.cell(2, n, parent)
                span = sum(_FORM_PARENTS.get(h) == parent for h in headers)
                ws.merge_cells(start_row=2, start_column=n, end_row=2,
                               end_column=n + span - 1)
            ws.cell(3, n, header)
    for row in rows:
        ws.append([None if v == "" else v for v in row])
    form = tmp_path / "附件1.xlsx"
    book.save(form)
    run = _run("import", form, "--county", SAMPLE / "county.toml", "-o", tmp_path / "r.json")
    assert run.returncode == 0, run.stderr
    assert (json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
            == json.loads((SAMPLE / "request.json").read_text(encoding="utf-8")))
    ws.cell(6, headers.index("电话号码") + 1, "1381234567")
    book.save(form)
    run = _run("import", form, "--county", SAMPLE / "county.toml", "-o", tmp_path / "bad.json")
    assert run.returncode == 2
    assert "附件1.xlsx!Sheet!F6 (电话号码): a mobile number has 11 digits" in run.stderr
    assert not (tmp_path / "bad.json").exists()
