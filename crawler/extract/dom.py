"""A per-document index of elements by class and id, built in one pass.

Readers look elements up by class ("the .p-content", "a box whose class or id
mentions 'breaking'") many times per page; an XPath such as
``//*[contains(translate(@class, ...), 'ticker')]`` walks the whole tree each time,
which costs more than the rest of a reader. ``dom_index(root)`` walks it once and is
memoised per document root (the article and listing parsers read the same page).

Semantics match the XPath/CSS they replace: class tokens are split on XML whitespace
(as ``normalize-space``) and compared case-sensitively (as CSS class selectors);
``attr_contains`` lower-cases ASCII letters only (as ``translate``); results are in
document order.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterable

from lxml import etree

_XML_SPACE = str.maketrans("\t\n\r", "   ")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


_CLASS_AND_ID = etree.XPath("descendant-or-self::*/@class | descendant-or-self::*/@id"
                            " | descendant-or-self::*/@itemprop")


class DomIndex:
    """Built from the class, id and itemprop attribute values alone (one XPath, in C):
    an element's Python object is made only when a lookup returns it."""

    def __init__(self, root):
        self.by_class: dict[str, list] = {}
        self.by_itemprop: dict[str, list] = {}      # microdata: "articleBody" -> values
        # (attribute value as an lxml "smart string" that knows its element,
        #  "class" or "id", the value with ASCII letters lower-cased), document order
        self.attributes: list[tuple] = []
        by_class, attributes = self.by_class, self.attributes
        for value in _CLASS_AND_ID(root):
            name = value.attrname
            if name == "itemprop":
                for token in value.split():
                    self.by_itemprop.setdefault(token, []).append(value)
                continue
            plain = value.isascii() and value.isprintable()    # the common case
            attributes.append((value, name, value.lower() if plain
                               else value.translate(_ASCII_LOWER)))
            if name != "class":
                continue
            tokens = value.split() if plain else value.translate(_XML_SPACE).split(" ")
            for token in set(tokens) if len(tokens) > 1 else tokens:
                if token:
                    by_class.setdefault(token, []).append(value)

    def with_class(self, token: str, tag: str | None = None) -> list:
        """Elements whose class list holds ``token`` (CSS ``tag.token``)."""
        found = [value.getparent() for value in self.by_class.get(token, ())]
        return [el for el in found if el.tag == tag] if tag else found

    def with_itemprop(self, token: str) -> list:
        """Elements whose microdata itemprop list holds ``token`` ("articleBody")."""
        return [value.getparent() for value in self.by_itemprop.get(token, ())]

    def class_contains(self, text: str) -> list:
        """Elements whose class attribute contains ``text`` (CSS ``[class*=text]``)."""
        return [value.getparent() for value, name, _lower in self.attributes
                if name == "class" and text in value]

    def attr_contains(self, words: Iterable[str]) -> list:
        """Elements whose class or id, ASCII-lower-cased, contains one of ``words``."""
        found = re.compile("|".join(map(re.escape, words))).search
        out: list = []
        for value, _name, lower in self.attributes:
            if found(lower):
                el = value.getparent()
                if not out or out[-1] is not el:    # class and id of one element
                    out.append(el)
        return out


# What readers computed about the last few documents (by root element): the article
# and listing parsers of a page run one after the other on the same tree. Plain lxml
# elements take no weak references, so this is a small table of strong ones.
_RECENT_DOCUMENTS = 8
_recent: OrderedDict = OrderedDict()
_recent_lock = threading.Lock()


def document_memo(root) -> dict:
    """A dict for memoising what is read from the document of ``root`` (kept while the
    document is among the last few looked up)."""
    with _recent_lock:
        memo = _recent.get(root)
        if memo is None:
            memo = _recent[root] = {}
            while len(_recent) > _RECENT_DOCUMENTS:
                _recent.popitem(last=False)
        else:
            _recent.move_to_end(root)
        return memo


def dom_index(root) -> DomIndex:
    """The index of the document whose root element is ``root`` (memoised)."""
    memo = document_memo(root)
    index = memo.get("dom_index")
    if index is None:
        index = memo["dom_index"] = DomIndex(root)
    return index


def scripts(root) -> list[tuple[str | None, str | None, str]]:
    """(type, id, text) of every <script> with content, in document order (memoised):
    the metadata readers (tawsiyat, JSON-LD) look for theirs among them. The HTML
    parser keeps a script's content in one text node, so ``text`` is what XPath's
    ``script/text()`` gives."""
    memo = document_memo(root)
    found = memo.get("scripts")
    if found is None:
        found = memo["scripts"] = [(el.get("type"), el.get("id"), el.text)
                                   for el in root.iter("script") if el.text is not None]
    return found


def descendants_of(elements: Iterable, tag: str) -> list:
    """``tag`` descendants of the elements (CSS ``X tag``), deduplicated, in order."""
    return list(dict.fromkeys(d for el in elements for d in el.iterdescendants(tag)))
