"""What a fetched page is, from the page itself: an article, or not.

URL rules decide what to fetch and in which order; whether a fetched page is kept as
an article is read from the page (issue 14):

1. the CMS's own metadata (tawsiyat ``type``: "article" or "page"), when present,
   decides alone;
2. structured metadata: a JSON-LD object of an article type (NewsArticle, Article,
   BlogPosting, ReportageNewsArticle, ... ``crawler.extract.jsonld.ARTICLE_TYPES``)
   that is this page's own (a listing page's several article cards are not),
   ``og:type`` = article, or a microdata item of an article type;
3. the page's structure: one dominant block of text, with a headline (``<h1>``) and a
   publication date (metadata, ``<time>`` or ``article:published_time``).

A listing page says so too (JSON-LD CollectionPage/ItemList/SearchResultsPage, or
og:type website with no dominant text): that is "not an article" unless its structure
is an article's.

Pure: reads the parsed page only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from parsel import Selector

from crawler.extract.dates import parse_visible_date
from crawler.extract.jsonld import is_article, iter_jsonld, read_article, type_names
from crawler.extract.meta import read_meta
from crawler.extract.microdata import read_microdata_article
from crawler.extract.tawsiyat import read_tawsiyat
from crawler.extract.text import densest_block, element_text, extract_body, is_element

LISTING_TYPES = frozenset({"collectionpage", "itemlist", "searchresultspage",
                           "profilepage"})
MIN_BODY_WORDS = 80         # a dominant block: this many words at least ...
MIN_BODY_SHARE = 0.5        # ... and this share of the page's paragraph text


@dataclass
class PageKind:
    is_article: bool
    reason: str                                          # the signal that decided
    signals: dict[str, object] = field(default_factory=dict)


def _selector(page, url: str | None) -> Selector | None:
    if isinstance(page, Selector):
        return page
    if isinstance(page, bytes):
        page = page.decode("utf-8", "replace")
    if isinstance(page, str):
        return Selector(text=page, type="html", base_url=url or "")
    if is_element(page):
        return Selector(root=page, type="html")
    return None


_NUMERIC_DATE_RE = re.compile(r"\b(?:19|20)\d\d[-/.]\d{1,2}[-/.]\d{1,2}\b|"
                              r"\b\d{1,2}[-/.]\d{1,2}[-/.](?:19|20)\d\d\b")


def has_date(selector: Selector, meta, article: dict | None) -> bool:
    if article and (article.get("datePublished") or article.get("dateCreated")):
        return True
    if meta.get("article:published_time", "og:published_time", "pubdate", "date",
                "publish-date", "dc.date", "dc.date.issued", "parsely-pub-date",
                "sailthru.date", "datepublished"):
        return True
    root = selector.root
    if is_element(root):
        for time in root.iter("time"):
            if time.get("datetime") or element_text(time):
                return True
        # a visible date by the headline, as page headers show it
        h1 = next(root.iter("h1"), None)
        near = element_text(h1.getparent())[:600] if h1 is not None and \
            h1.getparent() is not None else ""
        if near and (parse_visible_date(near) or _NUMERIC_DATE_RE.search(near)):
            return True
    return False


def is_dominant(shape: dict) -> bool:
    """One dominant block of text (``structure``'s signals)."""
    return shape["body_words"] >= MIN_BODY_WORDS and shape["body_share"] >= MIN_BODY_SHARE


def structure(selector: Selector, url: str = "") -> dict[str, object]:
    """The structural signals: the dominant block's words and share of the page's
    paragraph text, whether there is an <h1>."""
    root = selector.root
    if not is_element(root):
        return {"body_words": 0, "body_share": 0.0, "headline": False}
    block = densest_block(root)
    body_words = 0
    if block is not None:
        body = extract_body(block, url)
        body_words = sum(len(p.split()) for p in body.paragraphs)
    total_words = sum(len(element_text(p).split()) for p in root.iter("p"))
    headline = next((h for h in root.iter("h1") if element_text(h)), None) is not None
    return {"body_words": body_words,
            "body_share": body_words / total_words if total_words else 0.0,
            "headline": headline}


def is_article_page(page, url: str | None = None) -> PageKind:
    """Whether ``page`` (HTML text or bytes, a parsel Selector, an lxml root) is an
    article page, and which signal decided (``reason``)."""
    selector = _selector(page, url)
    if selector is None:
        return PageKind(False, "no page")
    signals: dict[str, object] = {}
    tawsiyat = read_tawsiyat(selector)
    kind = str(tawsiyat.get("type") or "").strip().lower() if tawsiyat else ""
    if kind:        # the CMS's own word decides
        signals["tawsiyat_type"] = kind
        return PageKind(kind == "article", f"tawsiyat type {kind}", signals)
    objects = list(iter_jsonld(selector))
    types = sorted({t for obj in objects for t in type_names(obj)})
    signals["jsonld_types"] = types
    article = read_article(selector, url) if any(is_article(o) for o in objects) or any(
        is_article(o.get(k)) for o in objects for k in ("mainEntity", "mainEntityOfPage")
        if isinstance(o.get(k), dict)) else None
    if article is not None:
        return PageKind(True, f"JSON-LD {', '.join(type_names(article))}", signals)
    meta = read_meta(selector)
    og_type = (meta.get("og:type") or "").strip().lower()
    signals["og_type"] = og_type
    if og_type == "article":
        return PageKind(True, "og:type article", signals)
    microdata = read_microdata_article(selector.root, url or "")
    if microdata is not None:
        return PageKind(True, "microdata " + ", ".join(microdata["@type"]), signals)
    shape = structure(selector, url or "")
    shape["date"] = has_date(selector, meta, article)
    signals.update(shape)
    if is_dominant(shape) and shape["headline"] and shape["date"]:
        return PageKind(True, "one dominant text block with a headline and a date", signals)
    listing = [t for t in types if t in LISTING_TYPES]
    if listing:
        return PageKind(False, f"JSON-LD {', '.join(listing)}", signals)
    return PageKind(False, "no article signal", signals)
