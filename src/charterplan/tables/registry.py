"""The registration list (附件1 返岗需求摸排情况明细表) and a county file in, a request out.

:func:`import_registry` reads both files; :func:`registry_request` turns a read table
and a county into the request, checking every cell in one pass (SPEC §9): ID numbers by
their GB 11643 check digit and birth date, gender against the ID number, mobiles,
employers, townships and gathering points against the county file (with the closest
names when unknown), health states and dates. The request is then validated by
:func:`charterplan.parse_request`, its problems mapped back to the cells they concern.

A row whose 状态 is 取消 is cancelled and left out; a row without 返岗单位 whose
就业意愿 is 是 is a job seeker, left out for job matching (``match``) to give an employer.
Both are listed in the result, never dropped unsaid.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from os import PathLike
from pathlib import Path
from typing import Any

from charterplan.errors import Problem, RequestError
from charterplan.io.request import parse_request
from charterplan.model import PlanRequest
from charterplan.tables.cells import parse_day, parse_moment, parse_text, parse_yes_no
from charterplan.tables.county import County, read_county
from charterplan.tables.idcard import parse_id_number, worker_id
from charterplan.tables.problems import MAX_LISTED, CellError, TableProblems
from charterplan.tables.sheet import Cell, Column, Row, Table, read_table

__all__ = ["HEALTH", "REGISTRY_COLUMNS", "Registrant", "RegistryImport", "import_registry",
           "registry_request"]

REGISTRY_COLUMNS = (
    Column("township", "乡镇", aliases=("乡（镇）", "乡镇（街道）")),
    Column("village", "村（社区）", aliases=("村",)),
    Column("name", "姓名"),
    Column("gender", "性别"),
    Column("id_number", "身份证号码", aliases=("身份证号",)),
    Column("phone", "电话号码", aliases=("联系电话", "手机号码")),
    Column("poor", "是否贫困户", aliases=("是否建档立卡贫困户",)),
    Column("employer", "返岗单位"),
    Column("earliest", "最早出发日期"),
    Column("latest", "最迟到岗日期", required=False),
    Column("health", "健康状况"),
    Column("quarantine_until", "隔离期满日期", required=False),
    Column("certificate", "健康证明有效期至", required=False),
    Column("group", "同行组", required=False),
    Column("captain", "愿任车长", required=False),
    Column("gathering", "集合点", required=False),
    Column("wants_work", "就业意愿", required=False),
    Column("region", "意向地区", required=False),
    Column("trade", "意向工种", required=False),
    Column("status", "状态", required=False),
)

HEALTH = {"健康": "cleared", "隔离中": "quarantine", "有症状": "symptomatic",
          "未核验": "unverified"}
_HEALTH_WORDS = {**HEALTH, **{code: code for code in HEALTH.values()}}
_GENDERS = {"男": "男", "女": "女", "男性": "男", "女性": "女", "m": "男", "f": "女",
            "male": "男", "female": "女"}
_CANCELLED = {"取消", "已取消"}
_MOBILE = re.compile(r"1\d{10}")

# the registry column of each worker field, to name the cell of a request problem
_FIELD_COLUMNS = {"name": "name", "gender": "gender", "id_number": "id_number",
                  "phone": "phone", "township": "township", "village": "village",
                  "pickup_point": "gathering", "hub": "gathering", "destination": "employer",
                  "earliest_departure": "earliest", "latest_arrival": "latest",
                  "health": "health", "health.status": "health",
                  "health.quarantine_until": "quarantine_until",
                  "health.certificate_valid_until": "certificate",
                  "poverty_registered": "poor", "group": "group",
                  "captain_volunteer": "captain"}


@dataclass(frozen=True)
class Registrant:
    """A row of the registry left out of the request: cancelled, or looking for work.

    ``worker`` holds the request fields read from the row (no ``destination`` for a
    job seeker); ``region`` and ``trade`` are 意向地区 and 意向工种.
    """

    row: int
    worker: dict[str, Any]
    region: str | None = None
    trade: str | None = None


@dataclass(frozen=True)
class RegistryImport:
    """The result of an import: the request as validated and as a JSON-ready dict, the
    registry row of each worker (by worker id), and the rows left out of the request
    (cancelled, job seekers for ``match``)."""

    request: PlanRequest
    data: dict[str, Any]
    rows: dict[str, int] = field(repr=False)
    job_seekers: tuple[Registrant, ...] = ()
    cancelled: tuple[Registrant, ...] = ()


def import_registry(registry: str | PathLike[str], county: str | PathLike[str], *,
                    sheet: str | None = None, today: date | None = None) -> RegistryImport:
    """Read the registry table and the county file and build the request.

    Args:
        registry: ``.xlsx`` (first sheet unless ``sheet``) or ``.csv``.
        county: ``.toml`` or ``.json``.
        sheet: the workbook's sheet to read.
        today: births after this day are refused (default: today).

    Raises:
        TableError: with every problem of the table and the county file, each named by
            its cell (``registry.xlsx!Sheet1!E17 (身份证号码): check digit is X, not 3``)
            or its place in the county file.
    """
    county_file = read_county(county)
    table = read_table(registry, REGISTRY_COLUMNS, sheet=sheet)
    return registry_request(table, county_file, plan_id=Path(registry).stem, today=today)


class _Places:
    """Names and ids of the county's places, resolved from what a clerk writes."""

    def __init__(self, fields: Mapping[str, Any]) -> None:
        self.employers = _lookup(fields.get("destinations", []))
        points = _lookup(fields.get("pickup_points", []))
        hubs = _lookup([h for h in fields.get("hubs", [])
                        if isinstance(h, dict) and h.get("kind") == "bus_station"])
        # a name two places share maps to "" (ambiguous), as in _lookup
        self.gatherings: dict[str, tuple[str, str] | str] = {
            **{k: ("hub", v) if v else "" for k, v in hubs.items()},
            **{k: ("pickup_point", v) if v else "" for k, v in points.items()}}


