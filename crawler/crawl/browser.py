"""The browser: scrapy-playwright driving Debian's Chromium, for the few requests that
ask for it (``meta["playwright"]``, set by ``crawler.crawl.rendering``); every other request
goes through Scrapy's plain HTTP handler.

- ``BrowserDownloadHandler`` (``DOWNLOAD_HANDLERS`` for http and https): starts
  Playwright and Chromium only when a page first needs them (``NEWSMON_CHROMIUM_PATH``,
  headless, ``CHROMIUM_ARGS``); raises ``RenderingUnavailable`` when rendering is off
  (``NEWSMON_JAVASCRIPT``), the executable is missing or Chromium does not start; puts
  pages in contexts named ``newsmon-<n>`` and closes each context once
  ``NEWSMON_BROWSER_CONTEXT_PAGES`` pages have used it (memory stays bounded); reports
  the status and headers of the page's last navigation (an interstitial reloads into
  the content, whose validators are the ones to keep).
- ``RenderingMiddleware``: warns once when rendering is unavailable
  (``rendering.mark_unavailable``); a request that allows it (an index page) then goes
  as a plain request, any other fails with ``RenderingUnavailable`` (the spider's
  errback records it as skipped).
- ``abort_request`` (``PLAYWRIGHT_ABORT_REQUEST``): no images, fonts or media.
- ``browser_headers`` (``PLAYWRIGHT_PROCESS_REQUEST_HEADERS``): Scrapy's headers, plus
  the cookies the page's scripts set (a JavaScript check's cookie must reach the site).

Browser requests go through Scrapy's downloader like the others: same download slot,
delay, concurrency and robots.txt rules. What a page then asks by itself (its
stylesheet, the Load More endpoint) does not; Load More clicks are ``DOWNLOAD_DELAY``
apart (``rendering.load_more``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
from collections import Counter
from contextlib import suppress
from typing import Any

from scrapy.http import Headers, Request, Response
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler
from scrapy_playwright.headers import use_scrapy_headers

from crawler.crawl import rendering
from crawler.crawl.rendering import RenderingUnavailable

logger = logging.getLogger("newsmon.browser")

DEFAULT_CHROMIUM = "/usr/bin/chromium"
# Headless on a closed network: no GPU, updates, sync or first run.
CHROMIUM_ARGS = ["--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def sandbox_launch_options(euid: int | None = None) -> dict[str, Any]:
    """Chromium's sandbox is on, except as root, where Chromium refuses to start with
    it (a container's default user): then `--no-sandbox` (docs/OPERATIONS.md says why
    and how to run as another user)."""
    euid = os.geteuid() if euid is None else euid
    if euid == 0:
        return {"chromium_sandbox": False, "args": [*CHROMIUM_ARGS, "--no-sandbox"]}
    return {"chromium_sandbox": True, "args": list(CHROMIUM_ARGS)}
BLOCKED_RESOURCES = frozenset({"image", "media", "font"})
CONTEXT_PREFIX = "newsmon-"
CONTEXT_KWARGS = {"service_workers": "block"}


def chromium_problem(path: str | None) -> tuple[str | None, str | None]:
    """(the executable, None) or (None, why it cannot be used)."""
    path = path or DEFAULT_CHROMIUM
    found = shutil.which(path)
    if not found:
        return None, f"no Chromium executable at {path} (NEWSMON_CHROMIUM_PATH)"
    return found, None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:300]


class BrowserDownloadHandler(ScrapyPlaywrightDownloadHandler):
    """scrapy-playwright's handler, started lazily, failing cleanly, recycling contexts."""

    lazy = False

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        settings = crawler.settings
        executable, problem = chromium_problem(settings.get("NEWSMON_CHROMIUM_PATH"))
        self.unavailable: str | None = problem
        if not settings.getbool("NEWSMON_JAVASCRIPT", True):
            self.unavailable = "turned off (javascript = false, NEWSMON_JAVASCRIPT)"
        self.config.launch_options = {"executable_path": executable, "headless": True,
                                      **sandbox_launch_options(),
                                      **self.config.launch_options}
        if not self.config.launch_options.get("chromium_sandbox"):
            logger.debug("Chromium runs without its sandbox (as root)")
        self.recycle_every = max(1, settings.getint("NEWSMON_BROWSER_CONTEXT_PAGES", 50))
        self._generation = 0
        self._assigned: Counter[str] = Counter()
        self._in_flight: Counter[str] = Counter()
        self._start_lock = asyncio.Lock()
        self._started = False

    # Playwright starts with the first page that needs it, not with every crawl.
    def _engine_started(self) -> None:  # type: ignore[override]
        return None

    async def _maybe_launch_in_thread(self) -> None:
        return None

    async def _start(self) -> None:
        async with self._start_lock:
            if self._started:
                return
            try:
                await self._launch()
            except Exception as exc:  # noqa: BLE001 - the driver did not start
                self.unavailable = f"Playwright did not start: {_first_line(exc)}"
                raise RenderingUnavailable(self.unavailable) from exc
            self._started = True

    async def _maybe_launch_browser(self) -> None:
        if self.unavailable:
            raise RenderingUnavailable(self.unavailable)
        try:
            await super()._maybe_launch_browser()
        except Exception as exc:  # noqa: BLE001 - whatever stops Chromium from starting
            self.unavailable = f"Chromium did not start: {_first_line(exc)}"
            raise RenderingUnavailable(self.unavailable) from exc

    async def download_request(self, request: Request, *args: Any) -> Response:
        if not request.meta.get("playwright"):
            return await super().download_request(request, *args)
        if self.unavailable:
            raise RenderingUnavailable(self.unavailable)
        await self._start()
        name = self._assign_context(request)
        try:
            response = await super().download_request(request, *args)
        finally:
            await self._release_context(name)
        self.stats.inc_value("newsmon/rendered_pages")
        return _last_navigation(request, response)

    async def _create_page(self, request: Request, spider: Any) -> Any:
        page = await super()._create_page(request=request, spider=spider)
        navigations: list[tuple[int, dict]] = []
        request.meta["newsmon_navigations"] = navigations

        async def record(response: Any) -> None:
            if response.frame == page.main_frame and response.request.is_navigation_request():
                with suppress(Exception):
                    navigations.append((response.status, await response.all_headers()))

        page.on("response", record)
        return page

    # -- contexts: a new one every NEWSMON_BROWSER_CONTEXT_PAGES pages -------------------

    def _assign_context(self, request: Request) -> str:
        name = request.meta.get("playwright_context")
        if name is None:
            name = f"{CONTEXT_PREFIX}{self._generation}"
            request.meta["playwright_context"] = name
            request.meta.setdefault("playwright_context_kwargs", dict(CONTEXT_KWARGS))
            self._assigned[name] += 1
            if self._assigned[name] >= self.recycle_every:
                self._generation += 1   # the next page opens a new context
        self._in_flight[name] += 1
        return name

    async def _release_context(self, name: str) -> None:
        self._in_flight[name] -= 1
        retired = name.startswith(CONTEXT_PREFIX) and \
            name != f"{CONTEXT_PREFIX}{self._generation}"
        if not retired or self._in_flight[name] > 0:
            return
        del self._in_flight[name]
        wrapper = self.context_wrappers.get(name)
        if wrapper is not None:
            with suppress(Exception):
                await wrapper.context.close()
            self.stats.inc_value("newsmon/browser_contexts_closed")
            logger.debug("Browser context %s closed after %d pages", name,
                         self._assigned[name])


