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

from parsel import Selector

from crawler.extract.body_dense import densest_paragraphs
from crawler.extract.body_hints import Hints, page_tree, read_hints, words
from crawler.extract.body_trafilatura import ELLIPSIS_RE, clean_blocks, trafilatura_blocks
from crawler.extract.text import extract_body, html_fragment_root, normalize_space

__all__ = ["BodyResult", "Hints", "read_body", "read_hints", "words", "is_teaser",
           "structured_paragraphs", "densest_paragraphs", "confirmed_by"]


@dataclass
class BodyResult:
    text: str | None                  # paragraphs joined by "\n\n", None when none found
    source: str    # "trafilatura", "trafilatura+jsonld" (pruned by it), "jsonld", "densest", "none"
    paragraphs: list[str] = field(default_factory=list)
    dropped: list[tuple[str, str]] = field(default_factory=list)   # (reason, paragraph)
    candidates: dict[str, int] = field(default_factory=dict)       # name -> word count



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
    if ELLIPSIS_RE.search(paragraphs[-1]):
        return True
    n = sum(len(words(p)) for p in paragraphs)
    return visible_words > 0 and n < 0.6 * visible_words




def _shingles(paragraphs: list[str], n: int = 4) -> set:
    tokens = [w for p in paragraphs for w in words(p)]
    return {tuple(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1))} \
        if tokens else set()


def _covered(part: set, whole: set) -> float:
    return len(part & whole) / len(part) if part else 0.0


def read_body(page, url: str = "", *, hints: Hints | None = None) -> BodyResult:
    """The article body of a page (HTML text or bytes, a parsel Selector or an lxml
    root element). ``hints``: the page's metadata when the caller has read it."""
    root = page_tree(page)
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
