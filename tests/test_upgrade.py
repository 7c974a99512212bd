"""Upgrading a database of the previous release (migration head 0004) with data in
it to this release's head, on both backends; then querying it with this release's
code; then the rollback of docs/OPERATIONS.md (downgrade to 0004) keeping the data.

The data is written by the previous release's own code (its commit, taken from this
repository's history with `git archive`), not by this release's store, which writes
columns the old schema does not have."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from prometheus_client import generate_latest
from sqlalchemy import inspect, text

from crawler.db import migrate
from crawler.db.models import Base
from crawler.db.session import make_engine
from crawler.db.store import Store
from crawler.ops.doctor import check_database
from crawler.ops.metrics import registry_for
from crawler.ops.prune import Pruner, Retention
from tests._analyst_data import CORRIDOR_URL, SUMMIT_URL
from tests._operate_data import parse_metrics, value

PREVIOUS_HEAD = "0004"
PREVIOUS_RELEASE = "5ac6c7d"  # the last commit released with migration head 0004
ROOT = Path(__file__).resolve().parent.parent
OLD_TABLES = ("articles", "article_revisions", "placements", "breaking_news", "crawl_runs",
              "fetch_errors", "raw_pages", "tags", "article_tags", "index_pages")


def counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                for t in OLD_TABLES}


@pytest.fixture(scope="module")
def previous_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The previous release's code and test data writer, from this repository's
    history (a clone has it; CI clones the whole of main)."""
    root = tmp_path_factory.mktemp("previous-release")
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", PREVIOUS_RELEASE, "crawler", "tests/__init__.py",
         "tests/_analyst_data.py"], capture_output=True)
    assert archive.returncode == 0, (
        f"the previous release {PREVIOUS_RELEASE} is not in this clone's history: "
        f"{archive.stderr.decode(errors='replace').strip()}")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(root, filter="data")
    return root


def populate_with_previous_release(root: Path, db_url: str) -> None:
    code = ("from datetime import UTC, datetime\n"
            "from crawler.db.session import make_engine\n"
            "from crawler.db.store import Store\n"
            "from tests._analyst_data import populate\n"
            "import crawler, sys\n"
            f"assert crawler.__file__.startswith({str(root)!r}), crawler.__file__\n"
            f"populate(Store(make_engine({db_url!r})), datetime.now(UTC))\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True,
                          env={**os.environ, "PYTHONPATH": str(root)}, timeout=120)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]


def test_upgrade_from_the_previous_release_with_data(db_url: str,
                                                     previous_release: Path) -> None:
    migrate.upgrade(db_url, PREVIOUS_HEAD)
    engine = make_engine(db_url)
    assert not inspect(engine).has_table("run_counters")
    populate_with_previous_release(previous_release, db_url)
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
