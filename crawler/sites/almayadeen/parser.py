"""parse_article(response) -> ArticleItem | None: one article page, no network.

Every field is read in layers, most structured first, and the first non-empty value
wins: the CMS's tawsiyat metadata, JSON-LD, OpenGraph/meta tags, the reference's visible
markup, then generic patterns that survive a redesign (and the URL itself for category
and section). item.field_sources records the winning layer of each field, so a run can
notice when the site's markup changes under it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from parsel import Selector

from crawler.extract import jsonld, tawsiyat
from crawler.extract.dates import parse_date
from crawler.extract.errorpage import is_error_title
from crawler.extract.document import html_selector, link_base
from crawler.extract.meta import MetaTags, language_code, read_meta
from crawler.extract.text import (
    body_from_plain_text, densest_block, extract_body, html_fragment_root, normalize_space)
from crawler.items import ArticleItem
from crawler.sites.almayadeen.navigation import Menu, read_menu
from crawler.sites.almayadeen.urls import (
    canonicalize_url, classify_url, path_key, same_origin, trusted_page_url)
from crawler.sites.almayadeen.visible import VisibleArticle, strip_title_suffix

logger = logging.getLogger(__name__)

# First path segments of pages that are never articles.
NON_ARTICLE_SEGMENTS = frozenset({
    "tags", "tag", "authors", "author", "live", "search", "about-us", "about",
    "contact-us", "contact", "privacy-policy", "terms", "terms-of-use", "frequencies",
    "media", "images", "assets", "programs", "program", "schedule"})
_NOT_ARTICLE_OG_TYPES = frozenset({"website", "profile", "book", "music.song"})

Candidates = Iterable[tuple[str, Callable[[], Any]]]


@dataclass
class _Page:
    url: str                 # the response URL
    selector: Selector
    taw: dict | None         # tawsiyat metadata
    ld: dict | None          # the JSON-LD article object
    meta: MetaTags
    menu: Menu
    visible: VisibleArticle
    base: str = ""           # what relative links resolve against (<base href>)


def _first(field: str, candidates: Candidates) -> tuple[Any, str | None]:
    """The first non-empty value and its layer; a reader that fails is skipped."""
    for layer, read in candidates:
        try:
            value = read()
        except Exception as exc:  # noqa: BLE001 (one broken reader must not lose the page)
            logger.warning("%s: %s reader failed: %r", field, layer, exc)
            continue
        if value not in (None, "", [], ()):
            return value, layer
    return None, None


def _dedupe(values: Iterable[str | None]) -> list[str]:
    out: list[str] = []
    for value in values:
        value = normalize_space(value)
        if value and value not in out:
            out.append(value)
    return out


def _taw_class(page: _Page, mapping: str) -> str | None:
    values = tawsiyat.class_values(page.taw, mapping)
    return values[0] if values else None


# -- field readers -------------------------------------------------------------------------

def _url_candidates(page: _Page) -> Candidates:
    def checked(raw: str | None) -> str | None:
        if not raw:
            return None
        url = canonicalize_url(urljoin(page.base or page.url, raw))
        return url if trusted_page_url(url, page.url) else None
    return [
        ("tawsiyat", lambda: checked(tawsiyat.string(page.taw, "url"))),
        ("jsonld", lambda: checked(jsonld.page_url(page.ld) if page.ld else None)),
        ("meta", lambda: checked(page.meta.canonical)),
        ("meta", lambda: checked(page.meta.get("og:url"))),
        ("url", lambda: canonicalize_url(page.url)),
    ]


def _title(page: _Page) -> Candidates:
    ld = page.ld or {}
    return [
        ("tawsiyat", lambda: strip_title_suffix(tawsiyat.string(page.taw, "title"))),
        ("jsonld", lambda: strip_title_suffix(jsonld.text_value(ld.get("headline"))
                                              or jsonld.text_value(ld.get("name")))),
        ("meta", lambda: strip_title_suffix(page.meta.get("og:title", "twitter:title"))),
        ("visible", page.visible.title),
        ("generic", page.visible.any_h1),
        ("generic", lambda: strip_title_suffix(page.meta.title)),
    ]


def _summary(page: _Page) -> Candidates:
    return [
        ("tawsiyat", lambda: tawsiyat.string(page.taw, "description")),
        ("jsonld", lambda: jsonld.page_description(page.ld) if page.ld else None),
        ("meta", lambda: page.meta.get("og:description", "description",
                                       "twitter:description")),
        ("visible", page.visible.summary),
        ("generic", page.visible.generic_summary),
    ]


def _person_names(values: list[str]) -> list[str]:
    # meta author tags sometimes hold a profile URL rather than a name
    return [v for v in values if not re.match(r"^https?://", v)]


def _authors(page: _Page) -> Candidates:
    return [
        ("tawsiyat", lambda: tawsiyat.split_authors(tawsiyat.string(page.taw, "author"))),
        ("tawsiyat", lambda: tawsiyat.class_values(page.taw, "author")),
        ("jsonld", lambda: _dedupe(name for entry in jsonld.author_names(
            (page.ld or {}).get("author")) for name in tawsiyat.split_authors(entry))),
        ("meta", lambda: _person_names(tawsiyat.split_authors(
            page.meta.get("author", "article:author")))),
        ("visible", page.visible.authors),
        ("generic", page.visible.by_line),
    ]


def _published(page: _Page) -> Candidates:
    return [
        ("tawsiyat", lambda: parse_date(tawsiyat.string(page.taw, "published_time"))),
        ("jsonld", lambda: parse_date(next(filter(None, map(jsonld.text_value, map(
            (page.ld or {}).get, ("datePublished", "uploadDate", "dateCreated")))), None))),
        ("meta", lambda: parse_date(page.meta.get(
            "article:published_time", "og:published_time", "datepublished", "pubdate",
            "publish-date", "date"))),
        ("visible", page.visible.published),
        ("generic", lambda: page.visible.dates()[0]),
    ]


def _modified(page: _Page) -> Candidates:
    return [
        ("tawsiyat", lambda: parse_date(tawsiyat.string(page.taw, "last_updated"))),
        ("jsonld", lambda: parse_date(jsonld.text_value((page.ld or {}).get("dateModified")))),
        ("meta", lambda: parse_date(page.meta.get(
            "article:modified_time", "og:updated_time", "datemodified", "last-modified"))),
        ("generic", lambda: page.visible.dates()[1]),
    ]


def _article_path(item: ArticleItem) -> str:
    return path_key(item.url)


def _crumb(page: _Page, depth: int) -> str | None:
    """The breadcrumb link whose path has `depth` segments (1: category, 2: section)."""
    for text, path in page.visible.breadcrumb():
        if len(path.strip("/").split("/")) == depth:
            return text
    return None


def _category(page: _Page, item: ArticleItem) -> Candidates:
    menu = page.menu
    return [
        ("tawsiyat", lambda: _in_menu_spelling(_taw_class(page, "posttype"), menu.category_named)),
        ("url", lambda: menu.category_for_path(_article_path(item))),
        ("jsonld", lambda: _in_menu_spelling(jsonld.crumb(page.selector, 1, page.url),
                                             menu.category_named)),
        ("visible", lambda: _in_menu_spelling(_crumb(page, 1), menu.category_named)),
    ]


def _in_menu_spelling(name: str | None, lookup: Callable[[str], str | None]) -> str | None:
    return (lookup(name) or normalize_space(name) or None) if name else None


def _section(page: _Page, item: ArticleItem) -> Candidates:
    menu, ld = page.menu, page.ld or {}
    return [
        ("tawsiyat", lambda: _in_menu_spelling(_taw_class(page, "category"), menu.section_named)),
        ("jsonld", lambda: _in_menu_spelling(jsonld.text_value(ld.get("articleSection")),
                                             menu.section_named)),
        ("meta", lambda: _in_menu_spelling(page.meta.get("article:section"),
                                           menu.section_named)),
        ("jsonld", lambda: _in_menu_spelling(jsonld.crumb(page.selector, 2, page.url),
                                             menu.section_named)),
        ("visible", lambda: _in_menu_spelling(_crumb(page, 2), menu.section_named)),
        ("url", lambda: menu.section_for_path(_article_path(item))),
    ]


def _tags(page: _Page) -> Candidates:
    return [
        ("tawsiyat", lambda: tawsiyat.keyword_list(page.taw)),
        ("jsonld", lambda: jsonld.keywords((page.ld or {}).get("keywords"))),
        ("meta", lambda: _dedupe(page.meta.get_all("article:tag"))),
        ("visible", lambda: _dedupe(page.visible.tags())),
        ("generic", lambda: _dedupe(page.visible.tag_links())),
    ]


def _html_body(html: str | None):
    return html_fragment_root(html) if html and normalize_space(html) else None


def _body_from_html(page: _Page, html: str | None) -> str | None:
    root = _html_body(html)
    return extract_body(root, page.base).text if root is not None else None


def _jsonld_body(page: _Page) -> str | None:
    raw = (page.ld or {}).get("articleBody")
    raw = raw if isinstance(raw, str) else jsonld.text_value(raw)
    if raw and re.search(r"<(?:p|div|h[2-4]|br)\b", raw, re.I):
        return _body_from_html(page, raw)
    return body_from_plain_text(raw)


# The densest block of a listing page is a card's date line: not an article's text.
MIN_GENERIC_BODY_CHARS = 50


def _generic_body(page: _Page) -> str | None:
    block = densest_block(page.visible.area)
    block = block if block is not None else densest_block(page.visible.root)
    text = extract_body(block, page.base).text if block is not None else None
    if not text or len(text) < MIN_GENERIC_BODY_CHARS:
        block = page.visible.loose_text_block()        # text split by <br>, no <p>
        text = extract_body(block, page.base).text if block is not None else None
    return text if text and len(text) >= MIN_GENERIC_BODY_CHARS else None


def _body(page: _Page) -> Candidates:
    return [
        ("tawsiyat", lambda: _body_from_html(page, tawsiyat.string(page.taw, "html"))),
        ("jsonld", lambda: _jsonld_body(page)),
        ("visible", lambda: page.visible.body().text if page.visible.body() else None),
        ("generic", lambda: _generic_body(page)),
    ]


def _image(page: _Page) -> tuple[Candidates, Candidates]:
    ld = page.ld or {}
    ld_image = lambda: jsonld.image_url_and_caption(  # noqa: E731
        ld.get("image") or ld.get("thumbnailUrl"))
    absolute = page.visible.absolute
    urls = [
        ("tawsiyat", lambda: absolute(tawsiyat.string(page.taw, "thumbnail"))),
        ("jsonld", lambda: absolute(ld_image()[0])),
        ("meta", lambda: absolute(page.meta.get("og:image", "og:image:url",
                                                "og:image:secure_url", "twitter:image"))),
        ("visible", lambda: page.visible.image()[0]),
        ("generic", lambda: page.visible.lead_figure()[0]),
    ]
    captions = [
        ("jsonld", lambda: ld_image()[1]),
        ("visible", lambda: page.visible.image()[1]),
        ("generic", lambda: page.visible.lead_figure()[1]),
    ]
    return urls, captions


def _jsonld_minutes(page: _Page) -> int | None:
    ld = page.ld or {}
    match = re.match(r"^PT(?:(\d+)H)?(?:(\d+)M)?", jsonld.text_value(ld.get("timeRequired")) or "")
    if match and (match.group(1) or match.group(2)):
        return int(match.group(1) or 0) * 60 + int(match.group(2) or 0) or None
    words = jsonld.text_value(ld.get("wordCount"))
    return tawsiyat.read_minutes({"word_count": words}) if words else None


def _read_time(page: _Page) -> Candidates:
    return [
        ("visible", page.visible.read_time),
        ("generic", page.visible.read_time_line),
        ("tawsiyat", lambda: tawsiyat.read_minutes(page.taw)),
        ("jsonld", lambda: _jsonld_minutes(page)),
    ]


def _language(page: _Page) -> Candidates:
    return [
        ("tawsiyat", lambda: language_code(tawsiyat.string(page.taw, "lang"))),
        ("jsonld", lambda: language_code(jsonld.text_value((page.ld or {}).get("inLanguage")))),
        ("meta", lambda: language_code(page.meta.get("og:locale", "language",
                                                     "content-language"))),
        ("meta", lambda: language_code(page.meta.html_lang)),
    ]


def _related(page: _Page, item: ArticleItem) -> Candidates:
    def cleaned(urls: list[str]) -> list[str]:
        canonical = [canonicalize_url(u) for u in urls]
        return _dedupe(u for u in canonical if same_origin(u, page.url) and u != item.url)

    def from_taw_html() -> list[str]:
        root = _html_body(tawsiyat.string(page.taw, "html"))
        return extract_body(root, page.base).related_links if root is not None else []

    layer = "visible" if page.visible.has_related_box() else "generic"
    return [(layer, lambda: cleaned(page.visible.related_links())),
            ("tawsiyat", lambda: cleaned(from_taw_html()))]


# -- the page ------------------------------------------------------------------------------

def _shared_selector(response, text: str) -> Selector:
    """The page's tree, shared with the listing parser (``crawler.extract.document``),
    else (an object with only a text, or an XML response) one of our own."""
    selector = html_selector(response)      # (a Selector's truth value serialises it)
    return selector if selector is not None else Selector(text=text, base_url=response.url)


def _load(response) -> _Page | None:
    text = response.text          # Scrapy decodes the charset from headers / <meta>
    if not text or text.isspace():          # (not strip(): no copy of the page)
        return None
    selector = _shared_selector(response, text)
    if selector.root is None or not isinstance(getattr(selector.root, "tag", None), str):
        return None
    menu, _elements = read_menu(selector, response.url)
    base = link_base(selector, response.url)
    return _Page(url=response.url, selector=selector, taw=tawsiyat.read_tawsiyat(selector),
                 ld=jsonld.read_article(selector, response.url), meta=read_meta(selector), menu=menu,
                 visible=VisibleArticle(selector, base), base=base)


def is_article_page(page: _Page) -> bool:
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
        value, layer = _first(field, candidates)
        if layer is not None:
            sources[field] = layer
        return empty if value is None else value

    item = ArticleItem(url=take("url", _url_candidates(page)) or canonicalize_url(response.url))
    item.title = take("title", _title(page))
    item.body = take("body", _body(page))
    if not item.title or not item.body:
        return None
    item.summary = take("summary", _summary(page))
    item.authors = take("authors", _authors(page), [])
    item.source = take("source", [("visible", page.visible.source),
                                  ("generic", page.visible.source_line)])
    item.published_at = take("published_at", _published(page))
    item.modified_at = take("modified_at", _modified(page))
    if item.modified_at is None and item.published_at is not None:
        item.modified_at = item.published_at   # the page shows a single date
        sources["modified_at"] = sources["published_at"]
    item.category = take("category", _category(page, item))
    item.section = take("section", _section(page, item))
    item.regions = take("regions", [("tawsiyat", lambda: tawsiyat.class_values(
        page.taw, "country"))], [])
    item.tags = take("tags", _tags(page), [])
    image_urls, captions = _image(page)
    item.image_url = take("image_url", image_urls)
    item.image_caption = take("image_caption", captions)
    item.read_time_minutes = take("read_time_minutes", _read_time(page))
    item.language = take("language", _language(page))
    item.related_urls = take("related_urls", _related(page, item), [])
    item.field_sources = sources
    return item
