"""plan.json: writing a plan as stable JSON and reading it back.

Keys follow the models' field order and lists keep the plan's order, so the same
plan always serialises to the same bytes.
"""

from __future__ import annotations

import json
from os import PathLike
from pathlib import Path

from pydantic import ValidationError

from charterplan.errors import Problem, RequestError
from charterplan.io.request import json_path
from charterplan.model import Plan

__all__ = ["dump_plan", "parse_plan", "read_plan"]


def dump_plan(plan: Plan) -> str:
    """The plan as JSON text (UTF-8 characters kept, one-space indent, final newline)."""
    return json.dumps(plan.model_dump(mode="json"), ensure_ascii=False, indent=1) + "\n"


def parse_plan(text: str | bytes) -> Plan:
    """Validate plan JSON text.

    Raises:
        RequestError: the text is not JSON or not a plan; every problem has its path.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RequestError([Problem("", f"malformed JSON: {exc}")]) from None
    try:
        return Plan.model_validate(data)
    except ValidationError as exc:
        raise RequestError([Problem(json_path(e["loc"]), e["msg"])
                            for e in exc.errors(include_url=False)]) from None


def read_plan(path: str | PathLike[str]) -> Plan:
    """Read and validate the plan file at ``path``."""
    try:
        text = Path(path).read_bytes()
    except OSError as exc:
        raise RequestError([Problem("", f"cannot read {str(path)!r}: {exc.strerror}")]) from None
    return parse_plan(text)
