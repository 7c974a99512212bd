"""<meta> tags (OpenGraph, article:*, name=...), <link rel=canonical> and <html lang>."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree
from parsel import Selector

from crawler.extract.dom import document_memo
from crawler.extract.text import first_string, is_element, normalize_space


@dataclass
class MetaTags:
    """All meta values by lower-cased property/name/itemprop, in document order."""
    values: dict[str, list[str]] = field(default_factory=dict)
    canonical: str | None = None
    html_lang: str | None = None
    title: str | None = None          # the <title> element's text

    def get(self, *names: str) -> str | None:
        """The first non-empty value of the first name that has one."""
        for name in names:
            for value in self.values.get(name.lower(), ()):
                if value:
                    return value
        return None

    def get_all(self, name: str) -> list[str]:
        """Every non-empty value of a multi-valued tag (article:tag), in order."""
        return [v for v in self.values.get(name.lower(), ()) if v]


def read_meta(selector: Selector) -> MetaTags:
    """The page's meta tags, read once per document (``document_memo``: the page check
    and the field readers all ask); shared, so readers never modify them."""
    root = selector.root
    if not is_element(root):
        return _read_meta(selector, root)
    memo = document_memo(root)
    found = memo.get("meta_tags")
    if found is None:
        found = memo["meta_tags"] = _read_meta(selector, root)
    return found


def _read_meta(selector: Selector, root) -> MetaTags:
    meta = MetaTags()
    # root.iter(tag) walks the tree in C: //meta and //link[@href] without a Selector
    # object per element.
    for tag in root.iter("meta") if is_element(root) else ():
        content = tag.get("content")
        if content is None:
            continue
        content = normalize_space(content)
        for attr in ("property", "name", "itemprop"):
            key = tag.get(attr)
            if key:
                meta.values.setdefault(normalize_space(key).lower(), []).append(content)
    for link in root.iter("link") if is_element(root) else ():
        href = link.get("href")
        if href is None:
            continue
        rels = (link.get("rel") or "").lower().split()
        if "canonical" in rels and meta.canonical is None:
            meta.canonical = normalize_space(href) or None
    if is_element(root):
        lang, titles = first_string(_HTML_LANG(root)), _TITLE_TEXT(root)
    else:
        lang = selector.xpath("/html/@lang").get()
        titles = selector.xpath("//title//text()").getall()
    meta.html_lang = normalize_space(lang) or None
    meta.title = normalize_space(" ".join(titles)) or None
    return meta


_HTML_LANG = etree.XPath("/html/@lang", smart_strings=False)
_TITLE_TEXT = etree.XPath("//title//text()", smart_strings=False)


_LANGUAGE_NAMES = {"english": "en", "arabic": "ar", "spanish": "es", "español": "es",
                   "espanol": "es", "french": "fr", "français": "fr"}


def language_code(value: str | None) -> str | None:
    """"en_US" / "en-GB" / "EN" → "en"; None for empty or odd values."""
    value = normalize_space(value).replace("_", "-")
    primary = value.split("-")[0].lower()
    primary = _LANGUAGE_NAMES.get(primary, primary)    # schema.org inLanguage: "English"
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None
