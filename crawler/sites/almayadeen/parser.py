"""parse_article(response) -> ArticleItem | None: one article page, no network.
Here: whether a page is an article (from the page's own signals, ``page_kind``: URL
rules decide only what the spider fetches), and the item assembled from the field
readers of ``fields``; ``read_page`` is the site profile's entry
(``crawler.sites.profiles``).

Every field is read in layers, most structured first, and the first non-empty value
wins: the CMS's tawsiyat metadata, JSON-LD, OpenGraph/meta tags, the reference's visible
markup, then generic patterns that survive a redesign (and the URL itself for category
and section). item.field_sources records the winning layer of each field, so a run can
notice when the site's markup changes under it. The generic body reader
(``crawler.extract.body``) runs only when it must: the site's readers found no body,
only their last-resort block of text, or a JSON-LD body that is a teaser of the
visible text.
"""

from __future__ import annotations

import logging
from typing import Any

from parsel import Selector

from crawler.extract import jsonld, tawsiyat
from crawler.extract.body import is_teaser, read_body, words
from crawler.extract.errorpage import is_error_title
from crawler.extract.document import html_selector, link_base
from crawler.extract.meta import read_meta
from crawler.extract.pagekind import (
    LISTING_TYPES, MIN_BODY_SHARE, has_date, is_dominant, structure)
from crawler.items import ArticleItem
from crawler.sites.almayadeen.alternates import alternate_urls
from crawler.sites.almayadeen.navigation import read_menu
from crawler.sites.almayadeen.wording import fetch_time
from crawler.sites.editions import DEFAULT_EDITION, EDITIONS, edition_for_url
from crawler.sites.almayadeen.fields import (
    MIN_GENERIC_BODY_CHARS, Candidates, Page, authors_candidates, body_candidates,
    category_candidates, first_value, generic_body, image_candidates, language_candidates,
    modified_candidates, published_candidates, read_time_candidates, related_candidates,
    section_candidates, summary_candidates, tags_candidates, title_candidates,
    url_candidates)
from crawler.sites.almayadeen.urls import canonicalize_url, classify_url
from crawler.sites.almayadeen.visible import VisibleArticle, strip_title_suffix
from crawler.sites.reading import PageReading

logger = logging.getLogger(__name__)

# The site publishes news items of two or three short paragraphs: a dominant block
# this short still makes an article when a headline and a date stand by it.
MIN_SHORT_ITEM_WORDS = 25
_NOT_ARTICLE_OG_TYPES = frozenset({"website", "profile", "book", "music.song"})

# -- the page ------------------------------------------------------------------------------

def _shared_selector(response, text: str) -> Selector:
    """The page's tree, shared with the listing parser (``crawler.extract.document``),
    else (an object with only a text, or an XML response) one of our own."""
    selector = html_selector(response)      # (a Selector's truth value serialises it)
    return selector if selector is not None else Selector(text=text, base_url=response.url)


def _load(response, edition: str | None = None) -> Page | None:
    text = response.text          # Scrapy decodes the charset from headers / <meta>
    if not text or text.isspace():          # (not strip(): no copy of the page)
        return None
    selector = _shared_selector(response, text)
    if selector.root is None or not isinstance(getattr(selector.root, "tag", None), str):
        return None
    menu, _elements = read_menu(selector, response.url, edition)
    base = link_base(selector, response.url)
    language = EDITIONS[edition].language if edition in EDITIONS else None
    visible = VisibleArticle(selector, base, language,
                             fetch_time(response) if language != "en" else None)
    return Page(url=response.url, selector=selector, taw=tawsiyat.read_tawsiyat(selector),
                 ld=jsonld.read_article(selector, response.url), meta=read_meta(selector), menu=menu,
                 visible=visible, base=base, edition=edition, language=language)


def page_kind(page: Page) -> tuple[bool, str]:
    """Whether the page is an article, from the page's own signals, and which one
    decided: the CMS's tawsiyat ``type``, then JSON-LD and OpenGraph types and listing
    signals, then the page's structure (one dominant text block, or the site's article
    layout, with a headline and a date). URL rules decide what the spider fetches; of a
    fetched page they decide only when the page's own signals are silent."""
    page_type = (tawsiyat.string(page.taw, "type") or "").lower()
    if page_type == "page":
        return False, "tawsiyat type page"
    if page_type:
        return True, f"tawsiyat type {page_type}"
    if page.ld is None and (   # an error page served with 200
            is_error_title(strip_title_suffix(page.meta.title))
            or is_error_title(page.visible.any_h1())):
        return False, "error page"
    if page.ld is not None:
        return True, "JSON-LD " + ", ".join(jsonld.type_names(page.ld))
    og_type = (page.meta.get("og:type") or "").lower()
    if og_type.startswith("article"):
        return True, "og:type article"
    if og_type in _NOT_ARTICLE_OG_TYPES:
        return False, f"og:type {og_type}"
    objects = list(jsonld.iter_jsonld(page.selector))
    listing = sorted({t for obj in objects for t in jsonld.type_names(obj)} & LISTING_TYPES)
    if listing:
        return False, "JSON-LD " + ", ".join(listing)
    if any(jsonld.is_article(obj) for obj in objects):  # cards, none of them this page
        return False, "JSON-LD lists several articles"
    if page.visible.any_h1() is not None and has_date(page.selector, page.meta, None):
        shape = structure(page.selector, page.url)
        if is_dominant(shape):
            return True, "one dominant text block with a headline and a date"
        if shape["body_share"] >= MIN_BODY_SHARE and \
                shape["body_words"] >= MIN_SHORT_ITEM_WORDS:
            return True, "one short dominant text block with a headline and a date"
        if page.visible.body():
            return True, "the site's article layout with a headline and a date"
    # The page says nothing either way (no metadata; no headline and date, or no
    # dominant text): a
    # static page and a stripped-down article look alike. Only here do the URL rules
    # break the tie; they never overrule what a page says of itself.
    if classify_url(page.url, page.menu.index_paths(), base_url=page.url) == "article":
        return True, "no page signal either way: the URL rules place an article here"
    return False, "no article signal"


