"""`newsmon backfill`: articles from the replica's sitemaps (monthly sitemaps behind a
sitemap index, `Sitemap:` lines in robots.txt, a news sitemap), fetched only when not
stored, resumable after a SIGKILL. Real subprocesses, asserted from the replica's
request log and the database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest

from crawler.db.session import sqlite_url
from crawler.cli.crawling import last_month
from crawler.replica import content, sitemaps
from crawler.replica.content import EDGE_CASES, expected_sitemap_only_articles
from crawler.replica.server import ReplicaServer
from crawler.spiders.backfill import lastmod_month, parse_month, sitemap_month
from tests._monitor_helpers import (BACKENDS, FAST, article_requests, copy_of, crawled_site,
                                    newsmon, records, sql)

pytestmark = pytest.mark.timeout(300)


def backfill(server: ReplicaServer, db_url: str, *extra: str) -> subprocess.CompletedProcess:
    result = newsmon("backfill", "--base-url", server.base_url, "--db", db_url, *FAST, *extra)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def sitemap_article_paths() -> set[str]:
    """Every article page the sitemaps list, but the one robots.txt forbids."""
    listed = sitemaps.in_monthly(content.ARTICLES) + sitemaps.in_news(content.ARTICLES)
    return {a["path"] for a in listed} - {EDGE_CASES["robots_disallowed"]["path"]}


# --- months ---------------------------------------------------------------------------

def test_months():
    assert parse_month("2025-09") == parse_month("2025-9") == (2025, 9)
    for bad in ("2025-13", "2025", "09-2025", "2025-09-01"):
        with pytest.raises(ValueError):
            parse_month(bad)
    assert sitemap_month("https://x.net/sitemaps/all/sitemap-2025-9.xml") == (2025, 9)
    assert sitemap_month("https://x.net/sitemaps/all/sitemap-2024-12.xml.gz") == (2024, 12)
    assert sitemap_month("https://x.net/sitemaps/news.xml") is None
    assert lastmod_month("2025-10-05T18:30:00+03:00") == (2025, 10)
    assert lastmod_month("2025-10-05") == (2025, 10) and lastmod_month("soon") is None
    assert last_month(datetime(2026, 1, 15, tzinfo=UTC)) == "2025-12"
    assert last_month(datetime(2026, 11, 15, tzinfo=UTC)) == "2026-10"


def test_until_before_since_is_a_usage_error(tmp_path):
    result = newsmon("backfill", "--base-url", "http://127.0.0.1:1", "--db",
                     sqlite_url(tmp_path / "x.sqlite3"), "--since", "2025-06",
                     "--until", "2025-01", timeout=60)
    assert result.returncode == 2 and "--until" in result.stderr


# --- end to end -----------------------------------------------------------------------

@pytest.fixture(scope="module", params=BACKENDS)
def site(request, tmp_path_factory):
    yield from crawled_site(request.param, tmp_path_factory.mktemp("backfill"))


@pytest.mark.e2e
def test_backfill_after_a_crawl_fetches_only_the_sitemap_only_articles(site, tmp_path):
    for db_url in copy_of(site, tmp_path):
        server = site.server
        result = backfill(server, db_url, "--since", "2024-12")
        requested = [r.path for r in article_requests(server)]
        paths = [r.path for r in server.request_log]
        base = server.base_url
        expected = expected_sitemap_only_articles(base)
        assert sorted(base + p for p in requested) == sorted(expected)
        assert "articles new:       4" in result.stdout
        # The sitemap index, its monthly sitemaps, and robots.txt's news sitemap.
        assert {"/robots.txt", "/sitemaps/all.xml", "/sitemaps/all/sitemap-2024-12.xml",
                "/sitemaps/all/sitemap-2025-9.xml", "/sitemaps/news.xml"} <= set(paths)
        assert EDGE_CASES["robots_disallowed"]["path"] not in paths
        stored = records(db_url)
        for url, want in expected.items():
            assert {k: stored[url][k] for k in want} == want, url
            assert stored[url]["revision"] == 1


@pytest.mark.e2e
def test_backfill_reads_only_the_months_asked_for(tmp_path):
    db_url = sqlite_url(tmp_path / "months.sqlite3")
    with ReplicaServer() as server:
        result = backfill(server, db_url, "--since", "2025-02", "--until", "2025-06")
        requested = sorted(r.path for r in article_requests(server))
        monthly = sorted(r.path for r in server.request_log
                         if r.path.startswith("/sitemaps/all/"))
    assert monthly == ["/sitemaps/all/sitemap-2025-3.xml", "/sitemaps/all/sitemap-2025-5.xml"]
    # News sitemap entries carry a lastmod of October 2025: out of range.
    assert requested == sorted(content.BY_KEY[k]["path"]
                               for k in ("archive-iran-iaea", "archive-sudan-aid"))
    assert "articles new:       2" in result.stdout
    assert "to fetch" in result.stderr  # progress


@pytest.mark.e2e
def test_a_killed_backfill_resumes_without_fetching_what_it_stored(tmp_path):
    db_url = sqlite_url(tmp_path / "resume.sqlite3")
    with ReplicaServer(article_delay=0.3) as server:
        argv = [sys.executable, "-m", "crawler.cli", "backfill", "--base-url",
                server.base_url, "--db", db_url, "--since", "2024-01", *FAST,
                "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=1",
                "--set", "NEWSMON_BACKFILL_LOG_EVERY=2"]
        first = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and first.poll() is None:
                if os.path.exists(tmp_path / "resume.sqlite3") and _stored(db_url) >= 4:
                    break
                time.sleep(0.1)
            assert first.poll() is None, "the backfill ended before it could be killed"
            first.send_signal(signal.SIGKILL)
        finally:
            first.kill()
            first.wait(timeout=30)
        before = {row["url"] for row in sql(db_url, "SELECT url FROM articles")}
        assert 4 <= len(before) < len(sitemap_article_paths())

        server.article_delay = 0
        server.clear_log()
        result = backfill(server, db_url, "--since", "2024-01",
                          "--set", "NEWSMON_BACKFILL_LOG_EVERY=2")
        again = {server.base_url + r.path for r in article_requests(server)}
        base = server.base_url
    assert not before & again, "stored articles were fetched again"
    after = {row["url"] for row in sql(db_url, "SELECT url FROM articles")}
    assert after == {base + p for p in sitemap_article_paths()}
    assert "Backfill progress" in result.stderr
    statuses = [row["status"] for row in sql(db_url, "SELECT status FROM crawl_runs ORDER BY id")]
    assert statuses == ["interrupted", "ok"]  # the killed run, recovered under the lock


def _stored(db_url: str) -> int:
    try:
        return sql(db_url, "SELECT count(*) AS n FROM articles")[0]["n"]
    except Exception:  # noqa: BLE001 - the schema is not there yet
        return 0
