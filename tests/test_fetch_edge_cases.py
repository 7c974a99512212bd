"""Fetch- and page-level edge cases of a real news site (docs/RELIABILITY.md):
<base href>, session ids in links, a site that moved to https (or to www.), robots.txt
Crawl-delay, wildcard and Allow rules, robots.txt answering 500.

The faults that need the whole crawl (410, 503 once, a 3-hop redirect chain, canonical
URLs naming the home page or another article, session ids, a bad UTF-8 byte) are
pages of ``ReplicaServer(faults=True)``: tests/test_reliability_input.py. Page-only
cases are parser fixtures: tests/fixtures/articles/base-href-relative-links.*,
jsonld-separate-blocks.*.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response
from scrapy.robotstxt import ProtegoRobotParser

from crawler.db.session import sqlite_url
from crawler.crawl.fetch_guards import RedirectGuardMiddleware, site_moved
from crawler.replica.server import ReplicaServer
from crawler.sites.almayadeen.index import parse_index
from crawler.sites.almayadeen.urls import canonicalize_url
from tests._reliability import FAST, newsmon

SITE = "https://english.almayadeen.net"


def test_relative_links_of_an_index_resolve_against_its_base_href():
    body = f"""<html><head><base href="{SITE}/news/"></head><body><main>
      <div class="news-card"><a href="politics/ceasefire-talks-resume"><h4>One</h4></a></div>
      <div class="news-card"><a href="/news/politics/fuel-prices-climb
         "><h4>Two</h4></a></div>
      <a class="next" rel="next" href="politics?page=2">Next</a>
    </main></body></html>""".encode()
    page = parse_index(HtmlResponse(url=f"{SITE}/news/politics", body=body,
                                    encoding="utf-8"))
    assert page.article_links == [f"{SITE}/news/politics/ceasefire-talks-resume",
                                  f"{SITE}/news/politics/fuel-prices-climb"]
    assert page.next_page == f"{SITE}/news/politics?page=2"


@pytest.mark.parametrize("link", [
    "/news/politics/a-b;jsessionid=9F2C0A1B7E", "/news/politics/a-b;JSESSIONID=x?",
    "/news/politics/a-b?PHPSESSID=k2v9", "/news/politics/a-b?sessionid=1&utm_source=x",
    "/news/politics/a%2db", "/news/politics/a%2Db"])
def test_session_ids_and_percent_case_give_one_url(link):
    assert canonicalize_url(SITE + link) == f"{SITE}/news/politics/a-b"


def test_query_parameters_that_are_not_session_ids_stay():
    assert canonicalize_url(f"{SITE}/news?page=2&sid=7") == f"{SITE}/news?page=2&sid=7"
    assert canonicalize_url(f"{SITE}/caf%c3%a9") == canonicalize_url(f"{SITE}/caf%C3%A9")


def _guard(base_url: str) -> RedirectGuardMiddleware:
    spider = SimpleNamespace(base_url=base_url)
    return RedirectGuardMiddleware(SimpleNamespace(spider=spider))


def _redirect(url: str, location: str) -> tuple[Request, Response]:
    return Request(url), Response(url, status=301, headers={"Location": location})


def test_a_base_url_given_as_http_follows_the_site_to_https():
    guard = _guard("http://english.almayadeen.net/")
    request, response = _redirect("http://english.almayadeen.net/", f"{SITE}/")
    assert guard.process_response(request, response) is response  # followed
    assert guard.crawler.spider.base_url == f"{SITE}/"  # and the crawl stays there
    # from then on, the old origin is another one
    request, response = _redirect(f"{SITE}/news/politics/x", "http://10.0.0.1/x")
    with pytest.raises(IgnoreRequest, match="another origin"):
        guard.process_response(request, response)


@pytest.mark.parametrize("base, target, moved", [
    ("http://example.com/", "https://example.com/", True),
    ("https://example.com/", "https://www.example.com/", True),
    ("https://www.example.com/", "https://example.com/x", True),
    ("https://example.com/", "http://example.com/", False),        # a downgrade
    ("http://example.com/", "https://example.com:8443/", False),  # another port
    ("http://example.com/", "https://evil.example.org/", False),
    ("http://127.0.0.1:8000/", "https://127.0.0.1/", False),
])
def test_which_redirects_move_the_site(base, target, moved):
    assert site_moved(base, target) is moved
    guard = _guard(base)
    request, response = _redirect(base, target)
    if moved:
        assert guard.process_response(request, response) is response
    else:
        with pytest.raises(IgnoreRequest):
            guard.process_response(request, response)
        assert guard.crawler.spider.base_url == base


def test_robots_wildcards_and_allow_rules_are_read_as_rfc_9309_says():
    robots = ProtegoRobotParser(b"User-agent: *\nDisallow: /*?print=\nDisallow: /news/\n"
                                b"Allow: /news/politics/\n", None)
    agent = "newsmon/0.1 (+https://example.org)"
    assert not robots.allowed(f"{SITE}/articles/x?print=1", agent)
    assert not robots.allowed(f"{SITE}/news/sports/x", agent)
    assert robots.allowed(f"{SITE}/news/politics/x", agent)  # the longest rule wins
    assert robots.allowed(f"{SITE}/articles/x?page=2", agent)


@pytest.mark.e2e
def test_robots_txt_crawl_delay_is_honoured(tmp_path):
    with ReplicaServer() as server:
        server.robots_extra = "Crawl-delay: 1.5\nDisallow: /*?print="
        result = newsmon("crawl", "--base-url", server.base_url, "--db",
                         sqlite_url(tmp_path / "delay.sqlite3"), *FAST,
                         "--set", "CLOSESPIDER_PAGECOUNT=4", "--set", "CONCURRENT_REQUESTS=2")
        log = list(server.request_log)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Crawl-delay of 1.5s: honoured" in result.stderr
    times = [entry.time for entry in log[1:]]        # after robots.txt
    gaps = [later - earlier for earlier, later in zip(times, times[1:])]
    assert len(times) >= 3 and min(gaps) >= 1.4, gaps  # FAST sets DOWNLOAD_DELAY=0


@pytest.mark.e2e
def test_robots_txt_answering_500_is_read_as_none_and_said(tmp_path):
    with ReplicaServer() as server:
        server.robots_status = 500
        result = newsmon("crawl", "--base-url", server.base_url, "--db",
                         sqlite_url(tmp_path / "robots500.sqlite3"), *FAST,
                         "--set", "CLOSESPIDER_PAGECOUNT=4", "--set", "RETRY_TIMES=1")
        paths = server.requested_paths()
    assert result.returncode == 0, result.stderr[-2000:]
    assert paths[:2] == ["/robots.txt", "/robots.txt"]  # retried, as any 500
    assert "/" in paths  # then crawled: Scrapy's policy, everything allowed
    assert "robots.txt of 127.0.0.1" in result.stderr and "HTTP 500" in result.stderr
