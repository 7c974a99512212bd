"""The sitemap forms a news site serves, read by the backfill spider offline: saved
XML under tests/fixtures/sitemaps/ fed to its callbacks (discovery from robots.txt and
the well-known places, gzip, Google News/image/xhtml:link entries, dated and undated
sitemap names, odd <loc> forms, nested indexes, errors). End to end through the CLI:
test_backfill.py and test_backfill_discovery_e2e below."""

from __future__ import annotations

import gzip
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from scrapy.http import HtmlResponse, Request, Response, TextResponse, XmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.internet.error import ConnectionRefusedError
from twisted.python.failure import Failure

from crawler.db.session import sqlite_url
from crawler.crawl.incremental import CrawlMemory, RevisitPolicy
from crawler.items import FetchErrorItem
from crawler.replica import content, sitemaps
from crawler.replica.content import EDGE_CASES
from crawler.replica.layout import Page
from crawler.replica.routes import render, robots_txt
from crawler.spiders.backfill import (LISTED, PROBE, WELL_KNOWN, BackfillSpider,
                                      entry_month, read_sitemap, site_url, sitemap_month)
from tests._monitor_helpers import FAST, newsmon, sql

FIXTURES = Path(__file__).parent / "fixtures" / "sitemaps"
BASE = "https://english.almayadeen.net"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def make_spider(since: str = "1970-01", until: str | None = None) -> BackfillSpider:
    crawler = get_crawler(BackfillSpider)
    spider = BackfillSpider.from_crawler(crawler, base_url=BASE, since=since, until=until)
    crawler.spider = spider
    spider.memory = CrawlMemory(None, RevisitPolicy(), datetime.now(UTC))
    return spider


def read(spider: BackfillSpider, path: str, body: bytes, how: str = LISTED,
         cls: type[Response] = XmlResponse, **kwargs) -> list:
    url = path if "//" in path else BASE + path
    request = Request(url, meta={"newsmon_sitemap": how})
    return list(spider._parse_sitemap(cls(url, body=body, request=request, **kwargs)))


def urls(out: list) -> list[str]:
    return [r.url for r in out if isinstance(r, Request)]


def errors(out: list) -> list[FetchErrorItem]:
    return [i for i in out if isinstance(i, FetchErrorItem)]


def http_failure(path: str, status: int, how: str) -> Failure:
    request = Request(BASE + path, meta={"newsmon_sitemap": how})
    response = HtmlResponse(BASE + path, status=status, body=b"<html>gone</html>",
                            request=request)
    failure = Failure(HttpError(response))
    failure.request = request
    return failure


# --- discovery ------------------------------------------------------------------------

def test_robots_txt_sitemaps_first_then_the_well_known_places():
    spider = make_spider()
    robots = TextResponse(BASE + "/robots.txt", body=fixture("robots.txt"))
    requests = list(spider._parse_robots(robots))
    assert [(r.url, r.meta["newsmon_sitemap"]) for r in requests] == [
        (BASE + "/sitemap_index.xml", LISTED),
        (BASE + "/news-sitemap.xml", LISTED),                  # relative line
        (BASE + "/sitemaps/videos.xml.gz", LISTED),            # http:// -> the base's
        (BASE + "/sitemaps/all.xml", PROBE),
        (BASE + "/sitemap.xml", PROBE)]                        # named ones not twice
    assert spider.crawler.stats.get_value("newsmon/sitemap_offsite") == 1  # www.almayadeen
    assert all(r.callback == spider._parse_sitemap for r in requests)


@pytest.mark.parametrize("robots", [None, b"User-agent: *\nDisallow: /search\n"])
def test_without_sitemap_lines_every_well_known_place_is_tried(robots):
    spider = make_spider()
    if robots is None:  # robots.txt missing
        failure = http_failure("/robots.txt", 404, LISTED)
        requests = list(spider._robots_failed(failure))
    else:
        robots_response = TextResponse(BASE + "/robots.txt", body=robots)
        requests = list(spider._parse_robots(robots_response))
    assert [r.url for r in requests] == [BASE + p for p in WELL_KNOWN]
    assert {r.meta["newsmon_sitemap"] for r in requests} == {PROBE}