def _lookup(items: Any) -> dict[str, str]:
    """Each item's id and (unique) name → its id."""
    found: dict[str, str] = {}
    names: dict[str, list[str]] = {}
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            found[item["id"]] = item["id"]
            if isinstance(item.get("name"), str):
                names.setdefault(item["name"].strip(), []).append(item["id"])
    for name, ids in names.items():
        found.setdefault(name, ids[0] if len(ids) == 1 else "")  # "" = ambiguous
    return found


@functools.lru_cache(maxsize=1024)
def _closest(word: str, known: tuple[str, ...]) -> str:
    """"; closest: a, b, c" (the names most like ``word``), or nothing."""
    close = difflib.get_close_matches(word, known, n=3, cutoff=0.4)
    return f"; closest: {', '.join(close)}" if close else ""


class _RowReader:
    """Reads one row into a worker's fields, recording each bad cell."""

    def __init__(self, table: Table, county: County, today: date) -> None:
        self.table, self.county, self.today = table, county, today
        self.problems = table.new_problems()
        self.places = _Places(county.fields)
        self.townships = set(county.townships)
        self.names = {"employer": tuple(sorted(self.places.employers)),
                      "gathering point": tuple(sorted(self.places.gatherings)),
                      "township": tuple(sorted(self.townships))}
        self.seen_ids: dict[str, int] = {}

    def text(self, cell: Cell) -> str | None:
        value = cell.value
        if value is None or isinstance(value, str):  # most cells: no parser needed
            return value
        return self.problems.parse(cell, parse_text)

    def required(self, cell: Cell) -> str | None:
        value = self.text(cell)
        if value is None:
            self.problems.cell(cell, "blank; it is required")
        return value

    def identity(self, row: Row) -> tuple[str, str | None, str | None]:
        """The worker id, the ID number and the gender (from the cell or the ID)."""
        cell, number, from_id = row["id_number"], None, None
        if isinstance(cell.value, float | int) and not isinstance(cell.value, bool):
            self.problems.cell(cell, "stored as a number, which keeps only 15 digits; "
                               "format the column as text and type the number again")
        elif cell.value is not None:
            try:
                checked = parse_id_number(str(cell.value), self.today)
            except CellError as exc:
                self.problems.cell(cell, str(exc))
            else:
                number, from_id = checked.number, checked.gender
                if number in self.seen_ids:
                    self.problems.cell(cell, f"the same ID number as row "
                                       f"{self.seen_ids[number]}")
                self.seen_ids.setdefault(number, row.number)
        gender = self.text(row["gender"])
        if gender is not None:
            normal = _GENDERS.get(gender.lower())
            if normal is None:
                self.problems.cell(row["gender"], f"expected 男 or 女 (got {gender!r})")
            elif from_id is not None and normal != from_id:
                self.problems.cell(row["gender"], f"{normal}, but the ID number is a "
                                   f"{from_id}'s")
            gender = normal
        ident = worker_id(number) if number else f"R{row.number}"
        return ident, number, gender or from_id

    def phone(self, cell: Cell) -> str | None:
        text = self.text(cell)
        if text is None:
            return None
        digits = re.sub(r"[\s\-()]", "", text)
        digits = digits.removeprefix("+86") if digits.startswith("+86") else digits
        if not _MOBILE.fullmatch(digits):
            count = sum(c.isdigit() for c in digits)
            self.problems.cell(cell, f"a mobile number has 11 digits starting with 1 "
                               f"(this one has {count} digit{'s' if count != 1 else ''}"
                               f"{'' if digits.isdigit() else ' and other characters'})")
            return None
        return digits

    def named(self, cell: Cell, known: Mapping[str, Any], what: str) -> Any:
        """What ``cell`` names (by id or name) in ``known``; None, recorded, if unknown."""
        text = self.text(cell)
        if text is None:
            return None
        found = known.get(text)
        if found is None:
            self.problems.cell(cell, f"unknown {what} {text!r}{self.closest(text, what)}")
        elif found == "":
            self.problems.cell(cell, f"two {what}s are named {text!r}; write the id")
            return None
        return found

    def closest(self, word: str, what: str) -> str:
        """The ``what`` names most like ``word``, while problems are still listed (past
        :data:`MAX_LISTED` nobody reads them, and difflib is slow on thousands)."""
        if len(self.problems) >= MAX_LISTED:
            return ""
        return _closest(word, self.names[what])

    def township(self, cell: Cell) -> str | None:
        town = self.required(cell)
        if town is not None and self.townships and town not in self.townships:
            self.problems.cell(cell, f"unknown township {town!r}"
                               f"{self.closest(town, 'township')}")
        return town

    def moment(self, cell: Cell) -> str | None:
        if cell.value is None:
            return None
        value = self.problems.parse(cell, parse_moment)
        if isinstance(value, datetime):
            return value.isoformat(timespec="minutes")
        return value.isoformat() if value is not None else None

    def day(self, cell: Cell) -> str | None:
        if cell.value is None:
            return None
        value = self.problems.parse(cell, parse_day)
        return value.isoformat() if value is not None else None

    def health(self, row: Row) -> dict[str, Any]:
        text = self.text(row["health"])
        status = "unverified" if text is None else _HEALTH_WORDS.get(text)
        if status is None:
            self.problems.cell(row["health"], f"expected {' / '.join(HEALTH)} "
                               f"(got {text!r})")
        record: dict[str, Any] = {"status": status or "unverified"}
        for key, column in (("quarantine_until", "quarantine_until"),
                            ("certificate_valid_until", "certificate")):
            value = self.day(row[column])
            if value is not None:
                record[key] = value
        return record

    def yes_no(self, cell: Cell) -> bool:
        value = cell.value
        if value is None or value == "否":
            return False
        return value == "是" or bool(self.problems.parse(cell, parse_yes_no))


