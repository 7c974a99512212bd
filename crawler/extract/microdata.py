"""schema.org microdata (``itemscope``/``itemtype``/``itemprop``): the page's article
item, read into the same shape as a JSON-LD article object (``headline``,
``datePublished``, ``author`` as a list of {"name"}, ``image`` as {"url", "caption"},
...), so that the readers of ``crawler.extract.jsonld`` serve both.

Values follow the microdata rules: ``<meta content>``, ``<a|link href>``,
``<img|audio|video|source src>``, ``<time datetime>``, ``<data|meter value>``, else the
element's text. A nested item (an author Person, an ImageObject) becomes an object of
its own properties and is not read as the article's.

Pure: reads the parsed tree only.
"""

from __future__ import annotations

from urllib.parse import urljoin

from lxml import etree

from crawler.extract.jsonld import ARTICLE_TYPES
from crawler.extract.text import element_text, is_element, normalize_space

_URL_ATTRS = {"a": "href", "link": "href", "area": "href", "img": "src", "audio": "src",
              "video": "src", "source": "src", "embed": "src", "iframe": "src",
              "object": "data"}
_MULTI = frozenset({"author", "keywords", "about", "image"})


def _type_names(el) -> list[str]:
    return [t.rstrip("/").rsplit("/", 1)[-1].lower()
            for t in (el.get("itemtype") or "").split()]


def _value(el, base_url: str):
    tag = el.tag if isinstance(el.tag, str) else ""
    if el.get("itemscope") is not None:
        return _properties(el, base_url)
    if tag == "meta":
        return normalize_space(el.get("content"))
    if tag in _URL_ATTRS:
        raw = normalize_space(el.get(_URL_ATTRS[tag]))
        return urljoin(base_url, raw) if raw else ""
    if tag == "time":
        return normalize_space(el.get("datetime")) or element_text(el)
    if tag in ("data", "meter"):
        return normalize_space(el.get("value"))
    return element_text(el)


def _own_properties(scope):
    """The itemprop elements of ``scope`` that belong to it (not to a nested item)."""
    stack = list(scope)
    while stack:
        el = stack.pop(0)
        if not is_element(el):
            continue
        if el.get("itemprop") is not None:
            yield el
        if el.get("itemscope") is None:
            stack[0:0] = list(el)


def _properties(scope, base_url: str) -> dict:
    found: dict = {"@type": _type_names(scope)}
    for el in _own_properties(scope):
        value = _value(el, base_url)
        if value in ("", None, {}):
            continue
        for name in (el.get("itemprop") or "").split():
            if name in _MULTI:
                found.setdefault(name, []).append(value)
            elif name not in found:
                found[name] = value
    if isinstance(found.get("image"), list):      # ImageObject or URL -> {"url", ...}
        found["image"] = [{"url": i.get("url") or i.get("contentUrl"),
                           "caption": i.get("caption") or i.get("description")}
                          if isinstance(i, dict) else i for i in found["image"]]
    return found


def read_microdata_article(root, base_url: str = "") -> dict | None:
    """The first top-level microdata item of an article type, as a JSON-LD-shaped
    dict, or None."""
    root = getattr(root, "root", root)
    if not is_element(root):
        return None
    for el in _TOP_ITEMS(root):     # (XPath: no Python object per element of the page)
        if any(name in ARTICLE_TYPES for name in _type_names(el)):
            return _properties(el, base_url)
    return None


_TOP_ITEMS = etree.XPath("//*[@itemscope][@itemtype][not(@itemprop)]")
