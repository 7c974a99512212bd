"""End to end: the real `newsmon crawl` (a subprocess) against the replica on 127.0.0.1.

One crawl per database backend feeds every assertion below; a second crawl then
checks that nothing is duplicated. Expected values come from the replica's truth
records (crawler/replica/content.py), never from the parser.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from sqlalchemy import text

from crawler.db.session import make_engine
from crawler.replica.content import EDGE_CASES, expected_articles, expected_breaking
from crawler.replica.server import ReplicaServer
from tests.conftest import _postgres_database

pytestmark = pytest.mark.e2e

FAST = ["--set", "DOWNLOAD_DELAY=0", "--set", "AUTOTHROTTLE_ENABLED=False",
        "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=4", "--set", "LOG_LEVEL=INFO"]


def newsmon(*args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler.cli", *args],
                          capture_output=True, text=True, timeout=timeout)


def export(db_url: str, kind: str = "articles") -> list[dict]:
    result = newsmon("export", "--db", db_url, "--format", "jsonl", "--kind", kind)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def table_counts(db_url: str) -> dict[str, int]:
    engine = make_engine(db_url)
    tables = ["articles", "tags", "article_tags", "regions", "article_regions",
              "placements", "article_links", "url_aliases", "raw_pages", "breaking_news"]
    with engine.connect() as conn:
        counts = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                  for t in tables}
    engine.dispose()
    return counts


@dataclass
class CrawledSite:
    server: ReplicaServer
    db_url: str
    first: subprocess.CompletedProcess
    records: dict[str, dict]
    paths_requested: list[str] = field(default_factory=list)


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def crawled(request, tmp_path_factory) -> Iterator[CrawledSite]:
    if request.param == "sqlite":
        yield from crawl_once(f"sqlite:///{tmp_path_factory.mktemp('e2e')}/crawl.sqlite3")
    else:
        for db_url in _postgres_database():  # a fresh database, dropped afterwards
            yield from crawl_once(db_url)


def crawl_once(db_url: str, **server_options) -> Iterator[CrawledSite]:
    """One crawl of a fresh replica (``ReplicaServer(**server_options)``) into db_url."""
    with ReplicaServer(**server_options) as server:
        first = newsmon("crawl", "--base-url", server.base_url, "--db", db_url, *FAST)
        paths = [r.path for r in server.request_log]
        records = {r["url"]: r for r in export(db_url)}
        yield CrawledSite(server, db_url, first, records, paths)


def url_of(site: CrawledSite, path: str) -> str:
    return site.server.base_url + path


def test_crawl_exits_zero_and_prints_a_summary(crawled):
    assert crawled.first.returncode == 0, crawled.first.stderr[-3000:]
    assert "articles new:" in crawled.first.stdout
    assert "errors:" in crawled.first.stdout


def field_mismatches(records: dict[str, dict], expected: dict[str, dict]) -> list[str]:
    """"url key: got …, want …" for every exported field that differs from the truth."""
    return [f"{url} {key}: got {records[url][key]!r}, want {value!r}"
            for url, want in expected.items() for key, value in want.items()
            if records[url][key] != value]


def test_every_expected_article_is_stored_with_every_field(crawled):
    expected = expected_articles(crawled.server.base_url)
    assert sorted(crawled.records) == sorted(expected)
    mismatches = field_mismatches(crawled.records, expected)
    assert not mismatches, "\n".join(mismatches[:20])


def test_records_have_exactly_the_export_keys(crawled):
    from crawler.items import ARTICLE_EXPORT_KEYS
    for record in crawled.records.values():
        assert tuple(record) == ARTICLE_EXPORT_KEYS
        assert record["revision"] == 1
        assert record["first_seen_at"].endswith("+00:00")


def test_breaking_ticker_is_stored(crawled):
    items = export(crawled.db_url, kind="breaking")
    assert sorted(i["text"] for i in items) == sorted(expected_breaking())
    assert all(i["first_seen_at"] <= i["last_seen_at"] for i in items)


def test_robots_disallowed_article_is_never_fetched(crawled):
    path = EDGE_CASES["robots_disallowed"]["path"]
    assert "/robots.txt" in crawled.paths_requested
    assert path not in crawled.paths_requested
    assert url_of(crawled, path) not in crawled.records
    # A Disallow rule is policy, not a failure: no fetch error for it.
    assert not any(e["url"].endswith(path) for e in fetch_errors(crawled.db_url))


def test_off_site_links_are_not_followed(crawled):
    # The other port has no server at all: a request there would be a fetch error.
    path = EDGE_CASES["offsite_port"]["path"]
    assert url_of(crawled, path) not in crawled.records
    assert not any(urlsplit(u).port == crawled.server.offsite_port for u in crawled.records)
    assert not any("www.almayadeen.net" in u for u in crawled.records)
    errors = fetch_errors(crawled.db_url)
    assert not any(str(crawled.server.offsite_port) in e["url"] for e in errors)


def test_one_request_per_canonical_url(crawled):
    article_paths = [p for p in crawled.paths_requested
                     if p.split("?")[0] in {urlsplit(u).path for u in crawled.records}]
    repeated = {p for p in article_paths if article_paths.count(p) > 1}
    # The only repeat allowed is the retry of the page that fails once with a 500.
    assert repeated <= {EDGE_CASES["error_once"]["path"]}


def test_tracking_parameters_and_fragment_are_stripped(crawled):
    path = EDGE_CASES["tracking_link"]["path"]
    clean = path.split("?")[0]
    assert url_of(crawled, clean) in crawled.records
    assert not any("utm_" in p or "fbclid" in p for p in crawled.paths_requested)


def test_old_url_redirect_is_stored_under_the_canonical_url(crawled):
    case = EDGE_CASES["old_url_redirect"]
    assert url_of(crawled, case["target"]) in crawled.records
    assert url_of(crawled, case["path"]) not in crawled.records
    assert case["path"] in crawled.paths_requested


def test_404_is_recorded_as_a_fetch_error(crawled):
    path = EDGE_CASES["not_found"]["path"]
    errors = fetch_errors(crawled.db_url)
    assert any(e["url"] == url_of(crawled, path) and e["status"] == 404 for e in errors)
    assert url_of(crawled, path) not in crawled.records


def test_500_once_then_200_is_stored(crawled):
    path = EDGE_CASES["error_once"]["path"]
    assert crawled.paths_requested.count(path) == 2
    assert url_of(crawled, path) in crawled.records


def test_endless_pagination_terminates(crawled):
    index = EDGE_CASES["endless_pagination"]["path"]
    pages = [p for p in crawled.paths_requested if p.split("?")[0] == index]
    # Page 2 repeats page 1's cards, so the chain stops there.
    assert pages == [index, index + "?page=2"], pages


def test_multi_region_listing_gives_one_row_with_both_regions(crawled):
    url = url_of(crawled, EDGE_CASES["multi_region_listing"]["path"])
    assert {"MENA", "Palestine"} <= set(crawled.records[url]["regions"])
    engine = make_engine(crawled.db_url)
    with engine.connect() as conn:
        kinds = conn.execute(text(
            "SELECT DISTINCT p.page_kind FROM placements p JOIN articles a "
            "ON a.id = p.article_id WHERE a.url = :url"), {"url": url}).scalars().all()
    engine.dispose()
    assert {"home", "section", "region"} <= set(kinds)


def test_articles_reachable_only_through_article_links(crawled):
    for case in ("read_more_only", "related_only"):
        assert url_of(crawled, EDGE_CASES[case]["path"]) in crawled.records, case


def test_non_article_pages_are_not_stored(crawled):
    for url in crawled.records:
        path = urlsplit(url).path
        assert not path.startswith(("/tags/", "/authors", "/live", "/about-us",
                                    "/privacy-policy", "/contact-us", "/regions/"))


def test_latin1_page_text_is_decoded(crawled):
    record = crawled.records[url_of(crawled, EDGE_CASES["latin1"]["path"])]
    assert any(ch in (record["body"] or "") for ch in "éü£")


def test_visible_dates_are_read_as_beirut_time(crawled):
    winter = crawled.records[url_of(crawled, EDGE_CASES["winter_visible_date"]["path"])]
    summer = crawled.records[url_of(crawled, EDGE_CASES["summer_visible_date"]["path"])]
    assert winter["published_at"].endswith("T07:30:00+00:00")
    assert summer["published_at"].endswith("T12:54:00+00:00")
    assert winter["modified_at"] == winter["published_at"]


def test_no_image_no_source_gives_nulls(crawled):
    record = crawled.records[url_of(crawled, EDGE_CASES["no_image_no_source"]["path"])]
    assert record["image_url"] is None and record["source"] is None
    assert record["image_caption"] is None


def test_search_finds_an_article_by_a_phrase_from_its_body(crawled):
    url = url_of(crawled, "/articles/features/the-last-olive-presses-of-jenin")
    phrase = "Abu Khaled has run the press for forty years"
    assert phrase in expected_articles(crawled.server.base_url)[url]["body"]  # the truth
    for query in (f'"{phrase}"', "olive press forty years"):
        result = newsmon("search", query, "--db", crawled.db_url, "--format", "json")
        assert result.returncode == 0, result.stderr
        answer = json.loads(result.stdout)
        hits = answer["results"]
        assert answer["total"] >= 1 and hits and hits[0]["url"] == url, (query, hits[:3])
        assert hits[0]["section"] == "Features" and "**" in hits[0]["snippet"]


def test_second_crawl_adds_no_row_and_changes_no_count(crawled):
    before = table_counts(crawled.db_url)
    again = newsmon("crawl", "--base-url", crawled.server.base_url, "--db", crawled.db_url,
                    *FAST)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "articles new:       0" in again.stdout
    assert table_counts(crawled.db_url) == before
    records = {r["url"]: r for r in export(crawled.db_url)}
    for url, record in records.items():
        old = crawled.records[url]
        assert record["first_seen_at"] == old["first_seen_at"]
        assert record["last_seen_at"] >= old["last_seen_at"]


def fetch_errors(db_url: str) -> list[dict]:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT url, status, error FROM fetch_errors")).mappings()
        result = [dict(r) for r in rows]
    engine.dispose()
    return result
