"""How long a county registry takes to import: ``python -m benchmarks.registry``.

Generates a county of ``--workers`` workers (seed 2020, 14 days, registry ids), writes
it as ``registry.xlsx`` / ``registry.csv`` (GB18030) and ``county.toml`` in a temporary
folder, then times, ``--repeat`` times each and reports medians:

- ``cli``: ``python -m charterplan import REGISTRY --county COUNTY -o FILE`` in a fresh
  process, start-up included: what the office waits for;
- ``read``: :func:`charterplan.tables.read_table` alone (python-calamine for the
  workbook), and the same sheet read by openpyxl's read-only mode for comparison;
- ``import``: :func:`charterplan.tables.import_registry` in process (reading, checking
  every cell, building and validating the request).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from charterplan.samples import generate_request, registry_rows, write_sample
from charterplan.tables import REGISTRY_COLUMNS, import_registry, read_table


def _median(run: Callable[[], object], repeat: int) -> float:
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def _openpyxl_read(path: Path) -> int:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True))
    book.close()
    return rows


def main() -> None:
    """Command line: print a Markdown table of medians."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    request = generate_request(args.workers, 14, 2020, registry_ids=True)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_sample(request, root)
        xlsx, county = root / "registry.xlsx", root / "county.toml"
        csv = root / "registry.csv"
        import csv as csv_module
        with csv.open("w", encoding="gb18030", newline="") as handle:
            csv_module.writer(handle).writerows(registry_rows(request))
        if import_registry(xlsx, county).data != request:  # timed only if it is right
            raise SystemExit("the imported request differs from the generated one")
        command = [sys.executable, "-m", "charterplan", "import", str(xlsx), "--county",
                   str(county), "-o", str(root / "out.json")]
        rows = [
            ("cli, .xlsx", _median(lambda: subprocess.run(command, check=True), args.repeat)),
            ("read_table, .xlsx (python-calamine)",
             _median(lambda: read_table(xlsx, REGISTRY_COLUMNS), args.repeat)),
            ("openpyxl read-only, values only, .xlsx", _median(lambda: _openpyxl_read(xlsx),
                                                               args.repeat)),
            ("read_table, .csv (GB18030)",
             _median(lambda: read_table(csv, REGISTRY_COLUMNS), args.repeat)),
            ("import_registry, .xlsx", _median(lambda: import_registry(xlsx, county),
                                               args.repeat)),
            ("import_registry, .csv", _median(lambda: import_registry(csv, county),
                                              args.repeat)),
        ]
    print(f"| {args.workers:,} rows | s (median of {args.repeat}) |\n|---|---|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.2f} |")


if __name__ == "__main__":
    main()
