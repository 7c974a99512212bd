"""Initial schema.

Revision ID: 0001
Revises:
Create Date: 2026-11-26

Mirrors crawler/db/models.py at this revision (tests/test_migrations.py checks
that autogenerate finds no difference). Types are written out with plain
SQLAlchemy types so this file never changes when the models do.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc() -> sa.DateTime:
    """crawler.db.models.UTCDateTime stores into a timezone-aware DateTime."""
    return sa.DateTime(timezone=True)


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _fk_article(column: str, table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["articles.id"], name=op.f(f"fk_{table}_{column}_articles"), ondelete="CASCADE"
    )


def _in(column: str, values: tuple[str, ...]) -> str:
    return f'"{column}" IN ({", ".join(repr(v) for v in values)})'


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("authors", _json(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("published_at", _utc(), nullable=True),
        sa.Column("modified_at", _utc(), nullable=True),
        sa.Column("category", sa.Text(), nullable=True),
        sa.Column("section", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("image_url", sa.Text(), nullable=True),
        sa.Column("image_caption", sa.Text(), nullable=True),
        sa.Column("read_time_minutes", sa.Integer(), nullable=True),
        sa.Column("language", sa.Text(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("revision", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("field_sources", _json(), nullable=False),
        sa.Column("first_seen_at", _utc(), nullable=False),
        sa.Column("last_seen_at", _utc(), nullable=False),
        sa.Column("last_fetched_at", _utc(), nullable=False),
        sa.CheckConstraint("revision >= 1", name=op.f("ck_articles_revision_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_articles")),
        sa.UniqueConstraint("url", name=op.f("uq_articles_url")),
    )
    for column in ("category", "last_seen_at", "published_at", "section"):
        op.create_index(op.f(f"ix_articles_{column}"), "articles", [column])

    op.create_table(
        "tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("name", name=op.f("uq_tags_name")),
    )
    op.create_table(
        "article_tags",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        _fk_article("article_id", "article_tags"),
        sa.ForeignKeyConstraint(["tag_id"], ["tags.id"], name=op.f("fk_article_tags_tag_id_tags"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("article_id", "tag_id", name=op.f("pk_article_tags")),
    )
    op.create_index(op.f("ix_article_tags_tag_id"), "article_tags", ["tag_id"])

    op.create_table(
        "regions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regions")),
        sa.UniqueConstraint("name", name=op.f("uq_regions_name")),
    )
    op.create_table(
        "article_regions",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("from_metadata", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("from_index", sa.Boolean(), server_default=sa.false(), nullable=False),
        _fk_article("article_id", "article_regions"),
        sa.ForeignKeyConstraint(["region_id"], ["regions.id"],
                                name=op.f("fk_article_regions_region_id_regions"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("article_id", "region_id", name=op.f("pk_article_regions")),
    )
    op.create_index(op.f("ix_article_regions_region_id"), "article_regions", ["region_id"])

    op.create_table(
        "placements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("page_url", sa.Text(), nullable=False),
        sa.Column("page_kind", sa.String(length=16), nullable=False),
        sa.Column("page_name", sa.Text(), nullable=False),
        sa.Column("page_number", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("first_seen_at", _utc(), nullable=False),
        sa.Column("last_seen_at", _utc(), nullable=False),
        sa.CheckConstraint(_in("page_kind", ("home", "section", "region")),
                           name=op.f("ck_placements_page_kind")),
        _fk_article("article_id", "placements"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_placements")),
        sa.UniqueConstraint("article_id", "page_url", "position",
                            name=op.f("uq_placements_article_id_page_url_position")),
    )
    op.create_index(op.f("ix_placements_page_url"), "placements", ["page_url"])

    op.create_table(
        "article_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("from_article_id", sa.Integer(), nullable=False),
        sa.Column("to_url", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint(_in("kind", ("related", "read_more", "related_or_read_more")),
                           name=op.f("ck_article_links_kind")),
        _fk_article("from_article_id", "article_links"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_links")),
        sa.UniqueConstraint("from_article_id", "to_url",
                            name=op.f("uq_article_links_from_article_id_to_url")),
    )
    op.create_index(op.f("ix_article_links_to_url"), "article_links", ["to_url"])

    op.create_table(
        "url_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        _fk_article("article_id", "url_aliases"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_url_aliases")),
        sa.UniqueConstraint("url", name=op.f("uq_url_aliases_url")),
    )
    op.create_index(op.f("ix_url_aliases_article_id"), "url_aliases", ["article_id"])

    op.create_table(
        "raw_pages",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("fetched_at", _utc(), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("encoding", sa.Text(), nullable=True),
        sa.Column("html_gz", sa.LargeBinary(), nullable=False),
        _fk_article("article_id", "raw_pages"),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_raw_pages")),
    )

    op.create_table(
        "breaking_news",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("first_seen_at", _utc(), nullable=False),
        sa.Column("last_seen_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breaking_news")),
        sa.UniqueConstraint("text_hash", name=op.f("uq_breaking_news_text_hash")),
    )
    op.create_index(op.f("ix_breaking_news_first_seen_at"), "breaking_news", ["first_seen_at"])

    op.create_table(
        "crawl_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", _utc(), nullable=False),
        sa.Column("finished_at", _utc(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("base_url", sa.Text(), nullable=False),
        *(sa.Column(name, sa.Integer(), server_default=sa.text("0"), nullable=False)
          for name in ("pages_fetched", "articles_new", "articles_updated",
                       "articles_unchanged", "errors")),
        sa.Column("error_summary", sa.Text(), nullable=True),
        sa.CheckConstraint(_in("status", ("running", "ok", "failed", "degraded", "interrupted")),
                           name=op.f("ck_crawl_runs_status")),
        sa.CheckConstraint(_in("trigger", ("manual", "cron", "scheduler")),
                           name=op.f("ck_crawl_runs_trigger")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crawl_runs")),
    )
    op.create_index(op.f("ix_crawl_runs_started_at"), "crawl_runs", ["started_at"])

    op.create_table(
        "fetch_errors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("occurred_at", _utc(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["crawl_runs.id"],
                                name=op.f("fk_fetch_errors_run_id_crawl_runs"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fetch_errors")),
    )
    op.create_index(op.f("ix_fetch_errors_run_id"), "fetch_errors", ["run_id"])


def downgrade() -> None:
    # Children first; dropping a table drops its indexes.
    for table in ("fetch_errors", "crawl_runs", "breaking_news", "raw_pages", "url_aliases",
                  "article_links", "placements", "article_regions", "regions",
                  "article_tags", "tags", "articles"):
        op.drop_table(table)
