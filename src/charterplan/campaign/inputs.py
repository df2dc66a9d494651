"""Reading what a county hands the campaign: the county file and worker lists.

The county file (SPEC §9) is a request without workers, as JSON or TOML; ``defaults``
is kept but not part of the request. A worker list is JSON: a list of request worker
objects (or ``{"workers": [...]}``); an item whose ``status`` is ``cancelled`` (or
``取消``) cancels that worker and needs only its ``id``. Every problem is reported with
its place in the file (``workers.json[3].destination: unknown destination 'E-99'``).
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from charterplan.campaign.errors import CampaignError
from charterplan.errors import RequestError
from charterplan.io.request import parse_request
from charterplan.model import PlanRequest
from charterplan.tables.county import read_county as read_county_file

__all__ = ["Entry", "read_county", "read_workers", "request_from", "request_part"]

CANCELLED = {"cancelled", "取消"}
_NOT_REQUEST = ("defaults", "townships")


@dataclass(frozen=True)
class Entry:
    """One item of a worker list: its row (1-based), the worker's id, and the validated
    worker as a request object, or None when the item cancels the worker."""

    row: int
    worker_id: str
    record: dict[str, Any] | None


def _load(path: Path) -> Any:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CampaignError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CampaignError(f"{path}: not UTF-8 text (save it as UTF-8)") from None
    try:
        if path.suffix.lower() == ".toml":
            return tomllib.loads(text)
        return json.loads(text, object_pairs_hook=_no_duplicates)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CampaignError(f"{path}: not valid {path.suffix.lstrip('.').upper() or 'JSON'}: "
                            f"{exc}") from None
    except _DuplicateKey as exc:
        raise CampaignError(f"{path}: duplicate key {exc.args[0]!r}") from None


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _problems(path: Path, error: RequestError, rename: dict[str, str]) -> CampaignError:
    lines = []
    for problem in error.problems[:50]:
        where = problem.path
        for old, new in rename.items():
            if where == old or where.startswith((old + ".", old + "[")):
                where = new + where[len(old):]
                break
        lines.append(f"  {path.name}{'' if where.startswith('[') else '.' if where else ''}"
                     f"{where}: {problem.message}")
    more = len(error.problems) - 50
    tail = [f"  and {more} more"] if more > 0 else []
    count = len(error.problems)
    return CampaignError("\n".join([f"{path} has {count} problem{'s' * (count != 1)}",
                                    *lines, *tail]))


def read_county(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The county file as a dict (a request without workers, plus ``townships`` and
    ``defaults``), read as ``import`` reads it (:func:`charterplan.tables.read_county`).

    Raises:
        CampaignError: unreadable, or not a valid request without workers (every
            problem with its path in the file).
    """
    path = Path(path)
    try:
        county = read_county_file(path)
        data = {**county.fields, "townships": list(county.townships),
                "defaults": county.defaults}
        data.setdefault("plan_id", path.stem)
        parse_request({**request_part(data), "workers": []})  # workers come by intake
    except RequestError as exc:
        raise _problems(path, exc, {}) from None
    return data


def request_part(county: dict[str, Any]) -> dict[str, Any]:
    """The county file's request fields (without ``defaults`` and ``townships``)."""
    return {k: v for k, v in county.items() if k not in _NOT_REQUEST}


def request_from(county: dict[str, Any], workers: list[dict[str, Any]],
                 plan_id: str | None = None) -> PlanRequest:
    """The request of the county with ``workers``."""
    body = request_part(county)
    return parse_request({**body, "plan_id": plan_id or body["plan_id"], "workers": workers})


def read_workers(path: str | os.PathLike[str], county: dict[str, Any]) -> list[Entry]:
    """The entries of a worker list, each worker validated against the county.

    Raises:
        CampaignError: every problem of the file, with its place, at once.
    """
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods", ".csv"):
        return _registry_entries(path, county)
    data = _load(path)
    base = ""
    if isinstance(data, dict) and "workers" in data:
        data, base = data["workers"], ".workers"
    if not isinstance(data, list):
        raise CampaignError(f"{path}: expected a JSON list of workers")
    problems: list[str] = []
    entries: list[Entry | None] = []
    records: list[dict[str, Any]] = []
    rename: dict[str, str] = {}
    for index, item in enumerate(data):
        where = f"{path.name}{base}[{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            problems.append(f"  {where}: expected a worker object with a string id")
            entries.append(None)
            continue
        status = item.get("status")
        if status in CANCELLED:
            entries.append(Entry(index + 1, item["id"], None))
            continue
        if status is not None:
            problems.append(f"  {where}.status: expected 'cancelled' or '取消' (got {status!r})")
        record = {k: v for k, v in item.items() if k != "status"}
        rename[f"workers[{len(records)}]"] = f"{base}[{index}]"
        records.append(record)
        entries.append(Entry(index + 1, item["id"], record))
    try:
        request = request_from(county, records)
    except RequestError as exc:
        found = _problems(path, exc, rename)
        problems = [*problems, *str(found).splitlines()[1:]]
        request = None
    if problems:
        count = len(problems)
        raise CampaignError("\n".join([f"{path} has {count} problem{'s' * (count != 1)}",
                                       *problems[:50]]
                                      + ([f"  and {count - 50} more"] if count > 50 else [])))
    assert request is not None
    canonical = {w.id: w.model_dump(mode="json", exclude_defaults=True) for w in request.workers}
    return [Entry(e.row, e.worker_id, canonical[e.worker_id] if e.record is not None else None)
            for e in entries if e is not None]


def _registry_entries(path: Path, county: dict[str, Any]) -> list[Entry]:
    """The entries of a registration table (附件1, SPEC §9): every worker of it, and a
    row whose 状态 is 取消 as a cancellation. Bad cells raise
    :class:`~charterplan.tables.TableError` naming each ``FILE!SHEET!CELL (header)``."""
    from charterplan.tables import REGISTRY_COLUMNS, read_table, registry_request
    from charterplan.tables.county import parse_county

    fields = {k: v for k, v in county.items() if k != "plan_id"}
    read = registry_request(read_table(path, REGISTRY_COLUMNS),
                            parse_county(fields, "county"), plan_id=str(county["plan_id"]))
    entries = [Entry(read.rows[w.id], w.id, w.model_dump(mode="json", exclude_defaults=True))
               for w in read.request.workers]
    entries += [Entry(r.row, str(r.worker["id"]), None) for r in read.cancelled]
    return sorted(entries, key=lambda e: e.row)
