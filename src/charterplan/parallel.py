"""Runners that map work over independent areas: their departure waves, then the solver.

The plan does not depend on the runner: waves are pure functions of an area, every
area is solved with its own fixed limits and seed, and results are collected in the
areas' order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

from charterplan.shared.runner import Runner, run_in_order

__all__ = ["dask_runner", "process_runner", "runner_for"]

T = TypeVar("T")
R = TypeVar("R")


def process_runner(jobs: int) -> Runner:
    """A runner solving up to ``jobs`` areas at once in worker processes."""

    def run(fn: Callable[[T], R], items: Sequence[T]) -> Iterator[R]:
        if len(items) <= 1:
            yield from (fn(item) for item in items)
            return
        with ProcessPoolExecutor(max_workers=min(jobs, len(items))) as pool:
            yield from pool.map(fn, items)

    return run


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