def test_a_missing_well_known_place_is_no_error_a_missing_named_sitemap_is():
    spider = make_spider()
    assert list(spider._sitemap_failed(http_failure("/sitemap.xml", 404, PROBE))) == []
    assert read(spider, "/sitemap.xml", b"<html><body>Not found</body></html>", PROBE,
                cls=HtmlResponse) == []                           # a soft 404
    [item] = spider._sitemap_failed(http_failure("/sitemaps/all/sitemap-2025-9.xml", 404,
                                                 LISTED))
    assert (item.status, item.error) == (404, "HTTP 404")
    request = Request(BASE + "/sitemaps/x.xml", meta={"newsmon_sitemap": LISTED})
    failure = Failure(ConnectionRefusedError())
    failure.request = request
    [item] = spider._sitemap_failed(failure)
    assert item.url == request.url
    assert spider.crawler.stats.get_value("newsmon/sitemap_errors") == 2


def test_the_run_fails_until_a_sitemap_is_read():
    spider = make_spider()
    stats = spider.crawler.stats
    spider._stat_set("newsmon/start_failed", True)  # as start() does
    read(spider, "/sitemap.xml", b"<html></html>", PROBE, cls=HtmlResponse)
    assert stats.get_value("newsmon/start_failed") is True
    out = read(spider, "/sitemaps/empty.xml", fixture("empty.xml"))  # an empty urlset
    assert out == [] and spider.sitemaps_read == 1
    assert stats.get_value("newsmon/start_failed") is False


# --- compressed, malformed --------------------------------------------------------

@pytest.mark.parametrize("path,body,cls,headers", [
    # .xml.gz served as application/x-gzip: gunzipped by the spider
    ("/sitemaps/all/sitemap-2025-9.xml.gz", gzip.compress(fixture("sitemap-1.xml")),
     Response, {"Content-Type": "application/x-gzip"}),
    # Content-Encoding: gzip: HttpCompressionMiddleware has gunzipped it already
    ("/sitemaps/all/sitemap-2025-9.xml.gz", fixture("sitemap-1.xml"), Response,
     {"Content-Type": "application/x-gzip"}),
    # XML as text/plain at a URL that does not end in .xml
    ("/sitemap?page=1", fixture("sitemap-1.xml"), TextResponse,
     {"Content-Type": "text/plain"}),
])
def test_compressed_and_oddly_served_sitemaps_are_read(path, body, cls, headers):
    out = read(make_spider(), path, body, cls=cls, headers=headers)
    assert len(urls(out)) == 3 and not errors(out)


def test_a_malformed_sitemap_is_an_error_and_what_could_be_read_is_used():
    spider = make_spider()
    out = read(spider, "/sitemaps/truncated.xml", fixture("truncated.xml"))
    assert urls(out) == [BASE + "/news/politics/before-the-cut",
                         BASE + "/news/politics/cut-he"]  # as lxml recovers it
    [item] = errors(out)
    assert item.error.startswith("malformed sitemap (read in part)")
    for body in (b"this is not XML", b"", b"<html><body>oops</body></html>"):
        [item] = errors(read(spider, "/sitemaps/bad.xml", body))
        assert item.error.startswith(("malformed sitemap", "not a sitemap"))
    assert read_sitemap(fixture("empty.xml")) == ("urlset", [], None)


# --- entries ------------------------------------------------------------------------

