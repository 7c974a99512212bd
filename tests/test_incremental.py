"""Incremental crawls, end to end: the real `newsmon crawl` against the replica, asserted
from the replica's own request log and from the database (SQLite and PostgreSQL).

Most tests start from a copy of one first crawl of the replica (per backend)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from crawler.db.session import sqlite_url
from crawler.replica.changes import new_article, now_beirut
from crawler.replica.content import EDGE_CASES, expected_articles, expected_fields
from crawler.replica.model import BREAKING
from crawler.replica.server import ReplicaServer
from tests._monitor_helpers import (BACKENDS, article_requests, copy_of, crawl,
                                    crawled_site, newsmon, records, sql)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, tmp_path_factory):
    yield from crawled_site(request.param, tmp_path_factory.mktemp("incremental"))


@pytest.fixture
def db_url(site, tmp_path):
    """A copy of the first crawl's database; the replica serves the truth again."""
    yield from copy_of(site, tmp_path)


@pytest.fixture
def server(site, db_url):
    return site.server

TABLES = ("articles", "url_aliases", "placements", "article_revisions", "article_tags",
          "article_regions", "article_links", "index_pages")


def counts(db_url: str) -> dict[str, int]:
    return {t: sql(db_url, f"SELECT count(*) AS n FROM {t}")[0]["n"] for t in TABLES}


def test_immediate_recrawl_of_an_unchanged_site_fetches_no_article(server, db_url):
    before, first = counts(db_url), records(db_url)
    result = crawl(server, db_url)
    log = list(server.request_log)
    base = server.base_url
    # No article page, not even through an old URL that redirects to a stored article
    # or a link with tracking parameters (both on the home page).
    assert article_requests(server) == []
    assert "articles new:       0" in result.stdout
    # Index pages: the home page in full, every other index asked conditionally (304),
    # and no pagination (no first page shows an unseen article).
    assert sorted(r.path for r in log if r.status == 200) == ["/", "/robots.txt"]
    index = [r for r in log if r.path not in ("/", "/robots.txt")]
    assert len(index) >= 20
    assert all(r.status == 304 and r.headers.get("If-None-Match") for r in index), index
    assert not any("page=" in r.path for r in index)
    # Nothing new, but the listings were recorded: runs extended, articles seen.
    assert counts(db_url) == before
    after = records(db_url)
    listed_on_home = base + EDGE_CASES["multi_region_listing"]["path"]
    assert after[listed_on_home]["last_seen_at"] > first[listed_on_home]["last_seen_at"]
    assert after[listed_on_home]["first_seen_at"] == first[listed_on_home]["first_seen_at"]
    runs = sql(db_url, "SELECT count(*) AS n FROM placements WHERE last_seen_at > first_seen_at")
    assert runs[0]["n"] > 0


def test_after_three_new_articles_exactly_those_are_fetched_and_stored(server, db_url):
    now = now_beirut()
    new = [server.add_article(new_article(
        f"fresh-{i}", title, published=now - timedelta(minutes=i), regions=["MENA"],
        tags=["Breaking", "Gaza"])) for i, title in enumerate((
            "Ceasefire talks resume in Cairo with new proposals",
            "Power cuts spread across southern Lebanon after strikes",
            "Drone intercepted over the Red Sea, officials say"))]
    result = crawl(server, db_url)
    base = server.base_url
    requested = [r.path for r in article_requests(server)]
    index_log = [(r.path, r.status) for r in server.request_log
                 if r.path.startswith("/news/politics") and r.path not in requested]
    assert sorted(requested) == sorted(a["path"] for a in new)
    assert "articles new:       3" in result.stdout
    stored = records(db_url)
    assert len(stored) == len(expected_articles(base)) + 3
    for article in new:
        want = expected_fields(article, base)
        got = stored[want["url"]]
        assert {k: got[k] for k in want} == want
        assert got["revision"] == 1
    # Politics page 1 lists the new articles, so page 2 is checked (and shows nothing
    # unseen: it answers 304), and page 3 is not asked for.
    assert index_log == [("/news/politics", 200), ("/news/politics?page=2", 304)]
    # The 404 link on page 2 is not asked again so soon (NEWSMON_RETRY_FAILED_AFTER).
    assert EDGE_CASES["not_found"]["path"] not in requested
    home = sql(db_url, "SELECT a.url FROM placements p JOIN articles a ON a.id = p.article_id "
                       "WHERE p.page_kind = 'home'")
    assert {base + a["path"] for a in new} <= {row["url"] for row in home}


