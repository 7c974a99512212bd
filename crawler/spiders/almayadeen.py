"""The Al Mayadeen English spider: decides what to fetch, delegates extraction.

Walk: home page -> the sections and regions named in its menus (SITE.md's list if the
menu cannot be read) -> each index's ?page=N chain -> every article those pages list
-> every article an article links (Related News, Read more, Most Read, Read Next).

Parsing lives in crawler.sites.almayadeen (pure functions of a response); this module
only decides which requests to make and turns the results into items.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import DNSLookupError, TCPTimedOutError, TimeoutError
from twisted.python.failure import Failure

from crawler.items import BreakingItem, FetchErrorItem, ListingItem
from crawler.sites.almayadeen.index import parse_index
from crawler.sites.almayadeen.navigation import Menu
from crawler.sites.almayadeen.parser import parse_article
from crawler.sites.almayadeen.urls import canonicalize_url, classify_url, same_origin

DEFAULT_BASE_URL = "https://english.almayadeen.net"


class AlmayadeenSpider(scrapy.Spider):
    name = "almayadeen"

    def __init__(self, base_url: str = DEFAULT_BASE_URL, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.base_url = canonicalize_url(base_url.rstrip("/") + "/")
        self.index_paths: frozenset[str] = frozenset()
        # One request per canonical URL per run: Scrapy's dupefilter drops repeats,
        # these sets let the spider reason about what it has already met.
        self.articles_requested: set[str] = set()
        self.articles_parsed: set[str] = set()
        # Articles each index chain (a section and its ?page=N pages) has shown so far.
        self.chain_seen: dict[str, set[str]] = {}

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield self._index_request(self.base_url, kind="home", name="Home", page=1)

    # -- index pages -------------------------------------------------------------

    def parse_index_page(self, response: Response, kind: str, name: str, page: int,
                         chain: str) -> Iterator[Any]:
        index = parse_index(response)
        if kind == "home":
            yield from self._follow_menu(index.menu)
            if index.breaking:
                yield BreakingItem(texts=index.breaking)
        seen = self.chain_seen.setdefault(chain, set())
        unseen = [url for url in index.article_links if url not in seen]
        page_url = canonicalize_url(response.url)
        for position, url in enumerate(index.article_links, start=1):
            yield ListingItem(article_url=url, page_url=page_url, page_kind=kind,
                              page_name=name, page_number=page, position=position)
            yield from self._article_request(url)
        seen.update(index.article_links)
        if kind == "home":
            return
        max_pages = self.settings.getint("NEWSMON_MAX_INDEX_PAGES")
        if not index.next_page or not unseen:
            return  # the end, or a page that repeats the last: endless pagination stops
        if page >= max_pages:
            self.logger.warning("Index %s: stopped at page %d (NEWSMON_MAX_INDEX_PAGES)",
                                chain, page)
            return
        yield self._index_request(index.next_page, kind=kind, name=name, page=page + 1,
                                  chain=chain)

    def _follow_menu(self, menu: Menu) -> Iterator[scrapy.Request]:
        if menu.from_fallback:
            self.logger.warning("Navigation menu incomplete or missing on %s: completed "
                                "from the known list of sections and regions", self.base_url)
        self.index_paths = menu.index_paths()
        for _category, section, url in menu.sections:
            if same_origin(url, self.base_url):
                yield self._index_request(url, kind="section", name=section, page=1)
        for region, url in menu.regions:
            if same_origin(url, self.base_url):
                yield self._index_request(url, kind="region", name=region, page=1)

    def _index_request(self, url: str, *, kind: str, name: str, page: int,
                       chain: str | None = None) -> scrapy.Request:
        url = canonicalize_url(url)
        return scrapy.Request(
            url, callback=self.parse_index_page, errback=self.on_error,
            cb_kwargs={"kind": kind, "name": name, "page": page, "chain": chain or url},
            priority=10)

    # -- articles ----------------------------------------------------------------

    def _article_request(self, url: str) -> Iterator[scrapy.Request]:
        url = canonicalize_url(url)
        if url in self.articles_requested or not same_origin(url, self.base_url):
            return
        if classify_url(url, self.index_paths, self.base_url) != "article":
            return
        self.articles_requested.add(url)
        yield scrapy.Request(url, callback=self.parse_article_page, errback=self.on_error)

    def parse_article_page(self, response: Response) -> Iterator[Any]:
        if not hasattr(response, "text"):
            yield FetchErrorItem(url=response.url, status=response.status,
                                 error="not an HTML page")
            return
        item = parse_article(response)
        if item is None:
            self.logger.info("Not an article, not stored: %s", response.url)
            self.crawler.stats.inc_value("newsmon/not_article")
            return
        if not same_origin(item.url, self.base_url):
            item.url = canonicalize_url(response.url)
        requested = [*response.meta.get("redirect_urls", []), response.url]
        item.fetched_url = response.url
        item.requested_urls = [canonicalize_url(u) for u in requested]
        item.raw_html = response.body
        item.encoding = response.encoding
        item.http_status = response.status
        if item.url in self.articles_parsed:
            self.crawler.stats.inc_value("newsmon/duplicate_article")
        else:
            self.articles_parsed.add(item.url)
            yield item
        # Related News and Read more links, then Most Read / Read Next and other cards.
        for url in item.related_urls:
            yield from self._article_request(url)
        for url in parse_index(response).article_links:
            yield from self._article_request(url)

    # -- errors ------------------------------------------------------------------

    def on_error(self, failure: Failure) -> Iterator[FetchErrorItem]:
        request = failure.request
        if request.cb_kwargs.get("kind") == "home":
            self.crawler.stats.set_value("newsmon/start_failed", True)
        if failure.check(IgnoreRequest) and "robots.txt" in failure.getErrorMessage():
            # A Disallow rule is the site's policy, not a failure: count it, store nothing.
            self.crawler.stats.inc_value("newsmon/robots_forbidden")
            self.logger.info("Not fetched, robots.txt forbids it: %s", request.url)
            return
        if failure.check(HttpError):  # before IgnoreRequest: HttpError subclasses it
            response = failure.value.response
            yield FetchErrorItem(url=response.url, status=response.status,
                                 error=f"HTTP {response.status}")
        elif failure.check(IgnoreRequest):  # e.g. a redirect to another origin
            yield FetchErrorItem(url=request.url,
                                 error=f"not followed: {failure.getErrorMessage()}")
        elif failure.check(DNSLookupError):
            yield FetchErrorItem(url=request.url, error="DNS lookup failed")
        elif failure.check(TimeoutError, TCPTimedOutError):
            yield FetchErrorItem(url=request.url, error="timeout")
        else:
            yield FetchErrorItem(url=request.url,
                                 error=f"{failure.type.__name__}: {failure.getErrorMessage()}")

