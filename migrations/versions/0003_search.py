"""Search and analysts' interface: the sections reference table, full-text search,
views.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26

- ``sections`` (id, name unique, category): the reference list of section names,
  back-filled from the articles; ``articles.section`` becomes a foreign key to it.
- Full-text search over title, summary and body. PostgreSQL: the generated column
  ``articles.search_vector`` (weights A/B/C) with a GIN index, and
  ``articles.lead_vector`` (title and summary, for ranking). SQLite: the
  external-content FTS5 table ``articles_fts`` kept in step by three triggers.
- Views: ``article_overview``, ``daily_section_counts``, ``daily_region_counts``,
  ``breaking_timeline`` (docs/SCHEMA.md).

The search objects are not in the models (crawler/db/schema_extras.py says why).
On SQLite, a later migration that rebuilds ``articles`` (a batch operation) drops its
triggers and must first drop the views (SQLite refuses to rename a table under a view
that names it): drop both with ``drop_views``/``drop_search`` below and re-create them
afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"  # re-chain here: the id of the previous migration
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS_CONFIG = "english"  # = crawler.db.schema_extras.PG_TS_CONFIG

# --- full-text search ------------------------------------------------------------------

PG_SEARCH = [
    f"""ALTER TABLE articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('{TS_CONFIG}'::regconfig, coalesce(title, '')), 'A') ||
        setweight(to_tsvector('{TS_CONFIG}'::regconfig, coalesce(summary, '')), 'B') ||
        setweight(to_tsvector('{TS_CONFIG}'::regconfig, left(coalesce(body, ''), 200000)), 'C')
    ) STORED""",
    "CREATE INDEX ix_articles_search_vector ON articles USING gin (search_vector)",
    # Title and summary only: small and stored in the row, so that every match of a
    # common word can be ranked cheaply before the best are ranked on search_vector.
    f"""ALTER TABLE articles ADD COLUMN lead_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('{TS_CONFIG}'::regconfig, coalesce(title, '')), 'A') ||
        setweight(to_tsvector('{TS_CONFIG}'::regconfig, coalesce(summary, '')), 'B')
    ) STORED""",
]
PG_DROP_SEARCH = [
    "DROP INDEX IF EXISTS ix_articles_search_vector",
    "ALTER TABLE articles DROP COLUMN IF EXISTS search_vector",
    "ALTER TABLE articles DROP COLUMN IF EXISTS lead_vector",
]

_FTS_ROW = "(rowid, title, summary, body) VALUES (new.id, new.title, new.summary, new.body)"
_FTS_DELETE = ("(articles_fts, rowid, title, summary, body) "
               "VALUES ('delete', old.id, old.title, old.summary, old.body)")
SQLITE_SEARCH = [
    # Porter stemming over Unicode words, diacritics folded: close to 'english' on PG.
    """CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, summary, body, content='articles', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    # bm25 weights per column, like the A/B/C weights on PostgreSQL: ORDER BY rank.
    "INSERT INTO articles_fts(articles_fts, rank) VALUES ('rank', 'bm25(10.0, 4.0, 1.0)')",
    f"CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN "
    f"INSERT INTO articles_fts{_FTS_ROW}; END",
    f"CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN "
    f"INSERT INTO articles_fts{_FTS_DELETE}; END",
    f"CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, summary, body ON articles "
    f"BEGIN INSERT INTO articles_fts{_FTS_DELETE}; INSERT INTO articles_fts{_FTS_ROW}; END",
    "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",  # index existing rows
]
SQLITE_DROP_SEARCH = [
    "DROP TRIGGER IF EXISTS articles_fts_insert",
    "DROP TRIGGER IF EXISTS articles_fts_delete",
    "DROP TRIGGER IF EXISTS articles_fts_update",
    "DROP TABLE IF EXISTS articles_fts",
]

# --- views -----------------------------------------------------------------------------
# Flattened lists are "; "-separated (NULL when empty): tags in page order, regions
# (metadata- and index-derived, as in the export) and authors by name/page order.
# Days are UTC days; an undated article counts on the day it was first seen.

_OVERVIEW = """CREATE VIEW article_overview AS
SELECT a.id, a.url, a.title, a.published_at, a.modified_at, a.category, a.section,
       {authors} AS authors, a.source,
       ({tags}) AS tags,
       ({regions}) AS regions,
       a.language, a.read_time_minutes, a.revision, a.first_seen_at, a.last_seen_at
FROM articles a"""

_DAILY_SECTIONS = """CREATE VIEW daily_section_counts AS
SELECT {day} AS day, a.category, a.section, count(*) AS articles
FROM articles a
GROUP BY {day}, a.category, a.section"""

_DAILY_REGIONS = """CREATE VIEW daily_region_counts AS
SELECT {day} AS day, r.name AS region, count(*) AS articles
FROM articles a
JOIN article_regions ar ON ar.article_id = a.id
JOIN regions r ON r.id = ar.region_id
GROUP BY {day}, r.name"""

_TIMELINE = """CREATE VIEW breaking_timeline AS
SELECT b.id, {day} AS day, b.first_seen_at, b.last_seen_at,
       {minutes} AS on_air_minutes, b.text
FROM breaking_news b"""

