"""The "BREAKING" ticker, read from any page: its one-line items, in page order.

Found by a class or id naming it (breaking, ticker, urgent, marquee), else a
<marquee> or an ARIA role="marquee" box (whose label may be its aria-label alone),
else the list or box after a "BREAKING" label. Items are list items, a
marquee's or box's children, or a marquee's own text; a time shown with an item
("16:50", "<time>16:50</time>") is not part of its text.
"""

from __future__ import annotations

import re

from parsel import Selector

from crawler.extract.document import page_selector
from crawler.extract.dom import dom_index
from crawler.extract.text import element_text, normalize_space
from crawler.sites.almayadeen.menus import landmarks

_BREAKING_LABEL_RE = re.compile(
    r"^(?:breaking(?: news)?|urgent(?: news)?|just in|عاجل|última hora|urgente)\s*:?$", re.I)
_TICKER_WORDS = ("breaking", "ticker", "urgent", "marquee")
_LEADING_TIME_RE = re.compile(
    r"^\(?\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?\)?(?:\s*[-–—|•·:]\s*|\s+)(?=\S)", re.I)
_TIME_CLASS_RE = re.compile(r"time|date|clock|hour", re.I)
# Where a ticker never is: an article card whose class says "breaking" is a card.
_CARD_TAGS = frozenset({"article", "main", "h1", "h2", "h3", "h4", "a", "img", "body",
                        "html"})


def _in_card(el) -> bool:
    return any(anc.tag == "article" for anc in el.iterancestors())


def find_breaking(root):
    """The ticker element, or None."""
    candidates = [el for el in dom_index(root).attr_contains(_TICKER_WORDS)
                  if el.tag not in _CARD_TAGS and not _in_card(el)]
    for el in candidates:            # a list of items first, then any labelled box
        if el.tag != "li" and el.xpath(".//li"):
            return el
    for el in candidates:
        if el.tag == "marquee" or el.xpath(".//marquee"):
            return el
    for el in candidates:
        if _ticker_texts(el):
            return el
    for el in root.iter("marquee"):
        return el
    for el in landmarks(root):      # (the page's role=… elements, found once)
        if (el.get("role") or "").strip().lower() == "marquee" and not _in_card(el):
            return el
    for el in root.iter():
        if isinstance(el.tag, str) and len(el) == 0 and _BREAKING_LABEL_RE.match(
                normalize_space(el.text)):
            for sibling in el.itersiblings():
                if not isinstance(sibling.tag, str):
                    continue
                if sibling.xpath("descendant-or-self::li | descendant-or-self::marquee") \
                        or len(sibling) >= 2:
                    return sibling
            parent = el.getparent()
            if parent is not None and parent.xpath(".//li"):
                return parent
    return None


def _item_text(item) -> str:
    text = element_text(item)
    for el in item.iterdescendants():
        if isinstance(el.tag, str) and (el.tag == "time" or _TIME_CLASS_RE.search(
                el.get("class", ""))):
            shown = element_text(el)
            if shown and text.startswith(shown):
                text = text[len(shown):].strip(" -–—|•·:")
            elif shown and text.endswith(shown):
                text = text[:-len(shown)].strip(" -–—|•·:")
    return normalize_space(_LEADING_TIME_RE.sub("", text))


_SEPARATOR_RE = re.compile(r"\s*[•·|◆■●▪]\s*|\s+[-–—]{1,2}\s+")


def _loose_text(box) -> bool:
    """Text directly in the box, not only in its children (separators aside)."""
    parts = [box.text] + [c.tail for c in box]
    return any(_SEPARATOR_RE.sub("", normalize_space(p)) for p in parts if p)


def _ticker_texts(el) -> list[str]:
    box = el if el.tag == "marquee" else next(el.iter("marquee"), el)
    items = box.xpath(".//li")
    if items:
        found = [_item_text(item) for item in items]
    elif _loose_text(box):      # items as text between separators ("One • Two")
        found = [normalize_space(_LEADING_TIME_RE.sub("", t))
                 for t in _SEPARATOR_RE.split(element_text(box))]
    else:
        found = [_item_text(c) for c in box if isinstance(c.tag, str)
                 and c.tag not in ("script", "style", "br")]
    texts = []
    for text in found:
        if text and not _BREAKING_LABEL_RE.match(text) and text not in texts:
            texts.append(text)
    return texts


def read_breaking(selector: Selector):
    root = selector.root
    if root is None or not isinstance(getattr(root, "tag", None), str):
        return [], None
    el = find_breaking(root)
    return (_ticker_texts(el), el) if el is not None else ([], None)


def parse_breaking(response) -> list[str]:
    """The breaking-news ticker's item texts, normalised, in page order."""
    try:
        return read_breaking(page_selector(response))[0]
    except (AttributeError, ValueError, TypeError):
        return []
