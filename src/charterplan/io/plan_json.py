"""plan.json: writing a plan as stable JSON and reading it back.

Keys follow the models' field order and lists keep the plan's order, so the same
plan always serialises to the same bytes. ``parse_plan`` is pure; ``read_plan`` only
opens the file and hands the text on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from os import PathLike

from pydantic import ValidationError

from charterplan.errors import CharterplanError, Problem, problem_list
from charterplan.io._json import JsonInputError, load_json, read_bytes
from charterplan.io.request import echo, json_path
from charterplan.model import Plan

__all__ = ["PlanFileError", "dump_plan", "parse_plan", "read_plan"]


class PlanFileError(CharterplanError, ValueError):
    """A plan file that cannot be read back, with every problem found in it.

    Attributes:
        problems: the defects, each naming the JSON path it concerns.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(problem_list("plan", self.problems))


def dump_plan(plan: Plan) -> str:
    """The plan as JSON text (UTF-8 characters kept, one-space indent, final newline)."""
    return json.dumps(plan.model_dump(mode="json"), ensure_ascii=False, indent=1) + "\n"


def _message(item: dict[str, object]) -> str:
    message = str(item["msg"]).removeprefix("Value error, ")
    if item["type"] == "missing":
        return "required field is missing"
    if item["type"] == "extra_forbidden":
        return "unknown field"
    if "input" in item and item["type"] not in {"model_type", "dict_type"}:
        return f"{message} (got {echo(item['input'])})"
    return message


_POSTS = {"trips": ("captain", "deputy_captain", "escort", "medic"), "convoys": ("leader",)}
"""The people a plan puts in charge, by the list whose items name them."""


def _unfilled_posts_read_as_nobody(data: dict[str, object]) -> None:
    """Read a post left unfilled (``null`` or absent) as ``""``, nobody: a trip without
    a medic is a plan that breaks an invariant, which ``check`` reports (exit 1), not a
    file that is no plan (exit 2). A post of any other type stays a shape error."""
    for key, posts in _POSTS.items():
        items = data.get(key)
        for item in items if isinstance(items, list) else ():
            if isinstance(item, dict):
                for post in posts:
                    if item.get(post) is None:
                        item[post] = ""


def parse_plan(text: str | bytes) -> Plan:
    """Validate plan JSON text.

    What makes a file no plan (``PlanFileError``, exit 2 from ``check``): it is not
    JSON, or its structure has a missing field, an unknown field, or a value of the
    wrong type. An unfilled post (captain, deputy, escort, medic, convoy leader:
    ``null``, absent or ``""``) reads as nobody, and ``check`` reports the invariant it
    breaks; so does every well-typed value that breaks one.

    Raises:
        PlanFileError: the text is not JSON or not a plan; every problem has its path.
    """
    try:
        data, duplicates = load_json(text)
    except JsonInputError as exc:
        raise PlanFileError(exc.problems) from None
    if duplicates:
        raise PlanFileError(duplicates)
    if not isinstance(data, dict):
        raise PlanFileError([Problem("", f"expected a JSON object (got {type(data).__name__})")])
    _unfilled_posts_read_as_nobody(data)
    try:
        return Plan.model_validate(data)
    except ValidationError as exc:
        raise PlanFileError([Problem(json_path(e["loc"]), _message(dict(e)))
                             for e in exc.errors(include_url=False)]) from None


def read_plan(path: str | PathLike[str]) -> Plan:
    """Read and validate the plan file at ``path`` (UTF-8 JSON).

    Raises:
        PlanFileError: the file cannot be read, or its content is not a plan.
    """
    try:
        text = read_bytes(path)
    except JsonInputError as exc:
        raise PlanFileError(exc.problems) from None
    return parse_plan(text)
