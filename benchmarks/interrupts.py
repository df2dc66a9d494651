"""Interrupting `plan` at random moments: ``python -m benchmarks.interrupts --tries 20``.

Repeats issue 23's experiment. Each try starts ``python -m charterplan plan
data/sample/request.json --out TMP --jobs J`` in a session of its own, waits a random
1–6 s from the start (seeded: the same moments each time), records the run's child
processes, and sends SIGINT or SIGTERM to the process or its whole group, or kills it
with SIGKILL. The Markdown table gives, per way, the exit statuses seen (a negative
status: the process died of that signal), the longest time from the signal to the exit,
the tries that wrote the target or left a staging folder, the child processes alive
1 s after the exit (10 s after, for SIGKILL, SPEC §8's bound), and the tries that
printed a traceback. Each try that ends otherwise than by the signal's status is
described on stderr.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).parents[1]
SAMPLE = ROOT / "data" / "sample" / "request.json"

WAYS = [  # jobs, signal, to the group
    (1, signal.SIGINT, False), (1, signal.SIGINT, True),
    (2, signal.SIGINT, False), (2, signal.SIGINT, True),
    (1, signal.SIGTERM, False), (2, signal.SIGTERM, False), (2, signal.SIGTERM, True),
    (2, signal.SIGKILL, False),
]


@dataclass
class Outcome:
    """What the tries of one way came to."""

    statuses: Counter[int] = field(default_factory=Counter)
    seconds: list[float] = field(default_factory=list)
    written: int = 0
    staging_left: int = 0
    children_left: int = 0
    children_seen: int = 0
    tracebacks: int = 0


def _alive(processes: list[psutil.Process]) -> int:
    return sum(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in processes)


def _default_sigint() -> None:
    """SIGINT at its default in the child, as in a terminal's foreground job (a job a
    shell script starts in the background inherits it ignored, and charterplan keeps
    ignoring it then)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def one_try(jobs: int, number: int, group: bool, delay: float, outcome: Outcome) -> None:
    """Start a plan, signal it after ``delay`` seconds, and add what happened."""
    with tempfile.TemporaryDirectory(prefix="charterplan-interrupt-") as temp:
        out = Path(temp) / "out"
        run = subprocess.Popen(
            [sys.executable, "-m", "charterplan", "plan", str(SAMPLE), "--out", str(out),
             "--jobs", str(jobs)], cwd=ROOT, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, text=True, start_new_session=True, preexec_fn=_default_sigint)
        time.sleep(delay)
        try:
            children = psutil.Process(run.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            children = []
        sent = time.monotonic()
        (os.killpg if group else os.kill)(run.pid, number)
        _, stderr = run.communicate(timeout=300)
        outcome.seconds.append(time.monotonic() - sent)
        outcome.tracebacks += "Traceback" in stderr
        if "Traceback" in stderr or run.returncode not in (128 + number, -signal.SIGKILL):
            print(f"<!-- jobs {jobs}, {signal.Signals(number).name}, after {delay:.2f} s: "
                  f"exit {run.returncode}: {stderr.strip()[-600:]} -->", file=sys.stderr)
        outcome.statuses[run.returncode] += 1
        psutil.wait_procs(children, timeout=10 if number == signal.SIGKILL else 1)
        outcome.children_seen += len(children)
        outcome.children_left += _alive(children)
        for child in children:  # leave nothing behind the benchmark either
            if child.is_running():
                child.kill()
        outcome.written += out.exists()
        outcome.staging_left += any(Path(temp).glob(".out.*.partial"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=20, help="tries per SIGINT way")
    parser.add_argument("--other-tries", type=int, help="tries per SIGTERM / SIGKILL way "
                        "(default: --tries)")
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--earliest", type=float, default=1.0)
    parser.add_argument("--latest", type=float, default=6.0)
    args = parser.parse_args(argv)
    moments = random.Random(args.seed)
    print("| jobs | signal | sent to | tries | exit statuses | max s to exit | target written"
          " | staging left | children seen | children alive after | tracebacks |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for jobs, number, group in WAYS:
        outcome = Outcome()
        tries = args.tries if number == signal.SIGINT else (args.other_tries or args.tries)
        for _ in range(tries):
            one_try(jobs, number, group, moments.uniform(args.earliest, args.latest), outcome)
        statuses = ", ".join(f"{status} ×{n}" for status, n in sorted(outcome.statuses.items()))
        print(f"| {jobs} | {signal.Signals(number).name} | {'group' if group else 'process'}"
              f" | {tries} | {statuses} | {max(outcome.seconds):.2f} | {outcome.written}"
              f" | {outcome.staging_left} | {outcome.children_seen} | {outcome.children_left}"
              f" | {outcome.tracebacks} |",
              flush=True)


if __name__ == "__main__":
    main()
