"""Upgrading a database of the previous release (migration head 0004) with data in
it to this release's head, on both backends; then querying it with this release's
code; then the rollback of docs/OPERATIONS.md (downgrade to 0004) keeping the data."""

from __future__ import annotations

from datetime import UTC, datetime

from prometheus_client import generate_latest
from sqlalchemy import inspect, text

from crawler.db import migrate
from crawler.db.models import Base
from crawler.db.session import make_engine
from crawler.db.store import Store
from crawler.ops.doctor import check_database
from crawler.ops.metrics import registry_for
from crawler.ops.prune import Pruner, Retention
from tests._analyst_data import CORRIDOR_URL, SUMMIT_URL, populate
from tests._operate_data import parse_metrics, value

PREVIOUS_HEAD = "0004"
OLD_TABLES = ("articles", "article_revisions", "placements", "breaking_news", "crawl_runs",
              "fetch_errors", "raw_pages", "tags", "article_tags", "index_pages")


def counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                for t in OLD_TABLES}


def test_upgrade_from_the_previous_release_with_data(db_url: str) -> None:
    migrate.upgrade(db_url, PREVIOUS_HEAD)
    engine = make_engine(db_url)
    assert not inspect(engine).has_table("run_counters")
    populate(Store(engine), datetime.now(UTC))
    before = counts(engine)
    assert all(before[t] for t in ("articles", "placements", "crawl_runs", "fetch_errors"))

    migrate.upgrade(db_url)
    engine.dispose()
    assert migrate.current_revision(db_url) == migrate.head_revision() != PREVIOUS_HEAD
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    assert counts(engine) == before
    store = Store(engine)
    article = store.get_article(CORRIDOR_URL)
    assert article["title"] == "Humanitarian corridor opens in northern Gaza"
    edited = store.get_article(SUMMIT_URL)
    assert edited["revision"] == 2
    assert len(list(store.iter_export_articles())) == before["articles"]
    samples = parse_metrics(generate_latest(registry_for(engine)).decode())
    assert value(samples, "newsmon_runs_total", status="degraded") == 1
    assert value(samples, "newsmon_fetch_errors_total", kind="http_4xx") == 1
    assert value(samples, "newsmon_revisions_total") == 1
    checks, doctor_engine = check_database(db_url)
    assert [c.label for c in checks] == ["OK", "OK", "OK"]
    doctor_engine.dispose()
    assert all(r.rows == 0 for r in Pruner(engine, Retention(
        raw_pages=86400 * 365, placements=86400 * 365, fetch_errors=86400 * 365,
        runs=86400 * 365), dry_run=True).run())

    # Rollback: back to the previous release's schema; its data stays.
    engine.dispose()
    migrate.downgrade(db_url, PREVIOUS_HEAD)
    assert migrate.current_revision(db_url) == PREVIOUS_HEAD
    assert not inspect(engine).has_table("run_counters")
    assert counts(engine) == before
    engine.dispose()
