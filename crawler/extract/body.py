"""A generic article body reader for pages no site profile knows.

``read_body(page, url)`` returns the article's text as paragraphs joined by blank lines
(as ``crawler.extract.text.extract_body`` does), chosen among candidates:

- trafilatura's extraction (its fast mode: no readability/jusText fallback, whose part
  is played by the candidates below), read from its XML tree so that each paragraph
  keeps its kind (paragraph, heading, list item, quote, table row) and how much of it
  is link text, then cleaned of what is not the article's text: the headline and the
  standfirst repeated at the top (they agree with the page's metadata), bylines,
  datelines of the header, promo and "read more" links, newsletter and subscription
  boxes, author blurbs and comment counts at the end, hover cards inside links;
- the page's JSON-LD ``articleBody``, validated against the visible text: entities
  decoded, HTML stripped, and refused as a teaser when it ends in an ellipsis or is
  much shorter than the text the page shows;
- newsmon's own densest block (``crawler.extract.text.densest_block``), with text in
  ``<div>``s and ``<br>``-separated lines read as paragraphs.

What decides is agreement: a candidate that the structured body or the other reader
confirms wins; trafilatura's cleaned text is the default.

Pure: no network, no state between calls.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass, field

from lxml import etree
from lxml.html import HtmlElement
from parsel import Selector

from crawler.extract.jsonld import read_article, text_value
from crawler.extract.meta import read_meta
from crawler.extract.text import (
    in_chrome, densest_block, element_text, extract_body, html_fragment_root, is_element,
    normalize_space,
)

_WORD_RE = re.compile(r"\w+")


def words(text: str | None) -> list[str]:
    """Word tokens, lower-cased (for comparing texts, not for output)."""
    return _WORD_RE.findall((text or "").lower())


@dataclass
class Hints:
    """What the page's metadata says about its article (all optional)."""
    headlines: list[str] = field(default_factory=list)     # JSON-LD headline, og:title, h1
    descriptions: list[str] = field(default_factory=list)  # og/meta/JSON-LD description
    article_body: str | None = None                       # JSON-LD articleBody, raw


@dataclass
class BodyResult:
    text: str | None                  # paragraphs joined by "\n\n", None when none found
    source: str    # "trafilatura", "trafilatura+jsonld" (pruned by it), "jsonld", "densest", "none"
    paragraphs: list[str] = field(default_factory=list)
    dropped: list[tuple[str, str]] = field(default_factory=list)   # (reason, paragraph)
    candidates: dict[str, int] = field(default_factory=dict)       # name -> word count


# -- the page --------------------------------------------------------------------------

def _parse(page):
    """The page's tree (an lxml.html tree, as trafilatura reads it: parsed once and
    shared), or None."""
    from trafilatura.utils import load_html
    if isinstance(page, (bytes, str)):
        try:
            return load_html(page)
        except (TypeError, ValueError):
            return None
    root = getattr(page, "root", page)
    if not is_element(root):
        return None
    if isinstance(root, HtmlElement) and root.getparent() is None:
        return root     # already lxml.html's document tree: trafilatura copies it
    try:       # a parsel Selector or plain lxml tree: trafilatura wants lxml.html's
        # the document element alone: the doctype lxml would write for a tree parsed
        # without one (HTML 4.0 Transitional) changes how trafilatura reads the page
        return load_html(etree.tostring(root.getroottree().getroot(), method="html",
                                        encoding="unicode"))
    except (TypeError, ValueError):
        return None


def read_hints(selector: Selector, url: str) -> Hints:
    hints = Hints()
    article = read_article(selector, url) or {}
    meta = read_meta(selector)

    def add(where: list, value) -> None:
        value = normalize_space(html_lib.unescape(value)) if value else ""
        if value and value not in where:
            where.append(value)

    add(hints.headlines, text_value(article.get("headline")))
    add(hints.headlines, text_value(article.get("name")))
    add(hints.headlines, meta.get("og:title"))
    add(hints.headlines, meta.get("twitter:title"))
    root = selector.root
    if is_element(root):
        for h1 in root.iter("h1"):
            add(hints.headlines, element_text(h1))
            break
    add(hints.descriptions, text_value(article.get("description")))
    add(hints.descriptions, meta.get("og:description"))
    add(hints.descriptions, meta.get("description"))
    add(hints.descriptions, meta.get("twitter:description"))
    body = article.get("articleBody")
    if isinstance(body, list):
        body = "\n".join(b for b in body if isinstance(b, str))
    hints.article_body = body if isinstance(body, str) and body.strip() else None
    return hints


