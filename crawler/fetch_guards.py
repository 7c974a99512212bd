"""Downloader middlewares for a polite, bounded fetch (registered in crawler/settings.py).

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
  filter; the offsite filter, ``crawler.middlewares.SameOriginMiddleware``, which stays
  as the second line of defence). Long chains stop at REDIRECT_MAX_TIMES.
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

from crawler.sites.almayadeen.urls import canonicalize_url, same_origin

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


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    """Scrapy's RobotsTxtMiddleware, every request waiting for robots.txt (above)."""

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
        base_url = getattr(self.crawler.spider, "base_url", None)
        if base_url and not same_origin(target, base_url):
            raise IgnoreRequest(f"redirect to another origin: {request.url} -> {target}")
        return response
