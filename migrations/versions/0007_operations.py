"""Operations: run counters for metrics, the scheduler's heartbeat, pruned totals.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05

- ``run_counters``: numbers of a run that ``crawl_runs`` has no column for, from the
  crawl's stats (``crawler.ops.metrics``): responses by HTTP status class, pages
  rendered in Chromium. One row per run and counter.
- ``heartbeats``: a long-running process (``newsmon schedule``) says it is alive
  (``newsmon doctor`` reads it).
- ``pruned_totals``: what ``newsmon prune`` deleted, added up per metric, so that the
  Prometheus counters computed from the tables never go down.

Plain SQLAlchemy types, as in 0001; tests/test_migrations.py checks for drift.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "run_counters",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["crawl_runs.id"], ondelete="CASCADE",
                                name=op.f("fk_run_counters_run_id_crawl_runs")),
        sa.PrimaryKeyConstraint("run_id", "name", name=op.f("pk_run_counters")),
    )
    op.create_table(
        "heartbeats",
        sa.Column("process", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("host", sa.Text(), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", _utc(), nullable=False),
        sa.Column("beat_at", _utc(), nullable=False),
        sa.Column("stopped_at", _utc(), nullable=True),
        sa.PrimaryKeyConstraint("process", name=op.f("pk_heartbeats")),
    )
    op.create_table(
        "pruned_totals",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_pruned_totals")),
    )


def downgrade() -> None:
    op.drop_table("pruned_totals")
    op.drop_table("heartbeats")
    op.drop_table("run_counters")
