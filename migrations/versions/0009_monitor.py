"""Continuous monitoring: what the monitor learned about each index page.

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-05

- ``monitor_pages``: one row per site and index page (``newsmon monitor``,
  ``crawler.crawl.polling``): decayed counts of new articles and the seconds they were
  counted over, polls, changes, last poll, last change and the planned interval, so
  that a restarted monitor keeps its learned rates.

Plain SQLAlchemy types, as in 0001; tests/test_migrations.py checks for drift.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PAGE_KINDS = ("home", "section", "region")


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    kinds = ", ".join(repr(k) for k in PAGE_KINDS)
    op.create_table(
        "monitor_pages",
        sa.Column("base_url", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("page_kind", sa.String(length=16), nullable=False),
        sa.Column("page_name", sa.Text(), nullable=False),
        sa.Column("long_count", sa.Float(), nullable=False),
        sa.Column("long_exposure", sa.Float(), nullable=False),
        sa.Column("short_count", sa.Float(), nullable=False),
        sa.Column("short_exposure", sa.Float(), nullable=False),
        sa.Column("polls", sa.Integer(), nullable=False),
        sa.Column("changes", sa.Integer(), nullable=False),
        sa.Column("last_polled_at", _utc(), nullable=True),
        sa.Column("last_change_at", _utc(), nullable=True),
        sa.Column("interval_seconds", sa.Float(), nullable=True),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.CheckConstraint(f'"page_kind" IN ({kinds})',
                           name=op.f("ck_monitor_pages_page_kind")),
        sa.PrimaryKeyConstraint("base_url", "url", name=op.f("pk_monitor_pages")),
    )


def downgrade() -> None:
    op.drop_table("monitor_pages")