def _person(reader: _RowReader, row: Row) -> dict[str, Any]:
    """Who a row is: id, name, gender, ID number and phone (what a cancelled row needs)."""
    ident, number, gender = reader.identity(row)
    worker: dict[str, Any] = {"id": ident, "name": reader.required(row["name"])}
    for key, value in (("gender", gender), ("id_number", number),
                       ("phone", reader.phone(row["phone"]))):
        if value is not None:
            worker[key] = value
    return worker


def _worker(reader: _RowReader, row: Row) -> tuple[dict[str, Any], bool | None]:
    """A row as request worker fields (``destination`` None when blank) and its 就业意愿."""
    worker = _person(reader, row)
    worker["township"] = reader.township(row["township"])
    village = reader.text(row["village"])
    if village is not None:
        worker["village"] = village
    gathering = reader.named(row["gathering"], reader.places.gatherings, "gathering point")
    if gathering is not None:
        worker[gathering[0]] = gathering[1]
    worker["destination"] = reader.named(row["employer"], reader.places.employers,
                                         "employer")
    worker["earliest_departure"] = reader.moment(row["earliest"])
    if worker["earliest_departure"] is None and row["earliest"].blank:
        reader.problems.cell(row["earliest"], "blank; it is required")
    latest = reader.moment(row["latest"])
    if latest is None and row["latest"].blank:
        latest = reader.county.defaults.get("latest_arrival")
        if latest is None:
            reader.problems.cell(row["latest"], f"blank, and {reader.county.name} has no "
                                 "defaults.latest_arrival")
    worker["latest_arrival"] = latest
    worker["health"] = reader.health(row)
    worker["poverty_registered"] = reader.yes_no(row["poor"])
    group = reader.text(row["group"])
    if group is not None:
        worker["group"] = group
    worker["captain_volunteer"] = reader.yes_no(row["captain"])
    wants_work = reader.problems.parse(row["wants_work"], parse_yes_no)
    return worker, wants_work


