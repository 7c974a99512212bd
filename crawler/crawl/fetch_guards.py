"""Downloader middlewares for a polite, bounded fetch (registered in crawler/crawl/settings.py).

- ``RetryAfterMiddleware``: a 429 (or 503) with ``Retry-After`` is retried after that
  long, not at once as Scrapy's RetryMiddleware does (Scrapy 2.19 ignores the header).
  While it waits, the site's download slot is held back too (when a download delay is
  set, as by default), so no other request goes to the site meanwhile. Seconds or an
  HTTP date; capped by ``NEWSMON_RETRY_AFTER_MAX`` (default 300 s): a longer wait is
  not retried in this run (a fetch error, "HTTP 429"). Retries count against
  ``RETRY_TIMES``; giving up is Scrapy's "Gave up retrying" error line and a fetch
  error.
- ``RobotsTxtMiddleware``: Scrapy's, with the requests that arrive while robots.txt is
  being fetched made to wait for it too. Scrapy 2.19 hands the parsed robots.txt to the
  first of them only (it awaits one shared Deferred from several coroutines, and
  ``Deferred.asFuture`` consumes the result): the others got None, "no robots.txt",
  and were fetched whatever it said.
- ``RedirectGuardMiddleware``: a redirect back to a URL of its own chain (A -> B -> A,
  or A -> A) is a loop, and a redirect to another origin (another port of the host,
  169.254.169.254, a private address) is not followed either: both are refused with a
  clear error and a fetch error, where Scrapy would drop them silently (its duplicate
  filter; the offsite filter, ``crawler.crawl.middlewares.SameOriginMiddleware``, which stays
  as the second line of defence). Long chains stop at REDIRECT_MAX_TIMES. One
  exception: a redirect that moves the whole site (``site_moved``: http to https on the
  same host, or to/from "www.") from the base URL's origin is followed and the spider's
  ``base_url`` becomes the new origin (a base URL given as http:// would otherwise end
  the crawl at its home page, and robots.txt would be read as absent).
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin

from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.downloadermiddlewares.robotstxt import (
    RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware)
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.asyncio import sleep
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from crawler.sites.almayadeen.urls import canonicalize_url, origin, same_origin, same_site

logger = logging.getLogger(__name__)

RETRY_AFTER_STATUSES = (429, 503)
REDIRECT_STATUSES = (301, 302, 303, 307, 308)


def parse_retry_after(value: bytes | str | None, now: datetime | None = None
                      ) -> float | None:
    """Seconds to wait from a Retry-After value (delay-seconds or HTTP-date)."""
    if value is None:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else value).strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RetryAfterMiddleware:
    """Honour Retry-After on 429/503 (module docstring). Before RetryMiddleware (550)."""

    def __init__(self, crawler: Any):
        self.crawler = crawler
        self.max_wait = crawler.settings.getfloat("NEWSMON_RETRY_AFTER_MAX", 300.0)

    @classmethod
    def from_crawler(cls, crawler: Any) -> RetryAfterMiddleware:
        return cls(crawler)

    async def process_response(self, request: Request, response: Response
                               ) -> Request | Response:
        if response.status not in RETRY_AFTER_STATUSES or request.meta.get("dont_retry"):
            return response
        wait = parse_retry_after(response.headers.get("Retry-After"))
        if wait is None:
            return response  # no header: Scrapy's RetryMiddleware decides
        if wait > self.max_wait:
            logger.warning("%s answered %d with Retry-After %.0fs, over NEWSMON_RETRY_AFTER_MAX"
                           " (%.0fs): not retried in this run", request.url, response.status,
                           wait, self.max_wait)
            request.meta["dont_retry"] = True
            return response
        retry = get_retry_request(request, spider=self.crawler.spider,
                                  reason=f"{response.status} with Retry-After {wait:g}s")
        if retry is None:  # retries exhausted: logged by Scrapy, a fetch error follows
            request.meta["dont_retry"] = True
            return response
        logger.info("%s answered %d: retrying after %gs, as its Retry-After asks",
                    request.url, response.status, wait)
        self._hold_slot(request, wait)
        await sleep(wait)
        return retry

    def _hold_slot(self, request: Request, wait: float) -> None:
        """Make the site's download slot wait too (effective with a download delay)."""
        engine = getattr(self.crawler, "engine", None)
        downloader = getattr(engine, "downloader", None)
        try:
            slot = downloader.slots.get(downloader.get_slot_key(request))
        except AttributeError:
            return
        if slot is not None and hasattr(slot, "lastseen"):
            slot.lastseen = max(slot.lastseen, time.time() + wait - slot.delay)


