"""Reading a planning request: JSON text or a dict in, a validated PlanRequest out.

``parse_request`` is pure; ``read_request`` only opens the file and hands the text on.
Both raise :class:`~charterplan.errors.RequestError` listing every problem found, each
with its JSON path (``workers[17].destination: unknown destination 'E-99'``).
"""

from __future__ import annotations

import bisect
import csv
import io
import re
import reprlib
from collections.abc import Iterable, Mapping, Sequence
from os import PathLike
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from charterplan.errors import MAX_PROBLEMS, Problem, RequestError
from charterplan.io._json import JsonInputError, load_json, read_bytes
from charterplan.model import (
    BusType,
    Destination,
    Hub,
    PickupPoint,
    PlanRequest,
    Policy,
    RailService,
    RoadLeg,
    Staff,
    Worker,
)
from charterplan.model._times import DEFAULT_TIMEZONE, reset_zone, set_zone, zone_named
from charterplan.model.digest import request_digest
from charterplan.model.request import (
    LISTS,
    Elements,
    reference_problems,
    references_checked,
)

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


_ECHO = reprlib.Repr()
_ECHO.maxlevel, _ECHO.maxstring, _ECHO.maxother, _ECHO.maxlist, _ECHO.maxdict = 2, 30, 30, 3, 3


def echo(value: object) -> str:
    """A short rendering of an input value for an error message (masked later, with
    the whole message, by :class:`~charterplan.errors.Problem`)."""
    return _ECHO.repr(value)


def _problems(error: ValidationError, prefix: str = "") -> list[Problem]:
    items = error.errors(include_url=False)
    # A list that is too short because its only items failed is noise: its items speak.
    failed = {tuple(item["loc"][:n]) for item in items for n in range(1, len(item["loc"]))}
    problems: list[Problem] = []
    for item in items:
        if item["type"] == "too_short" and tuple(item["loc"]) in failed:
            continue
        path = _join(prefix, json_path(item["loc"]))
        cause = (item.get("ctx") or {}).get("error")
        if isinstance(cause, RequestError):
            problems.extend(Problem(_join(path, p.path), p.message) for p in cause.problems)
            continue
        message = str(item["msg"]).removeprefix("Value error, ")
        if item["type"] == "missing":
            message = "required field is missing"
        elif item["type"] == "extra_forbidden":
            message = "unknown field (check its spelling against the request schema)"
        elif "input" in item and item["type"] not in {"model_type", "dict_type"} and (
                "(got " not in message):
            message = f"{message} (got {echo(item['input'])})"
        problems.append(Problem(path, message))
    return sorted(problems, key=_path_key)


def _join(prefix: str, path: str) -> str:
    if not prefix or not path:
        return prefix or path
    return prefix + path if path.startswith("[") else f"{prefix}.{path}"


class _Problems:
    """The first :data:`~charterplan.errors.MAX_PROBLEMS` problems in request order, and
    a count of the rest: memory stays small whatever the input holds. Past
    :data:`STOP_AFTER` problems, reading stops (:attr:`stopped`), so that time stays
    small too."""

    def __init__(self) -> None:
        self.kept: list[tuple[tuple[object, ...], Problem]] = []
        self.more = 0

    @property
    def stopped(self) -> bool:
        """True once so many problems are found that counting on is pointless."""
        return self.more >= STOP_AFTER

    def full_before(self, key: tuple[object, ...]) -> bool:
        """True when every problem whose key starts with ``key`` would only be counted."""
        return len(self.kept) == MAX_PROBLEMS and key > self.kept[-1][0]

    def add(self, problem: Problem) -> None:
        key = _path_key(problem)
        if len(self.kept) == MAX_PROBLEMS and (key, problem) >= self.kept[-1]:
            self.more += 1
            return
        bisect.insort(self.kept, (key, problem))
        if len(self.kept) > MAX_PROBLEMS:
            self.kept.pop()
            self.more += 1

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.add(problem)

    def __bool__(self) -> bool:
        return bool(self.kept)

    def error(self) -> RequestError:
        return RequestError([p for _, p in self.kept], more=self.more,
                            stopped=self.stopped)


STOP_AFTER = 100_000
"""Problems counted beyond the listed ones before reading stops."""


_ELEMENTS: dict[str, type[BaseModel]] = {
    "hubs": Hub, "pickup_points": PickupPoint, "destinations": Destination,
    "workers": Worker, "bus_types": BusType, "rail_services": RailService,
    "staff": Staff, "roads": RoadLeg}
