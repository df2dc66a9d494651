"""Fuzzing: mutated requests are either read or refused, by the library and the CLI."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from charterplan import RequestError, parse_request
from charterplan.cli import main
from tests.strategies import mutated_requests

MINIMAL: dict[str, Any] = json.loads(
    (Path(__file__).parents[1] / "data" / "valid" / "minimal.json").read_text(encoding="utf-8"))


def _read_or_refused(data: bytes) -> None:
    try:
        parse_request(data)
    except RequestError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert "431227199001011234" not in problem.message  # W1's ID number
            assert "13812345678" not in problem.message  # W1's phone


@given(mutated_requests(MINIMAL))
def test_parse_request_reads_or_refuses_mutated_requests(data: bytes) -> None:
    """Only a request or a RequestError, never another exception, and no ID in messages."""
    _read_or_refused(data)


@pytest.mark.slow
@settings(max_examples=2000)
@given(mutated_requests(MINIMAL))
def test_parse_request_reads_or_refuses_many_mutated_requests(data: bytes) -> None:
    """The same with 2,000 examples (run by hand: pytest -m slow)."""
    _read_or_refused(data)


def _cli(data: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = Path(tempfile.mkdtemp(dir=tmp_path))  # one per example
    request = folder / "request.json"
    request.write_bytes(data)
    out = folder / "out"
    code = main(["plan", str(request), "--out", str(out), "--quiet", "--jobs", "1"])
    err = capsys.readouterr().err
    assert code in (0, 2), err
    assert "Traceback" not in err
    assert (code == 0) == out.exists()


@settings(max_examples=8, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                  HealthCheck.too_slow])
@given(data=mutated_requests(MINIMAL))
def test_cli_plans_or_refuses_mutated_requests(data: bytes, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """plan exits 0 (planned, folder written) or 2 (refused, nothing written), never 1."""
    _cli(data, tmp_path, capsys)


@pytest.mark.slow
@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                    HealthCheck.too_slow])
@given(data=mutated_requests(MINIMAL))
def test_cli_plans_or_refuses_many_mutated_requests(data: bytes, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """The same with 200 examples (run by hand: pytest -m slow)."""
    _cli(data, tmp_path, capsys)