class RobotsErrorsOnOneLine(logging.Filter):
    """Scrapy's robots.txt middleware logs a site it cannot reach as an ERROR with two
    chained tracebacks. An unreachable site is an ordinary condition: one WARNING line
    with the cause (the page's own fetch error says the rest)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.msg.startswith("Error downloading"):
            error = record.exc_info[1]
            record.msg = ("robots.txt not fetched for %s (%s): read as no robots.txt, "
                          "everything allowed (Scrapy's policy)")
            request = getattr(record.args, "get", lambda _k: None)("request")
            record.args = (getattr(request, "url", request),
                           str(error).strip().splitlines()[0] if str(error).strip()
                           else type(error).__name__)
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


_ROBOTS_FILTER = RobotsErrorsOnOneLine()


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    """Scrapy's RobotsTxtMiddleware, every request waiting for robots.txt (above), and
    its ``Crawl-delay`` honoured (Scrapy ignores it): the site's download slot waits at
    least that long between requests, whatever AutoThrottle or DOWNLOAD_DELAY say;
    capped by ``NEWSMON_CRAWL_DELAY_MAX`` (default 60 s)."""

    def __init__(self, crawler: Any):
        super().__init__(crawler)
        logging.getLogger(ScrapyRobotsTxtMiddleware.__module__).addFilter(_ROBOTS_FILTER)
        self._crawl_delays: dict[str, float] = {}    # by slot key (the host)
        self._max_crawl_delay = crawler.settings.getfloat("NEWSMON_CRAWL_DELAY_MAX", 60.0)

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if response.status >= 400:  # an error page is no rules (Scrapy parsed its HTML)
            logger.warning("robots.txt of %s answered HTTP %d: read as no robots.txt, "
                           "everything allowed (Scrapy's policy)", netloc, response.status)
            response = response.replace(body=b"")
        await super()._parse_robots(response, netloc, request)
        parser = self._parsers.get(netloc)
        try:
            delay = parser.crawl_delay(self._robotstxt_useragent or request.headers.get(
                b"User-Agent", self._default_useragent)) if parser is not None else None
        except (AttributeError, TypeError, ValueError):
            delay = None
        if delay and delay > 0:
            if delay > self._max_crawl_delay:
                logger.warning("robots.txt of %s asks a Crawl-delay of %gs: capped at %gs "
                               "(NEWSMON_CRAWL_DELAY_MAX)", netloc, delay, self._max_crawl_delay)
                delay = self._max_crawl_delay
            logger.info("robots.txt of %s asks a Crawl-delay of %gs: honoured", netloc, delay)
            self._crawl_delays[urlparse_cached(request).hostname or netloc] = delay
            self._apply_crawl_delay(request)

    def process_response(self, request: Request, response: Response) -> Response:
        self._apply_crawl_delay(request)  # after AutoThrottle's adjustment of the slot
        return response

    def _apply_crawl_delay(self, request: Request) -> None:
        if not self._crawl_delays:
            return
        downloader = getattr(getattr(self.crawler, "engine", None), "downloader", None)
        try:
            key = downloader.get_slot_key(request)
            slot = downloader.slots.get(key)
        except AttributeError:
            return
        delay = self._crawl_delays.get(urlparse_cached(request).hostname or "")
        if delay and slot is not None and slot.delay < delay:
            slot.delay = delay
            if hasattr(slot, "jitter"):
                slot.jitter = 0.0           # randomised, a gap could be shorter

    async def robot_parser(self, request: Request) -> Any:
        parser = self._parsers.get(urlparse_cached(request).netloc)
        if not isinstance(parser, Deferred):
            return await super().robot_parser(request)
        waiter: Deferred = Deferred()

        def relay(result: Any) -> Any:
            waiter.callback(result)
            return result  # the next waiter gets it too

        parser.addBoth(relay)
        return await maybe_deferred_to_future(waiter)


class RedirectGuardMiddleware:
    """Refuse a redirect back into its own chain, or to another origin (scheme, host,
    port: another port of the same host, a cloud metadata address, a private network),
    with a clear error. After RedirectMiddleware (600), so it sees the 3xx first."""

    def __init__(self, crawler: Any):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> RedirectGuardMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get("Location")
        if response.status not in REDIRECT_STATUSES or not location:
            return response
        target = canonicalize_url(urljoin(request.url, location.decode("latin-1")))
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if target in {canonicalize_url(u) for u in chain}:
            raise IgnoreRequest(f"redirect loop: {' -> '.join([*chain, target])}")
        spider = self.crawler.spider
        base_url = getattr(spider, "base_url", None)
        if base_url and not same_origin(target, base_url):
            if not (same_origin(request.url, base_url) and site_moved(base_url, target)):
                raise IgnoreRequest(f"redirect to another origin: {request.url} -> {target}")
            moved = canonicalize_url(urljoin(target, "/"))
            logger.warning("%s redirects to %s: the site moved to %s, crawled there",
                           request.url, target, moved)
            spider.base_url = moved
        return response


def site_moved(base_url: str, target: str) -> bool:
    """A redirect that moves the whole site (``urls.same_site``: http to https on the
    same host, or to/from "www."; a base URL given as http://, or without the www the
    site uses). Never a downgrade to http."""
    return same_site(target, base_url) and not (
        origin(base_url)[0] == "https" and origin(target)[0] == "http")
