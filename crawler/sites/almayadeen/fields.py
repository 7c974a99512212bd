"""The field readers of an Al Mayadeen article page: for each field, its candidates
in layer order (tawsiyat, JSON-LD, meta, the visible markup, generic patterns, the URL),
each a (layer, reader) pair; ``first_value`` takes the first non-empty one. The page
check and the assembly of the item are in ``parser``."""

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
from crawler.extract.meta import MetaTags, language_code
from crawler.extract.text import (
    body_from_plain_text, densest_block, extract_body, html_fragment_root, normalize_space)
from crawler.items import ArticleItem
from crawler.sites.almayadeen.navigation import Menu
from crawler.sites.almayadeen.urls import (
    canonicalize_url, path_key, same_origin, trusted_page_url)
from crawler.sites.almayadeen.visible import VisibleArticle, strip_title_suffix

logger = logging.getLogger(__name__)

Candidates = Iterable[tuple[str, Callable[[], Any]]]


@dataclass
class Page:
    url: str                 # the response URL
    selector: Selector
    taw: dict | None         # tawsiyat metadata
    ld: dict | None          # the JSON-LD article object
    meta: MetaTags
    menu: Menu
    visible: VisibleArticle
    base: str = ""           # what relative links resolve against (<base href>)
    edition: str | None = None   # the edition whose profile reads it ("en", "ar", "es")
    language: str | None = None  # that edition's language


def first_value(field: str, candidates: Candidates) -> tuple[Any, str | None]:
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


def _taw_class(page: Page, mapping: str) -> str | None:
    values = tawsiyat.class_values(page.taw, mapping)
    return values[0] if values else None


# -- field readers -------------------------------------------------------------------------

def url_candidates(page: Page) -> Candidates:
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


def title_candidates(page: Page) -> Candidates:
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


def summary_candidates(page: Page) -> Candidates:
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


def authors_candidates(page: Page) -> Candidates:
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


def published_candidates(page: Page) -> Candidates:
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


def modified_candidates(page: Page) -> Candidates:
    return [
        ("tawsiyat", lambda: parse_date(tawsiyat.string(page.taw, "last_updated"))),
        ("jsonld", lambda: parse_date(jsonld.text_value((page.ld or {}).get("dateModified")))),
        ("meta", lambda: parse_date(page.meta.get(
            "article:modified_time", "og:updated_time", "datemodified", "last-modified"))),
        ("generic", lambda: page.visible.dates()[1]),
    ]


def _article_path(item: ArticleItem) -> str:
    return path_key(item.url)


def _crumb(page: Page, depth: int) -> str | None:
    """The breadcrumb link whose path has `depth` segments (1: category, 2: section)."""
    for text, path in page.visible.breadcrumb():
        if len(path.strip("/").split("/")) == depth:
            return text
    return None


def category_candidates(page: Page, item: ArticleItem) -> Candidates:
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


def section_candidates(page: Page, item: ArticleItem) -> Candidates:
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


def tags_candidates(page: Page) -> Candidates:
    return [
        ("tawsiyat", lambda: tawsiyat.keyword_list(page.taw)),
        ("jsonld", lambda: jsonld.keywords((page.ld or {}).get("keywords"))),
        ("meta", lambda: _dedupe(page.meta.get_all("article:tag"))),
        ("visible", lambda: _dedupe(page.visible.tags())),
        ("generic", lambda: _dedupe(page.visible.tag_links())),
    ]


def _html_body(html: str | None):
    return html_fragment_root(html) if html and normalize_space(html) else None


def _body_from_html(page: Page, html: str | None) -> str | None:
    root = _html_body(html)
    return extract_body(root, page.base).text if root is not None else None


def _jsonld_body(page: Page) -> str | None:
    raw = (page.ld or {}).get("articleBody")
    raw = raw if isinstance(raw, str) else jsonld.text_value(raw)
    if raw and re.search(r"<(?:p|div|h[2-4]|br)\b", raw, re.I):
        return _body_from_html(page, raw)
    return body_from_plain_text(raw)


# The densest block of a listing page is a card's date line: not an article's text.
MIN_GENERIC_BODY_CHARS = 50


def generic_body(page: Page) -> str | None:
    block = densest_block(page.visible.area)
    block = block if block is not None else densest_block(page.visible.root)
    text = extract_body(block, page.base).text if block is not None else None
    if not text or len(text) < MIN_GENERIC_BODY_CHARS:
        block = page.visible.loose_text_block()        # text split by <br>, no <p>
        text = extract_body(block, page.base).text if block is not None else None
    return text if text and len(text) >= MIN_GENERIC_BODY_CHARS else None


def body_candidates(page: Page) -> Candidates:
    return [
        ("tawsiyat", lambda: _body_from_html(page, tawsiyat.string(page.taw, "html"))),
        ("jsonld", lambda: _jsonld_body(page)),
        ("visible", lambda: page.visible.body().text if page.visible.body() else None),
        ("generic", lambda: generic_body(page)),
    ]


def image_candidates(page: Page) -> tuple[Candidates, Candidates]:
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


def _jsonld_minutes(page: Page) -> int | None:
    ld = page.ld or {}
    match = re.match(r"^PT(?:(\d+)H)?(?:(\d+)M)?", jsonld.text_value(ld.get("timeRequired")) or "")
    if match and (match.group(1) or match.group(2)):
        return int(match.group(1) or 0) * 60 + int(match.group(2) or 0) or None
    words = jsonld.text_value(ld.get("wordCount"))
    return tawsiyat.read_minutes({"word_count": words}) if words else None


def read_time_candidates(page: Page) -> Candidates:
    return [
        ("visible", page.visible.read_time),
        ("generic", page.visible.read_time_line),
        ("tawsiyat", lambda: tawsiyat.read_minutes(page.taw)),
        ("jsonld", lambda: _jsonld_minutes(page)),
    ]


def language_candidates(page: Page) -> Candidates:
    return [
        ("tawsiyat", lambda: language_code(tawsiyat.string(page.taw, "lang"))),
        ("jsonld", lambda: language_code(jsonld.text_value((page.ld or {}).get("inLanguage")))),
        ("meta", lambda: language_code(page.meta.get("og:locale", "language",
                                                     "content-language"))),
        ("meta", lambda: language_code(page.meta.html_lang)),
        # the edition the page's host (or the crawl's base URL) belongs to
        ("url", lambda: page.language),
    ]


def related_candidates(page: Page, item: ArticleItem) -> Candidates:
    def cleaned(urls: list[str]) -> list[str]:
        canonical = [canonicalize_url(u) for u in urls]
        return _dedupe(u for u in canonical if same_origin(u, page.url) and u != item.url)

    def from_taw_html() -> list[str]:
        root = _html_body(tawsiyat.string(page.taw, "html"))
        return extract_body(root, page.base).related_links if root is not None else []

    layer = "visible" if page.visible.has_related_box() else "generic"
    return [(layer, lambda: cleaned(page.visible.related_links())),
            ("tawsiyat", lambda: cleaned(from_taw_html()))]
