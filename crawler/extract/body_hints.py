"""What a page's metadata says about its article, for the generic body reader.

``Hints`` (headlines, descriptions, the JSON-LD articleBody) let the reader recognise
the header repeated above the text and check a structured body against the page.
``page_tree`` parses a page once, the way trafilatura reads it.
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
from crawler.extract.text import element_text, is_element, normalize_space

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



def page_tree(page):
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