def _last_navigation(request: Request, response: Response) -> Response:
    """The response with the status and headers of the page's last navigation, when the
    page navigated again (an interstitial reloading into the content)."""
    navigations = request.meta.pop("newsmon_navigations", None) or []
    if len(navigations) < 2:
        return response
    status, headers = navigations[-1]
    kept = Headers({k: v for k, v in headers.items() if k.lower() != "content-encoding"})
    return response.replace(status=status, headers=kept)


class RenderingMiddleware:
    """Downloader middleware: what happens to a browser request that cannot render."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> RenderingMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if not request.meta.get("playwright"):
            return None
        reason = rendering.unavailable(self.crawler)
        if reason is None:
            return None
        if request.meta.get("newsmon_render_fallback") == "plain":
            # Known already: fetch it plainly now, without a round trip through the
            # scheduler (this request then goes to the plain HTTP handler).
            request.meta.pop("playwright", None)
            request.meta["newsmon_render_skipped"] = rendering.SKIPPED
            return None
        raise RenderingUnavailable(reason)

    def process_exception(self, request: Request, exception: Exception) -> Request | None:
        if not request.meta.get("playwright"):
            return None
        if isinstance(exception, RenderingUnavailable):
            rendering.mark_unavailable(self.crawler, str(exception))
            note = rendering.SKIPPED
        else:
            note = f"render failed: {type(exception).__name__}: {_first_line(exception)}"
            logger.warning("Rendering %s failed: %s", request.url, note)
        if request.meta.get("newsmon_render_fallback") == "plain":
            return rendering.without_browser(request, note)
        return None


def abort_request(request: Any) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: images, fonts and media are never downloaded."""
    return request.resource_type in BLOCKED_RESOURCES


async def browser_headers(*, browser_type_name: str, playwright_request: Any,
                          scrapy_request_data: dict) -> dict[str, str]:
    """PLAYWRIGHT_PROCESS_REQUEST_HEADERS: Scrapy's headers for navigations (as
    scrapy-playwright does), plus the cookies the page's own scripts set."""
    headers = await use_scrapy_headers(browser_type_name=browser_type_name,
                                       playwright_request=playwright_request,
                                       scrapy_request_data=scrapy_request_data)
    if playwright_request.is_navigation_request() and \
            not any(k.lower() == "cookie" for k in headers):
        with suppress(Exception):
            cookie = await playwright_request.header_value("cookie")
            if cookie:
                headers["cookie"] = cookie
    return headers
