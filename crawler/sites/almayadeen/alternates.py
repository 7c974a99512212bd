"""The same story in the site's other editions, as the page itself links it.

Evidence only, never a guess from the text: ``<link rel="alternate" hreflang="…">`` in
the head and links marked with ``hreflang`` in the page ("Read in English"), when they
lead to an article (by the URL rules: an edition's home page named as the alternate of
every page is not a sibling) on another origin than the page's own. Canonical form,
document order, the page's own URL left out.
"""

from __future__ import annotations

from crawler.extract.text import normalize_space
from crawler.sites.almayadeen.urls import (
    canonicalize_url, classify_url, join_url, origin, same_origin)

_ALTERNATE_XPATH = ("//link[@hreflang][contains(concat(' ', normalize-space(@rel), ' '), "
                    "' alternate ')] | //a[@hreflang]")


def alternate_urls(selector, base_url: str, own_url: str) -> list[str]:
    out: list[str] = []
    for el in selector.root.xpath(_ALTERNATE_XPATH):
        href = normalize_space(el.get("href"))
        if not href or (el.get("hreflang") or "").strip().lower() == "x-default":
            continue
        try:
            url = canonicalize_url(join_url(base_url, href))
        except ValueError:
            continue
        scheme, host, _port = origin(url)
        if scheme not in ("http", "https") or not host:
            continue
        if url == own_url or same_origin(url, own_url) or same_origin(url, base_url):
            continue           # the page itself, or its own site in its own language
        if classify_url(url, base_url=url) != "article" or url in out:
            continue
        out.append(url)
    return out
