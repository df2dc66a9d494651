"""The benchmark suite's smallest size runs end to end (the rest is run by hand)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_smallest_benchmark_prints_a_result_row() -> None:
    """`python -m benchmarks` at 1,000 workers over 7 days prints one table row with
    figures for us and the clerk."""
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--sizes", "1000", "--days", "7", "--repeat",
         "1", "--jobs", "1"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert run.returncode == 0, run.stderr
    rows = [line for line in run.stdout.splitlines() if line.startswith("| 1000 |")]
    assert len(rows) == 1
    cells = [c.strip() for c in rows[0].strip("|").split("|")]
    assert float(cells[8]) > 0 and float(cells[11]) > 0  # cost/worker, clerk cost/worker