def is_article_page(page: Page) -> bool:
    """Decided before reading fields: tag, author, static, index and error pages are
    not articles (``page_kind``)."""
    return page_kind(page)[0]


def parse_article(response, edition: str | None = None) -> ArticleItem | None:
    """The article on the page, or None when the page is not an article (or has no
    title or no body). Never raises: a broken field reader only leaves its field empty.
    ``edition``: which edition's profile reads it (None: the one its host serves, else
    English)."""
    return read_page(response, edition).item


def read_page(response, edition: str | None = None) -> PageReading:
    """What the page is (``page_kind``) and, for an article, its item (None without a
    title or a body). Never raises. ``edition``: as for ``parse_article``."""
    if edition is None:
        found = edition_for_url(getattr(response, "url", None))
        edition = found.key if found is not None else DEFAULT_EDITION
    try:
        page = _load(response, edition)
        if page is None:
            return PageReading(False, "no HTML document")
        is_article, reason = page_kind(page)
        if not is_article:
            return PageReading(False, reason)
    except Exception as exc:  # noqa: BLE001 (junk pages must not stop a crawl)
        logger.warning("Unreadable page %s: %r", getattr(response, "url", "?"), exc)
        return PageReading(False, f"unreadable: {type(exc).__name__}")
    return PageReading(True, reason, _read_item(page, response))


def _generic_body_needed(page: Page, body: str | None, layer: str | None) -> bool:
    """The site's readers found no body, only their last-resort block of text, or a
    structured one that the generic checks call a teaser (an ellipsis at its end, or
    much shorter than the visible text)."""
    if not body:
        return True
    if layer == "generic":       # the site's last resort: a block of text of unknown markup
        return True
    if layer != "jsonld":        # the CMS's own body, or the page's visible text
        return False
    visible = page.visible.body()
    visible_text = visible.text if visible else generic_body(page)
    return is_teaser(body.split("\n\n"), len(words(visible_text)))


def _better_body(generic: str, found: str | None, title: str | None) -> bool:
    """The generic reader's body replaces what the site's readers found when they found
    none, a teaser, or (from their last-resort block) a part of it only: more
    paragraphs, half again as many words, most of the site's among them, and not the
    page's header (its headline) run into the text."""
    if not found:
        return True
    if title and title in generic:
        return False
    if generic.count("\n\n") <= found.count("\n\n"):
        return False
    mine, theirs = words(found), words(generic)
    if len(theirs) < 1.5 * len(mine):
        return False
    have = set(theirs)
    return sum(w in have for w in mine) >= 0.8 * len(mine)


def _read_item(page: Page, response) -> ArticleItem | None:
    sources: dict[str, str] = {}

    def take(field: str, candidates: Candidates, empty: Any = None) -> Any:
        value, layer = first_value(field, candidates)
        if layer is not None:
            sources[field] = layer
        return empty if value is None else value

    item = ArticleItem(url=take("url", url_candidates(page)) or canonicalize_url(response.url))
    item.title = take("title", title_candidates(page))
    item.body = take("body", body_candidates(page))
    if item.title and _generic_body_needed(page, item.body, sources.get("body")):
        generic = read_body(page.selector, page.url)    # the generic reader, when it must
        # (a few words, or the headline alone, are a listing's or an empty page's)
        if generic.text and len(generic.text) >= MIN_GENERIC_BODY_CHARS \
                and generic.text != item.title \
                and _better_body(generic.text, item.body, item.title):
            item.body, sources["body"] = generic.text, "generic"
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
    item.edition = page.edition
    try:
        item.alternate_urls = alternate_urls(page.selector, page.base or page.url, item.url)
    except Exception as exc:  # noqa: BLE001 (evidence of a sibling is never worth the page)
        logger.warning("alternates of %s: %r", page.url, exc)
    item.field_sources = sources
    return item
