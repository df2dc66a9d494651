"""The command line plans, writes and checks; its schemas match the committed copies."""

from __future__ import annotations

import json
import os
import shutil
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


def test_with_contacts_writes_private_files_and_says_so(tmp_path: Path) -> None:
    """--with-contacts writes contacts/<staff id>.csv with mode 0600 and says on stderr
    that unmasked files were written; the summary names the figures."""
    result = _run("plan", MINIMAL, "--out", tmp_path / "out", "--with-contacts")
    assert result.returncode == 0, result.stderr
    assert "unmasked" in result.stderr and "contacts" in result.stderr
    files = list((tmp_path / "out" / "contacts").glob("*.csv"))
    assert files and all(f.stat().st_mode & 0o777 == 0o600 for f in files)
    assert str(tmp_path / "out" / "figures" / "map.png") in result.stdout


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



def test_schema_out_writes_into_a_folder_of_other_files(tmp_path: Path) -> None:
    """`schema --out docs` in a copy of docs/ (pages, images, older schema files)
    replaces the two schema files and leaves every other file as it was; a person's
    file under a schema's name is refused with status 2 and nothing is written."""
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", docs)
    (docs / "plan.schema.json").write_text(json.dumps(
        {"title": "Plan", "properties": {}, "$defs": {}}), encoding="utf-8")  # an old one
    (docs / "request.schema.json").unlink()
    others = {p: p.read_bytes() for p in docs.rglob("*") if p.is_file()
              and not p.name.endswith(".schema.json")}
    result = _run("schema", "--out", "docs", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for name in ("request.schema.json", "plan.schema.json"):
        assert (docs / name).read_bytes() == (ROOT / "docs" / name).read_bytes()
    assert {p: p.read_bytes() for p in others} == others
    assert sorted(p.name for p in docs.iterdir()) == sorted(
        p.name for p in (ROOT / "docs").iterdir())
    (docs / "plan.schema.json").write_text("my notes", encoding="utf-8")
    (docs / "request.schema.json").unlink()
    result = _run("schema", "--out", "docs", cwd=tmp_path)
    assert result.returncode == 2
    assert "plan.schema.json' exists and charterplan did not write it" in result.stderr
    assert (docs / "plan.schema.json").read_text(encoding="utf-8") == "my notes"
    assert not (docs / "request.schema.json").exists()

def test_request_digest_is_the_same_in_every_process() -> None:
    """Regression: staff roles are a set, and a set's order depends on the process's
    string hashing; the request digest (and so plan.json) must not."""
    code = ("from charterplan import read_request; from charterplan.io import request_digest;"
            "print(request_digest(read_request('tests/data/valid/minimal.json')))")
    digests = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              check=True, env={**os.environ, "PYTHONHASHSEED": str(seed)},
                              cwd=ROOT).stdout for seed in range(6)}
    assert len(digests) == 1
