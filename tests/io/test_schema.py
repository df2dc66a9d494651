"""The schema files: which existing files are earlier schema outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from charterplan.io.schema import is_schema_file, schema_files


def test_the_files_written_now_and_older_ones_are_schema_files(tmp_path: Path) -> None:
    """Today's schema files, and an older version of them (other fields), count as
    schema outputs, each under its own name."""
    for name, text in schema_files().items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        assert is_schema_file(path)
        older = json.loads(text)
        older["properties"] = {"workers": {"type": "array"}}
        path.write_text(json.dumps(older), encoding="utf-8")
        assert is_schema_file(path)


@pytest.mark.parametrize("text", [
    "", "not json", "[]", '{"title": "PlanRequest"}',
    '{"title": "Plan", "properties": {}, "$defs": {}}',  # the plan's, under the request's name
    '{"title": "PlanRequest", "properties": [], "$defs": {}}'])
def test_anything_else_is_a_persons_file(tmp_path: Path, text: str) -> None:
    """Text that is not a JSON object titled as the request's schema, with properties
    and definitions, is not ours to replace."""
    path = tmp_path / "request.schema.json"
    path.write_text(text, encoding="utf-8")
    assert not is_schema_file(path)
