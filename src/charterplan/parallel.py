"""Runners that map work over independent areas: their departure waves, then the solver.

The plan does not depend on the runner: waves are pure functions of an area, every
area is solved with its own fixed limits and seed, and results are collected in the
areas' order.

The process runner is a small pool of its own rather than ``ProcessPoolExecutor``,
whose shared result pipe and manager thread do not survive killing a worker: a worker
killed while it sends a result leaves the manager thread blocked on half a message,
and the interpreter then hangs at exit joining it (issue 23); in 3.11 cancelled
futures also make that thread die with ``InvalidStateError``. Here each worker has a
pipe of its own and holds one item at a time, and no thread runs beside the caller's,
so stopping is: kill the workers, close their pipes.

Worker processes never outlive the run. They ignore SIGINT (a Ctrl-C reaches the whole
process group; the parent decides); when the parent stops early, by an interrupt or an
error, it kills them instead of waiting for the areas under way. If the parent itself
is killed, each worker dies with it: at once on Linux (``PR_SET_PDEATHSIG``),
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
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar, cast

from charterplan.shared.runner import Runner, run_in_order

__all__ = ["dask_runner", "process_runner", "runner_for"]

T = TypeVar("T")
R = TypeVar("R")

_KILL_WAIT_S = 3.0
"""How long a stopped pool waits for its workers to be reaped before killing them."""

_Worker = tuple[BaseProcess, Connection]

_HELD = {signal.SIGINT, signal.SIGTERM}
_CAN_HOLD = hasattr(signal, "pthread_sigmask")


def process_runner(jobs: int) -> Runner:
    """A runner solving up to ``jobs`` areas at once in worker processes."""

    def run(fn: Callable[[T], R], items: Sequence[T]) -> Iterator[R]:
        if len(items) <= 1:
            yield from (fn(item) for item in items)
            return
        workers = _start_workers(fn, min(jobs, len(items)))
        done = False
        try:
            yield from _results(workers, items)
            done = True
        finally:
            _stop_workers(workers, kill=not done)

    return run


class _RemoteTraceback(Exception):
    """The traceback of an exception raised in a worker process, as its cause."""

    def __str__(self) -> str:
        return str(self.args[0])


def _start_workers(fn: Callable[[T], R], n: int) -> list[_Worker]:
    context = multiprocessing.get_context()
    # a forkserver, not this process, is the parent of a forkserver's workers
    parent = None if context.get_start_method() == "forkserver" else os.getpid()
    workers: list[_Worker] = []
    for _ in range(n):
        ours, theirs = context.Pipe()
        process = context.Process(target=_serve, args=(theirs, fn, parent), daemon=True,
                                  name="charterplan-worker")
        workers.append((process, ours))
        # A signal landing in the fork hooks that run in this process (logging's) would
        # be swallowed there: hold SIGINT and SIGTERM over the fork; the worker frees them.
        held = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD) if _CAN_HOLD else set()
        try:
            process.start()
        finally:
            if _CAN_HOLD:
                signal.pthread_sigmask(signal.SIG_SETMASK, held)
        theirs.close()
    return workers


def _results(workers: list[_Worker], items: Sequence[T]) -> Iterator[Any]:
    """Hand each idle worker the next item; yield the results in the items' order.

    Raises:
        BrokenProcessPool: a worker died (killed, out of memory) before its answer.
        Exception: what ``fn`` raised in a worker, its traceback as the cause.
    """
    tasks = iter(enumerate(items))
    busy: dict[Connection, BaseProcess] = {}

    def hand_out(process: BaseProcess, pipe: Connection) -> None:
        task = next(tasks, None)
        if task is not None:
            pipe.send(task)
            busy[pipe] = process

    for process, pipe in workers:
        hand_out(process, pipe)
    done: dict[int, Any] = {}
    for wanted in range(len(items)):
        while wanted not in done:
            if not busy:
                raise BrokenProcessPool("no worker process is left")
            dead = {p.sentinel: pipe for pipe, p in busy.items()}
            for ready in wait([*busy, *dead]):
                ended = isinstance(ready, int)  # a worker's sentinel: it has ended
                pipe = dead[ready] if isinstance(ready, int) else cast(Connection, ready)
                if pipe not in busy or (ended and pipe.poll()):
                    continue  # handled already, or its last answer is still to read
                process = busy.pop(pipe)
                try:
                    index, ok, value = pipe.recv()
                except (EOFError, OSError):
                    process.join(1.0)
                    raise BrokenProcessPool(
                        f"worker process {process.pid} ended abruptly (exit status "
                        f"{process.exitcode})") from None
                if not ok:
                    error, remote = value
                    raise error from _RemoteTraceback(remote)
                done[index] = value
                hand_out(process, pipe)
        yield done.pop(wanted)


def _stop_workers(workers: list[_Worker], *, kill: bool) -> None:
    """Let the workers end (or kill them at once: their work is not wanted), reap them."""
    for process, pipe in workers:
        if kill:
            process.kill()
            continue
        try:
            pipe.send(None)
        except OSError:
            process.kill()
    deadline = time.monotonic() + _KILL_WAIT_S
    for process, pipe in workers:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join(1.0)
        pipe.close()


def _serve(pipe: Connection, fn: Callable[[Any], Any], parent: int | None) -> None:
    """A worker's life: send back ``fn`` of each ``(index, item)`` received, until None."""
    _worker_setup(parent)
    while (task := pipe.recv()) is not None:
        index, item = task
        try:
            reply = (index, True, fn(item))
        except Exception as exc:
            reply = (index, False, (exc, traceback.format_exc()))
        try:
            pipe.send(reply)
        except Exception as exc:  # the answer does not pickle
            pipe.send((index, False, (RuntimeError(f"cannot send the answer back: {exc!r}"),
                                      traceback.format_exc())))


def _worker_setup(parent: int | None) -> None:
    """Run in each worker as it starts: leave interrupts to the parent, die with it.

    ``parent`` is the pid the worker's parent must have (None: not known here)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's handler came with fork
    signal.set_wakeup_fd(-1)
    if _CAN_HOLD:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)
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
