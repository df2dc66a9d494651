"""Crew rounds (:func:`charterplan.replan.crew_rounds`): when they stop, and which plan
they keep. The plans are stand-ins; what the rounds read of them is how many workers
they carry and what they cost."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from charterplan import parse_request
from charterplan.model import Plan
from charterplan.replan import CREW_ROUNDS, Attempt, crew_rounds
from charterplan.shared.context import Context, build_context

SHORT = {("XH", 6): 0}
"""A day at the hub whose trips all lacked a crew."""


def _made(assigned: int, cost: float = 1000.0) -> Attempt:
    summary = SimpleNamespace(assigned=assigned, total_cost=cost)
    return Attempt(cast(Plan, SimpleNamespace(summary=summary)), dict(SHORT))


def _rounds(base: dict[str, Any], first: int, carried: list[int]) -> tuple[list[int], int]:
    """The rounds made (numbers) and the workers the plan kept carries, when the first
    plan carries ``first`` and round ``n`` carries ``carried[n - 1]``."""
    context: Context = build_context(parse_request(base))
    made: list[int] = []

    def again(context: Context, n: int) -> Attempt:
        made.append(n)
        assert context.departure_caps == SHORT
        return _made(carried[n - 1])

    return made, crew_rounds(context, _made(first), again).summary.assigned


def test_rounds_go_on_while_they_gain_and_the_best_is_kept(base: dict[str, Any]) -> None:
    """Two rounds in a row that are no better end them; otherwise they go on, at most
    :data:`CREW_ROUNDS`, and the plan kept carries the most."""
    assert _rounds(base, 2, [2, 2, 4, 4]) == ([1, 2], 2)
    assert _rounds(base, 2, [2, 3, 3, 4]) == ([1, 2, 3, 4], 4)
    assert CREW_ROUNDS == 4


def test_rounds_stop_once_one_carries_fewer_than_the_first_plan(base: dict[str, Any]) -> None:
    """The caps only tighten: a round below the first plan ends them (a roster short on
    every day), but one below an earlier round that is still above the first does not
    (1,000 x 14: 874, 885, 883, 894)."""
    assert _rounds(base, 10, [9, 12, 12, 12]) == ([1], 10)
    assert _rounds(base, 874, [885, 883, 894, 894]) == ([1, 2, 3, 4], 894)
