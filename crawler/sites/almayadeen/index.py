"""Index pages (home, section, region): the article links they list, in order, and
the next page of the listing. Works on any page (an article's Most Read / Read Next
cards are listings too)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from crawler.extract.document import link_base
from crawler.extract.text import element_text, normalize_space
from crawler.sites.almayadeen.menus import chrome
from crawler.sites.almayadeen.navigation import (  # noqa: F401  (re-exported)
    FALLBACK_MENU, Menu, fallback_menu, page_selector, parse_breaking, parse_menu,
    read_breaking, read_menu)
from crawler.sites.almayadeen.pagination import find_next_page
from crawler.sites.almayadeen.urls import (
    NON_INDEX_SEGMENTS, canonicalize_url, classify_url, join_url, onto_origin, same_origin,
    same_site)

__all__ = ["FALLBACK_MENU", "IndexPage", "Menu", "parse_breaking", "parse_index",
           "parse_menu"]

# Query parameters of links that are a page's share/print/reply variant, not a listing.
_VARIANT_PARAMS = frozenset({"share", "replytocom", "print", "amp", "output", "action"})
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


@dataclass
class IndexPage:
    article_links: list[str] = field(default_factory=list)   # canonical, in page order
    next_page: str | None = None
    menu: Menu = field(default_factory=Menu)
    breaking: list[str] = field(default_factory=list)
    # The text of each article link (a card's title), by link; absent when empty.
    link_titles: dict[str, str] = field(default_factory=dict)
    # Card headline links the URL rules cannot place (neither article nor index nor a
    # known non-article path): fetched, and judged by the page itself.
    unplaced_links: list[str] = field(default_factory=list)


@lru_cache(maxsize=8192)
def discovery_url(url: str, page_url: str) -> str:
    """A canonical link as the crawl requests it: on the page's origin when it names the
    same site another way (``urls.same_site``: http/https, a "www." prefix)."""
    if same_origin(url, page_url) or not same_site(url, page_url):
        return url
    return onto_origin(url, page_url)


def _without_trailing_slash(url: str) -> str:
    parts = urlsplit(url)
    if len(parts.path) > 1 and parts.path.endswith("/"):
        return urlunsplit(parts._replace(path=parts.path.rstrip("/") or "/"))
    return url


def _is_variant(url: str) -> bool:
    query = urlsplit(url).query
    return bool(query) and any(key.lower() in _VARIANT_PARAMS
                               for key, _ in parse_qsl(query, keep_blank_values=True))


def _link_title(a) -> str:
    """A link's text; the heading's alone when the link wraps a card (label, title,
    date)."""
    for heading in a.iter(*_HEADINGS):
        text = element_text(heading)
        if text:
            return text
    return element_text(a)


def _card_title(a, url: str, page_url: str, index_paths, base: str) -> str:
    """For a link without text (an image): the heading of its card (an ancestor
    holding no other article link), else the image's alt, title or aria-label."""
    node = a
    for _level in range(4):
        node = node.getparent()
        if node is None or node.tag in ("body", "main", "ul", "ol"):
            break
        others = {h for h in (x.get("href") for x in node.iter("a")) if h}
        if any(canonicalize_url(discovery_url(canonicalize_url(join_url(base, h)),
                                              page_url)).rstrip("/") != url
               and classify_url(join_url(base, h), index_paths, page_url) == "article"
               for h in others):
            break
        for heading in node.iter(*_HEADINGS):
            text = element_text(heading)
            if text:
                return text
    for img in a.iter("img"):
        if normalize_space(img.get("alt")):
            return normalize_space(img.get("alt"))
    return normalize_space(a.get("title") or a.get("aria-label"))


def _is_card_headline(a) -> bool:
    """A link that is (or holds) a heading: how a listing card shows its story."""
    if next(a.iter(*_HEADINGS), None) is not None:
        return True
    return any(p.tag in _HEADINGS for p in a.iterancestors())


def _unplaced(url: str) -> bool:
    segments = urlsplit(url).path.strip("/").split("/")
    return bool(segments[0]) and segments[0].lower() not in NON_INDEX_SEGMENTS


def find_article_links(selector, page_url: str, index_paths: frozenset[str],
                       excluded: list, titles: dict[str, str] | None = None,
                       base: str | None = None,
                       unplaced: list[str] | None = None) -> list[str]:
    """Article-like, same-origin links outside the page chrome, canonical, in order.
    ``base``: what relative links resolve against (the page's <base href>; default
    the page URL). ``unplaced``: filled with the card headline links the URL rules
    cannot place (``IndexPage.unplaced_links``).
    ``titles``: filled with the first non-empty link text of each link (for a link
    on an image only, its card's heading or the image's alt text)."""
    root = selector.root
    base = base or page_url
    # links inside the chrome or an excluded box (menus, ticker): one walk per box
    inside_excluded = {a for box in list(excluded) + chrome(root)
                       for a in box.iterdescendants("a")}
    links: list[str] = []
    listed: set[str] = set()
    untitled: dict[str, object] = {}
    own_url = _without_trailing_slash(discovery_url(canonicalize_url(page_url), page_url))
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")) \
                or a in inside_excluded:
            continue
        url = discovery_url(canonicalize_url(join_url(base, href)), page_url)
        if not same_origin(url, page_url):
            continue
        url = _without_trailing_slash(url)
        if url in listed or url == own_url or _is_variant(url):
            pass
        elif (kind := classify_url(url, index_paths, base_url=page_url)) == "article":
            links.append(url)
            listed.add(url)
        elif kind == "other" and unplaced is not None and url not in unplaced \
                and _unplaced(url) and _is_card_headline(a):
            unplaced.append(url)
        if titles is not None and url in listed and url not in titles:
            text = _link_title(a)
            if text:
                titles[url] = text
                untitled.pop(url, None)
            else:
                untitled.setdefault(url, a)
    for url, a in untitled.items():
        text = _card_title(a, url, page_url, index_paths, base)
        if text and titles is not None:
            titles[url] = text
    return links


def parse_index(response, *, pagination: bool = True,
                edition: str | None = None) -> IndexPage:
    """Links, next page, menus and breaking ticker of a listing page. Never raises on a
    broken page: whatever could not be read is empty (the menu falls back to SITE.md's,
    or ``edition``'s guessed one). ``pagination=False``: no next page is looked for (an
    article page has none; the search walks every link of the page)."""
    try:
        selector = page_selector(response)
        root = selector.root
        if root is None or not isinstance(getattr(root, "tag", None), str):
            raise ValueError("no HTML document")
    except (AttributeError, ValueError, TypeError):
        return IndexPage(menu=fallback_menu(response.url, edition))
    menu, menu_elements = read_menu(selector, response.url, edition)
    breaking, ticker = read_breaking(selector)
    excluded = menu_elements + ([ticker] if ticker is not None else [])
    titles: dict[str, str] = {}
    unplaced: list[str] = []
    base = link_base(selector, response.url)
    return IndexPage(
        article_links=find_article_links(selector, response.url, menu.index_paths(), excluded,
                                         titles, base, unplaced),
        link_titles=titles,
        unplaced_links=unplaced,
        next_page=find_next_page(selector, response.url, base) if pagination else None,
        menu=menu,
        breaking=breaking,
    )
