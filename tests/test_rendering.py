"""Pages that need JavaScript: the real `newsmon crawl` (a subprocess) with the system's
Chromium against the replica's JavaScript pages (``ReplicaServer(js_pages=True)``).

Marked ``browser``: without Chromium these tests are skipped with the reason, or fail
when ``NEWSMON_REQUIRE_BROWSER=1`` (CI). The checks of the decisions at the end need no
browser. Expected values come from the replica's truth records.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from urllib.request import Request, urlopen

import pytest
from scrapy.http import HtmlResponse
from sqlalchemy import text

from crawler.crawl import rendering
from crawler.db.session import make_engine
from crawler.items import ArticleItem
from crawler.replica import js_pages
from crawler.replica.content import expected_articles
from crawler.replica.server import ReplicaServer

pytestmark = [pytest.mark.browser]

FAST = ["--set", "DOWNLOAD_DELAY=0", "--set", "AUTOTHROTTLE_ENABLED=False",
        "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=4", "--set", "LOG_LEVEL=INFO"]
WARNING = "JavaScript rendering is unavailable"
COOKIE_PATH = js_pages.BY_KEY[js_pages.COOKIE_KEY]["path"]
SCRIPT_BODY_PATH = js_pages.BY_KEY[js_pages.SCRIPT_BODY_KEY]["path"]


def require_chromium() -> None:
    path = os.environ.get("NEWSMON_CHROMIUM_PATH") or "/usr/bin/chromium"
    if shutil.which(path):
        return
    reason = f"no Chromium at {path} (apt-get install chromium, or scripts/install-chromium)"
    if os.environ.get("NEWSMON_REQUIRE_BROWSER") == "1":
        pytest.fail(reason + " (NEWSMON_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason)


@dataclass(eq=False)
class Crawl:
    server: ReplicaServer
    db_url: str
    result: subprocess.CompletedProcess
    seconds: float
    reason: str = ""

    def query(self, sql: str, **params) -> list[dict]:
        engine = make_engine(self.db_url)
        with engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(text(sql), params).mappings()]
        engine.dispose()
        return rows

    @cached_property
    def records(self) -> dict[str, dict]:
        import json

        out = subprocess.run([sys.executable, "-m", "crawler.cli", "export", "--db",
                              self.db_url, "--format", "jsonl"],
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        return {r["url"]: r for r in map(json.loads, out.stdout.splitlines())}

    def paths(self) -> list[str]:
        return [r.path for r in self.server.request_log]

    def stat(self, name: str) -> int:
        match = re.search(rf"'{re.escape(name)}': (\d+)", self.result.stderr)
        return int(match.group(1)) if match else 0

    def url(self, path: str) -> str:
        return self.server.base_url + path


def crawl(tmp_path_factory, *extra: str) -> Iterator[Crawl]:
    db_url = f"sqlite:///{tmp_path_factory.mktemp('js')}/crawl.sqlite3"
    with ReplicaServer(js_pages=True) as server:
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "crawler.cli", "crawl", "--base-url", server.base_url,
             "--db", db_url, *FAST, *extra],
            capture_output=True, text=True, timeout=180)
        yield Crawl(server, db_url, result, time.monotonic() - started)


@pytest.fixture(scope="module")
def with_browser(tmp_path_factory) -> Iterator[Crawl]:
    require_chromium()
    # A context per page: each rendered page opens a new one, the old ones are closed.
    yield from crawl(tmp_path_factory, "--set", "NEWSMON_BROWSER_CONTEXT_PAGES=1")


# No executable there; an executable that is no browser (Chromium fails to launch).
NO_BROWSER = {"/nonexistent": "no Chromium executable at /nonexistent",
              "/bin/false": "Chromium did not start"}


@pytest.fixture(scope="module", params=sorted(NO_BROWSER))
def without_browser(request, tmp_path_factory) -> Iterator[Crawl]:
    crawled = crawl(tmp_path_factory, "--set", f"NEWSMON_CHROMIUM_PATH={request.param}")
    for site in crawled:
        site.reason = NO_BROWSER[request.param]
        yield site


# -- with Chromium ------------------------------------------------------------------------

def test_js_only_pagination_is_crawled_completely(with_browser):
    assert with_browser.result.returncode == 0, with_browser.result.stderr[-3000:]
    origin = with_browser.server.base_url
    want = {**expected_articles(origin), **js_pages.expected_js_articles(origin)}
    records = with_browser.records
    assert sorted(records) == sorted(want)
    mismatches = [f"{url} {key}: got {records[url][key]!r}, want {value!r}"
                  for url, fields in want.items() for key, value in fields.items()
                  if records[url][key] != value]
    assert not mismatches, "\n".join(mismatches[:10])
    paths = with_browser.paths()
    # Every JSON page, by the Load More button in the browser, each once.
    api = [p for p in paths if p.startswith(js_pages.API_PATH)]
    assert api == [f"{js_pages.API_PATH}?page={n}" for n in range(2, js_pages.PAGES + 1)]
    # The index itself: once plainly, once in the browser; no guessed ?page=N.
    assert [p for p in paths if p.split("?")[0] == js_pages.LATEST_PATH] == \
        [js_pages.LATEST_PATH] * 2
    assert "Load More clicked 2 times" in with_browser.result.stderr
    # The rendered listing is the index page's listing: every card, in order.
    listed = with_browser.query("SELECT a.url FROM placements p JOIN articles a "
                                "ON a.id = p.article_id WHERE p.page_url = :page "
                                "ORDER BY p.position", page=with_browser.url("/latest"))
    assert [r["url"] for r in listed] == [with_browser.url(a["path"])
                                          for a in js_pages.ARTICLES]


def test_cookie_page_is_stored_through_the_browser(with_browser):
    url = with_browser.url(COOKIE_PATH)
    assert with_browser.records[url]["body"] == \
        js_pages.expected_js_articles(with_browser.server.base_url)[url]["body"]
    visits = [r for r in with_browser.server.request_log if r.path == COOKIE_PATH]
    cookies = [r.headers.get("Cookie") for r in visits]
    # plain (interstitial), the browser's first visit (interstitial), its reload with
    # the cookie the page's script set (the article)
    assert cookies == [None, None, "am_js_check=1"], cookies
    # The validators kept are the article's, not the interstitial's.
    page = urlopen(Request(url, headers={"Cookie": "am_js_check=1"}), timeout=10)
    stored = with_browser.query("SELECT etag FROM http_validators WHERE url = :url", url=url)
    assert stored == [{"etag": page.headers["ETag"]}]


def test_article_with_an_empty_body_is_retried_in_the_browser(with_browser):
    url = with_browser.url(SCRIPT_BODY_PATH)
    record = with_browser.records[url]
    assert record["body"] == js_pages.expected_js_articles(
        with_browser.server.base_url)[url]["body"]
    assert record["body"] != record["summary"]
    assert with_browser.paths().count(SCRIPT_BODY_PATH) == 2  # plain, then the browser


def test_only_the_pages_that_need_it_are_rendered_within_the_limits(with_browser):
    assert with_browser.stat("newsmon/rendered_pages") == 3  # /latest, cookie, script body
    assert with_browser.stat("playwright/page_count") == 3
    # NEWSMON_BROWSER_CONTEXT_PAGES=1: a context per page, each closed after it.
    assert with_browser.stat("playwright/context_count") == 3
    assert with_browser.stat("newsmon/browser_contexts_closed") >= 2
    # Images are blocked in the browser (the cards have some), and its requests carry
    # the crawler's User-Agent, through the same politeness as the rest.
    assert with_browser.stat("playwright/request_count/aborted") > 0
    assert not [p for p in with_browser.paths() if p.startswith(("/media/", "/images/"))]
    browser_requests = [r for r in with_browser.server.request_log
                        if r.path.startswith(js_pages.API_PATH)]
    assert all(r.user_agent.startswith("newsmon/") for r in browser_requests)
    assert WARNING not in with_browser.result.stderr
    assert not with_browser.query("SELECT url FROM fetch_errors WHERE error LIKE 'skipped%'")


# -- without a browser ----------------------------------------------------------------------

def test_without_a_browser_the_pages_are_skipped_and_the_rest_stored(without_browser):
    result = without_browser.result
    assert result.returncode == 0, result.stderr[-3000:]
    warnings = [line for line in result.stderr.splitlines() if WARNING in line]
    assert len(warnings) == 1 and without_browser.reason in warnings[0], warnings
    skipped = {r["url"]: r["error"] for r in without_browser.query(
        "SELECT url, error FROM fetch_errors WHERE error LIKE 'skipped%'")}
    assert sorted(skipped) == sorted(without_browser.url(p) for p in (
        js_pages.LATEST_PATH, COOKIE_PATH, SCRIPT_BODY_PATH))
    assert all(e.startswith(rendering.SKIPPED) for e in skipped.values())
    origin = without_browser.server.base_url
    records = without_browser.records
    assert sorted(records) == sorted({**expected_articles(origin),
                                      **js_pages.plain_reachable_js_articles(origin)})
    assert not [p for p in without_browser.paths() if p.startswith(js_pages.API_PATH)]
    assert "errors:" in result.stdout


# -- the decisions (no browser needed) -------------------------------------------------------

def _page(server: ReplicaServer, path: str, cookie: str | None = None) -> HtmlResponse:
    headers = {"Cookie": cookie} if cookie else {}
    with urlopen(Request(server.base_url + path, headers=headers), timeout=10) as answer:
        return HtmlResponse(server.base_url + path, body=answer.read(),
                            headers={"Content-Type": answer.headers["Content-Type"]})


def test_decisions_on_the_replica_pages():
    with ReplicaServer(js_pages=True) as server:
        assert rendering.js_load_more(_page(server, js_pages.LATEST_PATH))
        for path in ("/", "/news/politics", "/news/technology", "/regions/mena"):
            assert not rendering.js_load_more(_page(server, path)), path
        interstitial = _page(server, COOKIE_PATH)
        assert rendering.is_js_interstitial(interstitial)
        assert not rendering.declares_article(interstitial)
        article = _page(server, COOKIE_PATH, cookie="am_js_check=1")
        assert not rendering.is_js_interstitial(article)
        assert rendering.declares_article(article)
        assert not rendering.is_js_interstitial(_page(server, "/about-us"))
    assert rendering.body_missing(ArticleItem(url="u", summary="A summary.", body="A  summary."))
    assert rendering.body_missing(ArticleItem(url="u", summary="A summary.", body=None))
    assert not rendering.body_missing(ArticleItem(url="u", summary="S.", body="Text."))


def test_the_plain_replica_has_no_javascript_pages():
    with ReplicaServer() as server:
        assert js_pages.LATEST_PATH not in _page(server, "/").text
        with pytest.raises(Exception, match="404"):
            urlopen(server.base_url + js_pages.LATEST_PATH, timeout=10)


def test_render_cost_bench_reports_both_costs(tmp_path):
    require_chromium()
    out = tmp_path / "render_cost.json"
    result = subprocess.run([sys.executable, "-m", "bench.render_cost", "--pages", "2",
                             "--rounds", "1", "--json", str(out)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "| article, rendered in Chromium | 2 |" in result.stdout
    import json

    figures = json.loads(out.read_text())
    assert figures["rows"]["rendered in Chromium"]["ratio"] > 1
    assert figures["load_more_clicks"] == [js_pages.PAGES - 1]
    assert figures["rendered_pages"] == 4  # browser start, 2 articles, the index
