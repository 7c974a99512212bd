"""Backfill: discover articles from the site's XML sitemaps and fetch those not stored.

Discovery, in this order (each sitemap is read once, whoever names it):

1. robots.txt's ``Sitemap:`` lines (absolute or relative; several allowed);
2. then, whatever robots.txt said (or if it is missing), the well-known places
   ``WELL_KNOWN``: ``/sitemaps/all.xml`` (the site's monthly index,
   ``/sitemaps/all/sitemap-YYYY-M.xml``), ``/sitemap_index.xml``, ``/sitemap.xml``,
   ``/news-sitemap.xml``. A well-known place that is missing (404, not a sitemap) is
   not an error; a sitemap robots.txt or an index names that cannot be read (HTTP
   error, malformed XML, not a sitemap) is recorded as a fetch error and the others
   are read all the same. No readable sitemap at all: the run fails (exit 1).

Sitemaps may be gzip-compressed (``.xml.gz`` or ``Content-Encoding: gzip``), indexes
may nest, and Google News (``news:publication_date``), image and ``xhtml:link``
entries are understood (alternates are not followed). Only sitemaps and URLs of the
site are used: ``http``/``https`` and ``www.`` of the base host are the same site
(rewritten to the base URL's origin), relative ``<loc>`` are resolved, other hosts are
ignored and counted. ``sitemap_filter`` keeps:

- in a sitemap index, the sitemaps of the months asked for, by the date in their
  name (``sitemap-2025-9.xml``, ``-2025-09``, per day ``-2025-09-15``); a sitemap
  whose name has no date is kept;
- in a sitemap dated by its name and in range, every URL; in one without a date in
  its name (news sitemaps, ``sitemap-1.xml``...), the URLs whose
  ``news:publication_date``, else ``lastmod``, falls in the months asked for; a URL
  with neither is kept (counted as undated in the log);
- of those, only article URLs (``classify_url``: tags, sections... are not fetched),
  and only those that lead to no stored article (canonical URL or alias), so that a
  backfill killed midway resumes where it stopped: each article is stored in its own
  transaction as soon as it is parsed.

Same politeness as a crawl (robots.txt, delay, AutoThrottle, concurrency); no link is
followed from the articles. Progress is logged as sitemaps are read and every
``NEWSMON_BACKFILL_LOG_EVERY`` articles.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from lxml import etree
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.spiders import SitemapSpider
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots
from twisted.python.failure import Failure

from crawler.crawl.incremental import CrawlMemory
from crawler.items import FetchErrorItem
from crawler.sites.almayadeen.parser import parse_article
from crawler.sites.almayadeen.urls import canonicalize_url, classify_url, onto_origin, same_site
from crawler.spiders.almayadeen import DEFAULT_BASE_URL, AlmayadeenSpider, edition_of

Month = tuple[int, int]
# A date at the end of a sitemap's name: 2025-9, 2025-09, 2025_09, 2025/09/15, ...
_DATE_IN_NAME = re.compile(
    r"(?<![0-9])(\d{4})[-_/](\d{1,2})(?:[-_/](\d{1,2}))?\.xml(?:\.gz)?$", re.IGNORECASE)
INDEX_PATH = "/sitemaps/all.xml"
WELL_KNOWN = (INDEX_PATH, "/sitemap_index.xml", "/sitemap.xml", "/news-sitemap.xml")
PROBE, LISTED = "probe", "listed"   # meta["newsmon_sitemap"]: where a sitemap came from


def parse_month(value: str | None) -> Month | None:
    """``"2025-09"`` (or ``"2025-9"``) -> ``(2025, 9)``; ValueError when malformed."""
    if value is None:
        return None
    match = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", value)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"not a month (YYYY-MM): {value!r}")
    return int(match.group(1)), int(match.group(2))


def sitemap_month(url: str) -> Month | None:
    """The month in a monthly (or daily) sitemap's name (``sitemap-2025-9.xml``,
    ``sitemap-2025-09-15.xml.gz``), else None."""
    match = _DATE_IN_NAME.search(urlsplit(url.strip()).path if "//" in url
                                 else url.split("?", 1)[0])
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    if match.group(3) is not None and not 1 <= int(match.group(3)) <= 31:
        return None
    return int(match.group(1)), int(match.group(2))


def lastmod_month(value: str | None) -> Month | None:
    try:
        when = datetime.fromisoformat((value or "").strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.year, when.month


def entry_month(entry: dict[str, Any]) -> Month | None:
    """When a sitemap URL was published: news:publication_date, else lastmod."""
    return (lastmod_month(entry.get("news_publication_date"))
            or lastmod_month(entry.get("lastmod")))


class NewsSitemap(Sitemap):
    """Scrapy's sitemap reader, which also keeps a Google News entry's
    ``news:publication_date`` and ``news:title`` (as ``news_publication_date``,
    ``news_title``): Scrapy keeps only the direct children of ``<url>``."""

    def _process_sitemap_element(self, elem: Any) -> dict[str, Any] | None:
        news: dict[str, str] = {}
        for child in elem:
            if self._get_tag_name(child) == "news":
                for el in child.iter():
                    name = self._get_tag_name(el)
                    if name in ("publication_date", "title") and el.text:
                        news.setdefault("news_" + name, el.text.strip())
        entry = super()._process_sitemap_element(elem)
        if entry is not None:
            entry.update(news)
        return entry


def read_sitemap(body: bytes) -> tuple[str, list[dict[str, Any]], str | None]:
    """(type, entries, problem) of a sitemap's XML: type "urlset", "sitemapindex" or
    another root's name; problem: why it could not be (wholly) read, else None."""
    try:
        sitemap = NewsSitemap(body)
    except (etree.XMLSyntaxError, StopIteration) as exc:
        return "", [], f"malformed sitemap: {str(exc) or 'not XML'}"[:200]
    entries: list[dict[str, Any]] = []
    try:
        entries.extend(sitemap)
    except etree.XMLSyntaxError as exc:
        return sitemap.type, entries, f"malformed sitemap: {exc}"[:200]
    if sitemap.type not in ("urlset", "sitemapindex"):
        return sitemap.type, [], f"not a sitemap (<{sitemap.type}>)"
    # lxml recovers from broken XML (truncated, undefined entities): what it could
    # read is used, and the sitemap is reported as malformed.
    errors = [e for e in sitemap.xmliter.error_log if e.level >= etree.ErrorLevels.ERROR]
    if errors:
        return sitemap.type, entries, f"malformed sitemap (read in part): " \
                                      f"{errors[0].message}"[:200]
    return sitemap.type, entries, None


