"""Reading JSON a person handed us: encodings, duplicate keys, size and nesting limits."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from charterplan import RequestError, read_request
from charterplan.io import _json
from charterplan.io._json import JsonInputError, load_json, read_bytes

MINIMAL = Path(__file__).parents[1] / "data" / "valid" / "minimal.json"


def test_utf8_with_and_without_bom_and_utf16_with_bom_are_read(tmp_path: Path) -> None:
    """A byte-order mark is no problem: the request reads the same in each encoding."""
    text = MINIMAL.read_text(encoding="utf-8")
    expected = read_request(MINIMAL)
    for name, data in [("bom", codecs.BOM_UTF8 + text.encode()),
                       ("utf16", text.encode("utf-16"))]:
        path = tmp_path / f"{name}.json"
        path.write_bytes(data)
        assert read_request(path) == expected


def test_gbk_is_refused_naming_the_encoding_and_the_line(tmp_path: Path) -> None:
    """read_request raises RequestError (never UnicodeDecodeError) naming GB18030/GBK."""
    path = tmp_path / "gbk.json"
    path.write_bytes(MINIMAL.read_text(encoding="utf-8").encode("gbk"))
    with pytest.raises(RequestError) as caught:
        read_request(path)
    assert "GB18030/GBK" in str(caught.value)
    assert "line 5, column 25" in str(caught.value)


def test_latin1_is_refused_as_not_utf8() -> None:
    """Bytes that are neither UTF-8 nor GB18030 are refused without naming GBK."""
    with pytest.raises(JsonInputError) as caught:
        load_json(b'{"name": "caf\xe9"}')
    assert "not UTF-8 text: byte 0xE9 at line 1, column 14" in str(caught.value)
    assert "GBK" not in str(caught.value)


def test_duplicate_keys_are_returned_with_their_paths() -> None:
    """Every key given twice is reported with its JSON path, however deep."""
    value, duplicates = load_json('{"a": [{"b": {"c": 1, "c": 2}}], "d": 1, "d": 2}')
    assert value["a"][0]["b"]["c"] == 2
    assert sorted(p.path for p in duplicates) == ["a[0].b.c", "d"]


def test_deep_nesting_is_refused_not_a_recursion_error() -> None:
    """100,000 levels of nesting are malformed input, not a crash."""
    with pytest.raises(JsonInputError, match="nested too deeply"):
        load_json("[" * 100_000 + "]" * 100_000)


def test_an_integer_too_long_for_python_is_read_as_infinity() -> None:
    """A 5,000-digit integer becomes inf (for the ranges to refuse), short ones stay ints."""
    value, _ = load_json('[' + "9" * 5000 + ', 12, -' + "1" * 400 + ']')
    assert value == [float("inf"), 12, float("-inf")]
    assert isinstance(value[1], int)


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A file larger than MAX_BYTES is refused with the limit named."""
    monkeypatch.setattr(_json, "MAX_BYTES", 100)
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"x": "y" * 200}))
    with pytest.raises(JsonInputError, match="larger than 100 bytes"):
        read_bytes(path)


def test_too_many_containers_or_values_are_refused_before_parsing(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Inputs whose parsed form would be huge are refused by counting, not by parsing."""
    monkeypatch.setattr(_json, "MAX_CONTAINERS", 10)
    with pytest.raises(JsonInputError, match="11 JSON objects and lists"):
        load_json("[" + ",".join(["{}"] * 10) + "]")
    monkeypatch.setattr(_json, "MAX_VALUES", 5)
    with pytest.raises(JsonInputError, match="6 JSON values"):
        load_json("[" + ",".join(["0"] * 7) + "]")
