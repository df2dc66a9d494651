"""Runners that map work over independent areas: their departure waves, then the solver.

The plan does not depend on the runner: waves are pure functions of an area, every
area is solved with its own fixed limits and seed, and results are collected in the
areas' order.

Worker processes never outlive the run. They ignore SIGINT (a Ctrl-C reaches the whole
process group; the parent decides), and when the parent stops early, by an interrupt
or an error, it kills them instead of waiting for the areas under way. If the parent
itself is killed, each worker dies with it: at once on Linux (``PR_SET_PDEATHSIG``),
elsewhere within a second (a thread that watches the parent's pid).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

from charterplan.stages.assign import Runner, run_in_order

__all__ = ["dask_runner", "process_runner", "runner_for"]

T = TypeVar("T")
R = TypeVar("R")


def process_runner(jobs: int) -> Runner:
    """A runner solving up to ``jobs`` areas at once in worker processes."""

    def run(fn: Callable[[T], R], items: Sequence[T]) -> Iterator[R]:
        if len(items) <= 1:
            yield from (fn(item) for item in items)
            return
        context = multiprocessing.get_context()
        # a forkserver, not this process, is the parent of a forkserver's workers
        parent = None if context.get_start_method() == "forkserver" else os.getpid()
        pool = ProcessPoolExecutor(max_workers=min(jobs, len(items)), mp_context=context,
                                   initializer=_worker_setup, initargs=(parent,))
        done = False
        try:
            yield from pool.map(fn, items)
            done = True
        finally:
            if done:
                pool.shutdown()
            else:
                _halt(pool)

    return run


_KILL_WAIT_S = 3.0
"""How long :func:`_halt` waits for killed workers to be reaped."""


def _halt(pool: ProcessPoolExecutor) -> None:
    """Stop ``pool`` now: drop the areas not started and kill the workers solving the
    others (they hold nothing to clean up), rather than wait for their solves."""
    workers = list((pool._processes or {}).values())  # the pool offers no kill in 3.11
    pool.shutdown(wait=False, cancel_futures=True)
    for worker in workers:
        worker.kill()
    deadline = time.monotonic() + _KILL_WAIT_S
    for worker in workers:
        worker.join(max(0.0, deadline - time.monotonic()))


def _worker_setup(parent: int | None) -> None:
    """Run in each worker as it starts: leave interrupts to the parent, die with it.

    ``parent`` is the pid the worker's parent must have (None: not known here)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's handler came with fork
    signal.set_wakeup_fd(-1)
    if sys.platform == "linux":
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    watched = os.getppid()
    if parent is not None and watched != parent:  # it died before the line above
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(watched,), daemon=True,
                     name="charterplan-watch-parent").start()


def _watch_parent(parent: int) -> None:
    """Exit this worker once its parent is gone (it is then adopted: a new ppid)."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def dask_runner(scheduler: str) -> Runner:
    """A runner solving areas on the Dask cluster whose scheduler is at ``scheduler``
    (``tcp://HOST:PORT``). Needs the optional extra ``distributed``."""

    def run(fn: Callable[[T], R], items: Sequence[T]) -> Iterator[R]:
        try:
            from distributed import Client
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "the Dask mode needs: pip install 'charterplan[distributed]'") from exc
        # distributed ships no annotations for Client's constructor
        with Client(scheduler, set_as_default=False) as client:  # type: ignore[no-untyped-call]
            futures = client.map(fn, list(items), pure=False)
            for future in futures:
                yield future.result()

    return run


def runner_for(jobs: int = 1, scheduler: str | None = None) -> Runner:
    """A Dask runner if ``scheduler`` is given; else the in-process runner for
    ``jobs <= 1``; else a process pool of ``jobs``."""
    if scheduler is not None:
        return dask_runner(scheduler)
    return run_in_order if jobs <= 1 else process_runner(jobs)
