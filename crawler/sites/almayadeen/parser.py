"""parse_article(response) -> ArticleItem | None: one article page, no network.
Here: whether a page is an article, and the item assembled from the field readers of
``fields``.

Every field is read in layers, most structured first, and the first non-empty value
wins: the CMS's tawsiyat metadata, JSON-LD, OpenGraph/meta tags, the reference's visible
markup, then generic patterns that survive a redesign (and the URL itself for category
and section). item.field_sources records the winning layer of each field, so a run can
notice when the site's markup changes under it.
"""

from __future__ import annotations

import logging
from typing import Any

from parsel import Selector

from crawler.extract import jsonld, tawsiyat
from crawler.extract.errorpage import is_error_title
from crawler.extract.document import html_selector, link_base
from crawler.extract.meta import read_meta
from crawler.items import ArticleItem
from crawler.sites.almayadeen.navigation import read_menu
from crawler.sites.almayadeen.fields import (
    Candidates, Page, authors_candidates, body_candidates, category_candidates, first_value,
    image_candidates, language_candidates, modified_candidates, published_candidates,
    read_time_candidates, related_candidates, section_candidates, summary_candidates,
    tags_candidates, title_candidates, url_candidates)
from crawler.sites.almayadeen.urls import canonicalize_url, classify_url, path_key
from crawler.sites.almayadeen.visible import VisibleArticle, strip_title_suffix

logger = logging.getLogger(__name__)

# First path segments of pages that are never articles.
NON_ARTICLE_SEGMENTS = frozenset({
    "tags", "tag", "authors", "author", "live", "search", "about-us", "about",
    "contact-us", "contact", "privacy-policy", "terms", "terms-of-use", "frequencies",
    "media", "images", "assets", "programs", "program", "schedule"})
_NOT_ARTICLE_OG_TYPES = frozenset({"website", "profile", "book", "music.song"})

# -- the page ------------------------------------------------------------------------------

def _shared_selector(response, text: str) -> Selector:
    """The page's tree, shared with the listing parser (``crawler.extract.document``),
    else (an object with only a text, or an XML response) one of our own."""
    selector = html_selector(response)      # (a Selector's truth value serialises it)
    return selector if selector is not None else Selector(text=text, base_url=response.url)


def _load(response) -> Page | None:
    text = response.text          # Scrapy decodes the charset from headers / <meta>
    if not text or text.isspace():          # (not strip(): no copy of the page)
        return None
    selector = _shared_selector(response, text)
    if selector.root is None or not isinstance(getattr(selector.root, "tag", None), str):
        return None
    menu, _elements = read_menu(selector, response.url)
    base = link_base(selector, response.url)
    return Page(url=response.url, selector=selector, taw=tawsiyat.read_tawsiyat(selector),
                 ld=jsonld.read_article(selector, response.url), meta=read_meta(selector), menu=menu,
                 visible=VisibleArticle(selector, base), base=base)


def is_article_page(page: Page) -> bool:
    """Decided before reading fields: tag, author, static, index and error pages are
    not articles."""
    page_type = (tawsiyat.string(page.taw, "type") or "").lower()
    if page_type == "page":
        return False
    if page.taw is None and page.ld is None and (   # an error page served with 200
            is_error_title(strip_title_suffix(page.meta.title))
            or is_error_title(page.visible.any_h1())):
        return False
    segments = path_key(page.url).strip("/").split("/")
    if segments[0] in NON_ARTICLE_SEGMENTS:
        return False
    og_type = (page.meta.get("og:type") or "").lower()
    taw_article = page.taw is not None and page_type not in ("", "page")
    if og_type in _NOT_ARTICLE_OG_TYPES and page.ld is None and not taw_article:
        return False
    kind = classify_url(page.url, page.menu.index_paths(), base_url=page.url)
    if kind == "index":
        return page_type == "article"
    if kind == "article":
        return True
    return taw_article or page.ld is not None or og_type.startswith("article")


def parse_article(response) -> ArticleItem | None:
    """The article on the page, or None when the page is not an article (or has no
    title or no body). Never raises: a broken field reader only leaves its field empty."""
    try:
        page = _load(response)
        if page is None or not is_article_page(page):
            return None
    except Exception as exc:  # noqa: BLE001 (junk pages must not stop a crawl)
        logger.warning("Unreadable page %s: %r", getattr(response, "url", "?"), exc)
        return None
    sources: dict[str, str] = {}

    def take(field: str, candidates: Candidates, empty: Any = None) -> Any:
        value, layer = first_value(field, candidates)
        if layer is not None:
            sources[field] = layer
        return empty if value is None else value

    item = ArticleItem(url=take("url", url_candidates(page)) or canonicalize_url(response.url))
    item.title = take("title", title_candidates(page))
    item.body = take("body", body_candidates(page))
    if not item.title or not item.body:
        return None
    item.summary = take("summary", summary_candidates(page))
    item.authors = take("authors", authors_candidates(page), [])
    item.source = take("source", [("visible", page.visible.source),
                                  ("generic", page.visible.source_line)])
    item.published_at = take("published_at", published_candidates(page))
    item.modified_at = take("modified_at", modified_candidates(page))
    if item.modified_at is None and item.published_at is not None:
        item.modified_at = item.published_at   # the page shows a single date
        sources["modified_at"] = sources["published_at"]
    item.category = take("category", category_candidates(page, item))
    item.section = take("section", section_candidates(page, item))
    item.regions = take("regions", [("tawsiyat", lambda: tawsiyat.class_values(
        page.taw, "country"))], [])
    item.tags = take("tags", tags_candidates(page), [])
    image_urls, captions = image_candidates(page)
    item.image_url = take("image_url", image_urls)
    item.image_caption = take("image_caption", captions)
    item.read_time_minutes = take("read_time_minutes", read_time_candidates(page))
    item.language = take("language", language_candidates(page))
    item.related_urls = take("related_urls", related_candidates(page, item), [])
    item.field_sources = sources
    return item
