"""The generic profile: an article of a site newsmon has no profile for.

``read_page(response)`` decides what the page is from the page itself
(``crawler.extract.pagekind``) and reads every field newsmon stores, each in layers,
the first non-empty value winning, the layer recorded in ``item.field_sources``:

- ``jsonld``: the page's own JSON-LD article object (``crawler.extract.jsonld``);
- ``microdata``: its schema.org microdata article item (``crawler.extract.microdata``);
- ``meta``: OpenGraph, ``article:*``, Dublin Core, Parsely and plain meta tags;
- ``visible``: the page (``<h1>``, ``<time>``, a byline, ``rel=tag`` links, the lead
  figure, ``<html lang>``); the body is ``crawler.extract.body.read_body`` (trafilatura
  and newsmon's own readers, checked against the metadata).

Dates without an offset are read as UTC (the zone of an unknown site is unknown; one
with an offset keeps it). No URL rules: any host, any path. Pure: no network.
"""

from __future__ import annotations

import html as html_lib
import logging
import re
from collections.abc import Iterable
from datetime import UTC
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from parsel import Selector

from crawler.extract import jsonld
from crawler.extract.body import Hints, read_body
from crawler.extract.dates import parse_date
from crawler.extract.meta import MetaTags, language_code, read_meta
from crawler.extract.microdata import read_microdata_article
from crawler.extract.pagekind import is_article_page
from crawler.extract.text import element_text, in_chrome, is_element, normalize_space
from crawler.items import ArticleItem
from crawler.sites.reading import Candidates, FieldLayers, PageReading

logger = logging.getLogger(__name__)

PROFILE = "generic"

def _clean(value: Any) -> str | None:
    text = jsonld.text_value(value)
    return normalize_space(html_lib.unescape(text)) or None if text else None


def _names(values: Iterable[str], strict: bool = False) -> list[str]:
    """Person names; ``strict`` (a visible byline): only what looks like a name, so
    that "published March 4" or a job title beside it is not one."""
    out: list[str] = []
    for value in values:
        value = normalize_space(re.sub(r"^(?:by|written by)\s+", "", value or "", flags=re.I))
        # profile URLs and e-mail addresses are not names
        if not value or re.match(r"^(?:https?://|www\.)|@", value) or value in out:
            continue
        if strict and not _NAME_RE.match(value):
            continue
        out.append(value)
    return out


# One to five words, each capitalised (particles allowed), no digits.
_NAME_RE = re.compile(r"^(?:(?:[A-Z\u00c0-\u024f][\w.'\u2019-]*|de|da|van|von|der|al|el|bin|la|le)"
                      r"(?:\s+|$)){1,5}$")


def _split_names(value: str | None) -> list[str]:
    return re.split(r"\s*(?:,|;|\band\b|&)\s*", value or "")


def _date(value: Any):
    return parse_date(jsonld.text_value(value), UTC)


class GenericPage:
    """One parsed page and what its metadata says (each read once)."""

    def __init__(self, root, url: str):
        self.root = root
        self.url = url
        self.selector = Selector(root=root, type="html")
        self.ld = jsonld.read_article(self.selector, url) or {}
        self.md = read_microdata_article(root, url) or {}
        self.meta: MetaTags = read_meta(self.selector)
        base = next(iter(root.xpath("//base/@href")), None) if is_element(root) else None
        self.base = urljoin(url, base) if base else url

    def absolute(self, href: str | None) -> str | None:
        href = normalize_space(href)
        return urljoin(self.base, href) if href and not href.startswith("data:") else None

    def h1(self) -> str | None:
        for h1 in self.root.iter("h1"):
            if not in_chrome(h1):
                text = element_text(h1)
                if text:
                    return text
        return None

    def title_tag(self) -> str | None:
        title = self.meta.title
        site = self.meta.get("og:site_name", "application-name")
        if title and site:       # "Headline | Site" / "Headline - Site"
            for sep in (" | ", " - ", " \u2013 ", " \u2014 ", " :: "):
                head, found, tail = title.rpartition(sep)
                if found and head and site.lower() in tail.lower():
                    return head.strip()
        return title

    def byline(self) -> list[str]:
        names: list[str] = []
        for el in self.root.xpath('//*[@rel="author"] | //*[contains(concat(" ", '
                                  'normalize-space(@class), " "), " author")]'
                                  ' | //*[contains(@class, "byline")]'):
            if in_chrome(el) or el.getparent() is None:
                continue
            text = element_text(el)
            if text and len(text) <= 120:
                names += _names(_split_names(text), strict=True)
            if names:
                break
        return names

    def first_time(self, attr: str = "datetime") -> str | None:
        for time in self.root.iter("time"):
            if not in_chrome(time):
                return time.get(attr) or element_text(time)
        return None

    def tag_links(self) -> list[str]:
        return [element_text(a) for a in self.root.xpath('//a[contains(concat(" ", '
                                                         '@rel, " "), " tag ")]')]

    def lead_figure(self) -> tuple[str | None, str | None]:
        for figure in self.root.iter("figure"):
            if in_chrome(figure):
                continue
            img = next(figure.iter("img"), None)
            caption = next(figure.iter("figcaption"), None)
            src = img.get("src") or img.get("data-src") if img is not None else None
            return self.absolute(src), element_text(caption) if caption is not None else None
        return None, None


