"""The campaign ledger: tables, connections, one transaction per command, migrations.

A ledger is a SQLite file (a path) or a server named by a SQLAlchemy URL
(``postgresql+psycopg://…``). Every command runs in :func:`transaction`, which holds
the ledger's write lock from the first statement to the commit: SQLite begins with
``BEGIN IMMEDIATE`` in WAL mode (a second writer waits up to the busy timeout, then
is refused), PostgreSQL takes a transaction-level advisory lock. A command killed at
any instant therefore leaves the ledger as it was.

The schema is versioned by Alembic; the revisions ship inside this package
(``migrations/``) and run programmatically: :func:`upgrade` brings a ledger to the
newest revision, :func:`revision` reads the one a ledger is at.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Engine,
    Integer,
    MetaData,
    Table,
    Text,
    create_engine,
    event,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from charterplan.campaign.errors import CampaignError, LedgerBusyError

__all__ = ["BUSY_TIMEOUT_S", "arrivals", "assignments", "boardings", "county", "engine_for",
           "head_revision", "plan_versions", "revision", "transaction", "trip_drivers", "trips",
           "upgrade", "worker_events", "workers"]

BUSY_TIMEOUT_S = float(os.environ.get("CHARTERPLAN_LEDGER_TIMEOUT", "30"))
"""How long a command waits for another command's write lock before it is refused."""

_LOCK_KEY = 0x63686172  # the advisory lock every PostgreSQL command takes ("char")

metadata = MetaData()

# The live description of the tables, for queries. Migrations never import it: each
# revision spells out its own DDL, so an old revision stays what it was.
county = Table(
    "county", metadata,
    Column("id", Integer, primary_key=True),
    Column("source", Text, nullable=False),
    Column("sha256", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", Text, nullable=False),
)
workers = Table(
    "workers", metadata,
    Column("id", Text, primary_key=True),
    Column("record", Text, nullable=False),
    Column("township", Text, nullable=False),
    Column("poverty", Boolean, nullable=False),
    Column("state", Text, nullable=False),
    Column("trip_id", Text),
    Column("reason", Text),
    Column("registered_day", Text, nullable=False),
    Column("updated_day", Text, nullable=False),
)
worker_events = Table(
    "worker_events", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("worker_id", Text, nullable=False, index=True),
    Column("day", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("row", Integer),
    Column("before", Text),
    Column("after", Text),
    Column("recorded_at", Text, nullable=False),
)
plan_versions = Table(
    "plan_versions", metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("day", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("request_sha256", Text, nullable=False),
    Column("request", Text, nullable=False),
    Column("plan", Text, nullable=False),
    Column("changes", Text, nullable=False),
    Column("decision", Text, nullable=False),
)
trips = Table(
    "trips", metadata,
    Column("id", Text, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("published", Boolean, nullable=False),
    Column("published_at", Text),
    Column("status", Text, nullable=False),
    Column("departure", Text, nullable=False),
    Column("day", Text, nullable=False),
    Column("body", Text, nullable=False),
)
assignments = Table(
    "assignments", metadata,
    Column("version", Integer, primary_key=True),
    Column("worker_id", Text, primary_key=True),
    Column("trip_id", Text, nullable=False, index=True),
)
boardings = Table(
    "boardings", metadata,
    Column("trip_id", Text, primary_key=True),
    Column("worker_id", Text, primary_key=True),
    Column("present", Boolean, nullable=False),
    Column("recorded_at", Text, nullable=False),
)
arrivals = Table(
    "arrivals", metadata,
    Column("trip_id", Text, primary_key=True),
    Column("recorded_at", Text, nullable=False),
)
trip_drivers = Table(
    "trip_drivers", metadata,
    Column("trip_id", Text, primary_key=True),
    Column("seat", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    Column("phone", Text),
    Column("recorded_at", Text, nullable=False),
)


def _url(db: str | os.PathLike[str]) -> str:
    """A SQLAlchemy URL for ``db``: a URL as given, a path as a SQLite file."""
    text_ = os.fspath(db)
    if "://" in text_:
        try:
            url = make_url(text_)
        except ArgumentError as exc:
            raise CampaignError(f"{text_!r} is not a database URL: {exc}") from None
        if url.drivername in ("postgresql", "postgres"):
            url = url.set(drivername="postgresql+psycopg")  # psycopg 3, not psycopg2
        return url.render_as_string(hide_password=False)
    return f"sqlite:///{Path(text_).resolve()}"


def engine_for(db: str | os.PathLike[str]) -> Engine:
    """An engine for the ledger ``db`` (a path or a URL) that takes the write lock at the
    start of every transaction."""
    url = _url(db)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S})

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # we say BEGIN ourselves
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = FULL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(connection: Connection) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        engine = create_engine(url)

        @event.listens_for(engine, "begin")
        def _lock(connection: Connection) -> None:
            connection.exec_driver_sql(
                f"SELECT pg_advisory_xact_lock({_LOCK_KEY})")
    return engine


@contextmanager
def transaction(db: str | os.PathLike[str], *, new: bool = False) -> Iterator[Connection]:
    """One command's transaction on the ledger ``db``, committed when the block ends
    without an exception and rolled back otherwise.

    Unless ``new``, the ledger must exist and be at the newest schema revision.

    Raises:
        CampaignError: no such ledger, or a ledger of an older revision.
        LedgerBusyError: another command held the write lock past the busy timeout.
    """
    url = _url(db)
    if url.startswith("sqlite") and not new and not Path(os.fspath(db)).is_file():
        raise CampaignError(f"no ledger at {os.fspath(db)!r}; create it with "
                            "'campaign init DB --county COUNTY'")
    engine = engine_for(db)
    try:
        with engine.connect() as connection:
            try:
                with connection.begin():
                    if not new:
                        _require_head(connection)
                    yield connection
            except OperationalError as exc:
                if "locked" in str(exc) or "busy" in str(exc):
                    raise LedgerBusyError(
                        f"the ledger is busy with another command (waited "
                        f"{BUSY_TIMEOUT_S:g} s); nothing was recorded, try again") from None
                raise
    finally:
        engine.dispose()


def _config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", "charterplan.campaign:migrations")
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest schema revision this charterplan ships."""
    head = ScriptDirectory.from_config(_config(None)).get_current_head()  # type: ignore[arg-type]
    assert head is not None
    return head


def revision(connection: Connection) -> str | None:
    """The schema revision the ledger is at (None: not a ledger)."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(connection: Connection) -> None:
    """Bring the ledger to the newest revision, inside the caller's transaction."""
    command.upgrade(_config(connection), "head")


def _require_head(connection: Connection) -> None:
    found = revision(connection)
    if found is None:
        raise CampaignError("the database is not a charterplan ledger (no schema revision); "
                            "create it with 'campaign init DB --county COUNTY'")
    if found != head_revision():
        raise CampaignError(f"the ledger is at schema revision {found}, this charterplan "
                            f"needs {head_revision()}: run 'campaign init DB' to upgrade it")


def table_rows(connection: Connection, table: Table) -> list[tuple[Any, ...]]:
    """Every row of ``table`` in primary-key order (for comparing ledger states)."""
    keys = list(table.primary_key.columns)
    return [tuple(row) for row in connection.execute(table.select().order_by(*keys))]


def ledger_state(connection: Connection) -> dict[str, list[tuple[Any, ...]]]:
    """The whole ledger's content, table by table, in key order."""
    return {table.name: table_rows(connection, table) for table in metadata.sorted_tables}


