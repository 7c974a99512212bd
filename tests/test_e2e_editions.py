"""End to end, per edition: the real `newsmon crawl` (a subprocess) against the Arabic
and the Spanish replicas (``ReplicaServer(edition=...)``) on 127.0.0.1, told which
edition the base URL is (``--set NEWSMON_EDITION=ar``), then every stored field of
every replica article compared with the replica's truth
(``crawler.replica.editions.content.expected_articles``).

The Arabic section indexes page by a JavaScript "المزيد" button (certain on the real
site): the article only it loads needs the browser (``browser`` test below); every
other article is found in plain HTML.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

import pytest

from crawler.replica.editions import content
from crawler.replica.editions.model import SITES
from crawler.replica.server import ReplicaServer
from tests.conftest import _postgres_database
from tests.test_e2e_crawl import FAST, export, field_mismatches, newsmon

pytestmark = pytest.mark.e2e


@dataclass
class EditionCrawl:
    edition: str
    server: ReplicaServer
    db_url: str
    result: subprocess.CompletedProcess
    records: dict[str, dict]
    paths: list[str]


def _crawl(edition: str, db_url: str) -> Iterator[EditionCrawl]:
    with ReplicaServer(edition=edition) as server:
        result = newsmon("crawl", "--base-url", server.base_url, "--db", db_url,
                         "--set", f"NEWSMON_EDITION={edition}", *FAST, timeout=300)
        records = {r["url"]: r for r in export(db_url)}
        yield EditionCrawl(edition, server, db_url, result, records,
                           [r.path for r in server.request_log])


@pytest.fixture(scope="module", params=[
    ("ar", "sqlite"), ("es", "sqlite"),
    pytest.param(("ar", "postgresql"), marks=pytest.mark.postgres),
    pytest.param(("es", "postgresql"), marks=pytest.mark.postgres)],
    ids=lambda p: "-".join(p))
def crawled(request, tmp_path_factory) -> Iterator[EditionCrawl]:
    edition, backend = request.param
    if backend == "sqlite":
        folder = tmp_path_factory.mktemp(f"e2e-{edition}")
        yield from _crawl(edition, f"sqlite:///{folder}/crawl.sqlite3")
    else:
        for db_url in _postgres_database():
            yield from _crawl(edition, db_url)


def _browser_present() -> bool:
    return bool(shutil.which(os.environ.get("NEWSMON_CHROMIUM_PATH") or "/usr/bin/chromium"))


def test_the_crawl_exits_zero(crawled):
    assert crawled.result.returncode == 0, crawled.result.stderr[-3000:]
    assert "articles new:" in crawled.result.stdout


def test_every_plain_html_article_is_stored_with_every_field(crawled):
    expected = content.expected_articles(crawled.edition, crawled.server.base_url)
    js_only = {content.expected_fields(a, crawled.server.base_url)["url"]
               for a in content.load_more_only(crawled.edition)}
    plain = {url: values for url, values in expected.items() if url not in js_only}
    assert len(plain) >= 15
    missing = sorted(set(plain) - set(crawled.records))
    assert not missing, missing
    unexpected = sorted(set(crawled.records) - set(expected))
    assert not unexpected, unexpected
    mismatches = field_mismatches(crawled.records, plain)
    assert not mismatches, "\n".join(mismatches[:20])


@pytest.mark.browser
def test_arabic_load_more_is_read_through_the_browser(crawled):
    if crawled.edition != "ar":
        pytest.skip("only the Arabic edition's Load More is JavaScript")
    if not _browser_present():
        if os.environ.get("NEWSMON_REQUIRE_BROWSER") == "1":
            pytest.fail("no Chromium (NEWSMON_REQUIRE_BROWSER=1)", pytrace=False)
        pytest.skip("no Chromium: the Load More pages cannot be read")
    js_only = content.load_more_only("ar")
    assert js_only, "the Arabic replica hides an article behind Load More"
    expected = {v["url"]: v for v in (content.expected_fields(a, crawled.server.base_url)
                                      for a in js_only)}
    assert set(expected) <= set(crawled.records)
    assert not field_mismatches(crawled.records, expected)
    assert any(p.startswith("/api/loadmore?") for p in crawled.paths)   # the button's JSON


def test_the_ticker_is_stored_in_the_editions_language(crawled):
    items = export(crawled.db_url, kind="breaking")
    assert sorted(i["text"] for i in items) == sorted(SITES[crawled.edition].breaking)


def test_article_urls_keep_their_editions_form(crawled):
    for url in crawled.records:
        path = unquote(urlsplit(url).path)
        if crawled.edition == "es":   # /<section>/<numeric id>/<slug>
            section, number, _slug = path.strip("/").split("/")
            assert number.isdigit() and "/" + section in SITES["es"].sections
        else:                         # raw Unicode slugs, stored percent-encoded
            assert url == url.encode("ascii").decode()
            assert any("\u0600" <= ch <= "\u06ff" for ch in path)


def test_no_page_is_requested_twice_and_the_editions_pages_are_not_stored(crawled):
    stored_paths = {urlsplit(u).path for u in crawled.records}
    article_requests = [p for p in crawled.paths if p.split("?")[0] in stored_paths]
    assert len(article_requests) == len(set(article_requests))
    for url in crawled.records:
        assert not urlsplit(url).path.startswith(("/tags/", "/authors/", "/regions/",
                                                  "/regiones/"))


def test_year_less_dates_are_placed_before_the_fetch(crawled):
    if crawled.edition != "es":
        pytest.skip("the Spanish pages show dates without a year")
    visible = [a for a in content.ARTICLES["es"] if a["variant"] == "visible"]
    assert visible
    for a in visible:
        url = content.expected_fields(a, crawled.server.base_url)["url"]
        assert crawled.records[url]["published_at"] == a["published"].astimezone(
            content.UTC).isoformat()


def test_a_second_crawl_stores_nothing_new(crawled):
    again = newsmon("crawl", "--base-url", crawled.server.base_url, "--db", crawled.db_url,
                    "--set", f"NEWSMON_EDITION={crawled.edition}", *FAST, timeout=300)
    assert again.returncode == 0, again.stderr[-3000:]
    assert {r["url"] for r in export(crawled.db_url)} == set(crawled.records)


def test_quote_of_the_arabic_paths_matches_the_canonical_form():
    # what the server is asked (a browser's percent-encoding) is the stored URL's path
    for a in content.ARTICLES["ar"]:
        url = content.expected_fields(a, "http://127.0.0.1:1")["url"]
        assert urlsplit(url).path == quote(a["path"], safe="/:,")


@pytest.mark.parametrize("edition", ["ar", "es"])
def test_a_backfill_from_the_sitemaps_stores_every_article(edition, tmp_path):
    # The monthly sitemaps list every article, the one only Load More shows too: the
    # route to it without a browser. A backfill reads no index page, so regions are
    # only those the pages' own metadata names.
    db_url = f"sqlite:///{tmp_path}/backfill.sqlite3"
    with ReplicaServer(edition=edition) as server:
        result = newsmon("backfill", "--base-url", server.base_url, "--db", db_url,
                         "--since", "2024-01", "--set", f"NEWSMON_EDITION={edition}",
                         *FAST, timeout=300)
        assert result.returncode == 0, result.stderr[-3000:]
        records = {r["url"]: r for r in export(db_url)}
        expected = {v["url"]: v for v in (
            content.expected_fields(a, server.base_url, with_listings=False)
            for a in content.ARTICLES[edition])}
    assert sorted(records) == sorted(expected)
    mismatches = field_mismatches(records, expected)
    assert not mismatches, "\n".join(mismatches[:20])