def _hints(page: GenericPage, title: str | None, summary: str | None) -> Hints:
    hints = Hints()
    for value in (title, page.meta.get("og:title"), page.h1()):
        value = normalize_space(value)
        if value and value not in hints.headlines:
            hints.headlines.append(value)
    for value in (summary, page.meta.get("og:description"), page.meta.get("description")):
        value = normalize_space(html_lib.unescape(value)) if value else ""
        if value and value not in hints.descriptions:
            hints.descriptions.append(value)
    body = page.ld.get("articleBody") or page.md.get("articleBody")
    if isinstance(body, list):
        body = "\n".join(b for b in body if isinstance(b, str))
    hints.article_body = body if isinstance(body, str) and body.strip() else None
    return hints


def _url_candidates(page: GenericPage) -> Candidates:
    """The URL the page declares for itself (an http(s) one), else the response's."""
    def own(raw: str | None) -> str | None:
        url = page.absolute(raw)
        if not url or urlsplit(url).scheme not in ("http", "https"):
            return None
        return urlunsplit(urlsplit(url)._replace(fragment=""))
    return [("jsonld", lambda: own(jsonld.page_url(page.ld) if page.ld else None)),
            ("microdata", lambda: own(jsonld.text_value(page.md.get("url")))),
            ("meta", lambda: own(page.meta.canonical)),
            ("meta", lambda: own(page.meta.get("og:url"))),
            ("url", lambda: page.url)]