# -- trafilatura's candidate -----------------------------------------------------------

@dataclass
class Block:
    kind: str           # p, head, item, quote, row, code
    text: str
    link_chars: int     # characters of the text inside links
    rend: str = ""

    @property
    def link_ratio(self) -> float:
        return self.link_chars / len(self.text) if self.text else 0.0


_BLOCK_KINDS = {"p", "head", "item", "quote", "row", "code", "list", "table", "div",
                "note", "figure", "cell"}


def _blocks_of(body) -> list[Block]:
    out: list[Block] = []

    def emit(kind: str, parts: list[tuple[str, bool]], rend: str = "") -> None:
        text = normalize_space("".join(t for t, _link in parts))
        if text:
            links = sum(len(normalize_space(t)) for t, link in parts if link)
            out.append(Block(kind, text, min(links, len(text)), rend))

    def inline(el, parts: list[tuple[str, bool]], in_link: bool, kind: str, rend: str):
        """Collect inline text; <lb/> ends a paragraph; adjacent links: a run of three
        or more links with nothing between them is a hover card or a link strip: only
        its first link is kept."""
        if el.text:
            parts.append((el.text, in_link))
        run, previous_link = 0, False
        for child in el:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag == "lb":
                emit(kind, parts, rend)
                parts.clear()
                previous_link = False
            elif tag in _BLOCK_KINDS:
                emit(kind, parts, rend)
                parts.clear()
                walk(child)
                previous_link = False
            elif tag:
                is_link = tag == "ref"
                run = run + 1 if (is_link and previous_link) else (1 if is_link else 0)
                if run < 3 or not is_link:
                    inline(child, parts, in_link or is_link, kind, rend)
                elif run == 3:      # the run is a card: drop the second link too
                    _drop_last_link(parts)
                previous_link = is_link and not (child.tail or "").strip()
                if not previous_link:
                    run = 0
            if child.tail:
                parts.append((child.tail, in_link))

    def walk(el) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in {"list", "table", "div", "figure"} or tag == "body":
            if el.text and el.text.strip():
                emit("p", [(el.text, False)])
            for child in el:
                walk(child)
                if child.tail and child.tail.strip():
                    emit("p", [(child.tail, False)])
            return
        if tag == "row":
            parts: list[tuple[str, bool]] = []
            for cell in el:
                cell_parts: list[tuple[str, bool]] = []
                inline(cell, cell_parts, False, "row", "")
                parts.extend(cell_parts)
                parts.append((" ", False))
            emit("row", parts)
            return
        if tag == "quote" and any(isinstance(c.tag, str) and c.tag in _BLOCK_KINDS
                                  for c in el):
            for child in el:
                walk(child)
            return
        if tag in {"graphic"}:
            return
        parts = []
        inline(el, parts, False, tag or "p", el.get("rend", ""))
        emit(tag or "p", parts, el.get("rend", ""))

    walk(body)
    return out


def _drop_last_link(parts: list[tuple[str, bool]]) -> None:
    """Remove the trailing link text (the second link of a run found to be a card)."""
    while parts and parts[-1][1]:
        parts.pop()


def trafilatura_blocks(tree) -> list[Block] | None:
    """trafilatura's paragraphs of the page (``tree``: an lxml.html tree, left as it
    is: trafilatura works on a copy). Its fast mode: the fallback it would run is the
    business of the other candidates. No URL is passed: it would only resolve links."""
    try:
        from trafilatura.core import bare_extraction
    except ImportError:         # pragma: no cover - a main dependency
        return None
    try:
        doc = bare_extraction(tree, fast=True, include_comments=False,
                              include_links=True, include_tables=True,
                              with_metadata=False)
    except Exception:           # noqa: BLE001 - a library's failure is no body
        return None
    body = getattr(doc, "body", None)
    if body is None:
        return None
    return _blocks_of(body)


# -- cleaning ---------------------------------------------------------------------------

# Page furniture a short paragraph can be, wherever it stands: read-more and promo
# lines, newsletter and app boxes, "you may also like" headings, shortcodes.
_FURNITURE_RE = re.compile(
    r"^(?:read (?:more|next|also)|see (?:more|also)|also read|related(?: \w+){0,2}|"
    r"more on this|recommended|watch|listen|trending)\s*[:|\u00bb>]|"
    r"\b(?:don'?t|do not) miss\b|\bnewsletters?\b|thanks for (?:signing up|subscribing)|"
    r"error processing your|\[/?button\b|\byou (?:may|might) also like\b|"
    r"\bhave a (?:news )?tip\b"
    r"\bget the \w+(?: \w+)? app\b|\ball rights reserved\b|\u00a9|^advertisement$",
    re.I)
