"""trafilatura's candidate body: its paragraphs with their kind and link share,
cleaned of what is not the article's text (the header repeated at the top, bylines,
promo and "read more" lines, newsletter boxes, author blurbs and scraps at the end).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crawler.extract.body_hints import Hints, words
from crawler.extract.text import normalize_space


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
ELLIPSIS_RE = re.compile(r"(?:\u2026|\.\.\.|&hellip;|\[\u2026\]|\[\.\.\.\])\s*$")
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
