"""What the office files add to a plan run: ``python -m benchmarks.office``.

Runs ``python -m charterplan plan REQUEST --out DIR --quiet`` in a fresh process
``--repeat`` times with the office files (plan.xlsx, manifests.pdf, hand-over lists,
figures) and as many times without them (the same command with
``charterplan.io.output.write_office_files`` replaced by a no-op), alternating, and
prints the wall and CPU (user + sys of the process and its children) seconds of each
run, their medians and the ratios with / without.

``--parts`` instead plans the request once and times each kind of office file alone,
``--repeat`` times, each in a fresh process that reads the request and plan.json
(CPU seconds of ``charterplan.io.office._write``, imports included; the cut font comes
from the cache folder after the first run).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_WITHOUT = ("import sys, charterplan.io.output as o; "
            "o.write_office_files = lambda *a, **k: []; "
            "from charterplan.cli import main; sys.exit(main(sys.argv[1:]))")
_WITH = "import sys; from charterplan.cli import main; sys.exit(main(sys.argv[1:]))"
_PART = ("import sys, time, tempfile; from pathlib import Path; "
         "from charterplan import read_request; "
         "from charterplan.io.plan_json import read_plan; "
         "r, p = read_request(sys.argv[2]), read_plan(sys.argv[3]); "
         "t = time.process_time(); from charterplan.io.office import _write; "
         "d = tempfile.mkdtemp(); _write((sys.argv[1], r, p, Path(d), False)); "
         "print(time.process_time() - t)")
_KINDS = ("pdfs", "figures", "workbooks")


def _parts(request: Path, repeat: int) -> None:
    """Print the median CPU seconds of each kind of office file, each alone."""
    with tempfile.TemporaryDirectory(prefix="charterplan-office-") as folder:
        out = Path(folder) / "plan"
        subprocess.run([sys.executable, "-c", _WITHOUT, "plan", str(request), "--out",
                        str(out), "--quiet"], check=True, stdout=subprocess.DEVNULL)
        seconds: dict[str, list[float]] = {kind: [] for kind in _KINDS}
        for _ in range(repeat):
            for kind in _KINDS:
                done = subprocess.run([sys.executable, "-c", _PART, kind, str(request),
                                       str(out / "plan.json")], check=True,
                                      capture_output=True, text=True)
                seconds[kind].append(float(done.stdout))
    print("| part | CPU s (runs) | median |\n|---|---|---|")
    for kind, runs in seconds.items():
        print(f"| {kind} | {', '.join(f'{s:.2f}' for s in runs)} | "
              f"{statistics.median(runs):.2f} |")


def _run(code: str, request: Path, out: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one plan run in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, "plan", str(request), "--out", str(out),
                    "--quiet"], check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    """Command line: print each run and a Markdown table of medians."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--request", type=Path, default=Path("data/sample/request.json"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--parts", action="store_true",
                        help="time each kind of office file alone instead")
    args = parser.parse_args()
    if args.parts:
        _parts(args.request, args.repeat)
        return
    runs: dict[str, list[tuple[float, float]]] = {"without": [], "with": []}
    with tempfile.TemporaryDirectory(prefix="charterplan-office-") as folder:
        for n in range(args.repeat):
            for kind, code in (("without", _WITHOUT), ("with", _WITH)):
                out = Path(folder) / f"{kind}-{n}"
                runs[kind].append(_run(code, args.request, out))
                wall, cpu = runs[kind][-1]
                print(f"{kind:8} run {n + 1}: wall {wall:.2f} s, cpu {cpu:.2f} s",
                      file=sys.stderr)
    medians = {kind: (statistics.median(w for w, _ in r), statistics.median(c for _, c in r))
               for kind, r in runs.items()}
    print(f"load average {os.getloadavg()[0]:.1f}; {args.repeat} runs each, alternated")
    print("| | wall s (runs) | median | CPU s (runs) | median |")
    print("|---|---|---|---|---|")
    for kind, r in runs.items():
        print(f"| {kind} office files | {', '.join(f'{w:.2f}' for w, _ in r)} | "
              f"{medians[kind][0]:.2f} | {', '.join(f'{c:.2f}' for _, c in r)} | "
              f"{medians[kind][1]:.2f} |")
    print(f"| with / without | | **{medians['with'][0] / medians['without'][0]:.2f}** | | "
          f"**{medians['with'][1] / medians['without'][1]:.2f}** |")


if __name__ == "__main__":
    main()