def test_news_image_and_alternate_entries_and_odd_locs():
    spider = make_spider(since="2025-09", until="2025-09")
    out = read(spider, "/news-sitemap.xml", fixture("news-sitemap.xml"))
    got = urls(out)
    assert got == [
        BASE + "/news/politics/"
               "us-planning-attack-on-civilians-to-blame-syrian-army:-russia",
        BASE + "/articles/blog/the-death-rattle-of-american-domination",  # whitespace
        BASE + "/news/economy/oil-&-gas-prices",                          # CDATA
        BASE + "/news/sports/a-match?lang=en",                            # &amp;
        BASE + "/news/health/on-http",                                    # http://
        BASE + "/news/health/on-www",                                     # www.
        BASE + "/news/technology/relative-loc",                           # relative
        BASE + "/videos/what-s-happening-in-syria---israel-s--proxy-war-plan"]
    # Not followed: alternates (Arabic, Spanish), other hosts and ports, tags,
    # sections, regions, images; the August article modified in September.
    assert all(u.startswith(BASE + "/") for u in got)
    assert spider.crawler.stats.get_value("newsmon/sitemap_offsite") == 2
    assert all(r.callback == spider.parse_article_page for r in out)


def test_google_news_publication_date_wins_over_lastmod():
    _kind, entries, _ = read_sitemap(fixture("news-sitemap.xml"))
    first, last = entries[0], entries[-1]
    assert first["news_publication_date"] == "2025-09-15T15:54:00+03:00"
    assert first["news_title"].startswith("US planning attack on civilians & blame")
    assert "alternate" in first and entry_month(first) == (2025, 9)
    assert entry_month(last) == (2025, 8) and last["lastmod"].startswith("2025-09")


def test_index_keeps_the_sitemaps_of_the_months_asked_for():
    spider = make_spider(since="2025-09", until="2025-09")
    out = read(spider, "/sitemap_index.xml", fixture("sitemap_index.xml"))
    assert urls(out) == [
        BASE + "/sitemaps/all/sitemap-2025-09.xml",        # zero-padded
        BASE + "/sitemaps/all/sitemap-2025-9.xml",
        BASE + "/sitemaps/day/sitemap-2025-09-15.xml",     # per day
        BASE + "/sitemaps/2025/09/15.xml",
        BASE + "/sitemaps/posts/sitemap-1.xml",            # no date in the name: read
        BASE + "/sitemaps/videos-index.xml"]               # a nested index, relative loc
    assert all(r.callback == spider._parse_sitemap for r in out)
    assert spider.crawler.stats.get_value("newsmon/sitemap_offsite") == 1


def test_sitemap_names_with_a_date():
    assert sitemap_month(BASE + "/sitemaps/all/sitemap-2025-03.xml") == (2025, 3)
    assert sitemap_month(BASE + "/sitemap-2025-03-15.xml.gz") == (2025, 3)
    assert sitemap_month(BASE + "/sitemaps/2025/03/15.xml") == (2025, 3)
    assert sitemap_month(BASE + "/sitemap_2025_3.xml?x=1") == (2025, 3)
    for undated in ("/sitemaps/posts/sitemap-1.xml", "/sitemap-2025-13.xml",
                    "/news-sitemap.xml", "/sitemap-2025-03-45.xml"):
        assert sitemap_month(BASE + undated) is None, undated


@pytest.mark.parametrize("until", [None, "2025-09"])
def test_an_undated_sitemap_is_filtered_by_lastmod_and_keeps_undated_urls(until):
    spider = make_spider(since="2025-09", until=until)
    got = urls(read(spider, "/sitemaps/posts/sitemap-1.xml", fixture("sitemap-1.xml")))
    assert got == [BASE + "/news/politics/in-september", BASE + "/news/politics/undated"]


def test_a_dated_sitemap_out_of_range_gives_nothing_in_range_everything():
    body = fixture("sitemap-1.xml")
    september = "/sitemaps/all/sitemap-2025-09.xml"
    assert urls(read(make_spider("2025-10"), september, body)) == []
    assert len(urls(read(make_spider("2025-09", "2025-09"), september, body))) == 3


def test_an_article_in_two_sitemaps_is_fetched_once():
    spider = make_spider()
    body = fixture("sitemap-1.xml")
    assert len(urls(read(spider, "/sitemaps/a.xml", body))) == 3
    assert urls(read(spider, "/sitemaps/b.xml", body)) == [] and spider.to_fetch == 3


