"""The command line plans, writes and checks; its schemas match the committed copies."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = ROOT / "tests" / "data" / "valid" / "minimal.json"


def _run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "charterplan", *map(str, args)],
                          capture_output=True, text=True, encoding="utf-8", cwd=cwd,
                          timeout=300, check=False)


def test_plan_with_only_the_request_writes_the_default_folder(tmp_path: Path) -> None:
    """`plan input.json` alone writes charterplan-out/<plan_id>, names it, and check passes."""
    request = tmp_path / "input.json"
    request.write_bytes(MINIMAL.read_bytes())
    result = _run("plan", "input.json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "charterplan-out" / "minimal"
    assert "written to charterplan-out/minimal" in result.stdout
    for line in ("workers      6", "assigned     5", "quarantine_past_window 1", "(bus "):
        assert line in result.stdout, line
    assert result.stderr == ""  # not a terminal: no progress bar
    assert {p.name for p in folder.iterdir()} >= {
        "plan.json", "run.json", "manifests", "manifests.html", "reports", "unassigned.csv"}
    run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    assert {"wall_seconds", "stage_seconds", "charterplan", "python"} <= set(run)
    checked = _run("check", "input.json", folder / "plan.json", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout
    assert checked.stdout.startswith("plan is sound: ")


def test_same_seed_same_plan_bytes(tmp_path: Path) -> None:
    """Two runs with the same seed write byte-identical plan.json files."""
    for name in ("a", "b"):
        result = _run("plan", MINIMAL, "--out", tmp_path / name, "--seed", "7", "--quiet")
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == str(tmp_path / name)
    first, second = (tmp_path / name / "plan.json" for name in ("a", "b"))
    assert first.read_bytes() == second.read_bytes()
    assert json.loads(first.read_text(encoding="utf-8"))["seed"] == 7


def test_check_reports_a_broken_plan_with_status_1(tmp_path: Path) -> None:
    """A plan whose trip lost its medic fails check with status 1 and a printed violation."""
    assert _run("plan", MINIMAL, "--out", tmp_path / "out", "--quiet").returncode == 0
    path = tmp_path / "out" / "plan.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["trips"][0]["medic"] = data["trips"][0]["escort"]
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = _run("check", MINIMAL, path)
    assert result.returncode == 1
    assert "[5 staff]" in result.stdout


def test_committed_schemas_are_current(tmp_path: Path) -> None:
    """docs/*.schema.json are what `schema --out` writes today, and `schema` prints both."""
    assert _run("schema", "--out", tmp_path).returncode == 0
    for name in ("request.schema.json", "plan.schema.json"):
        assert (tmp_path / name).read_text(encoding="utf-8") == (
            ROOT / "docs" / name).read_text(encoding="utf-8"), name
    printed = json.loads(_run("schema").stdout)
    assert set(printed) == {"plan", "request"}


def test_request_digest_is_the_same_in_every_process() -> None:
    """Regression: staff roles are a set, and a set's order depends on the process's
    string hashing; the request digest (and so plan.json) must not."""
    code = ("from charterplan import read_request; from charterplan.io import request_digest;"
            "print(request_digest(read_request('tests/data/valid/minimal.json')))")
    digests = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              check=True, env={**os.environ, "PYTHONHASHSEED": str(seed)},
                              cwd=ROOT).stdout for seed in range(6)}
    assert len(digests) == 1