PG_VIEWS = [
    _OVERVIEW.format(
        authors="(SELECT string_agg(author, '; ') FROM "
                "jsonb_array_elements_text(a.authors) AS author)",
        tags="SELECT string_agg(t.name, '; ' ORDER BY at.position) FROM article_tags at "
             "JOIN tags t ON t.id = at.tag_id WHERE at.article_id = a.id",
        regions="SELECT string_agg(r.name, '; ' ORDER BY r.name) FROM article_regions ar "
                "JOIN regions r ON r.id = ar.region_id WHERE ar.article_id = a.id"),
    _DAILY_SECTIONS.format(
        day="CAST(coalesce(a.published_at, a.first_seen_at) AT TIME ZONE 'UTC' AS date)"),
    _DAILY_REGIONS.format(
        day="CAST(coalesce(a.published_at, a.first_seen_at) AT TIME ZONE 'UTC' AS date)"),
    _TIMELINE.format(
        day="CAST(b.first_seen_at AT TIME ZONE 'UTC' AS date)",
        minutes="round(EXTRACT(EPOCH FROM b.last_seen_at - b.first_seen_at) / 60, 1)"),
]
# SQLite before 3.44 has no ORDER BY inside group_concat: aggregate an ordered subquery.
SQLITE_VIEWS = [
    _OVERVIEW.format(
        authors="(SELECT group_concat(value, '; ') FROM json_each(a.authors))",
        tags="SELECT group_concat(name, '; ') FROM (SELECT t.name FROM article_tags at "
             "JOIN tags t ON t.id = at.tag_id WHERE at.article_id = a.id ORDER BY at.position)",
        regions="SELECT group_concat(name, '; ') FROM (SELECT r.name FROM article_regions ar "
                "JOIN regions r ON r.id = ar.region_id WHERE ar.article_id = a.id "
                "ORDER BY r.name)"),
    _DAILY_SECTIONS.format(day="date(coalesce(a.published_at, a.first_seen_at))"),
    _DAILY_REGIONS.format(day="date(coalesce(a.published_at, a.first_seen_at))"),
    _TIMELINE.format(
        day="date(b.first_seen_at)",
        minutes="round((julianday(b.last_seen_at) - julianday(b.first_seen_at)) * 1440, 1)"),
]
VIEW_NAMES = ("article_overview", "daily_section_counts", "daily_region_counts",
              "breaking_timeline")


def _execute(statements: list[str]) -> None:
    for statement in statements:
        op.execute(statement)


def create_search() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        _execute(PG_SEARCH)
    elif dialect == "sqlite":
        _execute(SQLITE_SEARCH)


def drop_search() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        _execute(PG_DROP_SEARCH)
    elif dialect == "sqlite":
        _execute(SQLITE_DROP_SEARCH)


def create_views() -> None:
    dialect = op.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        _execute(PG_VIEWS if dialect == "postgresql" else SQLITE_VIEWS)


def drop_views() -> None:
    _execute([f"DROP VIEW IF EXISTS {name}" for name in VIEW_NAMES])


def _articles_table(section_fk: bool) -> sa.Table:
    """``articles`` as created by 0001 (unchanged by 0002), with or without this
    migration's foreign key. SQLite batch operations reflect the table; offline
    (``--sql``) they cannot, and are given this instead."""
    utc, json = sa.DateTime(timezone=True), sa.JSON().with_variant(postgresql.JSONB(),
                                                                   "postgresql")
    table = sa.Table(
        "articles", sa.MetaData(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("title", sa.Text()), sa.Column("summary", sa.Text()),
        sa.Column("authors", json, nullable=False),
        sa.Column("source", sa.Text()),
        sa.Column("published_at", utc), sa.Column("modified_at", utc),
        *(sa.Column(name, sa.Text())
          for name in ("category", "section", "body", "image_url", "image_caption")),
        sa.Column("read_time_minutes", sa.Integer()),
        sa.Column("language", sa.Text()),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("revision", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("field_sources", json, nullable=False),
        *(sa.Column(name, utc, nullable=False)
          for name in ("first_seen_at", "last_seen_at", "last_fetched_at")),
        sa.CheckConstraint("revision >= 1", name="ck_articles_revision_positive"),
        sa.PrimaryKeyConstraint("id", name="pk_articles"),
        sa.UniqueConstraint("url", name="uq_articles_url"),
    )
    for column in ("category", "last_seen_at", "published_at", "section"):
        sa.Index(f"ix_articles_{column}", table.c[column])
    if section_fk:
        sa.Table("sections", table.metadata, sa.Column("name", sa.Text()))
        table.append_constraint(sa.ForeignKeyConstraint(
            ["section"], ["sections.name"], name="fk_articles_section_sections",
            onupdate="CASCADE"))
    return table


def _batch_articles(section_fk: bool):  # noqa: ANN202 - an Alembic batch context
    copy_from = _articles_table(section_fk) if context.is_offline_mode() else None
    return op.batch_alter_table("articles", copy_from=copy_from)


def upgrade() -> None:
    op.create_table(
        "sections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("category", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sections")),
        sa.UniqueConstraint("name", name=op.f("uq_sections_name")),
    )
    op.execute("INSERT INTO sections (name, category) "
               "SELECT section, min(category) FROM articles "
               "WHERE section IS NOT NULL GROUP BY section ORDER BY section")
    # On SQLite this rebuilds articles ("move and copy"): do it before the triggers.
    with _batch_articles(section_fk=False) as batch:
        batch.create_foreign_key(op.f("fk_articles_section_sections"), "sections",
                                 ["section"], ["name"], onupdate="CASCADE")
    create_search()
    create_views()


def downgrade() -> None:
    drop_views()
    drop_search()
    with _batch_articles(section_fk=True) as batch:
        batch.drop_constraint(op.f("fk_articles_section_sections"), type_="foreignkey")
    op.drop_table("sections")
