"""Whitespace normalisation and article-body assembly from HTML (site-independent).

The body is the article's paragraphs and sub-headings (h2-h4) in document order,
joined by blank lines. Everything a news page puts around or inside the text that is
not the text (related-links boxes, "Read more:" lines, captions, tag lists, share and
listen buttons, ads, "Most Read"/"Read Next"/"Coverage" widgets) is left out; the
links of "Related News" boxes and "Read more:" lines are returned separately.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin

from lxml import etree
from lxml import html as lxml_html

# Zero-width characters disappear. NBSP and friends (U+00A0, U+2007, U+202F, U+2002,
# U+2003, U+2009, U+3000) are Unicode whitespace, so str.split() already treats them
# as spaces (it splits on exactly what the regex ``\s`` matches).
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad]")


def normalize_space(text: str | None) -> str:
    """Collapse all whitespace to single spaces; drop zero-width characters."""
    if not text:
        return ""
    if not text.isascii():          # O(1) in CPython: pure-ASCII text has none of them
        text = _INVISIBLE_RE.sub("", text)
    return " ".join(text.split())


def is_element(node) -> bool:
    """An lxml element (not None, a comment, or a parsel root of JSON or text)."""
    return node is not None and isinstance(getattr(node, "tag", None), str)


def first_string(results: list) -> str | None:
    """The first string of an XPath result (as parsel's ``.get()``), else None."""
    return str(results[0]) if results else None


def clean_text(text: str | None) -> str | None:
    """normalize_space, but None instead of an empty string."""
    return normalize_space(text) or None


_BLOCK_TAGS = frozenset({"br", "p", "div", "li", "ul", "ol", "tr", "td", "th", "h1", "h2",
                         "h3", "h4", "h5", "h6", "section", "article", "blockquote",
                         "figure", "figcaption", "dd", "dt", "hr"})


def _collect_text(node, parts: list[str]) -> None:
    if node.text:
        parts.append(node.text)
    for child in node:
        tag = _tag(child)
        # comments, scripts, captions and buttons contribute nothing but their tail
        # (lxml nests a <figure> in an unclosed <p>, where a browser closes the <p>)
        if tag and tag not in _NESTED_NON_TEXT_TAGS:
            if tag in _BLOCK_TAGS:
                parts.append(" ")
            _collect_text(child, parts)
            if tag in _BLOCK_TAGS:
                parts.append(" ")
        if child.tail:
            parts.append(child.tail)


def element_text(el) -> str:
    """Normalised text content of an lxml element (comments and scripts excluded)."""
    if el is None or not isinstance(el.tag, str):
        return ""
    if not len(el):                 # a leaf (most paragraphs' parts, links, list items)
        return normalize_space(el.text)
    parts: list[str] = []
    _collect_text(el, parts)
    return normalize_space("".join(parts))


def _tag(el) -> str:
    """Lower-case tag name, or "" for comments and processing instructions."""
    tag = el.tag
    return tag.lower() if isinstance(tag, str) else ""


# -- what is not body text ------------------------------------------------------------

_NON_TEXT_TAGS = frozenset({"script", "style", "noscript", "template", "svg"})
_NESTED_NON_TEXT_TAGS = _NON_TEXT_TAGS | frozenset({"figure", "figcaption", "button",
                                                    "select", "textarea"})
SKIP_TAGS = _NON_TEXT_TAGS | frozenset({
    "figure", "figcaption", "button", "form", "input", "select", "textarea", "iframe",
    "video", "audio", "object", "embed", "nav", "header", "footer", "aside", "menu",
    "h1", "h5", "h6", "img", "picture", "canvas", "map"})
BODY_HEADINGS = frozenset({"h2", "h3", "h4"})
_NO_OWN_HEADING = BODY_HEADINGS | {"p"}

# Class/id tokens of boxes that are never article text.
_WIDGET_TOKEN_RE = re.compile(
    r"^(?:.*[-_])?(?:related|share|sharing|social|listen|tts|tags?|ads?|advert\w*|"
    r"adsense|dfp|banner|sponsored|promo|most[-_]?read|read[-_]?next|coverage|"
    r"newsletter|subscribe|caption|breadcrumbs?|comments?|author[-_]?box|"
    r"twitter[-_]?tweet|tweet|instagram[-_]?media|tiktok[-_]?embed|fb[-_]?post|"
    r"embed|oembed)(?:[-_].*)?$",
    re.I)
_RELATED_TOKEN_RE = re.compile(r"related", re.I)
# Headings that title a box of links rather than a section of the text.
_RELATED_HEADINGS = frozenset({"related news", "related", "related articles",
                               "related stories", "see also"})
_WIDGET_HEADINGS = _RELATED_HEADINGS | frozenset({
    "most read", "read next", "coverage", "tags", "share", "more from", "trending",
    "latest news", "you may also like", "recommended", "most popular"})
READ_MORE_RE = re.compile(r"^\s*(?:read\s+(?:more|also)|also\s+read|see\s+also)"
                          r"\s*(?::|\||\u00bb|[-\u2013\u2014]\s)", re.I)


def _heading_key(text: str) -> str:
    return normalize_space(text).lower().rstrip(":").strip()


def _own_heading(el):
    """The element's first child when it looks like a box title (heading or short label)."""
    for child in el:
        tag = _tag(child)
        if not tag or tag in _NON_TEXT_TAGS:
            continue
        if tag in {"h2", "h3", "h4", "h5", "h6"}:
            return child
        if tag in {"strong", "b", "span", "p", "div"} and len(element_text(child)) <= 40:
            return child
        return None
    return None


# Page-level wrappers are never boxes, whatever their classes say ("ads-enabled").
_NEVER_WIDGETS = frozenset({"html", "body", "main", "article"})


def is_page_wrapper(el) -> bool:
    return _tag(el) in _NEVER_WIDGETS or next(el.iterdescendants("h1"), None) is not None


def widget_kind(el) -> str | None:
    """"related" for a related-links box, "skip" for other non-text boxes, else None."""
    if is_page_wrapper(el):
        return None
    if len(el.attrib):          # most paragraphs and blocks of a text carry none
        tokens = " ".join(filter(None, (el.get("class"), el.get("id")))).split()
        if any(_RELATED_TOKEN_RE.search(t) for t in tokens):
            return "related"
        if any(_WIDGET_TOKEN_RE.match(t) for t in tokens):
            return "skip"
        if el.get("role") in {"navigation", "complementary", "banner", "contentinfo"}:
            return "skip"
        if el.get("aria-hidden") == "true" or el.get("hidden") is not None:
            return "skip"
    heading = _own_heading(el) if _tag(el) not in _NO_OWN_HEADING else None
    if heading is not None:
        key = _heading_key(element_text(heading))
        if key in _RELATED_HEADINGS:
            return "related"
        if key in _WIDGET_HEADINGS:
            return "skip"
    return None


# -- body assembly ----------------------------------------------------------------------

@dataclass
class Body:
    text: str | None                                     # "\n\n"-joined, None if empty
    related_links: list[str] = field(default_factory=list)  # absolute, document order
    paragraphs: list[str] = field(default_factory=list)
    # What the walk of the container itself found, (paragraphs, related links), before
    # the loose-text fallback: a walk of an enclosing element can reuse it.
    walked: tuple[list[str], list[str]] = field(default_factory=lambda: ([], []),
                                                repr=False, compare=False)


def link_hrefs(el, base_url: str) -> list[str]:
    """Absolute http(s) hrefs of the links inside an element, in document order."""
    out = []
    for a in el.iter("a", "A"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        try:
            url = urljoin(base_url, href)
        except ValueError:
            continue
        if url.startswith(("http://", "https://")):
            out.append(url)
    return out


class _BodyWalker:
    def __init__(self, base_url: str, known: Mapping | None = None):
        self.base_url = base_url
        self.known = known or {}        # element -> its Body, already extracted
        self.paragraphs: list[str] = []
        self.related: list[str] = []

    def walk(self, el) -> None:
        in_related_run = False  # after a bare "Related News" heading, until the text resumes
        for child in el:
            tag = _tag(child)
            if not tag or tag in _NON_TEXT_TAGS:
                continue
            kind = widget_kind(child)
            if kind == "related":   # even in an <aside>: its links are the article's
                self.related.extend(link_hrefs(child, self.base_url))
                continue
            if kind == "skip" or tag in SKIP_TAGS:
                continue
            if tag == "p" or tag in BODY_HEADINGS:
                text = element_text(child)
                if not text:
                    continue
                if READ_MORE_RE.match(text):
                    self.related.extend(link_hrefs(child, self.base_url))
                    continue
                if tag in BODY_HEADINGS and _heading_key(text) in _WIDGET_HEADINGS:
                    in_related_run = _heading_key(text) in _RELATED_HEADINGS
                    continue
                if in_related_run and tag == "p" and _is_link_only(child, text):
                    self.related.extend(link_hrefs(child, self.base_url))
                    continue
                in_related_run = False
                self.paragraphs.append(text)
            elif in_related_run and tag in {"ul", "ol", "div"}:
                self.related.extend(link_hrefs(child, self.base_url))
            elif child in self.known:   # walked before (the body, inside the article)
                paragraphs, related = self.known[child].walked
                self.paragraphs.extend(paragraphs)
                self.related.extend(related)
            else:
                self.walk(child)


def _is_link_only(el, text: str) -> bool:
    link_text = " ".join(element_text(a) for a in el.iter("a"))
    return bool(link_text) and len(normalize_space(link_text)) >= len(text) * 0.8


def _loose_lines(el, base_url: str = "") -> list[tuple[str, list[str]]]:
    """Text not wrapped in <p>, split on <br> and block boundaries: (line, the hrefs of
    its links) for each non-empty line."""
    lines: list[tuple[list[str], list[str]]] = [([], [])]

    def collect(node):
        if node.text:
            lines[-1][0].append(node.text)
        for child in node:
            tag = _tag(child)
            if tag and tag not in _NON_TEXT_TAGS:
                if tag in _BLOCK_TAGS:
                    lines.append(([], []))
                if tag == "a" and base_url:
                    lines[-1][1].extend(link_hrefs(child, base_url))
                collect(child)
                if tag in _BLOCK_TAGS:
                    lines.append(([], []))
            if child.tail:
                lines[-1][0].append(child.tail)

    collect(el)
    out = []
    for parts, hrefs in lines:
        for text in "".join(parts).split("\n"):
            text = normalize_space(text)
            if text:
                out.append((text, hrefs))
                hrefs = []
    return out


def _loose_paragraphs(el) -> list[str]:
    """Text not wrapped in <p>: split on <br> and block boundaries."""
    return [text for text, _hrefs in _loose_lines(el)]


def text_lines(el) -> list[str]:
    """An element's text split at <br> and block boundaries, normalised, empties out."""
    return _loose_paragraphs(el)


def extract_body(container, base_url: str, known: Mapping | None = None) -> Body:
    """Body text and related links of a container element (lxml element or parsel).

    ``known``: elements inside the container whose ``extract_body`` (same base URL) is
    already at hand, {element: Body}: their walk is reused rather than repeated."""
    root = getattr(container, "root", container)
    if root is None or not _tag(root):
        return Body(None)
    walker = _BodyWalker(base_url, known)
    walker.walk(root)
    paragraphs = walker.paragraphs
    related = walker.related
    if not paragraphs and next(root.iter("p"), None) is None:
        paragraphs, related = [], list(related)    # (``walked`` keeps the walk's own)
        for text, hrefs in _loose_lines(root, base_url):
            if READ_MORE_RE.match(text):
                related.extend(hrefs)     # a "Read more:" line's links
            elif _heading_key(text) not in _WIDGET_HEADINGS:
                paragraphs.append(text)
    return Body("\n\n".join(paragraphs) or None, related, paragraphs,
                (walker.paragraphs, walker.related))


def body_from_plain_text(text: str | None) -> str | None:
    """A plain-text body (JSON-LD articleBody): paragraphs on line breaks, read-more
    lines and "Related News" headings dropped."""
    if not text:
        return None
    lines = [normalize_space(line) for line in re.split(r"\r?\n|\r|\u2029", text)]
    kept = [line for line in lines
            if line and not READ_MORE_RE.match(line)
            and _heading_key(line) not in _WIDGET_HEADINGS]
    return "\n\n".join(kept) or None


def html_fragment_root(html: str):
    """Parse an HTML fragment into a <div> wrapper element (None if unparsable)."""
    try:
        return lxml_html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError, TypeError):
        return None


def in_chrome(el) -> bool:
    """Inside the page's header, navigation, footer, sidebars or a widget box."""
    node = el
    while node is not None:
        if _tag(node) in {"header", "nav", "footer", "aside"} or widget_kind(node):
            return True
        node = node.getparent()
    return False


def densest_block(root):
    """The element whose direct <p> children carry the most text (None if no <p>).

    Survives a redesign: article text is a run of sibling paragraphs whatever the
    container's class name is."""
    root = getattr(root, "root", root)
    if root is None or not _tag(root):
        return None
    scores: dict = {}
    for p in root.iter("p"):
        parent = p.getparent()
        if parent is None:
            continue
        text = element_text(p)
        if READ_MORE_RE.match(text):
            continue
        scores[parent] = scores.get(parent, 0) + len(text)
    best, best_score = None, 0
    for el, score in scores.items():
        if score > best_score and not in_chrome(el):
            best, best_score = el, score
    return _whole_run(best, scores) if best is not None else None


def _whole_run(best, scores: dict):
    """A text split into sibling blocks (a <section> per sub-heading): their parent,
    when every child of it that holds text is such a block (so no headline, byline
    or box comes with them)."""
    parent = best.getparent()
    if parent is None or in_chrome(parent):
        return best
    blocks = 0
    for child in parent:
        if not _tag(child):
            continue
        if child in scores and _tag(child) == _tag(best) and widget_kind(child) is None:
            blocks += 1
        elif element_text(child):
            return best
    return parent if blocks >= 2 else best
