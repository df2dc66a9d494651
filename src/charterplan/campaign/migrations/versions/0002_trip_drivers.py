"""The drivers of each trip as the escort records them at boarding (name, phone), so
that ``trace`` names them.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``trip_drivers``."""
    op.create_table(
        "trip_drivers",
        sa.Column("trip_id", sa.Text, primary_key=True),
        sa.Column("seat", sa.Integer, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("phone", sa.Text),
        sa.Column("recorded_at", sa.Text, nullable=False),
    )


def downgrade() -> None:
    """Drop ``trip_drivers``."""
    op.drop_table("trip_drivers")
