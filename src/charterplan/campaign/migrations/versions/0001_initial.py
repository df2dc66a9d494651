"""The first ledger schema: county, workers and their events, plan versions, trips,
assignments, boardings, arrivals.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create every table."""
    op.create_table(
        "county",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
    )
    op.create_table(
        "workers",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("record", sa.Text, nullable=False),
        sa.Column("township", sa.Text, nullable=False),
        sa.Column("poverty", sa.Boolean, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("trip_id", sa.Text),
        sa.Column("reason", sa.Text),
        sa.Column("registered_day", sa.Text, nullable=False),
        sa.Column("updated_day", sa.Text, nullable=False),
    )
    op.create_table(
        "worker_events",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("worker_id", sa.Text, nullable=False),
        sa.Column("day", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("row", sa.Integer),
        sa.Column("before", sa.Text),
        sa.Column("after", sa.Text),
        sa.Column("recorded_at", sa.Text, nullable=False),
    )
    op.create_index("ix_worker_events_worker_id", "worker_events", ["worker_id"])
    op.create_table(
        "plan_versions",
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("day", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("request_sha256", sa.Text, nullable=False),
        sa.Column("request", sa.Text, nullable=False),
        sa.Column("plan", sa.Text, nullable=False),
        sa.Column("changes", sa.Text, nullable=False),
        sa.Column("decision", sa.Text, nullable=False),
    )
    op.create_table(
        "trips",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("published", sa.Boolean, nullable=False),
        sa.Column("published_at", sa.Text),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("departure", sa.Text, nullable=False),
        sa.Column("day", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_table(
        "assignments",
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("worker_id", sa.Text, primary_key=True),
        sa.Column("trip_id", sa.Text, nullable=False),
    )
    op.create_index("ix_assignments_trip_id", "assignments", ["trip_id"])
    op.create_table(
        "boardings",
        sa.Column("trip_id", sa.Text, primary_key=True),
        sa.Column("worker_id", sa.Text, primary_key=True),
        sa.Column("present", sa.Boolean, nullable=False),
        sa.Column("recorded_at", sa.Text, nullable=False),
    )
    op.create_table(
        "arrivals",
        sa.Column("trip_id", sa.Text, primary_key=True),
        sa.Column("recorded_at", sa.Text, nullable=False),
    )


def downgrade() -> None:
    """Drop every table."""
    for name in ("arrivals", "boardings", "assignments", "trips", "plan_versions",
                 "worker_events", "workers", "county"):
        op.drop_table(name)
