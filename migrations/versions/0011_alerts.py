"""Watchlists and alerts: what analysts follow, and the outbox of their notifications.

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-05

- ``watchlists``: a name, a ``newsmon search`` query, section/region/tag filters, the
  kinds of event followed and the Apprise URLs to notify (``crawler.db.watchlists``).
- ``alerts``: the outbox; one row per match, written in the transaction that stores
  the article, revision or breaking item; delivery state (``crawler.db.outbox``).
- ``alert_attempts``: each try at delivering an alert to one notifier.

Plain SQLAlchemy types, as in 0001; tests/test_migrations.py checks for drift.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f'"{column}" IN ({", ".join(repr(v) for v in values)})'


def upgrade() -> None:
    op.create_table(
        "watchlists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("section", sa.Text(), nullable=True),
        sa.Column("region", sa.Text(), nullable=True),
        sa.Column("tag", sa.Text(), nullable=True),
        sa.Column("kinds", JSON, nullable=False),
        sa.Column("notify", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watchlists")),
        sa.UniqueConstraint("name", name=op.f("uq_watchlists_name")),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("watchlist_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=True),
        sa.Column("breaking_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("section", sa.Text(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("snippet", sa.Text(), nullable=True),
        sa.Column("diff", sa.Text(), nullable=True),
        sa.Column("matched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("leased_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(_in("kind", ("new", "edit", "breaking")),
                           name=op.f("ck_alerts_kind")),
        sa.CheckConstraint(_in("status", ("pending", "delivered", "failed", "unsent")),
                           name=op.f("ck_alerts_status")),
        sa.ForeignKeyConstraint(["watchlist_id"], ["watchlists.id"], ondelete="CASCADE",
                                name=op.f("fk_alerts_watchlist_id_watchlists")),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="SET NULL",
                                name=op.f("fk_alerts_article_id_articles")),
        sa.ForeignKeyConstraint(["breaking_id"], ["breaking_news.id"], ondelete="SET NULL",
                                name=op.f("fk_alerts_breaking_id_breaking_news")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint("key", name=op.f("uq_alerts_key")),
    )
    op.create_index(op.f("ix_alerts_watchlist_id"), "alerts", ["watchlist_id"])
    op.create_index(op.f("ix_alerts_matched_at"), "alerts", ["matched_at"])
    op.create_index(op.f("ix_alerts_status"), "alerts", ["status"])
    op.create_table(
        "alert_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=16), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["alert_id"], ["alerts.id"], ondelete="CASCADE",
                                name=op.f("fk_alert_attempts_alert_id_alerts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_attempts")),
    )
    op.create_index(op.f("ix_alert_attempts_alert_id"), "alert_attempts", ["alert_id"])


def downgrade() -> None:
    op.drop_table("alert_attempts")
    op.drop_table("alerts")
    op.drop_table("watchlists")
