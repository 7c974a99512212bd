"""Alembic migrations (migrations/ and crawler.db.migrate) on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
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
    assert migrate.current_revision(db_url) == migrate.head_revision() == "0014"
    assert migrate.is_up_to_date(db_url)
    migrate.upgrade(db_url)  # idempotent at head
    # commands skip Alembic at the head: the constant they compare with is Alembic's head
    assert migrate.SCHEMA_HEAD == migrate.head_revision()

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


def test_0014_fills_the_metric_totals_from_the_tables_and_back(db_url: str, db_engine: Engine):
    """Counters were sums over the tables plus `pruned_totals`; 0014 turns them into
    running totals with the same values, and its downgrade gives back what prune had
    deleted."""
    from sqlalchemy import text

    from crawler.db.metric_totals import read

    migrate.upgrade(db_url, "0011")
    with db_engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO crawl_runs (id, started_at, finished_at, status, trigger, base_url, "
            "pages_fetched, articles_new, articles_updated, articles_unchanged, errors) "
            "VALUES (:id, :s, :f, :st, 'manual', 'https://x', 5, :new, 1, 2, 0)"),
            [{"id": 1, "s": "2026-12-01 10:00:00", "f": "2026-12-01 10:00:30", "st": "ok",
              "new": 3},
             {"id": 2, "s": "2026-12-01 11:00:00", "f": "2026-12-01 11:00:10", "st": "failed",
              "new": 0},
             {"id": 3, "s": "2026-12-01 12:00:00", "f": None, "st": "running", "new": 7}])
        conn.execute(text("INSERT INTO run_counters (run_id, name, value) VALUES "
                          "(1, 'responses_2xx', 40), (1, 'responses_4xx', 2), "
                          "(2, 'responses_2xx', 5), (1, 'rendered_pages', 3)"))
        conn.execute(text(
            "INSERT INTO fetch_errors (run_id, url, status, error, occurred_at) VALUES "
            "(1, 'https://x/a', 404, 'HTTP 404', '2026-12-01 10:00:01'), "
            "(1, 'https://x/b', NULL, 'Read timed out', '2026-12-01 10:00:02'), "
            "(2, 'https://x/c', NULL, 'Skipped: robots.txt', '2026-12-01 11:00:01')"))
        conn.execute(text("INSERT INTO pruned_totals (name, value) VALUES "
                          "('newsmon_runs_total|ok', 10), ('newsmon_fetch_errors_total|dns', 4)"))
    migrate.upgrade(db_url)
    with db_engine.connect() as conn:
        totals = read(conn)
    assert totals == pytest.approx({
        "newsmon_runs_total|ok": 11, "newsmon_runs_total|failed": 1,
        "newsmon_articles_total|new": 3, "newsmon_articles_total|updated": 2,
        "newsmon_articles_total|unchanged": 4, "newsmon_run_duration_seconds_count": 2,
        "newsmon_run_duration_seconds_sum": 40, "newsmon_pages_fetched_total|2xx": 45,
        "newsmon_pages_fetched_total|4xx": 2, "newsmon_rendered_pages_total": 3,
        "newsmon_fetch_errors_total|http_4xx": 1, "newsmon_fetch_errors_total|timeout": 1,
        "newsmon_fetch_errors_total|skipped": 1, "newsmon_fetch_errors_total|dns": 4})

    migrate.downgrade(db_url, "0011")
    with db_engine.connect() as conn:
        pruned = dict(conn.execute(text("SELECT name, value FROM pruned_totals")).all())
    assert pruned == pytest.approx({"newsmon_runs_total|ok": 10,
                                    "newsmon_fetch_errors_total|dns": 4})


def test_open_database_skips_alembic_at_the_head_and_upgrades_behind_it(tmp_path):
    """A command opening a current database does not load Alembic (a third of a second
    of every command); one behind the head is upgraded."""
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'n.db'}"
    migrate.upgrade(url, "0011")
    probe = ("import sys; from crawler.cli.common import open_database; "
             f"open_database({url!r}); print('alembic' in sys.modules)")
    first = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                           check=True)
    assert first.stdout.strip() == "True"           # behind: upgraded through Alembic
    assert migrate.current_revision(url) == migrate.SCHEMA_HEAD
    second = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True)
    assert second.stdout.strip() == "False"         # at the head: Alembic never imported


@pytest.mark.parametrize("command", [["search", "x"], ["stats"], ["changes"], ["export", "--format", "jsonl"],
                                     ["siblings", "http://a.example/b"], ["frontpage"]])
def test_read_commands_refuse_an_outdated_schema_in_one_line(tmp_path, command):
    """Every read command answers a database behind the head alike (the dispatcher's
    one line, exit 1), and leaves it as it was."""
    import subprocess
    import sys

    path = tmp_path / "old.db"
    migrate.upgrade(f"sqlite:///{path}", "0011")
    before = path.read_bytes()
    done = subprocess.run([sys.executable, "-m", "crawler.cli", *command, "--db", str(path)],
                          capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"newsmon: the schema of sqlite:///{path} is not at the latest revision: "
        "run `newsmon db upgrade`"]
    assert path.read_bytes() == before
