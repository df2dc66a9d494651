"""Exceptions raised by charterplan.

Every exception subclasses :class:`CharterplanError`, and also the built-in a caller
would naturally catch: a bad request is a :class:`ValueError`, a solver failure a
:class:`RuntimeError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["MAX_PROBLEMS", "CharterplanError", "Problem", "RequestError", "SolverError",
           "problem_list"]


class CharterplanError(Exception):
    """Base class of every error charterplan raises on purpose."""


@dataclass(frozen=True, order=True)
class Problem:
    """One defect of a request: where it is (a JSON path) and what is wrong.

    ``path`` uses the notation of the request file, e.g. ``workers[17].destination``;
    the empty string means the request as a whole. Every ID number or phone in the
    message is masked here, so no error ever repeats one, whoever wrote the message.
    """

    path: str
    message: str

    def __post_init__(self) -> None:
        from charterplan.io.masking import mask_text  # charterplan.io imports this module

        object.__setattr__(self, "message", mask_text(self.message))

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class RequestError(CharterplanError, ValueError):
    """A request that cannot be planned, with every problem found in it.

    Attributes:
        problems: the defects, each naming the JSON path it concerns, in the order
            of the request; at most :data:`MAX_PROBLEMS` when the reader stopped
            collecting.
        more: how many further problems were found but not collected.
        stopped: True when reading stopped after that many: there may be more still.
    """

    def __init__(self, problems: Iterable[Problem], *, more: int = 0,
                 stopped: bool = False) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.more = more
        self.stopped = stopped
        super().__init__(problem_list("request", self.problems, more, stopped))


MAX_PROBLEMS = 50
"""Most problems an error lists; the rest are counted ("and N more")."""


def problem_list(what: str, problems: Sequence[Problem], more: int = 0,
                 stopped: bool = False) -> str:
    """``the request has 3 problems`` and one indented line per problem, at most
    :data:`MAX_PROBLEMS` of them, then ``and N more``."""
    shown = problems[:MAX_PROBLEMS]
    more += len(problems) - len(shown)
    count = len(shown) + more
    at_least = "at least " if stopped else ""
    lines = [f"the {what} has {at_least}{count:,} problem{'s' if count != 1 else ''}",
             *(f"  {p}" for p in shown)]
    if more:
        lines.append(f"  and {more:,} more" + ("; reading stopped there" if stopped else ""))
    return "\n".join(lines)


class SolverError(CharterplanError, RuntimeError):
    """A solver failed in a way charterplan could not recover from."""
