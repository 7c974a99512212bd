"""<meta> tags (OpenGraph, article:*, name=...), <link rel=canonical> and <html lang>."""

from __future__ import annotations

from dataclasses import dataclass, field

from parsel import Selector

from crawler.extract.text import normalize_space


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
    meta = MetaTags()
    for tag in selector.xpath("//meta"):
        content = tag.attrib.get("content")
        if content is None:
            continue
        content = normalize_space(content)
        for attr in ("property", "name", "itemprop"):
            key = tag.attrib.get(attr)
            if key:
                meta.values.setdefault(normalize_space(key).lower(), []).append(content)
    for link in selector.xpath("//link[@href]"):
        rels = (link.attrib.get("rel") or "").lower().split()
        if "canonical" in rels and meta.canonical is None:
            meta.canonical = normalize_space(link.attrib["href"]) or None
    lang = selector.xpath("/html/@lang").get()
    meta.html_lang = normalize_space(lang) or None
    meta.title = normalize_space(" ".join(selector.xpath("//title//text()").getall())) or None
    return meta


def language_code(value: str | None) -> str | None:
    """"en_US" / "en-GB" / "EN" → "en"; None for empty or odd values."""
    value = normalize_space(value).replace("_", "-")
    primary = value.split("-")[0].lower()
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None
