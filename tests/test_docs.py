"""The documentation states what the code does."""

from __future__ import annotations

from datetime import time
from pathlib import Path

from charterplan.model import Policy

ROOT = Path(__file__).resolve().parents[1]


def test_format_doc_lists_every_policy_field_with_its_default() -> None:
    """docs/format.md documents each policy field and its current default."""
    text = (ROOT / "docs" / "format.md").read_text(encoding="utf-8")
    for name, field in Policy.model_fields.items():
        default = field.default
        shown = f"'{default:%H:%M}'" if isinstance(default, time) else repr(default)
        assert f"| `{name}` | `{shown}` |" in text, name


def test_ci_runs_the_readme_test_command() -> None:
    """.ci/run reads its command from README.md, and README.md has that command."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "<!-- ci:test-command" in readme
    assert "README.md" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
