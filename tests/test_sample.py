"""CLI smoke test on the committed sample county request."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "request.json"


def test_sample_plans_and_checks_clean(tmp_path: Path) -> None:
    """The sample plans with exit 0, serves most workers, writes a manifest per trip,
    and its plan passes check."""
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "charterplan", "plan", str(SAMPLE),
                          "--out", str(out)], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert "assigned" in run.stdout and str(out) in run.stdout
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert plan["summary"]["assigned"] >= 0.85 * plan["summary"]["workers"]
    assert len(list((out / "manifests").glob("*.csv"))) == len(plan["trips"])
    check = subprocess.run([sys.executable, "-m", "charterplan", "check", str(SAMPLE),
                            str(out / "plan.json")], capture_output=True, text=True, cwd=ROOT)
    assert check.returncode == 0, check.stdout + check.stderr
