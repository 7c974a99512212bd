"""Editions: English, Arabic and Spanish in one database, each searched in its language.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05

- ``edition`` (``crawler.sites.editions`` key: "en", "ar", "es") on ``articles``,
  ``breaking_news``, ``placements``, ``index_pages`` and ``crawl_runs``; existing rows
  are English (the only edition crawled before). Indexed where commands filter by it.
- ``watchlists.edition``, ``watchlists.language``: a watchlist may follow one edition
  or language (NULL: any).
- ``sibling_evidence``: what an article page says that ties it to the same story in
  another edition (``alternate_url``: a link the page carries; ``lead_image``: the file
  name of its lead image on the media host; ``tawsiyat_id``: the CMS's post id).
  ``newsmon siblings`` joins on it; nothing is guessed from the text.
- Search in each language. PostgreSQL: ``newsmon_fold(text)`` (Arabic marks, tatweel
  and letter variants, Latin accents; crawler/db/textfold.py) and
  ``newsmon_ts_config(language)`` (``arabic``/``spanish``/``english``); the generated
  ``search_vector``/``lead_vector`` are re-created with the article's own
  configuration over the folded text. SQLite: the FTS5 triggers index the Arabic-folded
  text (the tokenizer folds case and Latin accents) and the index is rebuilt so.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from crawler.db.textfold import pg_fold_sql, sqlite_fold_sql

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EDITION_TABLES = ("articles", "breaking_news", "placements", "index_pages", "crawl_runs")
INDEXED = ("articles", "breaking_news", "crawl_runs")
EVIDENCE_KINDS = ("alternate_url", "lead_image", "tawsiyat_id")

# --- PostgreSQL search -----------------------------------------------------------------

PG_FUNCTIONS = [
    f"""CREATE FUNCTION newsmon_fold(t text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT
        AS $$ SELECT {pg_fold_sql('t')} $$""",
    """CREATE FUNCTION newsmon_ts_config(language text) RETURNS regconfig
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT CASE lower(left(coalesce(language, ''), 2))
                     WHEN 'ar' THEN 'arabic'::regconfig
                     WHEN 'es' THEN 'spanish'::regconfig
                     ELSE 'english'::regconfig END $$""",
]


def _pg_vectors(config: str, fold: bool) -> list[str]:
    def part(column: str, weight: str, limit: bool = False) -> str:
        value = f"coalesce({column}, '')"
        if limit:
            value = f"left({value}, 200000)"
        if fold:
            value = f"newsmon_fold({value})"
        return f"setweight(to_tsvector({config}, {value}), '{weight}')"

    title, summary, body = part("title", "A"), part("summary", "B"), part("body", "C", True)
    return [
        f"ALTER TABLE articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
        f"({title} || {summary} || {body}) STORED",
        "CREATE INDEX ix_articles_search_vector ON articles USING gin (search_vector)",
        f"ALTER TABLE articles ADD COLUMN lead_vector tsvector GENERATED ALWAYS AS "
        f"({title} || {summary}) STORED",
    ]


PG_DROP_VECTORS = ["DROP INDEX IF EXISTS ix_articles_search_vector",
                   "ALTER TABLE articles DROP COLUMN IF EXISTS search_vector",
                   "ALTER TABLE articles DROP COLUMN IF EXISTS lead_vector"]

# --- SQLite search ---------------------------------------------------------------------


def _sqlite_triggers(fold: bool) -> list[str]:
    def values(row: str) -> str:
        cols = [f"{row}.{c}" for c in ("title", "summary", "body")]
        return ", ".join(sqlite_fold_sql(c) if fold else c for c in cols)

    insert = f"(rowid, title, summary, body) VALUES (new.id, {values('new')})"
    delete = (f"(articles_fts, rowid, title, summary, body) "
              f"VALUES ('delete', old.id, {values('old')})")
    return [
        f"CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN "
        f"INSERT INTO articles_fts{insert}; END",
        f"CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN "
        f"INSERT INTO articles_fts{delete}; END",
        f"CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, summary, body "
        f"ON articles BEGIN INSERT INTO articles_fts{delete}; "
        f"INSERT INTO articles_fts{insert}; END",
    ]


def _sqlite_reindex(fold: bool) -> list[str]:
    cols = ", ".join(sqlite_fold_sql(c) if fold else c for c in ("title", "summary", "body"))
    return ["INSERT INTO articles_fts(articles_fts) VALUES ('delete-all')",
            f"INSERT INTO articles_fts(rowid, title, summary, body) "
            f"SELECT id, {cols} FROM articles"]


SQLITE_DROP_TRIGGERS = [f"DROP TRIGGER IF EXISTS articles_fts_{name}"
                        for name in ("insert", "delete", "update")]


def _search(fold: bool) -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        statements = PG_DROP_VECTORS + _pg_vectors(
            "newsmon_ts_config(language)" if fold else "'english'::regconfig", fold)
    elif dialect == "sqlite":
        statements = SQLITE_DROP_TRIGGERS + _sqlite_triggers(fold) + _sqlite_reindex(fold)
    else:
        return
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    # Plain ADD COLUMN with a constant default: no table copy on SQLite, and the
    # default back-fills every existing row as English.
    for table in EDITION_TABLES:
        op.add_column(table, sa.Column("edition", sa.String(length=8), nullable=False,
                                       server_default="en"))
    for table in INDEXED:
        op.create_index(op.f(f"ix_{table}_edition"), table, ["edition"])
    op.create_index(op.f("ix_articles_language"), "articles", ["language"])
    # A watchlist may follow one edition and/or language (NULL: any).
    op.add_column("watchlists", sa.Column("edition", sa.String(length=8), nullable=True))
    op.add_column("watchlists", sa.Column("language", sa.Text(), nullable=True))
    op.create_table(
        "sibling_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.CheckConstraint("kind IN ('alternate_url', 'lead_image', 'tawsiyat_id')",
                           name=op.f("ck_sibling_evidence_kind")),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE",
                                name=op.f("fk_sibling_evidence_article_id_articles")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sibling_evidence")),
        sa.UniqueConstraint("article_id", "kind", "value",
                            name=op.f("uq_sibling_evidence_article_id_kind_value")),
    )
    op.create_index("ix_sibling_evidence_kind_value", "sibling_evidence", ["kind", "value"])
    if op.get_bind().dialect.name == "postgresql":
        for statement in PG_FUNCTIONS:
            op.execute(statement)
    _search(fold=True)


def downgrade() -> None:
    _search(fold=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS newsmon_ts_config(text)")
        op.execute("DROP FUNCTION IF EXISTS newsmon_fold(text)")
    op.drop_table("sibling_evidence")
    op.drop_index(op.f("ix_articles_language"), table_name="articles")
    for column in ("edition", "language"):
        op.execute(f"ALTER TABLE watchlists DROP COLUMN {column}")
    for table in INDEXED:
        op.drop_index(op.f(f"ix_{table}_edition"), table_name=table)
    for table in EDITION_TABLES:
        # SQLite 3.35+ drops an unindexed column in place (a batch copy of articles
        # would drop its views and triggers).
        op.execute(f"ALTER TABLE {table} DROP COLUMN edition")