# What ends an article's page rather than its text: only at the end of the text.
_TRAILING_RE = re.compile(
    r"\bsubscri(?:be|ption)\b|\bsign(?:ing)?[ -]up\b|\bfollow (?:us|him|her|them|me)\b|"
    r"^follow \w+(?: \w+)? on\b|"
    r"\b(?:click|tap) here\b|^\d*\s*comments?$|\b(?:view|show|read|post|add|load) (?:\d+ )?comments\b|\bcopyright\b|\bmore (?:stories|from)\b|"
    r"\bget the latest\b|\bdelivered (?:to|through) your\b|\bin your inbox\b|"
    r"^(?:last )?updated\b|\bis out now\b|\bshare (?:this|on)\b|"
    r"\btell us what you think\b|\bleave a (?:comment|reply)\b|\bon (?:twitter|facebook)\b",
    re.I)
_BYLINE_RE = re.compile(r"^(?:by|von|par|por|di)\s+\S|\b\d{1,2}:\d\d\b|\b(?:19|20)\d\d\b", re.I)
_ELLIPSIS_RE = re.compile(r"(?:\u2026|\.\.\.|&hellip;|\[\u2026\]|\[\.\.\.\])\s*$")
_TIMESTAMP_RE = re.compile(r"^\d{4}-\d\d-\d\d(?:[T ][\d:.]+(?:Z|[+-]\d\d:?\d\d)?)?$")
_IMAGE_URL_RE = re.compile(r"^https?://\S+\.(?:jpe?g|png|gif|webp|svg)(?:\?\S*)?$", re.I)


_SENTENCE_ENDS = (".", "!", "?", "\u3002", "\uff01", "\uff1f", '"', "\u201d", "\u00bb")


def _is_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha() and c.lower() != c.upper()]
    return len(letters) >= 8 and all(c.isupper() for c in letters)


def _furniture(block: Block, url: str) -> str | None:
    """Why a paragraph, wherever it stands, is not the article's text (else None)."""
    text = block.text
    n = len(words(text))
    if n == 0:
        return "no words"
    if _TIMESTAMP_RE.match(text) or _IMAGE_URL_RE.match(text) or \
            (url and text.rstrip("/") == url.rstrip("/")):
        return "metadata"
    if n <= 30 and _FURNITURE_RE.search(text):
        return "furniture"
    if block.link_ratio >= 0.8 and n <= 30 and _is_caps(text):
        return "promo link"
    return None


def _trailing(block: Block) -> str | None:
    """Why a paragraph at the very end of the text is the page's furniture."""
    n = len(words(block.text))
    if block.kind == "head":
        return "trailing heading"
    if n <= 30 and _TRAILING_RE.search(block.text):
        return "trailing furniture"
    if n <= 30 and block.link_ratio >= 0.5:
        return "trailing links"
    text = block.text
    if n <= 3 and len(text) <= 25 and not any(c.isdigit() for c in text) and \
            not text.endswith(_SENTENCE_ENDS):
        return "trailing scrap"
    return None


