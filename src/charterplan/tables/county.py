"""The county file: everything of a request but its workers, in TOML or JSON.

Its keys are those of a request (``plan_id``, ``timezone``, ``hubs``, ``pickup_points``,
``destinations``, ``bus_types``, ``rail_services``, ``staff``, ``roads``, ``policy``),
plus ``townships`` (the county's townships, so a misspelt 乡镇 is caught) and
``defaults`` (``latest_arrival``: the date a row without 最迟到岗日期 must arrive by).
The request fields are checked with the workers, by :func:`charterplan.parse_request`.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from os import PathLike
from pathlib import Path
from typing import Any

from charterplan.errors import Problem
from charterplan.model import PlanRequest
from charterplan.tables.problems import TableError

__all__ = ["DEFAULTS", "County", "parse_county", "read_county"]

DEFAULTS = ("latest_arrival",)
_REQUEST_KEYS = tuple(k for k in PlanRequest.model_fields if k != "workers")


@dataclass(frozen=True)
class County:
    """A parsed county file: its name, the request fields it gives (in request order),
    the township names it knows (empty: not checked) and the row defaults."""

    name: str
    fields: dict[str, Any]
    townships: tuple[str, ...]
    defaults: dict[str, Any]

    def problem(self, path: str, message: str) -> Problem:
        """A problem of this file at ``path`` (a JSON path in it)."""
        return Problem(f"{self.name}: {path}" if path else self.name, message)


def _plain(value: Any) -> Any:
    """TOML dates and times as the ISO strings a request holds."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class _DuplicateKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object's pairs as a dict; a key given twice is refused, as TOML does."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _DuplicateKey(f"the key {key!r} is given twice in one object")
        found[key] = value
    return found


def parse_county(data: Mapping[str, Any], name: str) -> County:
    """Check the keys of a county file's content and split it.

    Raises:
        TableError: an unknown key, a ``workers`` list, or ``townships`` / ``defaults``
            of the wrong shape.
    """
    problems: list[Problem] = []
    for key in data:
        if key == "workers":
            problems.append(Problem(f"{name}: workers", "the county file holds no workers; "
                                    "they come from the registry"))
        elif key not in (*_REQUEST_KEYS, "townships", "defaults"):
            problems.append(Problem(f"{name}: {key}", "unknown key (expected "
                                    f"{', '.join((*_REQUEST_KEYS, 'townships', 'defaults'))})"))
    townships = data.get("townships", [])
    if not (isinstance(townships, list) and all(isinstance(t, str) for t in townships)):
        problems.append(Problem(f"{name}: townships", "expected a list of township names"))
        townships = []
    defaults = _plain(data.get("defaults", {}))
    if not isinstance(defaults, dict):
        problems.append(Problem(f"{name}: defaults", "expected a table of defaults"))
        defaults = {}
    for key in defaults:
        if key not in DEFAULTS:
            problems.append(Problem(f"{name}: defaults.{key}",
                                    f"unknown default (expected {', '.join(DEFAULTS)})"))
    if problems:
        raise TableError(name, problems)
    fields = {k: _plain(data[k]) for k in _REQUEST_KEYS if k in data}
    return County(name, fields, tuple(t.strip() for t in townships), defaults)


def read_county(path: str | PathLike[str]) -> County:
    """Read the county file at ``path``: ``.toml``, or ``.json`` (UTF-8, BOM allowed).

    Raises:
        TableError: the file cannot be read or parsed, or :func:`parse_county` refuses it.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TableError(path.name, [Problem(path.name, f"cannot read the file: "
                                             f"{exc.strerror or exc}")]) from None
    try:
        text = raw.decode("utf-8-sig")
        if path.suffix.lower() == ".toml":
            data: Any = tomllib.loads(text)
        elif path.suffix.lower() == ".json":
            data = json.loads(text, object_pairs_hook=_unique_keys)
        else:
            raise TableError(path.name, [Problem(path.name, "expected a .toml or .json "
                                                 "county file")])
    except UnicodeDecodeError:
        raise TableError(path.name, [Problem(path.name, "not UTF-8 text; save it as "
                                             "UTF-8")]) from None
    except (tomllib.TOMLDecodeError, json.JSONDecodeError, _DuplicateKey) as exc:
        raise TableError(path.name, [Problem(path.name, f"malformed "
                                             f"{path.suffix[1:].upper()}: {exc}")]) from None
    if not isinstance(data, dict):
        raise TableError(path.name, [Problem(path.name, "expected an object of request "
                                             "fields")])
    return parse_county(data, path.name)
