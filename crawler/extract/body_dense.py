"""newsmon's own body reader, for when trafilatura finds little: the densest run of
paragraphs, or the densest block of text in ``<div>``s or ``<br>``-separated lines."""

from __future__ import annotations

from crawler.extract.text import densest_block, extract_body, in_chrome

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
