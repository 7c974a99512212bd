"""The next page of a listing, whatever the pagination looks like.

Evidence, best first: <link rel="next">, <a rel="next">, a "Load more" / "More" /
"Next ›" / "»" control (by class, text, title or aria-label; its href, or its
data-page / data-next-page / data-href / data-url), then a numbered pagination's
link to the current page number + 1. Pages are numbered by "?page=N" or "/page/N"
(a control's bare data-page follows the current URL's form). A "next" page that is
the current page again, or an earlier page of the same listing (pagination that wraps
back to page 1), is no next page.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from lxml import etree

from crawler.extract.text import element_text, normalize_space
from crawler.sites.almayadeen.urls import canonicalize_url, same_origin

_NEXT_TEXT_RE = re.compile(
    r"^(?:(?:load|show|see|view|read)\s+more(?:\s+\w+)?|more(?:\s+(?:news|stories|articles"
    r"|posts|results|items))?|next(?:\s+page)?|older(?:\s+\w+)?|›|»|>|→|>>|›|⟩|⇢|▶)$",
    re.I)
_EDGE_ARROWS_RE = re.compile(r"^[\s›»>→⟩⇢▶«‹<←.…]+|[\s›»>→⟩⇢▶«‹<←.…]+$")
_LOAD_MORE_CLASS_RE = re.compile(
    r"load[-_]?more|show[-_]?more|pagination[-_]?next|next[-_]?page|page[-_]?next|"
    r"infinite[-_]?scroll|more[-_]?(?:btn|button)", re.I)
_NEXT_CLASS_RE = re.compile(r"(?:^|\s)(?:next|nextpostslink)(?:\s|$)", re.I)
_PAGE_QUERY_RE = re.compile(r"[?&](?:page|pg|paged)=(\d+)", re.I)
_PAGE_PATH_RE = re.compile(r"/page/(\d+)/?$", re.I)
_DATA_HREFS = ("data-href", "data-url", "data-next-url", "data-next-href", "data-link")
_DATA_PAGES = ("data-page", "data-next-page", "data-nextpage", "data-next")
_REL_NEXT = "[contains(concat(' ', normalize-space(@rel), ' '), ' next ')]/@href"
_LINK_REL_NEXT = etree.XPath("//link" + _REL_NEXT)


def page_number(url: str) -> tuple[str, int]:
    """(the listing's URL without its page number, the page number: 1 when none)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url, 1
    number = 1
    path = parts.path
    found = _PAGE_PATH_RE.search(path)
    if found:
        number, path = int(found.group(1)), path[:found.start()] or "/"
    query = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key.lower() in ("page", "pg", "paged") and value.strip().isdigit():
            number = int(value)
        else:
            query.append((key, value))
    base = urlunsplit((parts.scheme, parts.netloc.lower(), path.rstrip("/") or "/",
                       urlencode(query), ""))
    return base, number


def with_page(url: str, page: int) -> str:
    """The URL of page ``page`` of the listing ``url`` is a page of, in its form."""
    parts = urlsplit(url)
    if _PAGE_PATH_RE.search(parts.path):
        path = _PAGE_PATH_RE.sub(f"/page/{page}", parts.path)
        return urlunsplit(parts._replace(path=path))
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "page"]
    query.append(("page", str(page)))
    return urlunsplit(parts._replace(query=urlencode(query)))


def _says_next(el) -> bool:
    for text in (element_text(el), el.get("aria-label"), el.get("title")):
        text = normalize_space(text)
        if text and (_NEXT_TEXT_RE.match(text)
                     or _NEXT_TEXT_RE.match(_EDGE_ARROWS_RE.sub("", text) or text)):
            return True
    return False


def _is_pagination_href(href: str) -> bool:
    return bool(_PAGE_QUERY_RE.search(href) or "/page/" in href)


def _control_targets(el, current: int) -> list[tuple[str, bool]]:
    """(href, is a page number) a load-more/next control leads to."""
    href = el.get("href") or ""
    if el.tag == "a" and href.strip() and not href.strip().startswith(("#", "javascript:")):
        return [(href, False)]
    for attr in _DATA_HREFS:
        value = (el.get(attr) or "").strip()
        if value and not value.startswith(("#", "javascript:")):
            return [(value, False)]
    for attr in _DATA_PAGES:
        value = (el.get(attr) or "").strip()
        if value.isdigit():
            return [(str(max(int(value), current + 1)), True)]
        if value and not value.startswith(("#", "javascript:")) and (
                "/" in value or "?" in value):
            return [(value, False)]
    return []


def _candidates(root, current: int) -> list[tuple[str, bool]]:
    """(href or page number, is a page number), best evidence first."""
    rel_links = [(str(href), False) for href in _LINK_REL_NEXT(root)]
    rel_a, controls, numbered = [], [], []
    for el in root.iter("a", "button"):
        href = el.get("href")
        rel = el.get("rel")
        if href and rel and " next " in f" {normalize_space(rel).lower()} ":
            rel_a.append((href, False))
            continue
        css = el.get("class", "")
        paged = href is not None and _is_pagination_href(href)
        if _LOAD_MORE_CLASS_RE.search(css) or (_NEXT_CLASS_RE.search(css) and (
                paged or not href or _says_next(el))):
            controls.extend(_control_targets(el, current))
        elif (el.tag == "button" or href is None or paged or any(
                el.get(a) for a in _DATA_PAGES + _DATA_HREFS)) and _says_next(el):
            controls.extend(_control_targets(el, current))
        elif paged and element_text(el).isdigit():
            numbered.append((href, int(element_text(el))))
    wanted = [(href, False) for href, shown in numbered if shown == current + 1]
    return rel_links + rel_a + controls + wanted


def find_next_page(selector, page_url: str, base: str | None = None) -> str | None:
    """``base``: what a relative link resolves against (<base href>; the page URL)."""
    root = selector.root
    own = canonicalize_url(page_url)
    base, current = page_number(own)
    for target, is_number in _candidates(root, current):
        target = normalize_space(target)
        if not target:
            continue
        if is_number:
            url = canonicalize_url(with_page(page_url, int(target)))
        else:
            url = canonicalize_url(urljoin(base or page_url, target))
        if url == own or not same_origin(url, page_url):
            continue
        next_base, number = page_number(url)
        if next_base == base and number <= current:
            continue            # the same page again, or back to an earlier one
        return url
    return None
