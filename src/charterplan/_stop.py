"""Stopping the CP-SAT searches under way, from any thread.

A search runs in C++ with the GIL released, so a Python signal handler only runs once
it returns, which can be many seconds later. The command line therefore wakes a thread
on SIGINT / SIGTERM that calls :func:`stop_searches`: each search registered with
:func:`stoppable` returns at once, and the handler's exception is raised right after.
Solvers set ``catch_sigint_signal`` false, so CP-SAT never takes SIGINT for itself
(it would end the search early and the planner would go on with a worse answer).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

__all__ = ["Stoppable", "stop_searches", "stoppable"]


class Stoppable(Protocol):
    """A search that can be told to stop from another thread (``cp_model.CpSolver``)."""

    def stop_search(self) -> None: ...


_running: set[Stoppable] = set()
_lock = threading.Lock()


@contextmanager
def stoppable(solver: Stoppable) -> Iterator[None]:
    """Register ``solver`` with :func:`stop_searches` while the block runs."""
    with _lock:
        _running.add(solver)
    try:
        yield
    finally:
        with _lock:
            _running.discard(solver)


def stop_searches() -> None:
    """Tell every registered search to stop; it returns its best answer so far."""
    with _lock:
        solvers = list(_running)
    for solver in solvers:
        solver.stop_search()
