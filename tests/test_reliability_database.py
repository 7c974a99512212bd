"""The database lost during a crawl: items are spooled to a local file and written when
it is back, in the same run or at the start of the next; nothing is lost.

The database is PostgreSQL reached through a TCP proxy (tests/_tcp_proxy.py) that the
test cuts (every connection reset, new ones refused) and restores; the shared server
itself is never touched. The crawls are the real `newsmon crawl` subprocesses against
the replica, slowed down so that the cut falls in the middle of the crawl.
(Unreachable at the start, exit 3 and nothing fetched:
tests/test_cli.py::test_unreachable_database_is_one_line_and_fetches_nothing and
tests/test_reliability_security.py.)
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy.engine import make_url

from crawler.items import ArticleItem
from crawler.replica.content import expected_articles
from crawler.replica.server import ReplicaServer
from crawler.crawl.spool import Spool, spool_path
from tests._reliability import (FAST, article_count, mismatches, newsmon, rows, start,
                                stored_records, wait_until)
from tests._tcp_proxy import TcpProxy
from tests.conftest import _postgres_database

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database (direct URL), dropped afterwards."""
    yield from _postgres_database()


@pytest.fixture
def proxy() -> Iterator[TcpProxy]:
    with TcpProxy(("127.0.0.1", 5432)) as tcp_proxy:
        yield tcp_proxy


def through(proxy: TcpProxy, db_url: str) -> str:
    return make_url(db_url).set(host=proxy.host, port=proxy.port) \
        .render_as_string(hide_password=False)


def crawl_args(base_url: str, db_url: str, spool_dir: Path, *extra: str) -> list[str]:
    return ["crawl", "--base-url", base_url, "--db", db_url, *FAST,
            "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=2",
            "--set", f"NEWSMON_SPOOL_DIR={spool_dir}",
            "--set", "NEWSMON_SPOOL_RETRY_INTERVAL=0.3", *extra]


def test_database_lost_and_back_during_a_crawl_loses_nothing(pg_url, proxy, tmp_path):
    db_url = through(proxy, pg_url)
    with ReplicaServer(article_delay=0.1) as server:
        base_url = server.base_url
        expected = expected_articles(base_url)
        crawl = start(*crawl_args(base_url, db_url, tmp_path / "spool"))
        assert wait_until(lambda: article_count(pg_url) >= 3, timeout=60)
        proxy.cut()
        time.sleep(1.5)
        during = article_count(pg_url)
        proxy.restore()
        out, err = crawl.communicate(timeout=120)
    assert crawl.returncode == 0, err[-3000:]
    assert during < len(expected)  # the cut fell in the middle of the crawl
    assert proxy.refused > 0       # ... and the crawl did try to reach the database
    assert "database unavailable" in err and "items are spooled to" in err
    assert "spool: database available again: " in err and "spooled items written" in err
    stored = stored_records(pg_url)
    assert sorted(stored) == sorted(expected)
    assert not mismatches(stored, expected)
    spool = Spool(spool_path(db_url, base_url, str(tmp_path / "spool")))
    assert spool.path.exists() and spool.count() == 0 and spool.unwritable_count() == 0
    run = rows(pg_url, "SELECT status, articles_new, articles_unchanged FROM crawl_runs")
    assert [r["status"] for r in run] == ["ok"]
    assert run[0]["articles_new"] + run[0]["articles_unchanged"] >= len(expected)
    assert "run 1: ok" in out


def test_database_lost_to_the_end_is_written_by_the_next_run(pg_url, proxy, tmp_path):
    db_url = through(proxy, pg_url)
    spool_dir = tmp_path / "spool"
    with ReplicaServer(article_delay=0.1) as server:
        expected = expected_articles(server.base_url)
        first = start(*crawl_args(server.base_url, db_url, spool_dir,
                                  "--set", "NEWSMON_SPOOL_CLOSE_WAIT=1"))
        assert wait_until(lambda: article_count(pg_url) >= 3, timeout=60)
        proxy.cut()
        _out, err = first.communicate(timeout=120)
        assert first.returncode == 3, err[-3000:]
        last = err.strip().splitlines()[-1]
        assert last.startswith("newsmon: database unavailable: lost during run 1: ")
        assert "spooled in" in last and "the next crawl of the site writes them first" in last

        spool = Spool(spool_path(db_url, server.base_url, str(spool_dir)))
        spooled = [r.item() for r in spool.records()]
        spool.close()
        spooled_articles = {i.url for i in spooled if isinstance(i, ArticleItem)}
        stored_before = set(stored_records(pg_url))
        assert spooled_articles and not spooled_articles & stored_before
        assert type(spooled[-1]).__name__ == "RunEnd"  # the run's own record, last

        proxy.restore()
        server.clear_log()
        second = newsmon(*crawl_args(server.base_url, db_url, spool_dir))
        assert second.returncode == 0, second.stderr[-3000:]
        fetched_again = {server.base_url + urlsplit(p).path for p in server.requested_paths()}
    assert "writing them first" in second.stderr
    # The spooled articles came from the spool, not from a second download.
    assert not spooled_articles & fetched_again
    stored = stored_records(pg_url)
    assert sorted(stored) == sorted(expected)
    assert not mismatches(stored, expected)
    assert Spool(spool.path).count() == 0
    runs = rows(pg_url, "SELECT id, status, error_summary, articles_new FROM crawl_runs "
                        "ORDER BY id")
    assert [r["status"] for r in runs] == ["ok", "ok"]  # run 1 as it ended, not lost
    assert "database unavailable from" in runs[0]["error_summary"]
    assert runs[0]["articles_new"] >= len(spooled_articles)
