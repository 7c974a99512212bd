"""Alembic migrations (migrations/ and crawler.db.migrate) on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from crawler.db import migrate
from crawler.db.models import Base
from crawler.db.schema_extras import include_name, is_fts_table

REPO = Path(__file__).resolve().parent.parent
APP_TABLES = set(Base.metadata.tables)


def tables(engine: Engine) -> set[str]:
    """Table names, without SQLite's FTS5 table and its shadow tables."""
    return {t for t in inspect(engine).get_table_names() if not is_fts_table(t)}


def test_upgrade_from_empty_and_downgrade_to_base(db_url: str, db_engine: Engine):
    assert migrate.current_revision(db_url) is None
    assert not migrate.is_up_to_date(db_url)
    migrate.upgrade(db_url)
    assert tables(db_engine) == APP_TABLES | {"alembic_version"}
    assert migrate.current_revision(db_url) == migrate.head_revision() == "0012"
    assert migrate.is_up_to_date(db_url)
    migrate.upgrade(db_url)  # idempotent at head

    migrate.downgrade(db_url, "base")
    db_engine.dispose()
    assert tables(db_engine) <= {"alembic_version"}
    assert migrate.current_revision(db_url) is None
    migrate.upgrade(db_url)  # and back up again
    assert tables(db_engine) == APP_TABLES | {"alembic_version"}


def test_models_and_migrations_do_not_drift(db_url: str, db_engine: Engine):
    migrate.upgrade(db_url)
    with db_engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True,
                              # the search objects are not in the models: see
                              # crawler/db/schema_extras.py
                              "include_name": include_name})
        assert compare_metadata(context, Base.metadata) == []


def test_schema_details(db_url: str, db_engine: Engine):
    migrate.upgrade(db_url)
    inspector = inspect(db_engine)
    indexes = {ix["name"] for table in APP_TABLES for ix in inspector.get_indexes(table)}
    assert {"ix_articles_published_at", "ix_articles_section", "ix_articles_category",
            "ix_articles_last_seen_at", "ix_article_tags_tag_id",
            "ix_article_regions_region_id", "ix_fetch_errors_run_id"} <= indexes
    for table in APP_TABLES - {"articles", "tags", "regions", "breaking_news", "crawl_runs"}:
        for fk in inspector.get_foreign_keys(table):
            # An alert outlives the article or breaking item it was about (the outbox
            # keeps what the notification says): SET NULL there.
            keeps = table == "alerts" and fk["referred_table"] != "watchlists"
            assert fk["options"].get("ondelete") == ("SET NULL" if keeps else "CASCADE"), (
                table, fk)
            assert fk["name"] and fk["name"].startswith(f"fk_{table}_")
    uniques = {tuple(u["column_names"]) for u in inspector.get_unique_constraints("placements")}
    # Placements are runs: one row per stay at a position (migration 0002).
    assert ("article_id", "page_url", "position", "first_seen_at") in uniques


def test_migrate_from_another_cwd_keeps_logging(db_url: str, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    marker = logging.getLogger("newsmon.marker")
    marker.disabled = False
    migrate.upgrade(db_url)
    assert root.handlers == handlers and root.level == level and not marker.disabled
    assert Path(migrate.alembic_config(db_url).get_main_option("script_location")).is_absolute()


def test_alembic_ini_with_url_option(db_url: str, db_engine: Engine):
    """The command-line path: alembic.ini plus a sqlalchemy.url option."""
    config = Config(str(REPO / "alembic.ini"), attributes={"configure_logger": False})
    config.set_main_option("sqlalchemy.url", db_url.replace("%", "%%"))
    command.upgrade(config, "head")
    assert tables(db_engine) == APP_TABLES | {"alembic_version"}
    command.downgrade(config, "base")
    db_engine.dispose()
    assert tables(db_engine) <= {"alembic_version"}


def test_offline_sql_renders(db_url: str, capsys):
    config = migrate.alembic_config(db_url)
    command.upgrade(config, "head", sql=True)
    out = capsys.readouterr().out
    assert "CREATE TABLE articles" in out and "CREATE TABLE fetch_errors" in out
