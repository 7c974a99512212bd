"""The monitor polls sitemaps too: ``monitor_pages.page_kind`` may be "sitemap".

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05

``newsmon monitor`` treats the site's sitemaps (the monthly one, a news sitemap) as
pages whose rate of new articles it learns like an index page's; their learned rates
are kept with the others. Only the check constraint changes (batch mode: SQLite
rebuilds the table from the table as 0009 made it, given in full so that
``alembic upgrade --sql`` can render it without reflecting).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KINDS = ("home", "section", "region")
NEW_KINDS = (*OLD_KINDS, "sitemap")


def _listed(kinds: tuple[str, ...]) -> str:
    return ", ".join(repr(k) for k in kinds)


def _table(kinds: tuple[str, ...]) -> sa.Table:
    """``monitor_pages`` as it stands, its check allowing ``kinds`` (as in 0009)."""
    utc = sa.DateTime(timezone=True)
    return sa.Table(
        "monitor_pages", sa.MetaData(),
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
        sa.Column("last_polled_at", utc, nullable=True),
        sa.Column("last_change_at", utc, nullable=True),
        sa.Column("interval_seconds", sa.Float(), nullable=True),
        sa.Column("updated_at", utc, nullable=False),
        sa.CheckConstraint(f'"page_kind" IN ({_listed(kinds)})',
                           name="ck_monitor_pages_page_kind"),
        sa.PrimaryKeyConstraint("base_url", "url", name="pk_monitor_pages"),
    )


def _replace_check(kinds: tuple[str, ...]) -> None:
    listed = _listed(kinds)
    before = OLD_KINDS if kinds == NEW_KINDS else NEW_KINDS
    with op.batch_alter_table("monitor_pages", recreate="auto",
                              copy_from=_table(before)) as batch:
        batch.drop_constraint(op.f("ck_monitor_pages_page_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_monitor_pages_page_kind"),
                                      f'"page_kind" IN ({listed})')


def upgrade() -> None:
    _replace_check(NEW_KINDS)


def downgrade() -> None:
    op.execute("DELETE FROM monitor_pages WHERE page_kind = 'sitemap'")
    _replace_check(OLD_KINDS)
