"""Schema objects that the models cannot express, created by migration 0003:
full-text search (PostgreSQL: a generated ``tsvector`` column with a GIN index;
SQLite: an FTS5 table kept in step by triggers) and the analysts' views.

Alembic's autogenerate compares the models with the database. It cannot model an
FTS5 virtual table (nor its shadow tables), and a column and index that exist on one
database only; left alone it would propose to drop them. ``include_name`` tells it to
ignore exactly these objects: ``migrations/env.py`` and the no-drift test use it.
"""

from __future__ import annotations

from typing import Any

# PostgreSQL: articles.search_vector, GENERATED ALWAYS AS (...) STORED, GIN-indexed,
# and articles.lead_vector (title and summary only, to rank many matches cheaply).
SEARCH_VECTOR_COLUMN = "search_vector"
LEAD_VECTOR_COLUMN = "lead_vector"
SEARCH_VECTOR_INDEX = "ix_articles_search_vector"
# The text search configuration of search_vector and of queries (stemming, stop words).
PG_TS_CONFIG = "english"

# SQLite: external-content FTS5 table over articles(title, summary, body), and its
# triggers. FTS5 keeps its index in shadow tables named articles_fts_<suffix>.
FTS_TABLE = "articles_fts"
FTS_TRIGGERS = ("articles_fts_insert", "articles_fts_delete", "articles_fts_update")
FTS_SHADOW_SUFFIXES = ("data", "idx", "content", "docsize", "config")

# Views for analysts (docs/SCHEMA.md), on both databases.
VIEWS = ("article_overview", "daily_section_counts", "daily_region_counts",
         "breaking_timeline")


def is_fts_table(name: str | None) -> bool:
    """True for the FTS5 table and its shadow tables."""
    return name == FTS_TABLE or any(name == f"{FTS_TABLE}_{s}" for s in FTS_SHADOW_SUFFIXES)


def include_name(name: str | None, type_: str, parent_names: dict[str, Any]) -> bool:
    """Alembic ``include_name`` hook: skip the search objects, which autogenerate
    cannot model (see the module docstring); include everything else."""
    if type_ == "table":
        return not is_fts_table(name)
    if type_ == "column":
        return not (parent_names.get("table_name") == "articles"
                    and name in (SEARCH_VECTOR_COLUMN, LEAD_VECTOR_COLUMN))
    if type_ == "index":
        return name != SEARCH_VECTOR_INDEX
    return True
