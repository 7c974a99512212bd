"""Migration 0003 (sections, full-text search, views) on a database that already has
articles, up and down, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Engine, inspect, text

from crawler.db import migrate
from crawler.db.schema_extras import VIEWS, is_fts_table
from crawler.db.search import search

PREVIOUS = "0002"  # the revision 0003 follows (keep in step with its down_revision)

INSERT = text(
    "INSERT INTO articles (url, title, summary, body, authors, category, section, "
    "content_hash, revision, field_sources, first_seen_at, last_seen_at, last_fetched_at) "
    "VALUES (:url, :title, NULL, :body, '[]', 'News', :section, :hash, 1, '{}', "
    "'2025-09-15 12:00:00', '2025-09-15 12:00:00', '2025-09-15 12:00:00')")


def search_objects(engine: Engine) -> set[str]:
    inspector = inspect(engine)
    found = {t for t in inspector.get_table_names() if is_fts_table(t) or t == "sections"}
    found |= set(inspector.get_view_names())
    if engine.dialect.name == "postgresql":
        found |= {c["name"] for c in inspector.get_columns("articles")
                  if c["name"] in ("search_vector", "lead_vector")}
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            found |= set(conn.execute(text(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())
    return found


def test_upgrade_with_data_then_downgrade(db_url: str, db_engine: Engine):
    migrate.upgrade(db_url, PREVIOUS)
    with db_engine.begin() as conn:
        for n, section in enumerate(["Politics", "Economy", "Politics", None]):
            conn.execute(INSERT, {"url": f"https://e.net/{n}", "title": f"Story {n}",
                                  "body": f"The harbour reopened after {n} weeks.",
                                  "section": section, "hash": f"{n:064d}"})
    migrate.upgrade(db_url)
    db_engine.dispose()
    with db_engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM sections ORDER BY name")).scalars().all() \
            == ["Economy", "Politics"]
        assert conn.execute(text("SELECT count(*) FROM article_overview")).scalar_one() == 4
        check = inspect(conn).get_check_constraints("articles")
        assert any(c["name"] == "ck_articles_revision_positive" for c in check)
    found = [r["url"] for r in search(db_engine, "harbour reopened", section="Politics")]
    assert sorted(found) == ["https://e.net/0", "https://e.net/2"]
    assert set(VIEWS) <= search_objects(db_engine)

    migrate.downgrade(db_url, PREVIOUS)
    db_engine.dispose()
    assert search_objects(db_engine) == set()
    with db_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM articles")).scalar_one() == 4
        assert inspect(conn).get_foreign_keys("articles") == []
        check = inspect(conn).get_check_constraints("articles")
        assert any(c["name"] == "ck_articles_revision_positive" for c in check)
    migrate.upgrade(db_url)
    db_engine.dispose()
    assert len(search(db_engine, "harbour")) == 4
