"""Reliability: per-run field statistics for the layout-change alarm.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28

- ``run_field_stats``: one row per run and extracted field (``crawler.ops.layout_alarm``):
  article pages parsed, how many had the field filled, how many took it from the
  generic layer, and the alarm (NULL: none) that made the run ``degraded``.

Plain SQLAlchemy types, as in 0001; tests/test_migrations.py checks for drift.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "run_field_stats",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("filled", sa.Integer(), nullable=False),
        sa.Column("generic", sa.Integer(), nullable=False),
        sa.Column("alarm", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["crawl_runs.id"], ondelete="CASCADE",
                                name=op.f("fk_run_field_stats_run_id_crawl_runs")),
        sa.PrimaryKeyConstraint("run_id", "field", name=op.f("pk_run_field_stats")),
    )


def downgrade() -> None:
    op.drop_table("run_field_stats")
