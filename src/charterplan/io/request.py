"""Reading a planning request: JSON text or a dict in, a validated PlanRequest out.

``parse_request`` is pure; ``read_request`` only opens the file and hands the text on.
Both raise :class:`~charterplan.errors.RequestError` listing every problem found, each
with its JSON path (``workers[17].destination: unknown destination 'E-99'``).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from os import PathLike
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from charterplan.errors import Problem, RequestError
from charterplan.model import PlanRequest
from charterplan.model.digest import request_digest

__all__ = ["json_path", "parse_request", "parse_roads", "read_request", "read_roads",
           "request_digest", "with_roads"]


def json_path(loc: Sequence[int | str]) -> str:
    """Render a pydantic location tuple as a JSON path: ``workers[3].health.status``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


_FIELD_ORDER = {name: i for i, name in enumerate(PlanRequest.model_fields)}


def _path_key(problem: Problem) -> tuple[object, ...]:
    """Sort key that puts problems in request order: field order, then list index."""
    parts = re.findall(r"[^.\[\]]+", problem.path)
    head = _FIELD_ORDER.get(parts[0], len(_FIELD_ORDER)) if parts else -1
    return (head, *((0, int(p)) if p.isdigit() else (1, p) for p in parts[1:]))


def _problems(error: ValidationError) -> list[Problem]:
    items = error.errors(include_url=False)
    # A list that is too short because its only items failed is noise: its items speak.
    failed = {tuple(item["loc"][:n]) for item in items for n in range(1, len(item["loc"]))}
    problems: list[Problem] = []
    for item in items:
        if item["type"] == "too_short" and tuple(item["loc"]) in failed:
            continue
        cause = (item.get("ctx") or {}).get("error")
        if isinstance(cause, RequestError):
            prefix = json_path(item["loc"])
            for problem in cause.problems:
                joined = f"{prefix}.{problem.path}" if prefix and problem.path else (
                    prefix or problem.path)
                problems.append(Problem(joined, problem.message))
            continue
        message = str(item["msg"]).removeprefix("Value error, ")
        if item["type"] == "missing":
            message = "required field is missing"
        elif item["type"] == "extra_forbidden":
            message = "unknown field (check its spelling against the request schema)"
        elif "input" in item and item["type"] not in {"model_type", "dict_type"} and (
                "(got " not in message):
            message = f"{message} (got {item['input']!r})"
        problems.append(Problem(json_path(item["loc"]), message))
    return sorted(problems, key=_path_key)


def parse_request(data: str | bytes | Mapping[str, Any]) -> PlanRequest:
    """Validate a request given as JSON text or as an already-decoded mapping.

    Raises:
        RequestError: the JSON is malformed, or a field, reference or window is wrong;
            ``.problems`` lists every one with its JSON path.
    """
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise RequestError([Problem("", f"malformed JSON: {exc}")]) from None
    if not isinstance(data, Mapping):
        raise RequestError([Problem("", f"expected a JSON object (got {type(data).__name__})")])
    try:
        return PlanRequest.model_validate(dict(data))
    except ValidationError as exc:
        raise RequestError(_problems(exc)) from None


def read_request(path: str | PathLike[str]) -> PlanRequest:
    """Read and validate the request file at ``path`` (UTF-8 JSON).

    Raises:
        RequestError: the file cannot be read, or its content is not a valid request.
    """
    try:
        text = Path(path).read_bytes()
    except OSError as exc:
        raise RequestError([Problem("", f"cannot read {str(path)!r}: {exc.strerror}")]) from None
    return parse_request(text)


def parse_roads(text: str) -> list[dict[str, Any]]:
    """Rows of a road table: a JSON list of ``{"from", "to", "km", "minutes"?}`` objects,
    or CSV with a header naming the columns ``from,to,km[,minutes]``.

    Values are returned as read; they are validated with the request they join.
    """
    stripped = text.lstrip("\ufeff").strip()
    if stripped.startswith("["):
        rows = json.loads(stripped)
        if not isinstance(rows, list):
            raise RequestError([Problem("roads", "expected a JSON list of roads")])
        return [dict(row) if isinstance(row, dict) else row for row in rows]
    reader = csv.DictReader(io.StringIO(stripped))
    missing = {"from", "to", "km"} - set(reader.fieldnames or ())
    if missing:
        raise RequestError([Problem("roads", f"the CSV header lacks {sorted(missing)}")])
    return [{k: v for k, v in row.items() if k and v not in (None, "")} for row in reader]


def read_roads(path: str | PathLike[str]) -> list[dict[str, Any]]:
    """Read a road table file (CSV or JSON, UTF-8); see :func:`parse_roads`."""
    try:
        return parse_roads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise RequestError([Problem("", f"cannot read {str(path)!r}: {exc.strerror}")]) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RequestError([Problem("roads", f"{str(path)!r} is not UTF-8 CSV or JSON "
                                    f"({exc})")]) from None


def with_roads(path: str | PathLike[str], roads: str | PathLike[str]) -> PlanRequest:
    """Read the request at ``path`` with the road table at ``roads`` appended to its
    ``roads`` (their paths in errors continue the request's own list)."""
    try:
        text = Path(path).read_bytes()
    except OSError as exc:
        raise RequestError([Problem("", f"cannot read {str(path)!r}: {exc.strerror}")]) from None
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return parse_request(text)  # reports the broken JSON
    if isinstance(data, dict):
        data["roads"] = [*data.get("roads", []), *read_roads(roads)]
    return parse_request(data)
