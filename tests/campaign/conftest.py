"""Ledgers on every backend: a SQLite file always, PostgreSQL when CHARTERPLAN_TEST_PG
names a server (tests/pg/run.sh starts a throw-away one)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import BASE, worker

PG = os.environ.get("CHARTERPLAN_TEST_PG")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    not PG, reason="CHARTERPLAN_TEST_PG is not set (tests/pg/run.sh sets it)"))]


def _fresh_pg(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty ledger location: a SQLite path, or a cleared PostgreSQL database."""
    if request.param == "postgresql":
        assert PG is not None
        _fresh_pg(PG)
        yield PG
    else:
        yield str(tmp_path / "ledger.db")


@pytest.fixture
def county(tmp_path: Path) -> Path:
    """The unit-test county (one bus station, three employers, eight staff) as a file."""
    path = tmp_path / "county.json"
    path.write_text(json.dumps({k: v for k, v in BASE.items() if k != "workers"},
                               ensure_ascii=False), encoding="utf-8")
    return path


def write_list(path: Path, items: list[dict[str, Any]]) -> Path:
    """A worker list file."""
    path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    return path


def first_day() -> list[dict[str, Any]]:
    """Six workers for DG1 and three for CS who must leave by 21 February."""
    return ([worker(f"W{i}", first="2020-02-20", last="2020-02-21") for i in range(6)]
            + [worker(f"C{i}", "CS", first="2020-02-20", last="2020-02-21") for i in range(3)])


def second_day() -> list[dict[str, Any]]:
    """Four late workers for DG1, three for CS from the 22nd, and three cancellations
    (one DG1 rider, two of the three CS riders)."""
    return ([worker(f"X{i}", first="2020-02-20", last="2020-02-26") for i in range(4)]
            + [worker(f"Y{i}", "CS", first="2020-02-22", last="2020-02-26") for i in range(3)]
            + [{"id": w, "status": "cancelled"} for w in ("W5", "C1", "C2")])
