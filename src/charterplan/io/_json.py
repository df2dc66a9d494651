"""Reading JSON a person handed us: any bytes in, a JSON value or a list of problems out.

Only UTF-8 is read (with or without a byte-order mark; UTF-16/32 with one, too);
anything else is refused with the line where it breaks and, for GB18030/GBK, the name
of the encoding. A key given twice in one object is refused with its path, since
Python's ``json`` would silently keep the last. Files over :data:`MAX_BYTES`, or with
more objects and lists than :data:`MAX_CONTAINERS` or more values than
:data:`MAX_VALUES`, are refused before they are parsed, so that reading any input stays
well under a gigabyte of memory; nesting deeper than Python can parse is refused too.
In an input with an integer too long for Python's ``int()`` (4,300 digits), integers
longer than 30 digits are read as floats (infinite beyond about 308 digits), so that
the models' ranges refuse them with their path.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from os import PathLike
from pathlib import Path
from typing import Any

from charterplan.errors import CharterplanError, Problem

__all__ = ["MAX_BYTES", "MAX_CONTAINERS", "MAX_VALUES", "JsonInputError", "load_json",
           "read_bytes"]

MAX_BYTES = 100_000_000
"""Largest input read: 100 MB, about 200,000 workers written with indentation."""
MAX_CONTAINERS = 2_000_000
"""Most JSON objects and lists in one input (a worker takes two)."""
MAX_VALUES = 10_000_000
"""Most values in one input, counted by their separating commas (a worker takes ~15)."""
_MAX_INT_DIGITS = 30


class JsonInputError(CharterplanError, ValueError):
    """Input that is not JSON charterplan reads; ``problems`` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(map(str, problems)))


class _Duplicated(dict[str, Any]):
    """An object in which some key was given more than once (the last value kept)."""

    duplicate_keys: list[str]


def read_bytes(path: str | PathLike[str]) -> bytes:
    """The bytes of the file at ``path``, refusing one larger than :data:`MAX_BYTES`
    without reading it all (a device or pipe is read only that far)."""
    try:
        with Path(path).open("rb") as file:
            data = file.read(MAX_BYTES + 1)
    except OSError as exc:
        raise JsonInputError([Problem("", f"cannot read {str(path)!r}: {exc.strerror}")]) from None
    if len(data) > MAX_BYTES:
        raise JsonInputError([Problem("", f"{str(path)!r} is larger than {MAX_BYTES:,} bytes, "
                                      "the most charterplan reads; split the request")])
    return data


def _where(data: bytes, offset: int) -> str:
    line = data.count(b"\n", 0, offset) + 1
    column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    encoding = json.detect_encoding(data)
    if encoding.startswith(("utf-16", "utf-32")):
        try:
            return data.decode(encoding).lstrip("\ufeff")
        except UnicodeDecodeError as exc:
            raise JsonInputError([Problem("", f"not valid {encoding.upper()} text at byte "
                                          f"{exc.start:,}; save the file as UTF-8")]) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        byte = data[exc.start]
        try:
            data.decode("gb18030")
        except UnicodeDecodeError:
            guess = "it is in another encoding (Latin-1 or similar)"
        else:
            guess = ("it reads as GB18030/GBK, the encoding of Chinese Windows; charterplan "
                     "reads UTF-8 only, so that a name is never read wrong")
        raise JsonInputError([Problem("", (
            f"the file is not UTF-8 text: byte 0x{byte:02X} at {_where(data, exc.start)}; "
            f"{guess}. Save it as UTF-8 (in Excel or Notepad: Save As, encoding UTF-8)"))
        ]) from None


def _too_large(text: str | bytes) -> Problem | None:
    if len(text) > MAX_BYTES:
        return Problem("", f"the input is larger than {MAX_BYTES:,} bytes, the most "
                       "charterplan reads; split the request")
    if isinstance(text, str):
        containers = text.count("{") + text.count("[")
        values = text.count(",")
    else:
        containers = text.count(b"{") + text.count(b"[")
        values = text.count(b",")
    if containers > MAX_CONTAINERS:
        return Problem("", f"the input holds about {containers:,} JSON objects and lists, "
                       f"more than the {MAX_CONTAINERS:,} charterplan reads")
    if values > MAX_VALUES:
        return Problem("", f"the input holds about {values:,} JSON values, more than the "
                       f"{MAX_VALUES:,} charterplan reads")
    return None


class _ObjectHook:
    """``object_pairs_hook`` that marks the objects with a key given twice."""

    def __init__(self) -> None:
        self.duplicated = False

    def __call__(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(pairs)
        if len(result) == len(pairs):
            return result
        self.duplicated = True
        marked = _Duplicated(result)
        seen: set[str] = set()
        marked.duplicate_keys = [k for k, _ in pairs if k in seen or seen.add(k)]  # type: ignore[func-returns-value]
        return marked


def _integer(text: str) -> int | float:
    return int(text) if len(text.lstrip("-")) <= _MAX_INT_DIGITS else float(text)


def _path(parts: tuple[str | int, ...]) -> str:
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
    return path


def _duplicates(value: Any) -> Iterator[Problem]:
    """Each key given twice, with its path; an iterative walk (inputs may nest deeply)."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    while stack:
        item, parts = stack.pop()
        if isinstance(item, dict):
            for key in getattr(item, "duplicate_keys", ()):
                yield Problem(_path((*parts, key)), "key given more than once in one object "
                              "(which value is meant?)")
            stack.extend((v, (*parts, k)) for k, v in item.items()
                         if isinstance(v, dict | list))
        elif isinstance(item, list):
            stack.extend((v, (*parts, i)) for i, v in enumerate(item)
                         if isinstance(v, dict | list))


def load_json(data: str | bytes) -> tuple[Any, list[Problem]]:
    """Parse JSON text: the value, and the keys given twice in one object (which the
    value keeps the last of: the caller refuses the input, and may list its other
    problems with them).

    Raises:
        JsonInputError: the input is too large, not UTF-8, nested too deeply or not JSON.
    """
    too_large = _too_large(data)
    if too_large is not None:
        raise JsonInputError([too_large])
    text = _decode(data) if isinstance(data, bytes) else data.removeprefix("\ufeff")
    hook = _ObjectHook()
    try:
        try:
            value = json.loads(text, object_pairs_hook=hook)
        except ValueError as exc:
            if isinstance(exc, json.JSONDecodeError):
                raise
            # an integer too long for int(): read such integers as floats
            # (converting every integer in Python is slow, so only then)
            hook = _ObjectHook()
            value = json.loads(text, object_pairs_hook=hook, parse_int=_integer)
    except json.JSONDecodeError as exc:
        raise JsonInputError([Problem("", f"malformed JSON: {exc}")]) from None
    except RecursionError:
        raise JsonInputError([Problem("", "malformed JSON: nested too deeply (a request "
                                      "nests five levels)")]) from None
    if not hook.duplicated:
        return value, []
    duplicates = list(_duplicates(value))
    return value, duplicates