def clean_blocks(blocks: list[Block], hints: Hints,
                 url: str = "") -> tuple[list[Block], list[tuple[str, str]]]:
    """The article's paragraphs among trafilatura's, and what was dropped (why, what)."""
    dropped: list[tuple[str, str]] = []
    headlines = [w for w in (words(h) for h in hints.headlines) if w]
    descriptions = [w for w in (words(d) for d in hints.descriptions) if w]
    block_words = [words(b.text) for b in blocks]
    # the header: what precedes the headline (section label, date) when the headline
    # opens the text, the headline, then the standfirst and byline until the text starts
    headline_at = next((i for i, w in enumerate(block_words[:5]) if w in headlines), None)
    skip: dict[int, str] = {}
    if headline_at is not None:
        for i in range(headline_at):
            if len(block_words[i]) <= 15:
                skip[i] = "above the headline"
        skip[headline_at] = "headline"
        for i in range(headline_at + 1, min(len(blocks), headline_at + 5)):
            block, w = blocks[i], block_words[i]
            if block.kind == "head" and w in descriptions:
                skip[i] = "standfirst"
            elif len(w) <= 12 and _BYLINE_RE.search(block.text) and block.kind == "p":
                skip[i] = "byline"
            elif len(w) >= 12:
                break
    # promo cards and labels above the text: link lines before its first paragraph
    for i, (block, w) in enumerate(zip(blocks, block_words)):
        if len(w) >= 12 and block.link_ratio < 0.5:
            break
        if block.link_ratio >= 0.8 and len(w) <= 25:
            skip.setdefault(i, "link above the text")
    # a list of links among the paragraphs ("related", "don't miss", more headlines):
    # three or more link lines in a row, and the short label that opens them
    linky = [b.link_ratio >= 0.6 and len(w) <= 25 for b, w in zip(blocks, block_words)]
    start = 0
    while start < len(blocks):
        if not linky[start]:
            start += 1
            continue
        end = start
        while end < len(blocks) and linky[end]:
            end += 1
        if end - start >= 3:
            for i in range(start, end):
                skip.setdefault(i, "link list")
            label = start - 1
            if label >= 0 and label not in skip and len(block_words[label]) <= 6 and (
                    blocks[label].kind == "head" or not blocks[label].text.endswith(
                        _SENTENCE_ENDS)):
                skip[label] = "link list label"
        start = end
    kept: list[Block] = []
    for i, block in enumerate(blocks):
        reason = skip.get(i)
        if reason is None and block_words[i] in headlines:
            reason = "headline"
        if reason is None:
            reason = _furniture(block, url)
        if reason:
            dropped.append((reason, block.text))
        else:
            kept.append(block)
    while kept:
        reason = _trailing(kept[-1])
        if reason is None:
            break
        dropped.append((reason, kept.pop().text))
    return kept, dropped


# -- the structured body ------------------------------------------------------------

def structured_paragraphs(raw: str | None) -> list[str]:
    """JSON-LD articleBody as paragraphs: entities decoded, HTML read as HTML."""
    if not raw:
        return []
    text = raw
    if "<" in text and re.search(r"</?(?:p|br|div|span|a|em|strong|b|i|h\d)\b", text, re.I):
        root = html_fragment_root(text)
        if root is None:
            return []
        block = extract_body(root, "")
        return list(block.paragraphs)
    text = html_lib.unescape(text)
    lines = [normalize_space(line) for line in re.split(r"\r?\n|\r|\u2029", text)]
    return [line for line in lines if line]


def is_teaser(paragraphs: list[str], visible_words: int) -> bool:
    """A structured body that is a teaser of the text: ends in an ellipsis, or is
    much shorter than the text the page shows."""
    if not paragraphs:
        return True
    if _ELLIPSIS_RE.search(paragraphs[-1]):
        return True
    n = sum(len(words(p)) for p in paragraphs)
    return visible_words > 0 and n < 0.6 * visible_words


# -- newsmon's own reader ---------------------------------------------------------------

_INLINE = frozenset({"a", "em", "strong", "b", "i", "u", "span", "font", "small", "sup",
                     "sub", "mark", "abbr", "cite", "q", "time", "code"})
_NOT_TEXT = frozenset({"script", "style", "noscript", "template", "svg", "head", "title",
                       "option", "select", "button"})


def _block_of(el):
    while el is not None and isinstance(el.tag, str) and el.tag.lower() in _INLINE:
        el = el.getparent()
    return el


def densest_text_block(root):
    """The element holding the most text of its own and in its children's own text:
    a body whose paragraphs are ``<div>``s, or lines split by ``<br>``, not ``<p>``s."""
    own: dict = {}
    for el in root.iter():
        tag = el.tag if isinstance(el.tag, str) else ""
        if not tag or tag.lower() in _NOT_TEXT:
            continue
        if el.text and el.text.strip() and tag.lower() not in _NOT_TEXT:
            block = _block_of(el)
            own[block] = own.get(block, 0) + len(el.text.strip())
        for child in el:
            if child.tail and child.tail.strip():
                block = _block_of(el)
                own[block] = own.get(block, 0) + len(child.tail.strip())
    scores: dict = {}
    for el, length in own.items():
        if el is None:
            continue
        scores[el] = scores.get(el, 0) + length
        parent = el.getparent()
        if parent is not None and el.tag in {"div", "p", "section"}:
            scores[parent] = scores.get(parent, 0) + length
    for el, _score in sorted(scores.items(), key=lambda item: -item[1])[:8]:
        if el.tag not in {"html", "body"} and not in_chrome(el):
            return el
    return None


