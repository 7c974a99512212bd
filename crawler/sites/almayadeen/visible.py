"""What a reader sees on an article page: the reference markup's classes ("visible"
layer) and generic patterns that survive a redesign ("generic" layer).

The generic readers look only inside the article area (the <article> holding the
<h1>, else <main>, else <body>), outside page chrome and link boxes, and for the
header facts ("By …", "Source: …", "4 Min Read", "15 Sep 2025 15:54") only at short
texts before the body, so that a sentence of the article is never taken for them.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urljoin

from parsel import Selector

from crawler.extract.dates import parse_iso
from crawler.extract.dom import descendants_of, dom_index
from crawler.extract.text import (
    Body, densest_block, element_text, extract_body, is_page_wrapper, normalize_space,
    text_lines, widget_kind)
from crawler.extract.tawsiyat import split_authors
from crawler.sites.almayadeen.urls import path_key
from crawler.sites.almayadeen.wording import (
    BY_RE, SOURCE_RE, TITLE_SUFFIX_RE, UPDATED_RE, looks_like_date, read_date, read_minutes)

_BLOCK = frozenset({"div", "p", "ul", "ol", "li", "section", "article", "header", "footer",
                    "h1", "h2", "h3", "h4", "h5", "h6", "table", "figure", "aside", "nav",
                    "blockquote", "main", "form", "dl"})
_CHROME = frozenset({"header", "nav", "footer", "aside", "script", "style", "noscript",
                     "template", "form", "button"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BY_RE = BY_RE
_SOURCE_RE = SOURCE_RE
_FACT_SEPARATOR_RE = re.compile(r"\s+[|\u2022\u00b7\uff5c\u2013\u2014-]\s+")
_UPDATED_RE = UPDATED_RE
_LISTING_RE = re.compile(r"related|most[-_]?read|read[-_]?next|coverage|trending|popular",
                         re.I)
_LISTING_HEADINGS = frozenset({"related news", "related", "most read", "read next",
                               "coverage", "trending", "most popular", "latest news"})
def strip_title_suffix(title: str | None) -> str | None:
    title = normalize_space(title)
    return normalize_space(TITLE_SUFFIX_RE.sub("", title)) or None


def _is_listing_box(el) -> bool:
    """A box of links to other articles (Related News, Most Read, Read Next, …)."""
    if is_page_wrapper(el):
        return False
    tokens = " ".join(filter(None, (el.get("class"), el.get("id"))))
    if _LISTING_RE.search(tokens):
        return True
    for child in el:
        if isinstance(child.tag, str):
            return (child.tag in {"h2", "h3", "h4", "h5", "h6"}
                    and element_text(child).lower().rstrip(":") in _LISTING_HEADINGS)
    return False


def _looks_like_name(text: str) -> bool:
    """"Jane Roe", "Al Mayadeen English" — not "announcing sanctions" (a sentence that
    happens to start with "By")."""
    return len(text.split()) <= 6 and not text[0].islower() and not text.endswith(".")


def find_article_area(root):
    """The <article> holding the <h1> (cards are <article>s too on many sites), else
    <main>, else <body>."""
    for article in root.xpath("//article"):
        if article.xpath(".//h1"):
            return article
    for xpath in ("//main", "//*[@role='main']", "//body"):
        found = root.xpath(xpath)
        if found:
            return found[0]
    return root


class VisibleArticle:
    """Readers over one parsed page; each method returns a value or None/[]."""

    def __init__(self, selector: Selector, base_url: str, language: str | None = None,
                 fetched_at: datetime | None = None):
        # The edition's language and the fetch time: how its visible dates are written
        # (Spanish and Arabic month names; a Spanish date has no year: wording.read_date).
        self.language = language
        self.fetched_at = fetched_at
        self.sel = selector
        self.base_url = base_url
        self.root = selector.root
        self.area = find_article_area(self.root)
        self.index = dom_index(self.root)       # class lookups without tree walks
        self._body_el = None
        self._body_el_known = False
        self._header_texts: list | None = None
        self._body: tuple | None = None          # (body container, its Body)

    # -- helpers -------------------------------------------------------------------------
    def _first_text(self, token: str, tag: str | None = None) -> str | None:
        """The first non-empty text of an element of class ``token`` (CSS tag.token)."""
        for el in self.index.with_class(token, tag):
            text = element_text(el)
            if text:
                return text
        return None

    def _outside_boxes(self, el, allow_footer: bool = False) -> bool:
        """Not inside page chrome or a link box (up to the article area)."""
        node = el
        while node is not None and node is not self.area:
            if node.tag in _CHROME and not (node.tag == "header" and node.xpath(".//h1")) \
                    and not (allow_footer and node.tag == "footer" and self.area.tag != "body"):
                return False    # a <header> holding the <h1> is the article's own header
            if _is_listing_box(node):
                return False
            node = node.getparent()
        return True

    def _area_elements(self, xpath: str) -> list:
        return [el for el in self.area.xpath(xpath) if self._outside_boxes(el)]

    def absolute(self, href: str | None) -> str | None:
        href = normalize_space(href)
        if not href or href.startswith(("data:", "javascript:")):
            return None
        try:
            return urljoin(self.base_url, href)
        except ValueError:
            return None

    @property
    def body_element(self):
        """The body container (``body_container``), else the densest block."""
        if not self._body_el_known:
            found = self.body_container()
            self._body_el = found if found is not None else (
                densest_block(self.area) if self.area is not None else None)
            if self._body_el is None:
                self._body_el = densest_block(self.root)
            if self._body_el is None:
                self._body_el = self.loose_text_block()
            self._body_el_known = True
        return self._body_el

    def loose_text_block(self):
        """A body with no <p> (text split by <br>): the itemprop="articleBody" element,
        else the element of the article area with the most text of its own."""
        best, best_score = None, 0
        for el in self.area.iter():
            if not isinstance(el.tag, str) or el.tag in _CHROME or el.tag in _HEADINGS:
                continue
            if el.get("itemprop") == "articleBody" and self._outside_boxes(el):
                return el
            own = len(normalize_space(" ".join(
                filter(None, [el.text, *(c.tail for c in el)]))))
            if own > best_score and self._outside_boxes(el):
                best, best_score = el, own
        return best if best_score >= 100 else None

    def header_texts(self) -> list[tuple[object, str]]:
        """Short, block-free texts of the article area before the body, in order."""
        if self._header_texts is not None:
            return self._header_texts
        out = self._header_texts = []
        body = self.body_element
        for el in self.area.iter():
            if el is body:
                break
            if not isinstance(el.tag, str) or el.tag in _CHROME or el.tag in _HEADINGS:
                continue    # a headline "By the numbers: …" is not a byline
            if any(isinstance(d.tag, str) and d.tag in _BLOCK for d in el.iterdescendants()):
                continue
            if not self._outside_boxes(el) or widget_kind(el) == "related":
                continue
            # "By X<br>Source: Y", "By X | Source: Y | 15 Sep 2025 15:54": a fact a part
            lines = text_lines(el) if next(el.iter("br"), None) is not None \
                else [element_text(el)]
            for text in lines:
                if text and len(text) <= 100:
                    out.extend((el, part) for part in _FACT_SEPARATOR_RE.split(text) if part)
        return out

    # -- the reference markup ("visible") -------------------------------------------------
    def title(self) -> str | None:
        return strip_title_suffix(self._first_text("article-title", "h1"))

    def summary(self) -> str | None:
        return self._first_text("article-summary")

    def authors(self) -> list[str]:
        text = self._first_text("meta-author")
        match = _BY_RE.match(text or "")
        return split_authors(match.group(1) if match else text)

    def source(self) -> str | None:
        text = self._first_text("meta-source")
        match = _SOURCE_RE.match(text or "")
        return normalize_space(match.group(1) if match else text) or None

    def published(self) -> datetime | None:
        for el in self.index.with_class("meta-date"):
            stamp = next((t.get("datetime") for t in el.iter("time")
                          if t.get("datetime") is not None), None)
            value = parse_iso(el.get("datetime") or stamp)
            value = value or read_date(element_text(el), self.language, self.fetched_at)
            if value:
                return value
        return None

    def read_time(self) -> int | None:
        return read_minutes(self._first_text("read-time"))

    def image(self) -> tuple[str | None, str | None]:
        for figure in self.index.with_class("article-image", "figure"):
            return self._figure_image(figure)
        return None, None

    def _figure_image(self, figure) -> tuple[str | None, str | None]:
        url = None
        # the <img> first: its src is the plain image; <source>s are alternative formats
        for img in [*figure.iter("img"), *figure.iter("source")]:
            srcset = (img.get("srcset") or img.get("data-srcset") or "").split(",")[0].split()
            # lazy loading: the real image is in data-*, src holds a placeholder
            for candidate in (img.get("data-src"), img.get("data-original"),
                              img.get("data-lazy-src"), img.get("src"),
                              srcset[0] if srcset else None):
                url = self.absolute(candidate)
                if url:
                    break
            if url:
                break
        caption = next((t for t in (element_text(c) for c in figure.iter("figcaption")) if t),
                       None)
        return url, caption

    def body_container(self):
        """The reference's .p-content, else the microdata articleBody (whose text may
        be split in <section>s: the densest block would be one), in the area first."""
        found = self.index.with_class("p-content") or self.index.with_itemprop("articleBody")
        area = self.area
        inside = (el for el in found if el is area or area in el.iterancestors())
        return next(inside, found[0] if found else None)

    def body(self) -> Body | None:
        """extract_body of the body container (once: related_links reuses it)."""
        if self._body is None:
            container = self.body_container()
            self._body = (container, extract_body(container, self.base_url)) \
                if container is not None else (None, None)
        return self._body[1]

    def tags(self) -> list[str]:
        links = descendants_of(self.index.with_class("tags", "ul"), "a")     # ul.tags a
        return [t for t in (element_text(a) for a in links) if t]

    def breadcrumb(self) -> list[tuple[str, str]]:
        """(text, decoded path) of the breadcrumb's links, "Home" left out."""
        crumbs = []
        # nav.breadcrumb a, .breadcrumb a, [class*=breadcrumb] a: the last covers the others
        for a in descendants_of(self.index.class_contains("breadcrumb"), "a"):
            text, path = element_text(a), path_key(self.absolute(a.get("href")) or "")
            if text and path != "/" and (text, path) not in crumbs:
                crumbs.append((text, path))
        return crumbs

    def has_related_box(self) -> bool:
        return bool(self.index.with_class("related-news"))

    # -- generic patterns ("generic") -----------------------------------------------------
    def any_h1(self) -> str | None:
        """The first <h1> outside page chrome (a logo may be an <h1> too), else any."""
        in_chrome = "ancestor::nav or ancestor::footer or ancestor::header[not(ancestor::article)]"
        candidates = (self.area.xpath(f".//h1[not({in_chrome})]")
                      + self.root.xpath(f"//h1[not({in_chrome})]") + self.root.xpath("//h1"))
        for el in candidates:
            text = strip_title_suffix(element_text(el))
            if text:
                return text
        return None

    def generic_summary(self) -> str | None:
        for el in self._area_elements(
                ".//*[self::p or self::div or self::h2][contains(@class, 'summary') or "
                "contains(@class, 'excerpt') or contains(@class, 'standfirst') or "
                "contains(@class, 'dek') or contains(@class, 'lead') or "
                "contains(@class, 'subtitle') or contains(@class, 'intro')]"):
            text = element_text(el)
            if text and el is not self.body_element:
                return text
        return None

    def _header_match(self, find) -> re.Match | None:
        """The first header text a pattern finds; a line of facts ("Source: X 15 Sep
        2025 4 min read") yields to its own part that matches alone."""
        texts = self.header_texts()
        for el, text in texts:
            match = find(text)
            if not match:
                continue
            for inner, inner_text in texts:
                if inner is not el and el in inner.iterancestors():
                    inner_match = find(inner_text)
                    if inner_match:
                        return inner_match
            return match
        return None

    def by_line(self) -> list[str]:
        match = self._header_match(_BY_RE.match)
        names = split_authors(match.group(1)) if match and len(match.group(1)) <= 80 else []
        if names and all(_looks_like_name(n) for n in names):
            return names
        names = [element_text(a) for a in self._area_elements(".//a[@rel='author']")]
        return [n for n in dict.fromkeys(names) if n]

    def source_line(self) -> str | None:
        match = self._header_match(_SOURCE_RE.match)
        return normalize_space(match.group(1)) or None if match else None

    def dates(self) -> tuple[datetime | None, datetime | None]:
        """(published, modified) from <time datetime> or date-looking header texts."""
        published = modified = None
        body = self.body_element
        for el in self._area_elements(".//time[@datetime]"):
            if body is not None and body in el.iterancestors():
                continue    # a date the text mentions, not the article's
            value = parse_iso(el.get("datetime"))
            if value and _UPDATED_RE.match(element_text(el.getparent())):
                modified = modified or value
            elif value:
                published = published or value
        for _el, text in self.header_texts():
            if not looks_like_date(text, self.language):
                continue
            value = read_date(text, self.language, self.fetched_at)
            if value and _UPDATED_RE.match(text):
                modified = modified or value
            elif value:
                published = published or value
        return published, modified

    def read_time_line(self) -> int | None:
        match = self._header_match(lambda text: read_minutes(text) and text)
        return read_minutes(match) if match else None

    def lead_figure(self) -> tuple[str | None, str | None]:
        """The first figure before the body's text starts (figures inside the text
        illustrate it; they are not the article's image)."""
        body = self.body_element
        first_text = next((p for p in body.iter("p") if element_text(p)), None) \
            if body is not None else None
        loose_img = None
        for el in self.area.iter():
            if el is first_text:
                break
            if el.tag == "figure" and self._outside_boxes(el) and el.xpath(".//img | .//source"):
                return self._figure_image(el)
            if el.tag == "img" and loose_img is None and self._outside_boxes(el):
                loose_img = el
        if loose_img is not None:     # a hero <img> outside any <figure>
            return self._loose_image(loose_img)
        return None, None

    def _loose_image(self, img) -> tuple[str | None, str | None]:
        """An <img> with no <figure>: its caption is a sibling whose class says so."""
        url = self._figure_image(img)[0]
        looks = " ".join(filter(None, (url, img.get("class"), img.get("alt")))).lower()
        if url is None or any(word in looks for word in (
                "logo", "icon", "avatar", "sprite", "author", "profile")):
            return None, None     # not the article's picture
        parent = img.getparent()
        for el in parent.iterdescendants() if parent is not None else ():
            if "caption" in (el.get("class") or "").lower() and el is not img:
                return url, element_text(el) or None
        return url, None

    def tag_links(self) -> list[str]:
        """Links to tag pages (or rel="tag") in the article area, its own <footer>
        included (where a redesign tends to put them), link boxes excluded."""
        names = []
        for a in self.area.iter("a"):
            href = a.get("href")
            if not href:
                continue
            first = path_key(self.absolute(href) or "").strip("/").split("/")[0]
            if (first in {"tags", "tag", "topics", "topic"}
                    or "tag" in (a.get("rel") or "").lower().split()) \
                    and self._outside_boxes(a, allow_footer=True):
                names.append(element_text(a))
        return [n for n in dict.fromkeys(names) if n]

    def related_links(self) -> list[str]:
        """Links of Related News boxes and "Read more:" lines in the article area."""
        if self.area is None:
            return []
        self.body()      # the article area holds the body: its walk is not done twice
        known = {self._body[0]: self._body[1]} if self._body[0] is not None else None
        return extract_body(self.area, self.base_url, known).related_links
