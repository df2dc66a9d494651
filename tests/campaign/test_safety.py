"""A command killed at any instant leaves the ledger as before; two commands at once
never corrupt it (the second waits, or is refused with exit 2)."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

import charterplan.campaign as campaign
from charterplan.campaign import ledger
from charterplan.cli import main
from tests.campaign.conftest import first_day, write_list
from tests.conftest import worker

DAY = "2020-02-20"


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "charterplan", "campaign", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, **(env or {})})


def _state(db: Path) -> dict[str, object]:
    with ledger.transaction(db) as connection:
        return ledger.ledger_state(connection)


def _intact(db: Path) -> None:
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def _many(count: int) -> list[dict[str, object]]:
    return [worker(f"M{i:05d}", destination=("DG1", "DG2", "CS")[i % 3],
                   first="2020-02-22", last="2020-02-27") for i in range(count)]


def _kill_at_random(db: Path, args: list[str], seed: int, kills: int,
                    after: Callable[[], None] = lambda: None,
                    reset: Callable[[], None] = lambda: None) -> None:
    """Run ``args`` once to time it, then ``kills`` times killed with SIGKILL at a
    random instant; each killed run leaves the ledger as before, or, killed between its
    commit and its exit, as a whole run leaves it (as many rows in every table; the
    rows' times differ). A run that finished first is undone by restoring the copy.
    ``after`` checks more after each run; ``reset`` undoes more with the ledger."""
    before = _state(db)
    backup = db.read_bytes()
    started = time.perf_counter()
    finished = _cli(*args)
    _, err = finished.communicate(timeout=300)
    assert finished.returncode == 0, err.decode()
    duration = time.perf_counter() - started
    whole = {table: len(rows) for table, rows in _state(db).items()}
    assert whole != {table: len(rows) for table, rows in before.items()}
    rng = random.Random(seed)
    killed = 0
    for _ in range(kills):
        for path in db.parent.glob(db.name + "*"):
            path.unlink()
        db.write_bytes(backup)
        reset()
        process = _cli(*args)
        time.sleep(rng.uniform(0.2, 0.95) * duration)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            killed += 1
        process.wait(timeout=60)
        _intact(db)
        if process.returncode == -signal.SIGKILL:
            state = _state(db)
            assert state == before or {t: len(r) for t, r in state.items()} == whole
        after()
    assert killed, "no run was killed before it finished"


def test_a_killed_intake_leaves_the_ledger_as_before(tmp_path: Path, county: Path) -> None:
    """kill -9 of an intake of 3,000 workers at random instants: integrity holds and
    the ledger is as before."""
    db = tmp_path / "l.db"
    campaign.init(db, county)
    campaign.intake(db, write_list(tmp_path / "a.json", first_day()), date(2020, 2, 20))
    big = write_list(tmp_path / "big.json", _many(2000))
    _kill_at_random(db, ["intake", str(db), str(big), "--day", DAY], seed=27, kills=2)


def test_a_killed_plan_leaves_the_ledger_as_before(tmp_path: Path, county: Path) -> None:
    """kill -9 of a plan at random instants: integrity holds and the ledger is as before."""
    db = tmp_path / "l.db"
    campaign.init(db, county)
    campaign.intake(db, write_list(tmp_path / "a.json", _many(120)), date(2020, 2, 20))
    _kill_at_random(db, ["plan", str(db), "--day", DAY], seed=10, kills=2)


def test_a_killed_plan_out_leaves_no_folder_of_an_unrecorded_version(
        tmp_path: Path, county: Path) -> None:
    """kill -9 of 'plan --out' at random instants: a plan folder, when there is one,
    names a version the ledger holds, and 'campaign folder' writes the newest."""
    db = tmp_path / "l.db"
    out = tmp_path / "plans"
    campaign.init(db, county)
    campaign.intake(db, write_list(tmp_path / "a.json", _many(120)), date(2020, 2, 20))

    def consistent() -> None:
        with ledger.transaction(db) as connection:
            versions = {r.version for r in connection.execute(ledger.plan_versions.select())}
        if (out / "run.json").exists():
            run = json.loads((out / "run.json").read_text(encoding="utf-8"))
            assert run["ledger_version"] in versions
        if versions:
            campaign.plan_folder(db, out)
            run = json.loads((out / "run.json").read_text(encoding="utf-8"))
            assert run["ledger_version"] == max(versions)

    _kill_at_random(db, ["plan", str(db), "--day", DAY, "--out", str(out)], seed=4, kills=2,
                    after=consistent, reset=lambda: shutil.rmtree(out, ignore_errors=True))


def test_two_intakes_at_once_both_land(tmp_path: Path, county: Path) -> None:
    """Two intakes started together: the second waits for the first; both are recorded."""
    db = tmp_path / "l.db"
    campaign.init(db, county)
    one = write_list(tmp_path / "one.json", _many(1500)[:750])
    two = write_list(tmp_path / "two.json", _many(1500)[750:])
    runs = [_cli("intake", str(db), str(path), "--day", DAY) for path in (one, two)]
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err.decode()
    _intact(db)
    assert campaign.status(db)["workers"] == 1500


def test_a_command_that_cannot_get_the_lock_is_refused(tmp_path: Path, county: Path) -> None:
    """While another writer holds the ledger past the busy timeout, a command exits 2
    saying the ledger is busy, and records nothing."""
    db = tmp_path / "l.db"
    campaign.init(db, county)
    before = _state(db)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        run = _cli("intake", str(db), str(write_list(tmp_path / "a.json", first_day())),
                   "--day", DAY, env={"CHARTERPLAN_LEDGER_TIMEOUT": "0.5"})
        _, err = run.communicate(timeout=120)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert run.returncode == 2
    assert "busy" in err.decode()
    assert _state(db) == before


@pytest.mark.parametrize("args", [
    ["intake", "{db}", "{missing}", "--day", DAY],
    ["plan", "{db}", "--day", "2020-13-01"],
    ["publish", "{db}", "--until", "tomorrow"],
    ["board", "{db}", "NO-TRIP", "--present", "{missing}"],
    ["arrive", "{db}", "NO-TRIP"],
    ["status", "{db}", "--worker", "NOBODY"],
    ["trace", "{db}", "NOBODY"],
])
def test_bad_input_to_any_command_exits_2_and_records_nothing(
        tmp_path: Path, county: Path, args: list[str], capsys: pytest.CaptureFixture[str],
) -> None:
    """Each command refuses bad input with exit 2, a message, and an unchanged ledger."""
    db = tmp_path / "l.db"
    campaign.init(db, county)
    before = _state(db)
    filled = [a.format(db=db, missing=tmp_path / "missing.txt") for a in args]
    assert main(["campaign", *filled]) == 2
    assert capsys.readouterr().err.strip()
    assert _state(db) == before
