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