def registry_request(table: Table, county: County, *, plan_id: str = "registry",
                     today: date | None = None) -> RegistryImport:
    """The request of a read registry table and a county (see :func:`import_registry`).

    ``plan_id`` is used when the county file gives none.

    Raises:
        TableError: every problem of the rows, and of the request they make with the
            county, each named by its cell or its place in the county file.
    """
    reader = _RowReader(table, county, today or date.today())
    problems = reader.problems
    workers: list[dict[str, Any]] = []
    rows: list[int] = []
    seekers: list[Registrant] = []
    cancelled: list[Registrant] = []
    for row in table:
        status = reader.text(row["status"])
        before = len(problems)
        if status in _CANCELLED:  # only who it is matters
            cancelled.append(Registrant(row.number, _person(reader, row)))
            continue
        if status is not None:
            problems.cell(row["status"], f"expected 取消 or blank (got {status!r})")
        worker, wants_work = _worker(reader, row)
        if worker["destination"] is None and row["employer"].blank:
            if wants_work:
                worker.pop("destination")
                seekers.append(Registrant(row.number, worker, reader.text(row["region"]),
                                          reader.text(row["trade"])))
                continue
            problems.cell(row["employer"], "blank: name the employer, or write 是 under "
                          "就业意愿 to have job matching find one")
        if len(problems) == before:
            workers.append(worker)
            rows.append(row.number)
    data = {"plan_id": plan_id, **county.fields, "workers": workers}
    data = {k: data[k] for k in PlanRequest.model_fields if k in data}
    try:
        request = parse_request(data)
    except RequestError as exc:
        for problem in exc.problems:
            _map_back(problem, table, county, rows, problems)
        request = None
    problems.raise_if_any()
    assert request is not None  # parse_request raised nothing, or problems were listed
    return RegistryImport(request, data, {w["id"]: r for w, r in zip(workers, rows, strict=True)},
                          tuple(seekers), tuple(cancelled))


_FIELD_HEADERS = {"earliest_departure": "最早出发日期", "latest_arrival": "最迟到岗日期",
                  "quarantine_until": "隔离期满日期",
                  "certificate_valid_until": "健康证明有效期至"}
_WORKER_PATH = re.compile(r"workers\[(\d+)\](?:\.(\w+(?:\.\w+)?))?")


def _map_back(problem: Problem, table: Table, county: County, rows: list[int],
              problems: TableProblems) -> None:
    """Record a request problem at its cell (a worker's field), or in the county file."""
    match = _WORKER_PATH.match(problem.path)
    if match is None:
        problems.other(county.problem(problem.path, problem.message))
        return
    number = rows[int(match.group(1))]
    column = _FIELD_COLUMNS.get(match.group(2) or "")
    index = table.headers.get(column) if column is not None else None
    message = problem.message
    for name, header in _FIELD_HEADERS.items():  # the clerk's words for the fields
        message = message.replace(name, header)
    if column is None:
        problems.row(number, message)
    else:
        header = next(c.header for c in REGISTRY_COLUMNS if c.key == column)
        problems.cell(Cell(None, number, index, header), message)