def densest_paragraphs(root, url: str) -> list[str]:
    """newsmon's own reader: the densest run of <p>s, else the densest text block
    (<div>-paragraphs, <br>-separated lines), whichever holds more."""
    found: list[str] = []
    block = densest_block(root)
    if block is not None:
        found = list(extract_body(block, url).paragraphs)
    other = densest_text_block(root)
    if other is not None and other is not block:
        more = list(extract_body(other, url).paragraphs)
        if sum(map(len, more)) > 1.5 * sum(map(len, found)):
            found = more
    return found


# -- choosing -----------------------------------------------------------------------------

def _shingles(paragraphs: list[str], n: int = 4) -> set:
    tokens = [w for p in paragraphs for w in words(p)]
    return {tuple(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1))} \
        if tokens else set()


def _covered(part: set, whole: set) -> float:
    return len(part & whole) / len(part) if part else 0.0


def read_body(page, url: str = "", *, hints: Hints | None = None) -> BodyResult:
    """The article body of a page (HTML text or bytes, a parsel Selector or an lxml
    root element). ``hints``: the page's metadata when the caller has read it."""
    root = _parse(page)
    if root is None:
        return BodyResult(None, "none")
    if hints is None:
        hints = read_hints(Selector(root=root, type="html"), url)
    candidates: dict[str, list[str]] = {}
    dropped: list[tuple[str, str]] = []
    blocks = trafilatura_blocks(root)
    if blocks:
        kept, dropped = clean_blocks(blocks, hints, url)
        candidates["trafilatura"] = [b.text for b in kept]
    counts = {name: sum(len(words(p)) for p in paras) for name, paras in candidates.items()}
    if counts.get("trafilatura", 0) < _SHORT:    # newsmon's own reader, when in doubt
        candidates["densest"] = densest_paragraphs(root, url)
        counts["densest"] = sum(len(words(p)) for p in candidates["densest"])
    visible = max(counts.values(), default=0)
    structured = structured_paragraphs(hints.article_body)
    if structured and not is_teaser(structured, visible):
        candidates["jsonld"] = structured
        counts["jsonld"] = sum(len(words(p)) for p in structured)
    choice = _choose(candidates, counts, hints.descriptions)
    paragraphs = candidates.get(choice, [])
    if choice == "trafilatura" and "jsonld" in candidates:
        paragraphs = confirmed_by(paragraphs, candidates["jsonld"])
        if len(paragraphs) < len(candidates["trafilatura"]):
            choice = "trafilatura+jsonld"
            dropped += [("not in the structured body", p)
                        for p in candidates["trafilatura"] if p not in paragraphs]
    return BodyResult("\n\n".join(paragraphs) or None, choice, paragraphs,
                      dropped, counts)


_SHORT = 150    # words: below this, trafilatura may have kept a fragment only


def _choose(candidates: dict[str, list[str]], counts: dict[str, int],
            descriptions: list[str] = ()) -> str:
    """Which candidate is the body, by agreement: a structured body the visible text
    confirms wins over trafilatura's where trafilatura kept a part of it only;
    trafilatura's text otherwise, unless newsmon's own reader finds twice as much."""
    traf, structured = candidates.get("trafilatura"), candidates.get("jsonld")
    if traf and structured:
        t_shingles, s_shingles = _shingles(traf), _shingles(structured)
        if _covered(t_shingles, s_shingles) >= 0.9 and \
                _covered(s_shingles, t_shingles) < 0.85:
            return "jsonld"             # the page shows it, trafilatura missed some
    dense = candidates.get("densest")
    if traf and dense and counts["densest"] > 2 * counts["trafilatura"] and \
            _covered(_shingles(traf), _shingles(dense)) >= 0.6:
        return "densest"                # the same text, of which trafilatura kept a part
    if traf:
        return "trafilatura"
    if dense and (not descriptions or any(
            _covered(_shingles([d]), _shingles(dense)) >= 0.3 for d in descriptions)):
        return "densest"                # trafilatura found nothing: newsmon's reader,
                                        # if what it found agrees with the metadata
    if structured:
        return "jsonld"
    return "trafilatura" if traf else "none"


def confirmed_by(paragraphs: list[str], structured: list[str]) -> list[str]:
    """The paragraphs a structured body that agrees with them confirms (each has at
    least half of its shingles in it); all of them when it would drop a fifth or more
    of the text (then the two disagree, and neither is trusted over the other)."""
    whole = _shingles(structured)
    kept = [p for p in paragraphs if _covered(_shingles([p]), whole) >= 0.5]
    before = sum(len(words(p)) for p in paragraphs)
    after = sum(len(words(p)) for p in kept)
    return kept if after >= 0.8 * before else paragraphs
