"""Index pages (home, section, region): the article links they list, in order, and
the next page of the listing. Works on any page (an article's Most Read / Read Next
cards are listings too)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from lxml import etree

from crawler.extract.text import element_text, normalize_space
from crawler.sites.almayadeen.navigation import (  # noqa: F401  (re-exported)
    FALLBACK_MENU, Menu, fallback_menu, page_selector, parse_breaking, parse_menu,
    read_breaking, read_menu)
from crawler.sites.almayadeen.urls import (
    canonicalize_url, classify_url, join_url, same_origin)

__all__ = ["FALLBACK_MENU", "IndexPage", "Menu", "parse_breaking", "parse_index",
           "parse_menu"]

# Page chrome whose links are navigation, not listings.
_CHROME_XPATH = ("//header | //nav | //footer | //*[@role='navigation' or @role='banner'"
                 " or @role='contentinfo']")
_CHROME = etree.XPath(_CHROME_XPATH)
_NEXT_TEXT_RE = re.compile(r"^(?:load\s+more|more|next(?:\s+page)?|older(?:\s+\w+)?|"
                           r"show\s+more|›|»|>|→)$", re.I)
_LOAD_MORE_CLASS_RE = re.compile(r"load[-_]?more|pagination[-_]?next|next[-_]?page", re.I)


@dataclass
class IndexPage:
    article_links: list[str] = field(default_factory=list)   # canonical, in page order
    next_page: str | None = None
    menu: Menu = field(default_factory=Menu)
    breaking: list[str] = field(default_factory=list)
    # The text of each article link (a card's title), by link; absent when empty.
    link_titles: dict[str, str] = field(default_factory=dict)


def _with_page(url: str, page: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "page"]
    query.append(("page", page))
    return urlunsplit(parts._replace(query=urlencode(query)))


_REL_NEXT = "[contains(concat(' ', normalize-space(@rel), ' '), ' next ')]/@href"
_LINK_REL_NEXT = etree.XPath("//link" + _REL_NEXT)
_A_REL_NEXT = etree.XPath("//a" + _REL_NEXT)
_PAGE_PARAM_RE = re.compile(r"[?&]page=\d+")


def _next_page_candidates(selector) -> list[str]:
    """Hrefs that may lead to the next page, best evidence first."""
    root = selector.root
    found = [str(href) for href in _LINK_REL_NEXT(root)]
    found += [str(href) for href in _A_REL_NEXT(root)]
    for el in root.iter("a", "button"):
        if not _LOAD_MORE_CLASS_RE.search(el.get("class", "")):
            continue
        href = el.get("href") or el.get("data-href") or el.get("data-url")
        if href and not href.strip().startswith(("#", "javascript:")):
            found.append(href)
        elif (el.get("data-page") or "").strip().isdigit():
            found.append("?page=" + el.get("data-page").strip())
    for a in root.iter("a"):
        href = a.get("href")
        # the cheap test first: most links carry no ?page=N
        if href is not None and _PAGE_PARAM_RE.search(href) and _NEXT_TEXT_RE.match(
                element_text(a)):
            found.append(href)
    return found


def find_next_page(selector, page_url: str) -> str | None:
    current = canonicalize_url(page_url)
    for href in _next_page_candidates(selector):
        href = normalize_space(href)
        if not href:
            continue
        if href.startswith("?page="):
            url = canonicalize_url(_with_page(page_url, href.split("=", 1)[1]))
        else:
            url = canonicalize_url(urljoin(page_url, href))
        if url != current and same_origin(url, page_url):
            return url
    return None


def find_article_links(selector, page_url: str, index_paths: frozenset[str],
                       excluded: list, titles: dict[str, str] | None = None) -> list[str]:
    """Article-like, same-origin links outside the page chrome, canonical, in order.
    ``titles``: filled with the first non-empty link text of each link."""
    root = selector.root
    # links inside the chrome or an excluded box (menus, ticker): one walk per box
    inside_excluded = {a for box in list(excluded) + _CHROME(root)
                       for a in box.iterdescendants("a")}
    links: list[str] = []
    listed: set[str] = set()
    own_url = canonicalize_url(page_url)
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")) or a in inside_excluded:
            continue
        url = canonicalize_url(join_url(page_url, href))
        if (url not in listed and url != own_url and same_origin(url, page_url)
                and classify_url(url, index_paths, base_url=page_url) == "article"):
            links.append(url)
            listed.add(url)
        if titles is not None and url in listed and url not in titles:
            text = element_text(a)
            if text:
                titles[url] = text
    return links


def parse_index(response) -> IndexPage:
    """Links, next page, menus and breaking ticker of a listing page. Never raises on a
    broken page: whatever could not be read is empty (the menu falls back to SITE.md's)."""
    try:
        selector = page_selector(response)
        root = selector.root
        if root is None or not isinstance(getattr(root, "tag", None), str):
            raise ValueError("no HTML document")
    except (AttributeError, ValueError, TypeError):
        return IndexPage(menu=fallback_menu(response.url))
    menu, menu_elements = read_menu(selector, response.url)
    breaking, ticker = read_breaking(selector)
    excluded = menu_elements + ([ticker] if ticker is not None else [])
    titles: dict[str, str] = {}
    return IndexPage(
        article_links=find_article_links(selector, response.url, menu.index_paths(), excluded,
                                         titles),
        link_titles=titles,
        next_page=find_next_page(selector, response.url),
        menu=menu,
        breaking=breaking,
    )
