"""Which pages need a browser, and what the browser does on them.

Every page is first fetched by a plain request. Only these are fetched again through
the browser (scrapy-playwright, ``meta["playwright"]``; ``crawler.crawl.browser`` runs it),
once each:

- an index page whose "Load More" control is not a link (its further items load only
  by JavaScript) and that has no next-page link: the browser clicks Load More until no
  new cards appear (at most ``NEWSMON_MAX_INDEX_PAGES`` pages, ``NEWSMON_RENDER_TIME_LIMIT``
  seconds, ``DOWNLOAD_DELAY`` between clicks), and the rendered HTML goes to the normal
  index parser;
- a JavaScript interstitial: a small page whose script sets a cookie (or asks for
  JavaScript) before the content is served;
- an article page whose body comes back empty (or as its summary alone).

When no browser can render (``javascript = false``, no Chromium, Chromium failing to
start), ``mark_unavailable`` warns once and these pages become fetch-error rows whose
error starts with ``SKIPPED``; an index page keeps what its plain HTML lists.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Iterator
from typing import Any

from scrapy import Request
from scrapy.http import HtmlResponse, Response

from crawler.extract.text import normalize_space
from crawler.items import ArticleItem, FetchErrorItem

logger = logging.getLogger("newsmon.rendering")

SKIPPED = "skipped: JavaScript rendering unavailable"
UNAVAILABLE_STAT = "newsmon/rendering_unavailable"
NOT_READ = "Load More pages not read"
# Playwright selector of the control clicked on a JavaScript-paginated index.
LOAD_MORE_SELECTOR = ('button.loadmorebtn, .load-more button, '
                      ':is(button, [role=button], a):text-matches("(load|show) ?more", "i")')
LINK_COUNT_JS = "() => document.querySelectorAll('a[href]').length"
_META_DROPPED = ("handle_httpstatus_list", "download_latency", "retry_times",
                 "newsmon_render_skipped")


class RenderingUnavailable(Exception):
    """No browser can render pages in this crawl (the message says why)."""


# -- the decision -----------------------------------------------------------------------

_LOAD_MORE = re.compile(r"load\s*-?\s*more|show\s+more", re.I)
_NOT_A_LINK = ("//button | //*[@role='button'] | //a[not(@href) or normalize-space(@href)='' "
               "or starts-with(normalize-space(@href), '#') "
               "or starts-with(normalize-space(@href), 'javascript:')]")


_LINK_TO_NEXT = ("//link[contains(concat(' ', normalize-space(@rel), ' '), ' next ')] | "
                 "//a[@href][contains(concat(' ', normalize-space(@rel), ' '), ' next ')]")


def _says_load_more(element: Any) -> bool:
    label = " ".join(element.xpath(".//text()").getall())
    return bool(_LOAD_MORE.search(label + " " + (element.attrib.get("class") or "")))


def js_load_more(response: Response) -> bool:
    """The page has a "Load More" control that is not a link (a button, or an <a>
    without a usable href) and no link to a next page: its further items come from
    JavaScript (the index parser may still guess a next page from the control)."""
    if not isinstance(response, HtmlResponse):
        return False
    if not any(_says_load_more(el) for el in response.xpath(_NOT_A_LINK)):
        return False
    if response.xpath(_LINK_TO_NEXT):
        return False
    return not any(_says_load_more(a) for a in response.xpath("//a[@href]")
                   if a.attrib["href"].strip()[:1] not in ("", "#")
                   and not a.attrib["href"].strip().lower().startswith("javascript:"))


_COOKIE_SCRIPT = re.compile(r"document\.cookie\s*=", re.I)
_ENABLE_JS = re.compile(r"enable\s+javascript", re.I)
_VISIBLE_TEXT = ("//body//text()[not(ancestor::script) and not(ancestor::style) "
                 "and not(ancestor::noscript)]")


def is_js_interstitial(response: Response) -> bool:
    """A small page, with little text, whose script sets a cookie or that asks for
    JavaScript: the content is served only once a browser has run it."""
    if not isinstance(response, HtmlResponse) or len(response.body) > 64_000:
        return False
    text = response.text
    if not (_COOKIE_SCRIPT.search(text) or _ENABLE_JS.search(text)):
        return False
    if response.xpath("//article | //main"):
        return False
    visible = normalize_space(" ".join(response.xpath(_VISIBLE_TEXT).getall()))
    return len(visible) < 500


_ARTICLE_TYPE = re.compile(r'"@type"\s*:\s*"(?:News|Blog|Report)?Article"|"type"\s*:\s*"article"')


def declares_article(response: Response) -> bool:
    """The page says it is an article (OpenGraph, JSON-LD or tawsiyat metadata)."""
    if not isinstance(response, HtmlResponse):
        return False
    og_type = response.xpath("//meta[@property='og:type']/@content").get() or ""
    if og_type.strip().lower().startswith("article"):
        return True
    return any(_ARTICLE_TYPE.search(script) for script in response.xpath(
        "//script[@type='application/ld+json' or @type='text/tawsiyat']/text()").getall())


def body_missing(item: ArticleItem) -> bool:
    """No body text, or only the summary again (what the page's metadata gives when the
    body itself is written by a script)."""
    body = normalize_space(item.body)
    return not body or body == normalize_space(item.summary)


def render_tried(response: Response) -> bool:
    """The response comes from a request meant for the browser (rendered or not)."""
    return bool(response.meta.get("newsmon_render"))


def unavailable(crawler: Any) -> str | None:
    """Why no browser can render in this crawl (None: it can, as far as known)."""
    return crawler.stats.get_value(UNAVAILABLE_STAT)


def mark_unavailable(crawler: Any, reason: str) -> None:
    """Remember that no browser can render, warning once per crawl."""
    if crawler.stats.get_value(UNAVAILABLE_STAT):
        return
    crawler.stats.set_value(UNAVAILABLE_STAT, reason)
    advice = ("set javascript = true (NEWSMON_JAVASCRIPT) to render them"
              if "NEWSMON_JAVASCRIPT" in reason else
              "install Chromium (apt-get install chromium) or set NEWSMON_CHROMIUM_PATH")
    logger.warning("JavaScript rendering is unavailable: %s. Pages that need a browser are "
                   "recorded as fetch errors '%s'; everything else is crawled. To render "
                   "them, %s.", reason, SKIPPED, advice)


# -- requests -----------------------------------------------------------------------------

def browser_request(request: Request, purpose: str, settings: Any, *,
                    fallback_plain: bool = False) -> Request:
    """``request`` again, through the browser (unconditional: the validators a plain
    page answered are not the rendered page's)."""
    from scrapy_playwright.page import PageMethod

    time_limit = settings.getfloat("NEWSMON_RENDER_TIME_LIMIT", 60.0)
    if purpose == "load more":
        method = PageMethod(load_more, selector=settings.get("NEWSMON_LOAD_MORE_SELECTOR")
                            or LOAD_MORE_SELECTOR,
                            max_clicks=max(0, settings.getint("NEWSMON_MAX_INDEX_PAGES") - 1),
                            time_limit=time_limit,
                            pause=settings.getfloat("DOWNLOAD_DELAY", 0.0))
    else:
        method = PageMethod(wait_for_content, time_limit=time_limit)
    headers = {name: value for name, value in request.headers.items()
               if name.lower() not in (b"if-none-match", b"if-modified-since")}
    meta = {k: v for k, v in request.meta.items() if k not in _META_DROPPED}
    meta.update(playwright=True, newsmon_render=purpose, playwright_page_methods=[method])
    if fallback_plain:
        meta["newsmon_render_fallback"] = "plain"
    return request.replace(headers=headers, meta=meta, dont_filter=True)


def without_browser(request: Request, note: str) -> Request:
    """``request`` as a plain request, noting why it was not rendered."""
    meta = {k: v for k, v in request.meta.items() if not k.startswith("playwright")}
    meta["newsmon_render_skipped"] = note
    return request.replace(meta=meta, dont_filter=True)


def for_index(crawler: Any, response: Response, index: Any
              ) -> tuple[Request | None, FetchErrorItem | None]:
    """(the page again through the browser, or None; a skipped row, or None) for an index
    page: a browser request when its further items load only by JavaScript. A rendered
    page holds what Load More could load: the parser's guess at a next page (from the
    control's attributes) is dropped; a page that could not be rendered keeps it."""
    meta = response.meta
    if render_tried(response):
        note = meta.get("newsmon_render_skipped")
        if note:
            return None, FetchErrorItem(url=response.url, error=f"{note} ({NOT_READ})")
        _log_load_more(crawler, response)
        index.next_page = None
        return None, None
    if not js_load_more(response):
        return None, None
    if unavailable(crawler):  # one row per index: the pages it guesses next repeat it
        first = response.request.cb_kwargs.get("page", 1) == 1
        return None, (FetchErrorItem(url=response.url, error=f"{SKIPPED} ({NOT_READ})")
                      if first else None)
    crawler.stats.inc_value("newsmon/render_requests/load_more")
    return browser_request(response.request, "load more", crawler.settings,
                           fallback_plain=True), None


def retry_in_browser(crawler: Any, response: Response, purpose: str
                     ) -> Iterator[Request | FetchErrorItem]:
    """The article page again through the browser, or the row saying why not."""
    if render_tried(response):
        yield FetchErrorItem(url=response.url, status=response.status,
                             error=f"{purpose}, even rendered in the browser")
    elif unavailable(crawler):
        yield FetchErrorItem(url=response.url, error=f"{SKIPPED} ({purpose})")
    else:
        crawler.stats.inc_value("newsmon/render_requests/retry")
        logger.info("Retrying %s in the browser: %s", response.url, purpose)
        yield browser_request(response.request, purpose, crawler.settings)


def skipped_item(request: Request) -> FetchErrorItem:
    """The row of a page the browser could not render (its errback)."""
    return FetchErrorItem(url=request.url,
                          error=f"{SKIPPED} ({request.meta.get('newsmon_render', 'render')})")


def _log_load_more(crawler: Any, response: Response) -> None:
    methods = response.meta.get("playwright_page_methods") or []
    result = getattr(methods[0], "result", None) if methods else None
    if not isinstance(result, dict):
        return
    crawler.stats.inc_value("newsmon/load_more_clicks", result["clicks"])
    if result["stopped"] in ("page limit", "time limit"):
        logger.warning("Index %s: Load More stopped after %d clicks (%s: "
                       "NEWSMON_MAX_INDEX_PAGES, NEWSMON_RENDER_TIME_LIMIT)",
                       response.url, result["clicks"], result["stopped"])
    else:
        logger.info("Index %s rendered: Load More clicked %d times (%s)",
                    response.url, result["clicks"], result["stopped"])


# -- in the browser (page methods: called with the Playwright page) ---------------------

async def load_more(page: Any, *, selector: str, max_clicks: int, time_limit: float,
                    pause: float = 0.0, settle: float = 15.0) -> dict:
    """Click Load More until no new cards (links) appear, the control is gone, or the
    click or time limit is reached. Returns clicks, links and why it stopped."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    deadline = time.monotonic() + time_limit
    links = await page.evaluate(LINK_COUNT_JS)
    clicks, stopped = 0, "no Load More control"
    while True:
        remaining = deadline - time.monotonic()
        if clicks >= max_clicks:
            stopped = "page limit"
            break
        if remaining <= 0:
            stopped = "time limit"
            break
        button = page.locator(selector).first
        if not await button.count() or not await button.is_visible():
            stopped = "Load More gone" if clicks else stopped
            break
        if pause:  # politeness: each click asks the site for a page
            await asyncio.sleep(min(pause, remaining))
        try:
            await button.click(timeout=max(remaining, 0.1) * 1000)
            await page.wait_for_function(
                "n => document.querySelectorAll('a[href]').length > n", arg=links,
                timeout=max(min(remaining, settle), 0.1) * 1000)
        except PlaywrightTimeout:
            stopped = "no new cards" if time.monotonic() < deadline else "time limit"
            break
        clicks += 1
        links = await page.evaluate(LINK_COUNT_JS)
    return {"clicks": clicks, "links": links, "stopped": stopped}


async def wait_for_content(page: Any, *, time_limit: float) -> bool:
    """Wait until the page is no longer an interstitial (its script has run and the
    content is served), then for the network to settle. False: still the interstitial."""
    from playwright.async_api import Error as PlaywrightError
    from scrapy.http import HtmlResponse

    deadline = time.monotonic() + time_limit
    while True:
        try:
            await page.wait_for_load_state("load", timeout=max(
                deadline - time.monotonic(), 0.1) * 1000)
            html = await page.content()
        except PlaywrightError:  # navigating meanwhile, or timed out
            html = None
        if html is not None and not is_js_interstitial(
                HtmlResponse(page.url, body=html.encode("utf-8"), encoding="utf-8")):
            break
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(0.1)
    try:
        await page.wait_for_load_state("networkidle", timeout=max(
            min(deadline - time.monotonic(), 5.0), 0.1) * 1000)
    except PlaywrightError:
        pass
    return True