_INNER_LISTS = {"rail_services": ("stops",), "staff": ("roles",)}
_MAX_INNER_LIST = 200
"""Longest list inside an element (a train's stops, a person's roles) that is validated;
a longer one is refused whole, so a huge list cannot produce a problem per item."""


def _length_limits(name: str) -> tuple[int, int]:
    low, high = 0, 2**63
    for rule in PlanRequest.model_fields[name].metadata:
        low = getattr(rule, "min_length", None) or low
        high = getattr(rule, "max_length", None) or high
    return low, high


def _element(name: str, index: int, raw: object, problems: _Problems) -> BaseModel | None:
    """The element validated on its own, or None with its problems added."""
    path = f"{name}[{index}]"
    # once the list of problems is full, those of later elements are only counted
    counted_only = problems.full_before((_FIELD_ORDER[name], (0, index)))
    if not isinstance(raw, dict):
        if counted_only:
            problems.more += 1
        else:
            problems.add(Problem(path, f"expected a JSON object (got {echo(raw)})"))
        return None
    oversized = [key for key in _INNER_LISTS.get(name, ())
                 if isinstance(raw.get(key), list) and len(raw[key]) > _MAX_INNER_LIST]
    for key in oversized:
        problems.add(Problem(f"{path}.{key}", f"a list of {len(raw[key]):,} items, more than "
                             f"the {_MAX_INNER_LIST} a request ever needs here"))
    if oversized:
        return None
    try:
        return _ELEMENTS[name].model_validate(raw)
    except ValidationError as exc:
        if counted_only:
            problems.more += exc.error_count()
        else:
            problems.extend(_problems(exc, path))
        return None


def _raw_ids(items: object, kind: str | None = None) -> frozenset[str] | None:
    """Ids the raw list names (of ``kind``, or of an invalid kind), None if no list."""
    if not isinstance(items, list):
        return None
    others = {"bus_station", "rail_station"} - {kind}
    return frozenset(item["id"].strip() for item in items
                     if isinstance(item, dict) and isinstance(item.get("id"), str) and (
                         kind is None or not isinstance(item.get("kind"), str)
                         or item["kind"] not in others))


def _raw_stop_ids(services: object) -> frozenset[str] | None:
    if not isinstance(services, list):
        return None
    return frozenset(stop["id"].strip() for service in services if isinstance(service, dict)
                     and isinstance(service.get("stops"), list) for stop in service["stops"]
                     if isinstance(stop, dict) and isinstance(stop.get("id"), str))


def _validate(data: dict[str, Any], problems: _Problems, owned: bool) -> PlanRequest:
    """Validate every field and element, list every problem (shape, range and
    reference together: references are checked among the elements that are valid on
    their own), and build the request if there are none.

    ``owned``: the lists are ours (parsed here), so each element is dropped once
    validated, and a large request is never held twice, as dicts and as models.
    """
    hubs = data.get("hubs", [])
    ids = {"bus_hubs": _raw_ids(hubs, "bus_station"), "rail_hubs": _raw_ids(hubs, "rail_station"),
           "pickup_points": _raw_ids(data.get("pickup_points", [])),
           "destinations": _raw_ids(data.get("destinations", [])),
           "rail_stops": _raw_stop_ids(data.get("rail_services", []))}
    for key in data:
        if key not in PlanRequest.model_fields:
            problems.add(Problem(key, "unknown field (check its spelling against the "
                                 "request schema)"))
    for name, info in PlanRequest.model_fields.items():
        if info.is_required() and name not in data:
            problems.add(Problem(name, "required field is missing"))
    plan_id = data.get("plan_id")
    if "plan_id" in data and not (isinstance(plan_id, str) and 1 <= len(plan_id.strip()) <= 64):
        problems.add(Problem("plan_id", f"expected an id: a text of 1 to 64 characters "
                             f"(got {echo(plan_id)})"))
    zone_name = data.get("timezone", DEFAULT_TIMEZONE)
    zone = None
    try:
        if not isinstance(zone_name, str):
            raise ValueError("expected an IANA time zone name such as 'Asia/Shanghai'")
        zone = zone_named(zone_name)
    except ValueError as exc:
        problems.add(Problem("timezone", f"{exc} (got {echo(zone_name)})"))
    policy = None
    try:
        policy = Policy.model_validate(data.get("policy", {}))
    except ValidationError as exc:
        problems.extend(_problems(exc, "policy"))

    valid: dict[str, list[tuple[int, Any]]] = {}
    token = set_zone(zone)
    try:
        for name in LISTS:
            items = data.get(name, [])
            valid[name] = []
            low, high = _length_limits(name)
            if not isinstance(items, list):
                problems.add(Problem(name, f"expected a list (got {echo(items)})"))
            elif len(items) > high:
                problems.add(Problem(name, f"{len(items):,} items, more than the "
                                     f"{high:,} a request may hold"))
                data[name] = None  # unusable: no references into it are checked
            else:
                if len(items) < low and name in data:
                    problems.add(Problem(name, f"at least {low} item required"))
                for index, raw in enumerate(items):
                    if problems.stopped:
                        break
                    element = _element(name, index, raw, problems)
                    if owned:
                        items[index] = None
                    if element is not None:
                        valid[name].append((index, element))
    finally:
        reset_zone(token)

    elements = Elements(**valid, ids=ids, zone=zone, policy=policy)
    if not problems.stopped:
        problems.extend(reference_problems(elements))
    if problems:
        raise problems.error()
    # Every part is valid and the references are checked: the model need not again.
    token = references_checked.set(True)
    try:
        return PlanRequest.model_validate(
            {**data, **{name: tuple(item for _, item in valid[name]) for name in LISTS},
             "policy": policy})
    finally:
        references_checked.reset(token)