def read_item(page: GenericPage) -> ArticleItem | None:
    """Every field of the page's article; None without a title or a body."""
    ld, md, meta = page.ld, page.md, page.meta
    fields = FieldLayers()
    take, sources = fields.take, fields.sources

    item = ArticleItem(url=take("url", _url_candidates(page)))
    item.title = take("title", [
        ("jsonld", lambda: _clean(ld.get("headline")) or _clean(ld.get("name"))),
        ("microdata", lambda: _clean(md.get("headline")) or _clean(md.get("name"))),
        ("meta", lambda: _clean(meta.get("og:title", "twitter:title", "dc.title",
                                         "parsely-title", "sailthru.title"))),
        ("visible", page.h1),
        ("visible", page.title_tag)])
    item.summary = take("summary", [
        ("jsonld", lambda: _clean(jsonld.page_description(ld)) if ld else None),
        ("microdata", lambda: _clean(md.get("description"))),
        ("meta", lambda: _clean(meta.get("og:description", "description",
                                         "twitter:description", "dc.description")))])
    item.authors = take("authors", [
        ("jsonld", lambda: _names(n for a in jsonld.author_names(ld.get("author"))
                                  for n in _split_names(a))),
        ("microdata", lambda: _names(jsonld.author_names(md.get("author")))),
        ("meta", lambda: _names(n for v in (meta.get_all("author")
                                            + meta.get_all("article:author")
                                            + meta.get_all("dc.creator")
                                            + meta.get_all("parsely-author")
                                            + meta.get_all("sailthru.author"))
                                for n in _split_names(v))),
        ("visible", page.byline)], [])
    item.published_at = take("published_at", [
        ("jsonld", lambda: _date(ld.get("datePublished")) or _date(ld.get("dateCreated"))
         or _date(ld.get("uploadDate"))),
        ("microdata", lambda: _date(md.get("datePublished")) or _date(md.get("dateCreated"))),
        ("meta", lambda: _date(meta.get(
            "article:published_time", "og:published_time", "datepublished", "pubdate",
            "publish-date", "publishdate", "dc.date.issued", "dc.date", "date",
            "parsely-pub-date", "sailthru.date", "article.published"))),
        ("visible", lambda: _date(page.first_time()))])
    item.modified_at = take("modified_at", [
        ("jsonld", lambda: _date(ld.get("dateModified"))),
        ("microdata", lambda: _date(md.get("dateModified"))),
        ("meta", lambda: _date(meta.get("article:modified_time", "og:updated_time",
                                        "datemodified", "last-modified", "dc.date.modified",
                                        "article.updated")))])
    if item.modified_at is None and item.published_at is not None:
        item.modified_at = item.published_at    # the page shows a single date
        sources["modified_at"] = sources["published_at"]
    trail = jsonld.breadcrumb_trail(page.selector)
    item.section = take("section", [
        ("jsonld", lambda: _clean(ld.get("articleSection"))),
        ("microdata", lambda: _clean(md.get("articleSection"))),
        ("meta", lambda: _clean(meta.get("article:section", "section", "parsely-section",
                                         "category"))),
        ("jsonld", lambda: trail[-1][0] if len(trail) >= 2 else None)])
    item.category = take("category", [
        # a breadcrumb above the section names its category
        ("jsonld", lambda: trail[0][0] if len(trail) >= 2 and trail[0][0] != item.section
         else None),
        ("jsonld", lambda: _clean(ld.get("genre")))])
    item.tags = take("tags", [
        ("jsonld", lambda: jsonld.keywords(ld.get("keywords"))),
        ("microdata", lambda: jsonld.keywords(md.get("keywords"))),
        ("meta", lambda: jsonld.keywords(meta.get_all("article:tag")
                                         or meta.get("news_keywords", "keywords"))),
        ("visible", lambda: jsonld.keywords(page.tag_links()))], [])
    ld_image = jsonld.image_url_and_caption(ld.get("image") or ld.get("thumbnailUrl"))
    md_image = jsonld.image_url_and_caption(md.get("image"))
    item.image_url = take("image_url", [
        ("jsonld", lambda: page.absolute(ld_image[0])),
        ("microdata", lambda: page.absolute(md_image[0])),
        ("meta", lambda: page.absolute(meta.get("og:image", "og:image:url",
                                                "og:image:secure_url", "twitter:image"))),
        ("visible", lambda: page.lead_figure()[0])])
    item.image_caption = take("image_caption", [
        ("jsonld", lambda: _clean(ld_image[1])),
        ("microdata", lambda: _clean(md_image[1])),
        ("meta", lambda: _clean(meta.get("og:image:alt", "twitter:image:alt"))),
        ("visible", lambda: page.lead_figure()[1] if page.lead_figure()[0] else None)])
    item.read_time_minutes = take("read_time_minutes", [
        ("jsonld", lambda: jsonld.duration_minutes(ld.get("timeRequired")) or None)])
    item.language = take("language", [
        ("jsonld", lambda: language_code(jsonld.text_value(ld.get("inLanguage")))),
        ("microdata", lambda: language_code(jsonld.text_value(md.get("inLanguage")))),
        ("meta", lambda: language_code(meta.get("og:locale", "language",
                                                "content-language", "dc.language"))),
        ("visible", lambda: language_code(meta.html_lang))])
    body = read_body(page.root, item.url, hints=_hints(page, item.title, item.summary))
    if body.text:
        item.body = body.text
        sources["body"] = {"jsonld": "jsonld"}.get(body.source, "generic")
    item.field_sources = sources
    if not item.title or not item.body:
        return None
    return item


def parse_tree(root, url: str) -> PageReading:
    """The reading of a page already parsed (an lxml.html document root)."""
    kind = is_article_page(Selector(root=root, type="html"), url)
    if not kind.is_article:
        return PageReading(False, kind.reason)
    return PageReading(True, kind.reason, read_item(GenericPage(root, url)))


def read_page(response) -> PageReading:
    """The reading of a fetched page (a Scrapy response, or anything with ``url`` and
    ``text``). Never raises: an unreadable page is not an article."""
    from trafilatura.utils import load_html     # lxml.html's tree, as read_body reads it
    try:
        text = response.text
        root = load_html(text) if text and not text.isspace() else None
    except (AttributeError, TypeError, ValueError) as exc:
        logger.warning("Unreadable page %s: %r", getattr(response, "url", "?"), exc)
        root = None
    if root is None:
        return PageReading(False, "no HTML document")
    try:
        return parse_tree(root, response.url)
    except Exception as exc:  # noqa: BLE001 (junk pages must not stop a crawl)
        logger.warning("Unreadable page %s: %r", getattr(response, "url", "?"), exc)
        return PageReading(False, f"unreadable: {type(exc).__name__}")


def parse_article(response) -> ArticleItem | None:
    """The article on the page, or None (not an article, or no title or no body)."""
    return read_page(response).item
