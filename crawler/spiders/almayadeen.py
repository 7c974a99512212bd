"""The Al Mayadeen English spider: decides what to fetch, delegates extraction.

Walk: home page -> the sections and regions named in its menus (SITE.md's list if the
menu cannot be read) -> each index's ?page=N chain -> every article those pages list
-> every article an article links (Related News, Read more, Most Read, Read Next).

Incremental (crawler.crawl.incremental): links to articles stored by an earlier run are
listed (placements) but fetched only when due for a revisit; an index chain stops at
the first page that shows no article unseen before (in the database or earlier in the
chain; what a crawl that did not finish every chain stored counts as unseen, so that
a chain a killed crawl cut is read to its end: docs/RELIABILITY.md). Index pages (not
the home page, which carries the menu and the ticker) and revisited articles are
requested conditionally; a 304 is not parsed: an index page
replays its stored listing, an article counts as unchanged.

JavaScript (crawler.crawl.rendering): an index whose Load More is JavaScript only, a
JavaScript interstitial and an article with an empty body are fetched once more
through the browser; without one, they are recorded as skipped.

Parsing lives in crawler.sites.almayadeen (pure functions of a response); this module
only decides which requests to make and turns the results into items.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import DNSLookupError, TCPTimedOutError, TimeoutError
from twisted.python.failure import Failure

from crawler.config import DEFAULT_BASE_URL
from crawler.crawl import rendering
from crawler.crawl.badinput import describe_failure, metadata_problems, screen
from crawler.crawl.resume import unfollowed_links
from crawler.crawl.incremental import CrawlMemory, KnownArticle, RevisitPolicy
from crawler.items import (ArticleItem, BreakingItem, FetchErrorItem, IndexPageItem,
                           ListingItem, MenuItem, NotModifiedItem)
from crawler.sites.almayadeen.index import parse_index
from crawler.sites.almayadeen.navigation import Menu
from crawler.sites.editions import DEFAULT_EDITION, EDITIONS, edition_for_url
from crawler.sites.profiles import ProfileChooser, host_of
from crawler.sites.almayadeen.urls import canonicalize_url, classify_url, same_origin


class AlmayadeenSpider(scrapy.Spider):
    name = "almayadeen"
    # Its runs walk the index chains: one that ends ok marks them all finished
    # (crawl_runs.index_complete; crawler.crawl.incremental).
    WALKS_INDEX_CHAINS = True

    def __init__(self, base_url: str = DEFAULT_BASE_URL, *args: Any,
                 edition: str | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.base_url = canonicalize_url(base_url.rstrip("/") + "/")
        # Which edition the base URL is: as told (``edition``, e.g. a replica on
        # 127.0.0.1), else the edition whose host it is, else English.
        self.edition = edition_of(self.base_url, edition)
        # This is the Al Mayadeen crawl: its base URL's host (the live site, or a
        # replica on 127.0.0.1) is read with that edition's profile.
        self.profiles = ProfileChooser({host_of(self.base_url):
                                        EDITIONS[self.edition].profile})
        self.index_paths: frozenset[str] = frozenset()
        # One request per canonical URL per run: Scrapy's dupefilter drops repeats,
        # these sets let the spider reason about what it has already met.
        self.articles_requested: set[str] = set()
        self.articles_parsed: set[str] = set()
        # Articles each index chain (a section and its ?page=N pages) has shown so far.
        self.chain_seen: dict[str, set[str]] = {}
        # What earlier runs stored (opened in start(), when the settings are known).
        self.memory = CrawlMemory(None, RevisitPolicy(), datetime.now(UTC))

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        # The edition may come as a spider argument or as the NEWSMON_EDITION setting
        # (``newsmon crawl --set NEWSMON_EDITION=ar``); the argument wins.
        if not kwargs.get("edition"):
            kwargs["edition"] = crawler.settings.get("NEWSMON_EDITION") or None
        return super().from_crawler(crawler, *args, **kwargs)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.memory = CrawlMemory.from_settings(self.settings)
        self.memory.recall_last_complete_crawl(self.base_url)
        yield self._index_request(self.base_url, kind="home", name="Home", page=1)
        # Links an interrupted crawl saw but never followed (crawler.crawl.resume).
        for request in self._follow_articles(unfollowed_links(self.memory)):
            yield request

    def closed(self, reason: str) -> None:
        self.memory.close()

    # -- index pages -------------------------------------------------------------

    def parse_index_page(self, response: Response, kind: str, name: str, page: int,
                         chain: str) -> Iterator[Any]:
        observed = datetime.now(UTC)
        page_url = canonicalize_url(response.url)
        # Read before the IndexPageItem below replaces it.
        before = self.memory.stored_listing(page_url)
        if response.status == 304 and before is None:  # nothing to replay: ask in full
            yield response.request.replace(headers={}, dont_filter=True,
                                           meta={**response.meta, "handle_httpstatus_list": []})
            return
        if response.status == 304:
            self.crawler.stats.inc_value("newsmon/index_not_modified")
            links, next_page, titles = list(before["article_urls"]), before["next_page_url"], {}
            unplaced: list[str] = []
        else:
            index = parse_index(response, edition=self.edition)
            browser, skipped = rendering.for_index(self.crawler, response, index)
            if browser is not None:  # its further items load only by JavaScript
                yield browser
                return
            if skipped is not None:
                yield skipped
            links, next_page, titles = index.article_links, index.next_page, index.link_titles
            unplaced = index.unplaced_links
            if kind == "home":
                yield from self._follow_menu(index.menu)
                if index.breaking:
                    yield BreakingItem(texts=index.breaking)
        yield IndexPageItem(page_url=page_url, page_kind=kind, page_name=name,
                            page_number=page, observed_at=observed, article_urls=links,
                            next_page_url=next_page, etag=_header(response, "ETag"),
                            last_modified=_header(response, "Last-Modified"),
                            not_modified=response.status == 304, card_titles=titles)
        seen = self.chain_seen.setdefault(chain, set())
        known = self.memory.known(links)
        shown_before = (before or {}).get("card_titles") or {}  # this page's cards, last time
        go_on = self._worth_next_page(links, seen, known, before, next_page)
        for position, url in enumerate(links, start=1):
            yield ListingItem(article_url=url, page_url=page_url, page_kind=kind,
                              page_name=name, page_number=page, position=position,
                              observed_at=observed)
            yield from self._article_request(url, known.get(url), titles.get(url),
                                             shown_before.get(url))
        for url in unplaced:    # the URL rules cannot place it: the page will say
            yield from self._article_request(url, placed=False)
        seen.update(links)
        if kind == "home":
            return
        max_pages = self.settings.getint("NEWSMON_MAX_INDEX_PAGES")
        if not go_on:
            return  # the end, or a page that repeats the last: endless pagination stops
        if page >= max_pages:
            self.logger.warning("Index %s: stopped at page %d (NEWSMON_MAX_INDEX_PAGES)",
                                chain, page)
            return
        yield self._index_request(next_page, kind=kind, name=name, page=page + 1,
                                  chain=chain)

    def _worth_next_page(self, links: list[str], seen: set[str],
                         known: dict[str, KnownArticle], before: dict[str, Any] | None,
                         next_page: str | None) -> bool:
        """Read the next page when this one shows an unseen link: one not shown earlier
        in this chain (so a repeated or endless "next" stops), not failed for good, and
        either stored by a run that did not finish every chain (a killed or stopped
        crawl: it may have stored this page's articles and died before it read the
        next page), or not stored before this run and not on this page last time
        either (so a link that never becomes an article does not drag every crawl one
        page deeper; a listing observed by an unfinished run does not count).
        A next page never read before is read anyway (in an earlier crawl that was
        interrupted or capped, the chain did not get that far)."""
        if not next_page:
            return False
        memory = self.memory
        listed_before: set[str] = set()
        if before and memory.seen_by_complete_crawl(before.get("last_seen_at")):
            listed_before = set(before["article_urls"])

        def unseen(url: str) -> bool:
            if url in seen or memory.is_gone(url):
                return False
            article = known.get(url)
            if article is None:
                return url not in listed_before
            return not memory.seen_by_complete_crawl(article.first_seen_at)

        if any(unseen(url) for url in links):
            return True
        return memory.enabled and before is not None and \
            memory.stored_listing(canonicalize_url(next_page)) is None

    def _follow_menu(self, menu: Menu) -> Iterator[MenuItem | scrapy.Request]:
        if menu.from_fallback:
            self.logger.warning("Navigation menu incomplete or missing on %s: completed "
                                "from the known list of sections and regions", self.base_url)
        self.index_paths = menu.index_paths()
        yield MenuItem(sections=[(category, name) for category, name, _ in menu.sections],
                       regions=[name for name, _ in menu.regions])
        for _category, section, url in menu.sections:
            if same_origin(url, self.base_url):
                yield self._index_request(url, kind="section", name=section, page=1)
        for region, url in menu.regions:
            if same_origin(url, self.base_url):
                yield self._index_request(url, kind="region", name=region, page=1)

    def _index_request(self, url: str, *, kind: str, name: str, page: int,
                       chain: str | None = None) -> scrapy.Request:
        url = canonicalize_url(url)
        # The home page is always read in full: it carries the menu and the ticker.
        headers = {} if kind == "home" else self.memory.conditional_headers(url)
        return scrapy.Request(
            url, callback=self.parse_index_page, errback=self.on_error, headers=headers,
            cb_kwargs={"kind": kind, "name": name, "page": page, "chain": chain or url},
            meta={"handle_httpstatus_list": [304]} if headers else {},
            priority=10)

    # -- articles ----------------------------------------------------------------

    def _article_request(self, url: str, known: KnownArticle | None = None,
                         card_title: str | None = None,
                         previous_card_title: str | None = None,
                         placed: bool = True) -> Iterator[scrapy.Request]:
        """``placed=False``: a card's link the URL rules cannot place, fetched all the
        same; whether it is an article is the page's to say."""
        url = canonicalize_url(url)
        if url in self.articles_requested or not same_origin(url, self.base_url):
            return
        if placed and classify_url(url, self.index_paths, self.base_url) != "article":
            return
        if self.memory.is_gone(url):
            self.crawler.stats.inc_value("newsmon/skipped_failed_recently")
            return
        known = known or self.memory.known([url]).get(url)
        headers: dict[str, str] = {}
        meta: dict[str, Any] = {}
        if known is not None:
            if not self.memory.is_due(known, card_title, previous_card_title):
                self.crawler.stats.inc_value("newsmon/known_not_due")
                return  # listed (a placement), not fetched
            self.crawler.stats.inc_value("newsmon/revisits")
            headers = self.memory.conditional_headers(known.url)
            meta = {"newsmon_article_id": known.id, "handle_httpstatus_list": [304]}
        self.articles_requested.add(url)
        if not placed:
            meta["newsmon_unplaced"] = True
        yield scrapy.Request(url, callback=self.parse_article_page, errback=self.on_error,
                             headers=headers, meta=meta)

    def _follow_articles(self, urls: list[str]) -> Iterator[scrapy.Request]:
        known = self.memory.known([u for u in urls if u not in self.articles_requested])
        for url in urls:
            yield from self._article_request(url, known.get(url))

    def parse_article_page(self, response: Response) -> Iterator[Any]:
        if response.status == 304:
            self.crawler.stats.inc_value("newsmon/article_not_modified")
            yield NotModifiedItem(url=canonicalize_url(response.url),
                                  article_id=response.meta["newsmon_article_id"])
            return
        checked = screen(response)  # crawler.crawl.badinput: not text, empty, binary, charset
        if checked.problem:
            yield FetchErrorItem(url=response.url, status=response.status,
                                 error=checked.problem)
        if checked.response is None:
            return
        response = checked.response
        if rendering.is_js_interstitial(response):
            yield from rendering.retry_in_browser(self.crawler, response,
                                                  "JavaScript interstitial")
            return
        item = self.profiles.for_url(response.url).read_page(response).item
        if item is None and rendering.declares_article(response):
            yield from rendering.retry_in_browser(self.crawler, response, "empty body")
            return
        if item is None and response.meta.get("newsmon_unplaced"):
            self.crawler.stats.inc_value("newsmon/unplaced_not_article")
            return       # a card's link to a page that is not an article: nothing to keep
        if item is None:  # an article URL, but no title or body: malformed, cut short
            self.logger.info("Not an article, not stored: %s", response.url)
            self.crawler.stats.inc_value("newsmon/not_article")
            yield FetchErrorItem(url=response.url, status=response.status,
                                 error="not an article: no title or body could be read")
            return
        item = self.complete_item(item, response, self.base_url)
        if rendering.body_missing(item) and not rendering.render_tried(response):
            yield from rendering.retry_in_browser(self.crawler, response, "empty body")
            return
        if item.url in self.articles_parsed:
            self.crawler.stats.inc_value("newsmon/duplicate_article")
        else:
            self.articles_parsed.add(item.url)
            problems = metadata_problems(response)  # the article is stored all the same
            if problems:
                yield FetchErrorItem(url=response.url, status=response.status,
                                     error="bad metadata: " + "; ".join(problems))
            yield item
        # Related News and Read more links, then Most Read / Read Next and other cards.
        cards = parse_index(response, pagination=False, edition=self.edition).article_links
        yield from self._follow_articles([*item.related_urls, *cards])

    @staticmethod
    def complete_item(item: ArticleItem, response: Response, base_url: str) -> ArticleItem:
        """Add what the crawl knows to a parsed article: the URLs that led to it, the
        raw page and its validators (a canonical URL off the site is not trusted)."""
        if not same_origin(item.url, base_url):
            item.url = canonicalize_url(response.url)
        requested = [*response.meta.get("redirect_urls", []), response.url]
        item.fetched_url = response.url
        item.requested_urls = [canonicalize_url(u) for u in requested]
        item.raw_html = response.body
        item.encoding = response.encoding
        item.http_status = response.status
        item.etag = _header(response, "ETag")
        item.last_modified = _header(response, "Last-Modified")
        return item

    # -- errors ------------------------------------------------------------------

    def on_error(self, failure: Failure) -> Iterator[FetchErrorItem]:
        request = failure.request
        if failure.check(rendering.RenderingUnavailable):  # warned once by crawler.crawl.browser
            yield rendering.skipped_item(request)
            return
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
            # (under the URL that was linked, the first of a redirect chain)
            yield FetchErrorItem(url=request.meta.get("redirect_urls", [request.url])[0],
                                 error=f"not followed: {failure.getErrorMessage()}")
        elif failure.check(DNSLookupError):
            yield FetchErrorItem(url=request.url, error="DNS lookup failed")
        elif failure.check(TimeoutError, TCPTimedOutError):
            yield FetchErrorItem(url=request.url, error="timeout")
        else:  # size limit, truncated body, reset, refused... (crawler.crawl.badinput)
            yield FetchErrorItem(url=request.url, error=describe_failure(failure))



def edition_of(base_url: str, edition: str | None = None) -> str:
    """The edition key a crawl of ``base_url`` reads: ``edition`` when given (an
    unknown one is an error), else the edition whose host serves the URL, else English."""
    if edition:
        key = edition.strip().lower()
        if key not in EDITIONS:
            raise ValueError(f"unknown edition {edition!r} (known: {', '.join(EDITIONS)})")
        return key
    found = edition_for_url(base_url)
    return found.key if found is not None else DEFAULT_EDITION


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return (value.decode("latin-1").strip() or None) if value else None