def parse_request(data: str | bytes | Mapping[str, Any]) -> PlanRequest:
    """Validate a request given as JSON text (UTF-8) or as an already-decoded mapping.

    Raises:
        RequestError: the JSON is malformed, or a field, reference or window is wrong;
            ``.problems`` lists every one with its JSON path, at most
            :data:`~charterplan.errors.MAX_PROBLEMS` (``.more`` counts the rest).
    """
    duplicates: list[Problem] = []
    if isinstance(data, str | bytes):
        try:
            data, duplicates = load_json(data)
        except JsonInputError as exc:
            raise RequestError(exc.problems) from None
        return _parsed(data, duplicates, owned=True)
    return _parsed(data, duplicates, owned=False)


def _parsed(data: object, duplicates: list[Problem], owned: bool) -> PlanRequest:
    if not isinstance(data, Mapping):
        raise RequestError([Problem("", f"expected a JSON object (got {type(data).__name__})")])
    problems = _Problems()
    problems.extend(duplicates)
    try:
        return _validate(dict(data), problems, owned)
    except ValidationError as exc:  # a rule the parts above do not repeat
        raise RequestError(_problems(exc)) from None


def read_request(path: str | PathLike[str]) -> PlanRequest:
    """Read and validate the request file at ``path`` (UTF-8 JSON, at most 100 MB).

    Raises:
        RequestError: the file cannot be read, or its content is not a valid request.
    """
    try:
        text = read_bytes(path)
    except JsonInputError as exc:
        raise RequestError(exc.problems) from None
    return parse_request(text)


def parse_roads(text: str) -> list[dict[str, Any]]:
    """Rows of a road table: a JSON list of ``{"from", "to", "km", "minutes"?}`` objects,
    or CSV with a header naming the columns ``from,to,km[,minutes]``.

    Values are returned as read; they are validated with the request they join.
    """
    stripped = text.lstrip("\ufeff").strip()
    if stripped.startswith("["):
        try:
            rows, duplicates = load_json(stripped)
        except JsonInputError as exc:
            raise RequestError(Problem("roads", str(p)) for p in exc.problems) from None
        if duplicates:
            raise RequestError(Problem("roads", str(p)) for p in duplicates)
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
    except (UnicodeDecodeError, csv.Error) as exc:
        raise RequestError([Problem("roads", f"{str(path)!r} is not UTF-8 CSV or JSON "
                                    f"({exc})")]) from None


def with_roads(path: str | PathLike[str], roads: str | PathLike[str]) -> PlanRequest:
    """Read the request at ``path`` with the road table at ``roads`` appended to its
    ``roads`` (their paths in errors continue the request's own list)."""
    try:
        data, duplicates = load_json(read_bytes(path))
    except JsonInputError as exc:
        raise RequestError(exc.problems) from None
    if isinstance(data, dict) and isinstance(data.get("roads", []), list):
        data["roads"] = [*data.get("roads", []), *read_roads(roads)]
    return _parsed(data, duplicates, owned=True)

