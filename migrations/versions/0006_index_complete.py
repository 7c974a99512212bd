"""Crash-safe index chains: which runs walked every index chain to its end.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05

- ``crawl_runs.index_complete``: true when the run was a crawl of the site's index
  chains (not a backfill or a re-parse) and ended ``ok`` or ``degraded``, i.e. it read
  every chain as far as its rules say. An incremental crawl treats what runs after the
  last such run stored as unseen when it decides how deep to read a chain
  (crawler/crawl/incremental.py, docs/RELIABILITY.md), so that a chain a killed crawl
  left half-read is finished.

Runs that ended ``ok`` or ``degraded`` before this migration are taken as complete
(the crawler made no difference before; a backfill among them cannot be told apart).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN (SQLite can, with a constant default): no table copy.
    op.add_column("crawl_runs", sa.Column("index_complete", sa.Boolean(), nullable=False,
                                          server_default=sa.false()))
    runs = sa.table("crawl_runs", sa.column("status", sa.String()),
                    sa.column("index_complete", sa.Boolean()))
    op.execute(runs.update().where(runs.c.status.in_(("ok", "degraded")))
               .values(index_complete=True))


def downgrade() -> None:
    with op.batch_alter_table("crawl_runs") as batch:
        batch.drop_column("index_complete")
