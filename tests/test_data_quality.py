"""Data quality and the analysts' schema on SQLite and PostgreSQL: reference tables
for section and region names, NULL (never '') for a missing value, UTC times, the
views, the connection settings."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, String, Text, inspect, insert, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import QueuePool

from crawler.db.models import Article, Base, Section
from crawler.db.store import Store
from crawler.items import ArticleItem
from tests._analyst_data import (CORRIDOR_URL, INFOGRAPH_URL, MENU_REGIONS, MENU_SECTIONS,
                                 OPINION_URL, SUMMIT_URL, populate)

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def populated(store: Store) -> Store:
    populate(store, NOW)
    return store


def rows(engine: Engine, sql: str, **params) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(text(sql), params).mappings()]


# --- reference lists -------------------------------------------------------------------

def test_sections_and_regions_come_from_the_reference_tables(populated: Store):
    engine = populated.engine
    sections = {r["name"]: r["category"] for r in rows(engine, "SELECT * FROM sections")}
    assert sections == {name: category for category, name in MENU_SECTIONS}
    regions = {r["name"] for r in rows(engine, "SELECT name FROM regions")}
    assert regions == set(MENU_REGIONS)
    # Every section an article names is in the reference table (the foreign key).
    orphans = rows(engine, "SELECT a.section FROM articles a LEFT JOIN sections s "
                           "ON s.name = a.section WHERE a.section IS NOT NULL AND s.id IS NULL")
    assert orphans == []


def test_an_article_adds_its_section_and_the_menu_sets_the_category(store: Store):
    run = store.start_run("https://example.net")
    item = ArticleItem(url="https://example.net/a", title="T", category="Videos",
                       section="Explainers", regions=["Asia"])
    store.save_article(item, run, NOW)
    assert rows(store.engine, "SELECT name, category FROM sections") == [
        {"name": "Explainers", "category": "Videos"}]
    # Read again: no new row; the menu's category wins over an article's.
    assert store.record_menu([("Video", "Explainers"), ("News", "Politics")],
                             ["Asia", "Europe", " "]) == 2
    assert store.record_menu([("Video", "Explainers")], ["Asia"]) == 0
    assert {(r["name"], r["category"]) for r in rows(
        store.engine, "SELECT name, category FROM sections")} == {
        ("Explainers", "Video"), ("Politics", "News")}
    assert {r["name"] for r in rows(store.engine, "SELECT name FROM regions")} == {
        "Asia", "Europe"}


def test_the_section_foreign_key_is_enforced_and_renames_cascade(store: Store):
    store.save_article(ArticleItem(url="https://example.net/a", title="T", section="Politics"),
                       store.start_run("https://example.net"), NOW)
    row = {"url": "https://example.net/b", "section": "Not a section", "authors": [],
           "field_sources": {}, "content_hash": "0" * 64, "first_seen_at": NOW,
           "last_seen_at": NOW, "last_fetched_at": NOW}
    with pytest.raises(IntegrityError):
        with store.engine.begin() as conn:
            conn.execute(insert(Article), row)
    with store.engine.begin() as conn:
        conn.execute(update(Section).where(Section.name == "Politics")
                     .values(name="World Politics"))
    assert store.get_article("https://example.net/a")["section"] == "World Politics"


# --- NULL, never '' --------------------------------------------------------------------

def text_columns(engine: Engine) -> list[tuple[str, str]]:
    return [(table.name, column.name) for table in Base.metadata.sorted_tables
            for column in table.columns
            if isinstance(column.type, (String, Text)) and table.name in
            inspect(engine).get_table_names()]


def test_blank_values_are_stored_as_null(store: Store):
    run = store.start_run("https://example.net")
    item = ArticleItem(url="https://example.net/blank", title="Title", summary="",
                       source="   ", authors=["", "Author", " "], category="\t",
                       section="", tags=["", "Tag"], regions=[" "], body="\x00",
                       image_url="", image_caption="\n", language="", related_urls=[""],
                       field_sources={"title": "jsonld"})
    store.save_article(item, run, NOW)
    store.record_breaking(["", "  ", "Alert"], NOW)
    store.finish_run(run, "ok", pages_fetched=1, articles_new=1, articles_updated=0,
                     articles_unchanged=0, errors=0, error_summary="")
    record = store.get_article(item.url)
    for key in ("summary", "source", "category", "section", "body", "image_url",
                "image_caption", "language"):
        assert record[key] is None, key
    assert record["authors"] == ["Author"] and record["tags"] == ["Tag"]
    assert record["regions"] == [] and record["related_urls"] == []
    assert store.get_run(run)["error_summary"] is None
    # And nowhere in the database is there an empty string.
    for table, column in text_columns(store.engine):
        found = rows(store.engine, f"SELECT count(*) AS n FROM {table} "
                                   f"WHERE trim({column}) = ''")[0]["n"]
        assert found == 0, (table, column)


def test_populated_database_has_no_empty_strings(populated: Store):
    for table, column in text_columns(populated.engine):
        found = rows(populated.engine, f"SELECT count(*) AS n FROM {table} "
                                       f"WHERE trim({column}) = ''")[0]["n"]
        assert found == 0, (table, column)


# --- UTC -------------------------------------------------------------------------------

SQLITE_UTC = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?$")


def test_times_are_stored_in_utc(populated: Store):
    engine = populated.engine
    paris = timezone(timedelta(hours=2))
    populated.save_article(ArticleItem(url="https://example.net/paris", title="Paris",
                                       published_at=datetime(2025, 9, 15, 14, 0, tzinfo=paris)),
                           populated.start_run("x"), NOW)
    assert populated.get_article("https://example.net/paris")["published_at"] == datetime(
        2025, 9, 15, 12, 0, tzinfo=UTC)
    columns = [(c.table.name, c.name) for t in Base.metadata.sorted_tables
               for c in t.columns if c.type.__class__.__name__ == "UTCDateTime"]
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            for table, column in columns:
                values = conn.execute(text(f"SELECT {column} FROM {table} "
                                           f"WHERE {column} IS NOT NULL")).scalars().all()
                assert all(SQLITE_UTC.match(v) for v in values), (table, column, values[:3])
            raw = conn.execute(text("SELECT published_at FROM articles WHERE url = :u"),
                               {"u": "https://example.net/paris"}).scalar_one()
            assert raw.startswith("2025-09-15 12:00:00")
        else:
            assert conn.execute(text("SHOW TimeZone")).scalar_one() == "UTC"
            types = dict(conn.execute(text(
                "SELECT table_name || '.' || column_name, data_type "
                "FROM information_schema.columns WHERE table_schema = 'public' "
                "AND data_type LIKE 'timestamp%'")).all())
            for table, column in columns:
                if f"{table}.{column}" in types:
                    assert types[f"{table}.{column}"] == "timestamp with time zone"


# --- views -----------------------------------------------------------------------------

def test_article_overview_flattens_tags_regions_and_authors(populated: Store):
    by_url = {r["url"]: r for r in rows(populated.engine, "SELECT * FROM article_overview")}
    assert len(by_url) == 5
    corridor = by_url[CORRIDOR_URL]
    assert corridor["tags"] == "Gaza; Aid"               # page order
    assert corridor["regions"] == "MENA; Palestine"      # by name
    assert corridor["authors"] == "Al Mayadeen English"
    opinion = by_url[OPINION_URL]
    assert opinion["regions"] == "Europe; MENA"           # index-derived Europe too
    assert opinion["authors"] == "Karim Haddad; Lina Nasser"
    infograph = by_url[INFOGRAPH_URL]
    assert infograph["regions"] is None and infograph["authors"] is None
    assert infograph["section"] is None and infograph["category"] == "Infographs"
    assert by_url[SUMMIT_URL]["revision"] == 2


def test_daily_counts_and_breaking_timeline(populated: Store):
    engine = populated.engine
    days = lambda n: (NOW - timedelta(days=n)).date().isoformat()  # noqa: E731
    sections = {(str(r["day"]), r["section"]): r["articles"]
                for r in rows(engine, "SELECT * FROM daily_section_counts")}
    assert sections[(days(1), "Politics")] == 1 and sections[(days(4), "Politics")] == 1
    # The undated infograph counts on the day it was first seen.
    first_seen = (NOW - timedelta(hours=6)).date().isoformat()
    assert sections[(first_seen, None)] >= 1
    regions = {(str(r["day"]), r["region"]): r["articles"]
               for r in rows(engine, "SELECT * FROM daily_region_counts")}
    assert regions[(days(1), "Palestine")] == 1 and regions[(days(3), "Europe")] == 1
    timeline = rows(engine, "SELECT * FROM breaking_timeline ORDER BY first_seen_at, text")
    assert [r["text"] for r in timeline] == ["Israeli strikes hit Khan Younis",
                                             "UN convoy reaches Gaza City"]
    assert float(timeline[0]["on_air_minutes"]) == 300.0
    assert float(timeline[1]["on_air_minutes"]) == 0.0


# --- connections -----------------------------------------------------------------------

def test_connection_settings(db_engine: Engine):
    with db_engine.connect() as conn:
        if db_engine.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        else:
            assert isinstance(db_engine.pool, QueuePool) and db_engine.pool.size() == 5
            assert db_engine.dialect.driver == "psycopg"
            assert conn.exec_driver_sql("SHOW statement_timeout").scalar() == "1min"
            assert conn.exec_driver_sql("SHOW TimeZone").scalar() == "UTC"

