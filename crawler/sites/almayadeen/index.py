"""Index pages (home, section, region): the article links they list, in order, and
the next page of the listing. Works on any page (an article's Most Read / Read Next
cards are listings too)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from crawler.extract.text import element_text, normalize_space
from crawler.sites.almayadeen.navigation import (  # noqa: F401  (re-exported)
    FALLBACK_MENU, Menu, fallback_menu, page_selector, parse_breaking, parse_menu,
    read_breaking, read_menu)
from crawler.sites.almayadeen.urls import canonicalize_url, classify_url, same_origin

__all__ = ["FALLBACK_MENU", "IndexPage", "Menu", "parse_breaking", "parse_index",
           "parse_menu"]

# Page chrome whose links are navigation, not listings.
_CHROME_XPATH = ("//header | //nav | //footer | //*[@role='navigation' or @role='banner'"
                 " or @role='contentinfo']")
_NEXT_TEXT_RE = re.compile(r"^(?:load\s+more|more|next(?:\s+page)?|older(?:\s+\w+)?|"
                           r"show\s+more|›|»|>|→)$", re.I)
_LOAD_MORE_CLASS_RE = re.compile(r"load[-_]?more|pagination[-_]?next|next[-_]?page", re.I)


@dataclass
class IndexPage:
    article_links: list[str] = field(default_factory=list)   # canonical, in page order
    next_page: str | None = None
    menu: Menu = field(default_factory=Menu)
    breaking: list[str] = field(default_factory=list)


def _with_page(url: str, page: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "page"]
    query.append(("page", page))
    return urlunsplit(parts._replace(query=urlencode(query)))


def _next_page_candidates(selector) -> list[str]:
    """Hrefs that may lead to the next page, best evidence first."""
    found = selector.xpath("//link[contains(concat(' ', normalize-space(@rel), ' '),"
                           " ' next ')]/@href").getall()
    found += selector.xpath("//a[contains(concat(' ', normalize-space(@rel), ' '),"
                            " ' next ')]/@href").getall()
    for el in selector.xpath("//a | //button"):
        if not _LOAD_MORE_CLASS_RE.search(el.attrib.get("class", "")):
            continue
        href = el.attrib.get("href") or el.attrib.get("data-href") or el.attrib.get("data-url")
        if href and not href.strip().startswith(("#", "javascript:")):
            found.append(href)
        elif (el.attrib.get("data-page") or "").strip().isdigit():
            found.append("?page=" + el.attrib["data-page"].strip())
    for a in selector.xpath("//a[@href]"):
        href = a.attrib["href"]
        if _NEXT_TEXT_RE.match(element_text(a.root)) and re.search(r"[?&]page=\d+", href):
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


def _inside(el, excluded: list) -> bool:
    return any(node in excluded for node in el.iterancestors())


def find_article_links(selector, page_url: str, index_paths: frozenset[str],
                       excluded: list) -> list[str]:
    """Article-like, same-origin links outside the page chrome, canonical, in order."""
    excluded = list(excluded) + selector.root.xpath(_CHROME_XPATH)
    links: list[str] = []
    own_url = canonicalize_url(page_url)
    for a in selector.root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")) or _inside(a, excluded):
            continue
        url = canonicalize_url(urljoin(page_url, href))
        if (url not in links and url != own_url and same_origin(url, page_url)
                and classify_url(url, index_paths, base_url=page_url) == "article"):
            links.append(url)
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
    return IndexPage(
        article_links=find_article_links(selector, response.url, menu.index_paths(), excluded),
        next_page=find_next_page(selector, response.url),
        menu=menu,
        breaking=breaking,
    )