def site_url(loc: str, sitemap_url: str, base_url: str) -> str | None:
    """``loc`` (resolved against its sitemap) as a URL of the site at ``base_url``
    (``urls.same_site``: http/https and a "www." prefix of its host are the site, moved
    onto the base URL's origin); None for another host or port."""
    url = urljoin(sitemap_url, (loc or "").strip())
    return canonicalize_url(onto_origin(url, base_url)) if same_site(url, base_url) else None


class BackfillSpider(SitemapSpider):
    name = "almayadeen_backfill"
    sitemap_rules = [("", "parse_article_page")]

    def __init__(self, base_url: str = DEFAULT_BASE_URL, since: str = "1970-01",
                 until: str | None = None, *args: Any, edition: str | None = None,
                 **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.base_url = canonicalize_url(base_url.rstrip("/") + "/")
        # which edition's pages these are (as for the crawl: crawler.spiders.almayadeen)
        self.edition = edition_of(self.base_url, edition)
        self.since = parse_month(since) or (1970, 1)
        self.until = parse_month(until)
        self.origin = self.base_url.rstrip("/")
        self.sitemap_urls = [self.origin + "/robots.txt"]
        self.memory: CrawlMemory | None = None
        self.reading: str = ""           # the sitemap sitemap_filter is looking at
        self.to_fetch = self.fetched = self.sitemaps_read = 0
        self.scheduled: set[str] = set()  # article URLs asked for, across sitemaps

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        if not kwargs.get("edition"):      # the NEWSMON_EDITION setting, as for the crawl
            kwargs["edition"] = crawler.settings.get("NEWSMON_EDITION") or None
        return super().from_crawler(crawler, *args, **kwargs)

    async def start(self) -> AsyncIterator[Any]:
        self.memory = CrawlMemory.from_settings(self.settings)
        self.logger.info("Backfill of %s, months %s to %s", self.base_url,
                         "%d-%02d" % self.since,
                         "%d-%02d" % self.until if self.until else "now")
        # Failed until a sitemap is read (the pipeline judges the run before closed()).
        self._stat_set("newsmon/start_failed", True)
        yield scrapy.Request(self.sitemap_urls[0], callback=self._parse_robots,
                             errback=self._robots_failed)

    def closed(self, reason: str) -> None:
        if not self.sitemaps_read:
            self.logger.error("Backfill: no sitemap could be read (robots.txt Sitemap: "
                              "lines, %s)", ", ".join(WELL_KNOWN))
        self.logger.info("Backfill %s: %d sitemaps read, %d of %d articles to fetch were "
                         "fetched", reason, self.sitemaps_read, self.fetched, self.to_fetch)
        if self.memory is not None:
            self.memory.close()

    def in_range(self, month: Month) -> bool:
        return self.since <= month and (self.until is None or month <= self.until)

    # -- discovery ------------------------------------------------------------------

    def _parse_robots(self, response: Response) -> Iterator[Any]:
        named = list(sitemap_urls_from_robots(response.body, base_url=response.url))
        yield from self._discover(named)

    def _robots_failed(self, failure: Failure) -> Iterator[Any]:
        self.logger.info("No robots.txt (%s): trying the well-known sitemap places",
                         failure.getErrorMessage())
        yield from self._discover([])

    def _discover(self, named: list[str]) -> Iterator[scrapy.Request]:
        listed = []
        for url in named:
            on_site = site_url(url, self.base_url, self.base_url)
            if on_site is None:
                self._count("newsmon/sitemap_offsite")
                self.logger.info("Sitemap on another site, not read: %s", url)
            elif on_site not in listed:
                listed.append(on_site)
        self.logger.info("robots.txt names %d sitemaps%s", len(listed),
                         (": " + ", ".join(listed)) if listed else "")
        for url in listed:
            yield self._sitemap_request(url, LISTED)
        for path in WELL_KNOWN:
            if canonicalize_url(self.origin + path) not in listed:
                yield self._sitemap_request(self.origin + path, PROBE)

    def _sitemap_request(self, url: str, how: str) -> scrapy.Request:
        return scrapy.Request(url, callback=self._parse_sitemap,
                              errback=self._sitemap_failed, meta={"newsmon_sitemap": how})

    def _sitemap_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request
        if request.meta.get("newsmon_sitemap") == PROBE and failure.check(HttpError):
            self.logger.info("No sitemap at %s (HTTP %s)", request.url,
                             failure.value.response.status)
            return
        self._count("newsmon/sitemap_errors")
        yield from AlmayadeenSpider.on_error(self, failure)  # type: ignore[arg-type]

    # -- reading --------------------------------------------------------------------

    def _get_sitemap_body(self, response: Response) -> bytes | None:
        body = super()._get_sitemap_body(response)  # gunzips .xml.gz
        if body is None and response.body.lstrip()[:1] == b"<":  # XML as text/plain...
            body = response.body
        return body

    def _parse_sitemap(self, response: Response) -> Iterable[Any]:
        self.reading = response.url  # sitemap_filter reads it
        probe = response.meta.get("newsmon_sitemap") == PROBE
        body = self._get_sitemap_body(response)
        kind, entries, problem = read_sitemap(body) if body else ("", [], "not a sitemap")
        if problem and (probe or not entries):
            if probe:
                self.logger.info("No sitemap at %s (%s)", response.url, problem)
                return []
            self._count("newsmon/sitemap_errors")
            return [FetchErrorItem(url=response.url, status=response.status, error=problem)]
        out: list[Any] = []
        if problem:  # read in part: what was read is used
            self._count("newsmon/sitemap_errors")
            out.append(FetchErrorItem(url=response.url, status=response.status,
                                      error=problem))
        self.sitemaps_read += 1
        self._stat_set("newsmon/start_failed", False)
        listing = _Entries(kind, entries)
        if kind == "sitemapindex":
            out += [self._sitemap_request(e["loc"], LISTED)
                    for e in self.sitemap_filter(listing)]
        else:
            out += [scrapy.Request(e["loc"], callback=self.parse_article_page,
                                   errback=self._article_failed)
                    for e in self.sitemap_filter(listing)]
        return out

    def sitemap_filter(self, entries: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        kind = getattr(entries, "type", None)
        entries = list(entries)
        on_site, offsite = self._on_site(entries)
        if kind == "sitemapindex":
            chosen = [e for e in on_site
                      if (month := sitemap_month(e["loc"])) is None or self.in_range(month)]
            self.logger.info("Sitemap index %s: %d sitemaps, %d to read, %d off-site",
                             self.reading, len(entries), len(chosen), offsite)
            yield from chosen
            return
        month = sitemap_month(self.reading)
        undated = 0
        if month is not None:
            chosen = on_site if self.in_range(month) else []
        else:
            chosen = []
            for entry in on_site:
                when = entry_month(entry)
                undated += when is None
                if when is None or self.in_range(when):
                    chosen.append(entry)
        by_url = {e["loc"]: e for e in chosen
                  if classify_url(e["loc"], base_url=self.base_url) == "article"}
        others = len({e["loc"] for e in chosen}) - len(by_url)
        assert self.memory is not None
        stored = self.memory.known(list(by_url))
        wanted = [e for url, e in by_url.items()
                  if url not in stored and url not in self.scheduled]
        self.scheduled.update(e["loc"] for e in wanted)
        self.to_fetch += len(wanted)
        self.logger.info("Sitemap %s: %d URLs, %d off-site, %d undated, %d in range, "
                         "%d not articles, %d already stored, %d to fetch (%d to fetch so "
                         "far)", self.reading, len(entries), offsite, undated, len(chosen),
                         others, len(stored), len(wanted), self.to_fetch)
        yield from wanted

    def _on_site(self, entries: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
        """The entries on the site, their ``loc`` made absolute and canonical (the
        alternates, ``xhtml:link``, are never followed), and the number off it."""
        kept, offsite = [], 0
        for entry in entries:
            if not (entry.get("loc") or "").strip():  # <loc/>, or cut short
                continue
            url = site_url(entry["loc"], self.reading or self.base_url, self.base_url)
            if url is None:
                offsite += 1
                continue
            kept.append({**entry, "loc": url})
        if offsite:
            self._count("newsmon/sitemap_offsite", offsite)
        return kept, offsite

    # -- articles -------------------------------------------------------------------

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
        item = parse_article(response, self.edition)
        if item is None:
            self.logger.info("Not an article, not stored: %s", response.url)
            return
        yield AlmayadeenSpider.complete_item(item, response, self.base_url)

    def _article_failed(self, failure: Failure) -> Iterator[Any]:
        self.fetched += 1
        yield from AlmayadeenSpider.on_error(self, failure)  # type: ignore[arg-type]

    # -- stats ----------------------------------------------------------------------

    def _count(self, key: str, n: int = 1) -> None:
        if getattr(self, "crawler", None) is not None:
            self.crawler.stats.inc_value(key, n)

    def _stat_set(self, key: str, value: Any) -> None:
        if getattr(self, "crawler", None) is not None:
            self.crawler.stats.set_value(key, value)


class _Entries(list):
    """Entries with the sitemap's type, as ``sitemap_filter`` gets them."""

    def __init__(self, kind: str, entries: list[dict[str, Any]]):
        super().__init__(entries)
        self.type = kind
