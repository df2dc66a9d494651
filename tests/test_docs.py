"""The documentation states what the code does."""

from __future__ import annotations

import shutil
import subprocess
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


def _ci_command(root: Path) -> subprocess.CompletedProcess[str]:
    """What ``.ci/run`` under ``root`` would run, as it prints it."""
    return subprocess.run(["bash", str(root / ".ci" / "run"), "--print-command"],
                          capture_output=True, text=True, timeout=60, check=False)


def test_ci_runs_the_readme_test_command() -> None:
    """.ci/run runs the command README.md shows in the code block after the
    ci:test-command marker, and that command installs, lints, type-checks, checks the
    import layers and tests."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    marker = next(i for i, line in enumerate(lines) if "<!-- ci:test-command" in line)
    assert lines[marker + 1].startswith("```") and lines[marker + 3] == "```"
    shown = lines[marker + 2]
    run = _ci_command(ROOT)
    assert run.returncode == 0, run.stderr
    assert run.stdout == shown + "\n"
    assert shown.split(" && ") == ['python -m pip install -e ".[test]"',
                                   "ruff check src tests benchmarks", "mypy",
                                   "lint-imports", "python -m pytest -q"]


def test_ci_takes_the_first_line_of_the_block_after_the_marker(tmp_path: Path) -> None:
    """.ci/run skips code blocks before the marker and prose after it, takes the first
    line inside the next block, and exits 2 when the marker is missing."""
    (tmp_path / ".ci").mkdir()
    shutil.copy(ROOT / ".ci" / "run", tmp_path / ".ci" / "run")
    readme = tmp_path / "README.md"
    readme.write_text("```sh\nnot this\n```\n<!-- ci:test-command -->\nprose\n```sh\n"
                      "echo this && true\necho nor this\n```\n", encoding="utf-8")
    run = _ci_command(tmp_path)
    assert (run.returncode, run.stdout) == (0, "echo this && true\n"), run.stderr
    readme.write_text("```sh\necho no marker\n```\n", encoding="utf-8")
    run = _ci_command(tmp_path)
    assert run.returncode == 2 and run.stdout == ""
    assert "no test command found" in run.stderr