def test_a_changed_title_on_an_index_card_makes_the_article_due(server, db_url):
    new_title = "How Trump cornered Netanyahu into the Gaza plan: FT"
    edited = server.edit_article("trump-netanyahu-ft", title=new_title)
    result = crawl(server, db_url)  # the default schedule: old articles are not due
    requested = [r.path for r in article_requests(server)]
    url = server.base_url + edited["path"]
    # Only the article whose card shows another title than the stored one is fetched.
    assert requested == [edited["path"]]
    assert "articles updated:   1" in result.stdout
    record = records(db_url)[url]
    assert record["title"] == new_title and record["revision"] == 2


def test_breaking_ticker_changes_are_tracked(server, db_url):
    # The first crawl saw the whole ticker; then two items go, one comes, and one of
    # those that went comes back.
    alert_a, alert_b, alert_c = BREAKING[:3]
    alert_d = "Reuters: Oil tanker attacked off the coast of Yemen, crew safe"
    for ticker in ([alert_b, alert_c, alert_d], [alert_a, alert_d]):
        server.set_breaking(ticker)
        crawl(server, db_url)
    items = records(db_url, kind="breaking")
    # One item per text: the first alert left the ticker and came back, still one item.
    assert set(items) == set(BREAKING) | {alert_d}
    assert sql(db_url, "SELECT count(*) AS n FROM breaking_news")[0]["n"] == len(BREAKING) + 1
    runs = sql(db_url, "SELECT started_at, finished_at FROM crawl_runs ORDER BY id")
    spans = [(_utc(r["started_at"]), _utc(r["finished_at"])) for r in runs]

    def in_run(value: str, run: int) -> bool:
        return spans[run][0] <= datetime.fromisoformat(value) <= spans[run][1]

    assert in_run(items[alert_a]["first_seen_at"], 0) and in_run(items[alert_a]["last_seen_at"], 2)
    assert in_run(items[alert_b]["first_seen_at"], 0) and in_run(items[alert_b]["last_seen_at"], 1)
    assert in_run(items[alert_c]["last_seen_at"], 1)
    assert in_run(items[BREAKING[3]]["last_seen_at"], 0)
    assert in_run(items[alert_d]["first_seen_at"], 1) and in_run(items[alert_d]["last_seen_at"], 2)


def _utc(value) -> datetime:
    if isinstance(value, str):  # SQLite through text(): the stored UTC text
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def test_revisit_after_must_be_a_duration(tmp_path):
    result = newsmon("crawl", "--base-url", "http://127.0.0.1:1", "--db",
                     f"sqlite:///{tmp_path}/x.sqlite3", "--revisit-after", "soon", timeout=60)
    assert result.returncode == 2
    assert "--revisit-after" in result.stderr


def test_a_crawl_reads_the_pages_an_earlier_capped_crawl_never_reached(tmp_path):
    db_url = sqlite_url(tmp_path / "capped.sqlite3")
    with ReplicaServer() as server:
        crawl(server, db_url, "--set", "NEWSMON_MAX_INDEX_PAGES=1")  # first pages only
        assert not any("page=" in r.path for r in server.request_log)
        server.clear_log()
        crawl(server, db_url)
        paths = [r.path for r in server.request_log]
        stored = set(records(db_url))
        base = server.base_url
    # Page 1 shows nothing new, but page 2 was never read: it is read now, and on.
    assert {"/news/politics?page=2", "/news/politics?page=3", "/news/economy?page=2",
            "/articles/opinion?page=2", "/articles/analysis?page=2"} <= set(paths)
    assert stored == set(expected_articles(base))
