"""What bad input costs: time to refuse a 2,000-worker request, memory for huge inputs.

``python -m benchmarks.bad_input [--repeat 5]`` writes the sample request with 60
problems injected (unknown destinations, loads above 1, years out of range, ID numbers
given as numbers, duplicate ids, a duplicate key) and times ``python -m charterplan
plan BAD --out DIR`` on it (a fresh process each, as a clerk runs it; it must exit 2;
wall clock and CPU, the steadier figure on a shared machine), and ``read_request`` on
it in-process; then, with ``--memory``, it reads inputs of up
to 100 MB that stress the reader (ten million zeros, two million empty objects, ten
million floats or empty strings, the sample's workers repeated to 95 MB) in fresh
processes and prints each one's peak resident memory (``/usr/bin/time -f %M``).
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SAMPLE = Path(__file__).parents[1] / "data" / "sample" / "request.json"

_CHILD = """
import resource, sys, time
from charterplan import RequestError, read_request
start = time.perf_counter()
try:
    read_request(sys.argv[1])
    outcome = "read"
except RequestError as exc:
    outcome = f"refused ({len(exc.problems)} listed, {exc.more:,} more)"
print(f"{outcome}; {time.perf_counter() - start:.2f} s; "
      f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB peak")
"""


def bad_request() -> str:
    """The sample request with 60 problems, as JSON text."""
    data: dict[str, Any] = json.loads(SAMPLE.read_text(encoding="utf-8"))
    workers = data["workers"]
    for k in range(20):
        workers[k * 97]["destination"] = f"E-{k}"
    for k in range(10):
        workers[k * 131 + 5]["latest_arrival"] = "9999-12-31"
        workers[k * 131 + 7]["id_number"] = 431229199608313829 + k
    for k in range(10):
        workers[k * 151 + 11]["id"] = workers[k * 151 + 10]["id"]
    data["bus_types"][0]["load_factor"] = 1.5
    data["bus_types"][1]["available_per_day"] = 2**63
    data["staff"] = data["staff"] + copy.deepcopy(data["staff"][:8])
    text = json.dumps(data, ensure_ascii=False, indent=1)
    return text.replace('"status": "cleared"', '"status": "cleared", "status": "cleared"', 1)


def _median_seconds(command: list[str], repeat: int) -> tuple[float, float, str]:
    """Median wall and CPU (user + system) seconds of ``command``, and how it ended."""
    times, cpu, last = [], [], ""
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        last = f"exit {result.returncode}, {(result.stderr or result.stdout).splitlines()[0]}"
    return statistics.median(times), statistics.median(cpu), last


def _write_inputs(folder: Path) -> list[tuple[str, Path]]:
    """The huge inputs as files (built here, so the measuring processes stay small)."""
    sample = json.loads(SAMPLE.read_text(encoding="utf-8"))
    workers = sample["workers"]
    copies = 95_000_000 // len(json.dumps(workers, ensure_ascii=False, indent=1).encode())
    texts = {
        "ten million zeros": lambda: '{"workers": [' + ",".join(["0"] * 10_000_000) + "]}",
        "1.9 million empty objects": lambda: '{"workers": [' + ",".join(["{}"] * 1_900_000)
                                             + "]}",
        "9.9 million floats": lambda: '{"workers": [' + ",".join(["1.5"] * 9_900_000) + "]}",
        "9.9 million empty strings": lambda: '{"workers": [' + ",".join(['""'] * 9_900_000)
                                            + "]}",
        f"the sample's workers {copies} times, ids made unique "
        f"({copies * len(workers):,} workers)": lambda: json.dumps(
            {**sample, "workers": [{**w, "id": f"{w['id']}-{k}"} for k in range(copies)
                                   for w in workers]}, ensure_ascii=False, indent=1),
    }
    files = []
    for k, (name, text) in enumerate(texts.items()):
        path = folder / f"input{k}.json"
        path.write_text(text(), encoding="utf-8")
        files.append((name, path))
    return files


def _memory(folder: Path) -> None:
    # a child of this process would inherit its peak memory in ru_maxrss: /usr/bin/time
    # measures the reading process alone
    files = subprocess.run([sys.executable, "-c", "import sys\n"
                            "from benchmarks.bad_input import _write_inputs\n"
                            "from pathlib import Path\n"
                            "for name, path in _write_inputs(Path(sys.argv[1])):\n"
                            "    print(f'{name}\\t{path}')", str(folder)],
                           capture_output=True, text=True, check=True).stdout.splitlines()
    for line in files:
        name, path = line.split("\t")
        result = subprocess.run(["/usr/bin/time", "-f", "%M", sys.executable, "-c", _CHILD,
                                 path], capture_output=True, text=True, check=False)
        peak_kb = int(result.stderr.strip().splitlines()[-1])
        size = Path(path).stat().st_size / 1e6
        print(f"| {name} | {size:.1f} MB | {result.stdout.strip()} | "
              f"{peak_kb / 1024:.0f} MB |")


def _in_process(path: Path, repeat: int) -> float:
    from charterplan import RequestError, read_request

    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        with contextlib.suppress(RequestError):
            read_request(path)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> None:
    """Run the measurements and print them as Markdown table rows."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--memory", action="store_true", help="also the huge inputs")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bad = folder / "bad.json"
        bad.write_text(bad_request(), encoding="utf-8")
        seconds, cpu, outcome = _median_seconds(
            [sys.executable, "-m", "charterplan", "plan", str(bad), "--out",
             str(folder / "out")], args.repeat)
        print(f"| CLI `plan` on the 2,000-worker sample with 60 problems | {seconds:.2f} s, "
              f"CPU {cpu:.2f} s (medians of {args.repeat}) | {outcome} |")
        print(f"| `read_request` on it, in one process | {_in_process(bad, args.repeat):.2f} s "
              f"(median of {args.repeat}) | refused |")
        print(f"| `read_request` on the valid sample, in one process | "
              f"{_in_process(SAMPLE, args.repeat):.2f} s (median of {args.repeat}) | read |")
        if args.memory:
            _memory(folder)


if __name__ == "__main__":
    main()
