"""The benchmark suite's smallest size runs end to end (the rest is run by hand)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


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


def test_rail_benchmark_prints_the_three_plans_with_carriages() -> None:
    """`python -m benchmarks.rail` on 600 workers over 3 days (half bound for rail-line
    cities) prints the clerk's, the bus-only and the rail plan; the rail plan uses
    carriages and feeder buses, the bus-only plan none, and check passes both."""
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks.rail", "--workers", "600", "--days", "3",
         "--repeat", "1", "--jobs", "1"], capture_output=True, text=True, cwd=ROOT,
        timeout=300)
    assert run.returncode == 0, run.stderr
    rows = {cells[0]: cells for cells in (
        [c.strip() for c in line.strip("|").split("|")] for line in run.stdout.splitlines()
        if line.startswith(("| clerk", "| charterplan")))}
    assert set(rows) == {"clerk, bus only", "charterplan, bus only", "charterplan, bus + rail"}
    bus, rail = rows["charterplan, bus only"], rows["charterplan, bus + rail"]
    assert int(bus[5]) == int(bus[6]) == int(bus[7]) == 0  # feeders, carriages, riders
    assert int(rail[5]) > 0 and int(rail[6]) > 0 and int(rail[7]) > 0
    assert float(rows["clerk, bus only"][3]) > 0 and float(rail[3]) > 0  # cost/worker
    assert float(rail[8]) > 0 and float(rail[9]) > 0  # the two ratios
    assert bus[11] == rail[11] == "0"  # check finds no violation in either plan
    assert "Cost per worker carried, bus + rail against the clerk" in run.stdout


def test_registry_benchmark_prints_its_rows() -> None:
    """`python -m benchmarks.registry` on 200 rows imports them (checking the result
    first) and prints a time for each way of reading."""
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks.registry", "--workers", "200", "--repeat", "1"],
        capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert run.returncode == 0, run.stderr
    rows = [line for line in run.stdout.splitlines() if line.startswith("| ")][1:]
    assert len(rows) == 6 and all(float(r.strip("|").split("|")[1]) > 0 for r in rows)