def test_site_url():
    assert site_url("http://www.english.almayadeen.net/a/b", BASE, BASE + "/") == \
        BASE + "/a/b"
    assert site_url("b", BASE + "/sitemaps/x.xml", BASE) == BASE + "/sitemaps/b"
    assert site_url("https://espanol.almayadeen.net/a", BASE, BASE) is None
    assert site_url("ftp://english.almayadeen.net/a", BASE, BASE) is None
    replica = "http://127.0.0.1:8123"
    assert site_url("http://127.0.0.1:8124/a", replica, replica) is None
    assert site_url("http://localhost:8123/a", replica, replica) is None


# --- end to end: the relocated sitemaps through `newsmon backfill` ------------------

class _RelocatedSite:
    """The replica's pages with ``sitemaps.render_relocated``'s sitemaps (or none at
    all: ``sitemaps=False``), on a stdlib server of the test's own."""

    def __init__(self, with_sitemaps: bool = True):
        self.with_sitemaps = with_sitemaps
        self.paths: list[tuple[str, int]] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = unquote(urlsplit(self.path).path)
                page = site.page(path)
                site.paths.append((path, page.status if page else 404))
                status, body, kind = ((page.status, page.body, page.content_type) if page
                                      else (404, b"<html>Not found</html>", "text/html"))
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.offsite = "http://127.0.0.1:9"  # nothing listens there
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def page(self, path: str):
        if path == "/robots.txt":
            return Page(200, robots_txt(None).encode(), "text/plain")
        if path.startswith(("/sitemap", "/news-sitemap")):
            if not self.with_sitemaps:
                return None
            return sitemaps.render_relocated(path, content.articles(), self.base_url,
                                             self.offsite)
        return render(path, 1, self.base_url, self.offsite)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.mark.e2e
@pytest.mark.timeout(300)
def test_backfill_discovery_e2e(tmp_path):
    site = _RelocatedSite()
    try:
        db_url = sqlite_url(tmp_path / "relocated.sqlite3")
        result = newsmon("backfill", "--base-url", site.base_url, "--db", db_url, *FAST,
                         "--since", "2024-01")
    finally:
        site.close()
    assert result.returncode == 0, result.stderr[-3000:]
    read = {path for path, status in site.paths}
    assert {"/robots.txt", "/sitemap_index.xml", sitemaps.RELOCATED_ARCHIVE,
            sitemaps.RELOCATED_NEWS, *sitemaps.RELOCATED_BROKEN} <= read
    assert any(p.startswith("/sitemaps/posts-") for p in read)
    assert "/tags/mali" not in read and "/news/politics" not in read
    stored = {row["url"] for row in sql(db_url, "SELECT url FROM articles")}
    listed = sitemaps.in_monthly(content.ARTICLES) + sitemaps.in_news(content.ARTICLES)
    expected = {a["path"] for a in listed} - {EDGE_CASES["robots_disallowed"]["path"]}
    assert stored == {site.base_url + p for p in expected}
    errors = {row["url"].removeprefix(site.base_url): row["error"]
              for row in sql(db_url, "SELECT url, error FROM fetch_errors")}
    # the well-known places that are missing (/sitemaps/all.xml, /sitemap.xml) are not
    # errors; another host's sitemap and alternates are not fetched at all
    assert errors.keys() == set(sitemaps.RELOCATED_BROKEN), errors
    assert errors["/sitemaps/missing.xml"] == "HTTP 404"
    assert errors["/sitemaps/broken.xml"].startswith("malformed sitemap")


@pytest.mark.e2e
@pytest.mark.timeout(120)
def test_backfill_without_any_sitemap_fails(tmp_path):
    site = _RelocatedSite(with_sitemaps=False)
    try:
        result = newsmon("backfill", "--base-url", site.base_url, "--db",
                         sqlite_url(tmp_path / "none.sqlite3"), *FAST, "--since", "2024-01")
    finally:
        site.close()
    assert result.returncode == 1, result.stderr[-3000:]
    assert "no sitemap could be read" in result.stderr
    assert {p for p, _ in site.paths} == {"/robots.txt", *WELL_KNOWN}
