"""Runners that map the solver over independent areas.

The plan does not depend on the runner: every area is solved with its own fixed
limits and seed, and results are collected in the areas' order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor

from charterplan.solvers.assignment import Problem, Solution
from charterplan.stages.assign import Runner, run_in_order

__all__ = ["process_runner", "runner_for"]


def process_runner(jobs: int) -> Runner:
    """A runner solving up to ``jobs`` areas at once in worker processes."""

    def run(fn: Callable[[Problem], Solution], problems: Sequence[Problem]) -> (
            Iterator[Solution]):
        if len(problems) <= 1:
            yield from (fn(p) for p in problems)
            return
        with ProcessPoolExecutor(max_workers=min(jobs, len(problems))) as pool:
            yield from pool.map(fn, problems)

    return run


def runner_for(jobs: int) -> Runner:
    """The in-process runner for ``jobs <= 1``, else a process pool of ``jobs``."""
    return run_in_order if jobs <= 1 else process_runner(jobs)
