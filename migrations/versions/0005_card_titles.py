"""Card titles: what each index card showed, so a headline that differs from the
article's title makes it due once, not on every crawl (issue 13, item 23).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05

- ``index_pages.card_titles``: the title each card of the page showed at its last full
  observation (a JSON object: article URL -> title); NULL for pages observed before.

Plain SQLAlchemy types, as in 0001; tests/test_migrations.py checks for drift.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("index_pages") as batch:
        batch.add_column(sa.Column("card_titles", _json(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("index_pages") as batch:
        batch.drop_column("card_titles")
