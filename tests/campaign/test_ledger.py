"""The ledger: schema by Alembic, one county, refusals that record nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

import charterplan.campaign as campaign
from charterplan.campaign import ledger


def test_init_creates_the_schema_at_the_newest_revision(db: str, county: Path) -> None:
    """init creates every table and records the head revision in the ledger."""
    assert campaign.init(db, county) == ledger.head_revision()
    with ledger.transaction(db) as connection:
        assert ledger.revision(connection) == ledger.head_revision()
        assert ledger.ledger_state(connection)["county"]


def test_init_again_upgrades_and_keeps_the_county(db: str, county: Path) -> None:
    """A second init (no county) is an upgrade that leaves the ledger as it was."""
    campaign.init(db, county)
    with ledger.transaction(db) as connection:
        before = ledger.ledger_state(connection)
    campaign.init(db)
    with ledger.transaction(db) as connection:
        assert ledger.ledger_state(connection) == before


def test_another_county_is_refused(db: str, county: Path, tmp_path: Path) -> None:
    """A ledger keeps the county it began with."""
    campaign.init(db, county)
    other = tmp_path / "other.json"
    other.write_text(county.read_text().replace("新晃汽车站", "别的车站"), encoding="utf-8")
    with pytest.raises(campaign.CampaignError, match="another county"):
        campaign.init(db, other)


def test_a_bad_county_file_names_the_path_and_creates_nothing(tmp_path: Path) -> None:
    """A county file with a bad field is refused with its JSON path; no ledger appears."""
    bad = tmp_path / "county.json"
    bad.write_text('{"hubs": [], "destinations": []}', encoding="utf-8")
    target = tmp_path / "l.db"
    with pytest.raises(campaign.CampaignError, match=r"county.json.hubs"):
        campaign.init(target, bad)
    assert not target.exists() or target.stat().st_size == 0 or _no_tables(target)


def _no_tables(path: Path) -> bool:
    import sqlite3

    with sqlite3.connect(path) as connection:
        return not connection.execute("SELECT name FROM sqlite_master").fetchall()


def test_a_missing_ledger_is_refused(tmp_path: Path) -> None:
    """A command on a path with no ledger says how to create one."""
    with pytest.raises(campaign.CampaignError, match="campaign init"):
        campaign.status(tmp_path / "none.db")


def test_a_ledger_of_another_revision_is_refused(db: str, county: Path) -> None:
    """A ledger whose recorded revision is not this charterplan's must be upgraded first."""
    campaign.init(db, county)
    with ledger.transaction(db) as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'old'"))
    with pytest.raises(campaign.CampaignError, match="schema revision old"):
        campaign.status(db)


def test_a_database_of_other_tables_is_left_alone(tmp_path: Path, county: Path) -> None:
    """init refuses a SQLite file that holds someone else's tables, and adds none."""
    import sqlite3

    path = tmp_path / "theirs.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE budget (item TEXT)")
    with pytest.raises(campaign.CampaignError, match="not a charterplan ledger"):
        campaign.init(path, county)
    with sqlite3.connect(path) as connection:
        names = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        assert [n for (n,) in names] == ["budget"]
