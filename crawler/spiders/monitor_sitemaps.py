"""The monitor's cheap change signals: the site's sitemaps, polled like index pages.

A mixin of ``MonitorSpider``. Nothing is assumed: on starting, the monitor reads
robots.txt's ``Sitemap:`` lines (else it probes ``/sitemaps/all.xml``, the place
SITE.md knows for the Arabic edition); what answers as a sitemap becomes a page of the
poll plan (kind "sitemap"), and what is not there (404, not XML) is dropped. Then:

- a sitemap index (``/sitemaps/all.xml``): its newest monthly sitemap is watched (a
  new month replaces the last one); the index itself is a page whose "new items" are
  new sitemaps, so it learns to be read rarely;
- a sitemap of URLs (the month's, a news sitemap): every poll compares its URLs with
  the previous poll's; the new ones are fetched at once, and the page is credited with
  the URLs it newly lists that no other page or sitemap showed before; the URLs it was
  the first to show (``sitemap_found``) are not credited to the index pages that show
  them later. So a
  sitemap that lists what is published earns the polls by the square-root rule, and
  the index pages, found out by it, fall to the floor (they are still read for the
  ticker); a stale sitemap (nothing new) falls to the floor itself. An entry whose
  ``lastmod`` moved is an edit: fetched again;
- requests are conditional (If-None-Match / If-Modified-Since from the sitemap's
  last answer, kept in memory): a 304 is a look that found nothing
  (``newsmon/sitemap_not_modified``), at the cost of one request and no body.

On its first look at a sitemap of URLs (starting, or a new month) the monitor fetches
only the ``CATCH_UP_NEWEST`` newest URLs it has not stored (like an index's first page);
the rest of the month is the backfill's business. A sitemap dates its entries
(``news:publication_date``, else ``lastmod``): a sitemap watched for the first time
starts from its own history (``seed_from_history``: the entries dated within the last
half-life and burst half-life), not from the prior every unknown page starts from, so
a sitemap that lists what the site publishes earns its polls at once, and one that
lists nothing recent starts at the prior of any page.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import scrapy
from scrapy.http import Response
from scrapy.utils.sitemap import sitemap_urls_from_robots

from crawler.crawl.polling import PageRate, seed_from_history
from crawler.crawl.recent import RecentDict
from crawler.sites.almayadeen.urls import canonicalize_url, same_origin
from crawler.spiders.backfill import INDEX_PATH, read_sitemap, site_url, sitemap_month

CATCH_UP_NEWEST = 20
FOUND_KEPT = 5000       # URLs a sitemap showed first, remembered (the newest)
GONE = (404, 410)


class SitemapWatch:
    """Sitemap discovery and polling for ``MonitorSpider`` (which provides ``plan``,
    ``listings``, ``in_flight``, ``state``, ``_polled``, ``_article_request``...)."""

    sitemap_validators: dict[str, tuple[str | None, str | None]] = {}
    sitemap_lastmods: dict[str, dict[str, str]] = {}
    sitemap_found: RecentDict[str, None] = RecentDict(FOUND_KEPT)  # the newest kept
    sitemaps_pending = 0    # robots.txt and sitemaps asked on starting, not answered yet

    def _discover_sitemaps(self: Any) -> scrapy.Request:
        self.sitemap_validators, self.sitemap_lastmods = {}, {}
        self.sitemap_found = RecentDict(FOUND_KEPT)
        self.sitemaps_pending = 1  # robots.txt
        return scrapy.Request(urljoin(self.base_url, "/robots.txt"),
                              callback=self.parse_robots_for_sitemaps, dont_filter=True,
                              errback=self._robots_unreadable,
                              meta={"handle_httpstatus_all": True, "newsmon_catch_up": True})

    def parse_robots_for_sitemaps(self: Any, response: Response) -> Iterator[scrapy.Request]:
        try:
            yield from self._sitemaps_named(response)
        finally:
            self._discovered()

    def _discovered(self: Any) -> None:
        """One of the requests made on starting (or for a new month) is answered."""
        self.sitemaps_pending = max(0, self.sitemaps_pending - 1)

    def _sitemaps_named(self: Any, response: Response) -> Iterator[scrapy.Request]:
        named = []
        if response.status == 200:
            named = [u for u in (site_url(loc, response.url, self.base_url) for loc in
                                 sitemap_urls_from_robots(response.body, response.url))
                     if u is not None]
        if not named:  # none named: the place the site is known to use, once
            named = [canonicalize_url(urljoin(self.base_url, INDEX_PATH))]
        self.logger.info("Sitemaps to try: %s", ", ".join(named))
        for url in dict.fromkeys(named):
            if url not in self.plan.pages:  # else learned before: polled when due
                yield self._sitemap_request(url, catching_up=True)

    def _robots_unreadable(self: Any, failure: Any) -> Iterator[scrapy.Request]:
        try:
            yield self._sitemap_request(canonicalize_url(urljoin(self.base_url, INDEX_PATH)),
                                        catching_up=True)
        finally:
            self._discovered()

    def _sitemap_request(self: Any, url: str, catching_up: bool = False) -> scrapy.Request:
        etag, last_modified = self.sitemap_validators.get(url, (None, None))
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        meta = {"newsmon_sitemap": url, "handle_httpstatus_list": [304, *GONE]}
        meta["newsmon_catch_up" if catching_up else "newsmon_poll"] = True
        if catching_up:
            self.sitemaps_pending += 1
        return scrapy.Request(url, callback=self.parse_sitemap, errback=self.on_error,
                              headers=headers, meta=meta, dont_filter=True, priority=10)

    def parse_sitemap(self: Any, response: Response) -> Iterator[Any]:
        try:
            yield from self._read_sitemap(response)
        finally:
            if response.meta.get("newsmon_catch_up"):
                self._discovered()

    def listed_by_sitemaps(self: Any) -> set[str]:
        """Every URL the watched sitemaps list (canonical)."""
        return set().union(*(self.listings.get(page.url, ()) for page in
                             self.plan.pages.values() if page.kind == "sitemap"))

    def _read_sitemap(self: Any, response: Response) -> Iterator[Any]:
        url = response.meta["newsmon_sitemap"]
        stats = self.crawler.stats
        if response.status in GONE:
            if url in self.plan.pages:
                self.logger.warning("Sitemap %s answered %d: no longer polled", url,
                                    response.status)
                self._forget_sitemap(url)
            return
        if response.status == 304:
            stats.inc_value("newsmon/sitemap_not_modified")
            if url in self.plan.pages:
                self._polled(url, self.listings.get(url, set()), set())
            return
        kind, entries, problem = read_sitemap(response.body)
        if kind not in ("urlset", "sitemapindex") or (problem and not entries):
            if url in self.plan.pages:  # broken for now: a look that found nothing
                self.logger.warning("Sitemap %s unreadable: %s", url, problem)
                self._polled(url, self.listings.get(url, set()), set())
            return
        self.sitemap_validators[url] = (_header(response, "ETag"),
                                        _header(response, "Last-Modified"))
        if url not in self.plan.pages:
            self.plan.add(PageRate(url, "sitemap", "index" if kind == "sitemapindex"
                                   else "news" if _is_news(entries) else "urls"))
            self.logger.info("Watching sitemap %s (%s)", url, kind)
        stats.inc_value("newsmon/sitemap_polls")
        if kind == "sitemapindex":
            yield from self._read_index(url, entries)
        else:
            yield from self._read_urlset(url, entries)

    def _read_index(self: Any, url: str, entries: list[dict[str, Any]]) -> Iterator[Any]:
        children = [u for u in (site_url(e.get("loc", ""), url, self.base_url)
                                for e in entries) if u is not None]
        before = self.listings.get(url)
        new = {c for c in children if before is not None and c not in before}
        if children:
            newest = max(children, key=lambda c: (sitemap_month(c) or (0, 0), c in new))
            for old in [p.url for p in self.plan.pages.values()
                        if p.kind == "sitemap" and p.url in children and p.url != newest]:
                self._forget_sitemap(old)  # last month's: the new one replaces it
            if newest not in self.plan.pages and newest not in self.in_flight:
                self.in_flight[newest] = time.time()  # asked once, not by the plan yet
                yield self._sitemap_request(newest, catching_up=True)
        self._polled(url, children, new)

    def _read_urlset(self: Any, url: str, entries: list[dict[str, Any]]) -> Iterator[Any]:
        lastmods = {}
        for entry in entries:
            found = site_url(entry.get("loc", ""), url, self.base_url)
            if found is not None and same_origin(found, self.base_url):
                lastmods[found] = (entry.get("lastmod") or "").strip()
        before = self.listings.get(url)
        seen = self.sitemap_lastmods.get(url, {})
        self.sitemap_lastmods[url] = lastmods
        if before is None:  # first look: the newest few not stored, as catching up
            page = self.plan.pages[url]
            if not page.polls:  # never watched before (else: what it learned stands)
                seed_from_history(page, [_entry_time(e) for e in entries], time.time(),
                                  self.plan.config)
            newest = sorted(lastmods, key=lastmods.__getitem__, reverse=True)
            for request in self._follow_articles(newest[:CATCH_UP_NEWEST]):
                yield request.replace(meta={**request.meta, "newsmon_catch_up": True})
            self._polled(url, list(lastmods), set())
            return
        new = [u for u in lastmods if u not in before]
        first = set()   # new here and shown by no other page or sitemap before
        for article in new:
            if canonicalize_url(article) not in self.articles_requested:
                self.sitemap_found[article] = None
                first.add(article)
            yield from self._article_request(article)
        for article, lastmod in lastmods.items():
            if article in before and seen.get(article) and lastmod != seen[article]:
                self.crawler.stats.inc_value("newsmon/sitemap_edits_seen")
                yield from self._refetch(article)
        # Credited with what it showed first only: two sitemaps listing the same news
        # (the month's and a news sitemap) are one signal, and the square-root rule
        # then gives the polls to the one that shows it sooner instead of splitting them.
        self._polled(url, list(lastmods), first)

    def _forget_sitemap(self: Any, url: str) -> None:
        self.plan.remove(url)
        self.in_flight.pop(url, None)
        self.listings.pop(url, None)
        self.sitemap_lastmods.pop(url, None)
        self.sitemap_validators.pop(url, None)
        if self.state is not None:
            self.state.forget([url])


def _entry_time(entry: dict[str, Any]) -> float | None:
    value = (entry.get("news_publication_date") or entry.get("lastmod") or "").strip()
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()


def _is_news(entries: list[dict[str, Any]]) -> bool:
    return any("news_publication_date" in e for e in entries[:5])


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
