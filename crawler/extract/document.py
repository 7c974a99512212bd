"""One parsed tree per response, shared by every reader of the page.

Scrapy's ``response.selector`` parses with lxml.html, whose elements get their Python
class from a Python callback: every element a reader touches costs about three times
what a plain lxml element costs, and the readers touch hundreds per page (measured:
walking every element of a 75 KB page, 0.16 ms against 0.05 ms). The readers use no
lxml.html element method, so ``html_selector`` gives them a parsel Selector over a
tree parsed by the same libxml2 HTML parser with the same options (parsel's own
``create_root_node``) but with plain elements, built once per response: the article
parser and the listing parser of the spider read the same tree.
"""

from __future__ import annotations

import weakref
from urllib.parse import urljoin, urlsplit

from lxml import etree
from parsel import Selector
from parsel.selector import create_root_node
from scrapy.http import TextResponse, XmlResponse

_SELECTORS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def html_selector(response) -> Selector | None:
    """The page's HTML selector, memoised per response; None for an object that is not
    a Scrapy text response, or is an XML one (read as XML by ``response.selector``)."""
    if not isinstance(response, TextResponse) or isinstance(response, XmlResponse):
        return None
    selector = _SELECTORS.get(response)
    if selector is None:
        root = create_root_node(response.text, etree.HTMLParser, base_url=response.url)
        selector = _SELECTORS[response] = Selector(root=root, type="html")
    return selector


def page_selector(response) -> Selector:
    """The page's HTML selector, one per response (``crawler.extract.document``); for
    an XML response its own selector; for an object with only a text, one from it."""
    selector = html_selector(response)      # (a Selector's truth value serialises it)
    if selector is None:
        selector = getattr(response, "selector", None)
    return selector if selector is not None else Selector(text=response.text)


def link_base(selector, page_url: str) -> str:
    """The URL the page's relative links resolve against: the first ``<base href>`` of
    its head (itself resolved against the page URL, as browsers and Scrapy's
    ``response.urljoin`` do), else the page URL. A base that is not http(s) or does
    not parse is ignored. Only the head is searched: this runs on every page."""
    root = getattr(selector, "root", None)
    head = root.find("head") if isinstance(getattr(root, "tag", None), str) else None
    for element in head.iter("base") if head is not None else ():
        href = element.get("href")
        if href is None:
            continue
        href = "".join(href.split())      # browsers drop ASCII whitespace
        try:
            base = urljoin(page_url, href)
            if href and urlsplit(base).scheme.lower() in ("http", "https"):
                return base
        except ValueError:
            pass
        break
    return page_url
