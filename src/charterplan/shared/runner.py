"""How work is mapped over independent items (areas, hubs): the :class:`Runner` protocol,
and the in-process default. Process pools and Dask are in :mod:`charterplan.parallel`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Protocol, TypeVar

__all__ = ["Progress", "Runner", "run_in_order"]

Progress = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)``."""

T = TypeVar("T")
R = TypeVar("R")


class Runner(Protocol):
    """Maps a picklable function over items — the waves over areas, the solver over
    problems — yielding the results in the items' order."""

    def __call__(self, fn: Callable[[T], R], items: Sequence[T], /) -> Iterable[R]: ...


def run_in_order(fn: Callable[[T], R], items: Sequence[T]) -> Iterable[R]:
    """The default runner: one item after another in this process."""
    return (fn(item) for item in items)
