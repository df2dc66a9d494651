"""Exceptions raised by charterplan.

Every exception subclasses :class:`CharterplanError`, and also the built-in a caller
would naturally catch: a bad request is a :class:`ValueError`, a solver failure a
:class:`RuntimeError`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["CharterplanError", "Problem", "RequestError", "SolverError"]


class CharterplanError(Exception):
    """Base class of every error charterplan raises on purpose."""


@dataclass(frozen=True, order=True)
class Problem:
    """One defect of a request: where it is (a JSON path) and what is wrong.

    ``path`` uses the notation of the request file, e.g. ``workers[17].destination``;
    the empty string means the request as a whole.
    """

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class RequestError(CharterplanError, ValueError):
    """A request that cannot be planned, with every problem found in it.

    Attributes:
        problems: the defects, each naming the JSON path it concerns, in the order
            of the request.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        count = len(self.problems)
        head = f"the request has {count} problem{'s' if count != 1 else ''}"
        super().__init__("\n".join([head, *(f"  {p}" for p in self.problems)]))


class SolverError(CharterplanError, RuntimeError):
    """A solver failed in a way charterplan could not recover from."""
