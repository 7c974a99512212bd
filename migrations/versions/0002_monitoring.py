"""Monitoring: article revisions, HTTP validators, index pages, placement runs.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27

- ``article_revisions``: every version of an article's text (revision 1 = first
  fetch). Existing articles get one row: their current text, as their current
  ``revision``, fetched at ``last_fetched_at``.
- ``http_validators``: ETag / Last-Modified per URL, for conditional requests.
- ``index_pages``: each index page's last listing and its last two observations.
  Filled from the existing placements (listing empty: it is only replayed after a
  fresh observation has stored it, together with the validators).
- ``placements`` become runs: unique on (article_id, page_url, position,
  first_seen_at) instead of (article_id, page_url, position).
- ``fetch_errors.url`` is indexed (the crawler asks which links failed recently).

Plain SQLAlchemy types, as in 0001; tests/test_migrations.py checks for drift.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PAGE_KINDS = ("home", "section", "region")


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f'"{column}" IN ({", ".join(repr(v) for v in values)})'


def _placements(unique: list[str], name: str) -> sa.Table:
    """``placements`` as it is before an alteration: SQLite's batch mode copies it
    without reflecting it, so ``alembic upgrade --sql`` works there too."""
    return sa.Table(
        "placements", sa.MetaData(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("page_url", sa.Text(), nullable=False),
        sa.Column("page_kind", sa.String(length=16), nullable=False),
        sa.Column("page_name", sa.Text(), nullable=False),
        sa.Column("page_number", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("first_seen_at", _utc(), nullable=False),
        sa.Column("last_seen_at", _utc(), nullable=False),
        sa.CheckConstraint(_in("page_kind", PAGE_KINDS), name="ck_placements_page_kind"),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE",
                                name="fk_placements_article_id_articles"),
        sa.PrimaryKeyConstraint("id", name="pk_placements"),
        sa.UniqueConstraint(*unique, name=name),
        sa.Index("ix_placements_page_url", "page_url"),
    )


OLD_UNIQUE = ["article_id", "page_url", "position"]
NEW_UNIQUE = [*OLD_UNIQUE, "first_seen_at"]


def _empty_json_list() -> sa.TextClause:
    is_postgresql = op.get_bind().dialect.name == "postgresql"
    return sa.text("'[]'::jsonb" if is_postgresql else "'[]'")


def upgrade() -> None:
    revisions = op.create_table(
        "article_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("fetched_at", _utc(), nullable=False),
        sa.Column("modified_at", _utc(), nullable=True),
        sa.CheckConstraint("revision >= 1",
                           name=op.f("ck_article_revisions_revision_positive")),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"],
                                name=op.f("fk_article_revisions_article_id_articles"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_revisions")),
        sa.UniqueConstraint("article_id", "revision",
                            name=op.f("uq_article_revisions_article_id_revision")),
    )
    op.create_index(op.f("ix_article_revisions_fetched_at"), "article_revisions",
                    ["fetched_at"])
    articles = sa.table("articles", *(sa.column(c) for c in (
        "id", "revision", "title", "summary", "body", "content_hash", "last_fetched_at",
        "modified_at")))
    op.execute(revisions.insert().from_select(
        ["article_id", "revision", "title", "summary", "body", "content_hash",
         "fetched_at", "modified_at"],
        sa.select(articles.c.id, articles.c.revision, articles.c.title,
                  articles.c.summary, articles.c.body, articles.c.content_hash,
                  articles.c.last_fetched_at, articles.c.modified_at)))

    op.create_table(
        "http_validators",
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("url", name=op.f("pk_http_validators")),
    )

    index_pages = op.create_table(
        "index_pages",
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("page_kind", sa.String(length=16), nullable=False),
        sa.Column("page_name", sa.Text(), nullable=False),
        sa.Column("page_number", sa.Integer(), nullable=False),
        sa.Column("article_urls", _json(), nullable=False),
        sa.Column("next_page_url", sa.Text(), nullable=True),
        sa.Column("first_seen_at", _utc(), nullable=False),
        sa.Column("last_seen_at", _utc(), nullable=False),
        sa.Column("previous_seen_at", _utc(), nullable=True),
        sa.CheckConstraint(_in("page_kind", PAGE_KINDS), name=op.f("ck_index_pages_page_kind")),
        sa.PrimaryKeyConstraint("url", name=op.f("pk_index_pages")),
    )
    placements = sa.table("placements", *(sa.column(c) for c in (
        "page_url", "page_kind", "page_name", "page_number", "first_seen_at",
        "last_seen_at")))
    op.execute(index_pages.insert().from_select(
        ["url", "page_kind", "page_name", "page_number", "article_urls", "first_seen_at",
         "last_seen_at"],
        sa.select(placements.c.page_url, sa.func.min(placements.c.page_kind),
                  sa.func.min(placements.c.page_name), sa.func.min(placements.c.page_number),
                  _empty_json_list(), sa.func.min(placements.c.first_seen_at),
                  sa.func.max(placements.c.last_seen_at))
        .group_by(placements.c.page_url)))

    old = "uq_placements_article_id_page_url_position"
    with op.batch_alter_table("placements", copy_from=_placements(OLD_UNIQUE, old)) as batch:
        batch.drop_constraint(old, type_="unique")
        batch.create_unique_constraint(op.f(f"{old}_first_seen_at"), NEW_UNIQUE)

    op.create_index(op.f("ix_fetch_errors_url"), "fetch_errors", ["url"])


def downgrade() -> None:
    op.drop_index(op.f("ix_fetch_errors_url"), table_name="fetch_errors")
    # Runs of one position become one row again: the first run, stretched to the last.
    same_place = ("p.article_id = placements.article_id AND p.page_url = placements.page_url"
                  " AND p.position = placements.position")
    op.execute("UPDATE placements SET last_seen_at = "
               f"(SELECT max(p.last_seen_at) FROM placements p WHERE {same_place})")
    op.execute("DELETE FROM placements WHERE EXISTS (SELECT 1 FROM placements p WHERE "
               f"{same_place} AND p.first_seen_at < placements.first_seen_at)")
    new = "uq_placements_article_id_page_url_position_first_seen_at"
    with op.batch_alter_table("placements", copy_from=_placements(NEW_UNIQUE, new)) as batch:
        batch.drop_constraint(new, type_="unique")
        batch.create_unique_constraint(op.f("uq_placements_article_id_page_url_position"),
                                       OLD_UNIQUE)
    for table in ("index_pages", "http_validators", "article_revisions"):
        op.drop_table(table)
