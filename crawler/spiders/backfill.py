"""Backfill: discover articles from the site's XML sitemaps and fetch those not stored.

Scrapy's ``SitemapSpider`` does the walking: robots.txt's ``Sitemap:`` lines and the
sitemap index ``/sitemaps/all.xml`` (monthly ``/sitemaps/all/sitemap-YYYY-M.xml``);
news sitemaps and any other sitemap robots.txt names are read too.
``sitemap_filter`` keeps:

- in a sitemap index, the monthly sitemaps of the months asked for (a sitemap whose
  name has no month is kept);
- in a monthly sitemap of those months, every URL; in a sitemap without a month in
  its name (news sitemaps: the latest articles), the URLs whose ``lastmod`` falls in
  the months asked for (without ``lastmod``: kept when no ``--until`` is given);
- and of those, only the URLs that lead to no stored article (canonical URL or
  alias), so that a backfill killed midway resumes where it stopped: each article is
  stored in its own transaction as soon as it is parsed.

Same politeness as a crawl (robots.txt, delay, AutoThrottle, concurrency); no link is
followed from the articles. Progress is logged as sitemaps are read and every
``NEWSMON_BACKFILL_LOG_EVERY`` articles.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import datetime
from typing import Any

import scrapy
from scrapy.http import Response
from scrapy.spiders import SitemapSpider

from crawler.incremental import CrawlMemory
from crawler.items import FetchErrorItem
from crawler.sites.almayadeen.parser import parse_article
from crawler.sites.almayadeen.urls import canonicalize_url, classify_url, same_origin
from crawler.spiders.almayadeen import DEFAULT_BASE_URL, AlmayadeenSpider

Month = tuple[int, int]
_MONTH_IN_NAME = re.compile(r"(?<![0-9])(\d{4})-(\d{1,2})\.xml(?:\.gz)?$")
INDEX_PATH = "/sitemaps/all.xml"


def parse_month(value: str | None) -> Month | None:
    """``"2025-09"`` (or ``"2025-9"``) -> ``(2025, 9)``; ValueError when malformed."""
    if value is None:
        return None
    match = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", value)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"not a month (YYYY-MM): {value!r}")
    return int(match.group(1)), int(match.group(2))


def sitemap_month(url: str) -> Month | None:
    """The month in a monthly sitemap's name (``sitemap-2025-9.xml``), else None."""
    match = _MONTH_IN_NAME.search(url.split("?", 1)[0])
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    return int(match.group(1)), int(match.group(2))


def lastmod_month(value: str | None) -> Month | None:
    try:
        when = datetime.fromisoformat((value or "").strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.year, when.month


class BackfillSpider(SitemapSpider):
    name = "almayadeen_backfill"
    sitemap_rules = [("", "parse_article_page")]

    def __init__(self, base_url: str = DEFAULT_BASE_URL, since: str = "1970-01",
                 until: str | None = None, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.base_url = canonicalize_url(base_url.rstrip("/") + "/")
        self.since = parse_month(since) or (1970, 1)
        self.until = parse_month(until)
        origin = self.base_url.rstrip("/")
        self.sitemap_urls = [origin + "/robots.txt", origin + INDEX_PATH]
        self.memory: CrawlMemory | None = None
        self.reading: str = ""           # the sitemap sitemap_filter is looking at
        self.to_fetch = self.fetched = 0

    async def start(self) -> AsyncIterator[Any]:
        self.memory = CrawlMemory.from_settings(self.settings)
        self.logger.info("Backfill of %s, months %s to %s", self.base_url,
                         "%d-%02d" % self.since,
                         "%d-%02d" % self.until if self.until else "now")
        async for request in super().start():
            yield request

    def closed(self, reason: str) -> None:
        self.logger.info("Backfill %s: %d of %d articles to fetch were fetched", reason,
                         self.fetched, self.to_fetch)
        if self.memory is not None:
            self.memory.close()

    def in_range(self, month: Month) -> bool:
        return self.since <= month and (self.until is None or month <= self.until)

    def _parse_sitemap(self, response: Response) -> Iterable[scrapy.Request]:
        self.reading = response.url  # SitemapSpider calls sitemap_filter from here
        return super()._parse_sitemap(response)

    def sitemap_filter(self, entries: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        kind = getattr(entries, "type", None)
        entries = list(entries)
        if kind == "sitemapindex":
            for entry in entries:
                month = sitemap_month(entry.get("loc", ""))
                if month is None or self.in_range(month):
                    yield entry
            return
        month = sitemap_month(self.reading)
        if month is not None:
            chosen = entries if self.in_range(month) else []
        else:
            chosen = [e for e in entries if self._recent_entry_wanted(e)]
        by_url = {canonicalize_url(e.get("loc", "")): e for e in chosen}
        by_url = {url: e for url, e in by_url.items() if same_origin(url, self.base_url)
                  and classify_url(url, base_url=self.base_url) == "article"}
        assert self.memory is not None
        stored = self.memory.known(list(by_url))
        wanted = [e for url, e in by_url.items() if url not in stored]
        self.to_fetch += len(wanted)
        self.logger.info("Sitemap %s: %d URLs, %d in range, %d already stored, %d to fetch "
                         "(%d to fetch so far)", self.reading, len(entries), len(by_url),
                         len(stored), len(wanted), self.to_fetch)
        yield from wanted

    def _recent_entry_wanted(self, entry: dict[str, Any]) -> bool:
        month = lastmod_month(entry.get("lastmod"))
        if month is None:
            return self.until is None
        return self.in_range(month)

    def parse_article_page(self, response: Response) -> Iterator[Any]:
        self.fetched += 1
        every = self.settings.getint("NEWSMON_BACKFILL_LOG_EVERY", 10)
        if every and (self.fetched % every == 0 or self.fetched == self.to_fetch):
            self.logger.info("Backfill progress: %d/%d articles fetched", self.fetched,
                             self.to_fetch)
        if not hasattr(response, "text"):
            yield FetchErrorItem(url=response.url, status=response.status,
                                 error="not an HTML page")
            return
        item = parse_article(response)
        if item is None:
            self.logger.info("Not an article, not stored: %s", response.url)
            return
        yield AlmayadeenSpider.complete_item(item, response, self.base_url)
