"""Ctrl-C, SIGTERM and kill -9 of a real `plan` process (SPEC §8): exit 130 / 143 within
5 s, nothing written, no worker process left; workers die with a killed parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from charterplan._interrupts import Interrupts
from charterplan._stop import stop_searches, stoppable

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

ROOT = Path(__file__).parents[1]
SAMPLE = ROOT / "data" / "sample" / "request.json"


def _default_sigint() -> None:
    """SIGINT at its default in the child, as in a terminal's foreground job (a job a
    shell script starts in the background inherits it ignored, and charterplan keeps
    ignoring it then)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start(out: Path, jobs: int) -> subprocess.Popen[str]:
    """`plan` of the sample into ``out``, in a session of its own (its own group)."""
    return subprocess.Popen(
        [sys.executable, "-m", "charterplan", "plan", str(SAMPLE), "--out", str(out),
         "--jobs", str(jobs)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True, preexec_fn=_default_sigint)


def _planning(run: subprocess.Popen[str], out: Path, workers: int) -> list[psutil.Process]:
    """Wait until ``run`` has claimed ``out`` (its staging folder exists) and started
    ``workers`` worker processes; return its children."""
    deadline = time.monotonic() + 120
    parent = psutil.Process(run.pid)
    while time.monotonic() < deadline:
        assert run.poll() is None, run.communicate()
        children = parent.children(recursive=True)
        if any(out.parent.glob(f".{out.name}.*.partial")) and len(children) >= workers:
            return children
        time.sleep(0.05)
    raise AssertionError("the run never started planning")


def _alive(processes: list[psutil.Process]) -> list[psutil.Process]:
    return [p for p in processes
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


@pytest.mark.parametrize(("jobs", "number", "group"), [
    (2, signal.SIGINT, True),    # Ctrl-C in a terminal: the whole group, workers too
    (1, signal.SIGTERM, False),  # `kill PID`: the parent alone
])
def test_interrupt_exits_promptly_writing_nothing(tmp_path: Path, jobs: int,
                                                  number: signal.Signals, group: bool) -> None:
    """Mid-plan, the signal ends the run with 128 + its number within 5 s, says nothing
    was written, leaves no folder (not even a staging one) and no worker process."""
    out = tmp_path / "out"
    run = _start(out, jobs)
    children = _planning(run, out, workers=jobs if jobs > 1 else 0)
    time.sleep(1.0)  # well into the solves
    sent = time.monotonic()
    if group:
        os.killpg(run.pid, number)
    else:
        os.kill(run.pid, number)
    _, stderr = run.communicate(timeout=60)
    assert time.monotonic() - sent < 5
    assert run.returncode == 128 + number, stderr
    assert stderr.strip().endswith("interrupted; nothing was written")
    assert "Traceback" not in stderr
    assert list(tmp_path.iterdir()) == []
    psutil.wait_procs(children, timeout=2)
    assert _alive(children) == []


@pytest.mark.slow
@pytest.mark.parametrize(("jobs", "number", "group"), [
    (1, signal.SIGINT, False), (1, signal.SIGINT, True), (2, signal.SIGINT, False),
    (2, signal.SIGTERM, True), (2, signal.SIGTERM, False)])
def test_interrupt_every_way(tmp_path: Path, jobs: int, number: signal.Signals,
                             group: bool) -> None:
    """The other ways to send the two signals end the run the same way."""
    test_interrupt_exits_promptly_writing_nothing(tmp_path, jobs, number, group)


def test_workers_die_with_a_killed_parent(tmp_path: Path) -> None:
    """kill -9 of `plan --jobs 2`: its worker processes are gone within 10 s."""
    out = tmp_path / "out"
    run = _start(out, 2)
    children = _planning(run, out, workers=2)
    assert children
    run.kill()
    run.communicate(timeout=60)
    _, alive = psutil.wait_procs(children, timeout=10)
    assert _alive(alive) == []


def test_stop_searches_ends_a_running_solve() -> None:
    """A CP-SAT search registered with `stoppable` returns at once when another thread
    calls `stop_searches`, long before its time limit."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    xs = [model.new_int_var(0, 100, f"x{i}") for i in range(60)]
    for i in range(59):
        model.add(xs[i] + xs[i + 1] <= 100 + i % 7)
    model.add_all_different(xs)
    model.maximize(sum((i % 13) * x for i, x in enumerate(xs)))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 60
    solver.parameters.catch_sigint_signal = False

    def stop_soon() -> None:
        time.sleep(0.5)
        stop_searches()
    stopper = threading.Thread(target=stop_soon)
    started = time.monotonic()
    stopper.start()
    with stoppable(solver):
        solver.solve(model)
    stopper.join()
    assert time.monotonic() - started < 10
    assert solver.wall_time < 10


def test_signal_raises_once_and_finishing_refuses_after_it() -> None:
    """In-process: SIGTERM raises KeyboardInterrupt with status 143; if that exception
    were swallowed, `finishing` (the commit's gate) raises it again."""
    interrupts = Interrupts()
    with interrupts.installed():
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)  # the handler raises at once
        interrupts.caught()  # else it is raised again after a second
        assert interrupts.exit_status() == 143
        with pytest.raises(KeyboardInterrupt):
            interrupts.finishing()


def test_signal_after_finishing_is_too_late() -> None:
    """In-process: once the output is being put in place, a signal changes nothing."""
    interrupts = Interrupts()
    with interrupts.installed():
        interrupts.finishing()
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.1)
        assert interrupts.received is None


def test_ignored_signal_stays_ignored() -> None:
    """In-process: SIGINT ignored by whoever started us is not taken over, and every
    handler is restored afterwards."""
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        interrupts = Interrupts()
        with interrupts.installed():
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
            assert signal.getsignal(signal.SIGTERM) == interrupts._handle
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, before)


def test_swallowed_interrupt_is_raised_again() -> None:
    """In-process: an interrupt swallowed on its way (as a finalizer swallows it) is
    raised again about a second later, until the command line has caught it."""
    interrupts = Interrupts()
    with interrupts.installed():
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)
        except KeyboardInterrupt:
            pass  # lost, as in a __del__
        started = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            time.sleep(10)
        interrupts.caught()
        assert time.monotonic() - started < 5


def test_interrupt_inside_exec_still_exits_with_the_status(tmp_path: Path) -> None:
    """An interrupt raised inside an `exec` of a string (as dataclasses run while a
    module loads) and caught later still lets `python -m` exit 130: CPython would end
    the process by SIGINT at exit had the handler raised KeyboardInterrupt itself."""
    (tmp_path / "interrupted_in_exec.py").write_text(
        "import os, signal, sys\n"
        "from charterplan._interrupts import Interrupts\n"
        "interrupts = Interrupts()\n"
        "with interrupts.installed():\n"
        "    try:\n"
        "        exec('import os, signal, time\\n"
        "os.kill(os.getpid(), signal.SIGINT)\\ntime.sleep(5)')\n"
        "    except KeyboardInterrupt:\n"
        "        interrupts.caught()\n"
        "sys.exit(interrupts.exit_status())\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "interrupted_in_exec"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=60, check=False,
                         preexec_fn=_default_sigint)
    assert run.returncode == 130, run.stderr
