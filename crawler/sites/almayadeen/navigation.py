"""The site's navigation, read from any page: main menu, regions menu, breaking ticker.

Menus are found by their structure (a list whose items carry sub-lists of links; a
list of links to region pages) and link patterns, not by the reference's class names,
so that a redesign keeps working. SITE.md's list is the fallback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from urllib.parse import urljoin

from lxml import etree
from parsel import Selector

from crawler.extract.document import html_selector
from crawler.extract.dom import document_memo, dom_index
from crawler.extract.text import element_text, normalize_space
from crawler.sites.almayadeen.urls import canonicalize_url, path_key, same_origin


@dataclass
class Menu:
    # (category, section name, url): ("News", "Politics", ".../news/politics"); a
    # top-level item without sub-menu is (name, name, url): ("Infographs", "Infographs", …)
    sections: list[tuple[str, str, str]] = field(default_factory=list)
    regions: list[tuple[str, str]] = field(default_factory=list)   # (name, url)
    from_fallback: bool = False      # True when SITE.md's list stood in for the page's

    def index_paths(self) -> frozenset[str]:
        """Paths of every index page the menu names (for classify_url)."""
        urls = [u for _, _, u in self.sections] + [u for _, u in self.regions]
        return frozenset(path_key(u) for u in urls)

    def category_for_path(self, path: str) -> str | None:
        """The menu category whose pages live under the path's first segment."""
        first = _first_segment(path)
        for category, _name, url in self.sections:
            if first and _first_segment(url) == first:
                return category
        return None

    def section_for_path(self, path: str) -> str | None:
        """The menu section whose index is the path's first two segments."""
        segments = path_key(path).strip("/").split("/")
        if len(segments) < 2:
            return None
        wanted = "/" + "/".join(segments[:2])
        for _category, name, url in self.sections:
            if path_key(url) == wanted:
                return name
        return None

    def section_named(self, name: str | None) -> str | None:
        """The menu's spelling of a section name ("arts & culture" → "Arts&Culture")."""
        key = _name_key(name)
        for _category, section, _url in self.sections:
            if key and _name_key(section) == key:
                return section
        return None

    def category_named(self, name: str | None) -> str | None:
        key = _name_key(name)
        for category, _section, _url in self.sections:
            if key and _name_key(category) == key:
                return category
        return None


def page_selector(response) -> Selector:
    """The page's HTML selector, one per response (``crawler.extract.document``); for
    an XML response its own selector; for an object with only a text, one from it."""
    selector = html_selector(response)      # (a Selector's truth value serialises it)
    if selector is None:
        selector = getattr(response, "selector", None)
    return selector if selector is not None else Selector(text=response.text)


def _first_segment(url_or_path: str) -> str:
    return path_key(url_or_path).strip("/").split("/")[0]


def _name_key(name: str | None) -> str:
    return re.sub(r"[^0-9a-z]+", "", normalize_space(name).lower().replace("&", "and"))


# SITE.md's menus (certain), with index paths guessed from the reference pages.
_FALLBACK_SECTIONS = [
    ("News", ["Politics", "Economy", "Sports", "Arts&Culture", "Health", "Miscellaneous",
              "Technology", "Environment"]),
    ("Articles", ["Opinion", "Analysis", "Blog", "Features"]),
    ("Videos", ["NewsFeed", "Video Features", "Explainers", "TV", "Digital Series"]),
]
_FALLBACK_TOP_LEVEL = ["Infographs", "In Pictures"]
_FALLBACK_REGIONS = ["Africa", "Asia", "Asia-Pacific", "Europe", "Latin America", "MENA",
                     "Palestine", "US & Canada"]


def _slug(name: str) -> str:
    return re.sub(r"-+", "-", re.sub(r"[^0-9a-z]+", "-", name.lower())).strip("-")


FALLBACK_MENU = Menu(
    sections=[(category, name, f"/{_slug(category)}/{_slug(name)}")
              for category, names in _FALLBACK_SECTIONS for name in names]
    + [(name, name, f"/{_slug(name)}") for name in _FALLBACK_TOP_LEVEL],
    regions=[(name, f"/regions/{_slug(name)}") for name in _FALLBACK_REGIONS],
    from_fallback=True,
)
KNOWN_REGION_NAMES = frozenset(n.lower() for n in _FALLBACK_REGIONS)
_LIVE_RE = re.compile(r"\blive\b", re.I)


def fallback_menu(base_url: str) -> Menu:
    """FALLBACK_MENU with absolute URLs on the base URL's origin."""
    absolute = lambda u: canonicalize_url(urljoin(base_url, u))  # noqa: E731
    return Menu([(c, n, absolute(u)) for c, n, u in FALLBACK_MENU.sections],
                [(n, absolute(u)) for n, u in FALLBACK_MENU.regions], from_fallback=True)


# -- structure ---------------------------------------------------------------------------

def _own_link(li):
    """The item's own link: the first <a> not inside a nested list."""
    for a in li.iter("a"):
        node, nested = a.getparent(), False
        while node is not None and node is not li:
            if node.tag in ("ul", "ol"):
                nested = True
                break
            node = node.getparent()
        if not nested:
            return a
    return None


_HAS_LINK = etree.XPath("boolean(.//a[@href])")       # compiled once


def _sub_list(li):
    for el in li.iter("ul", "ol"):
        if el is not li and _HAS_LINK(el):
            return el
    return None


# Lists nested in a list item: only a list one of whose items holds one can score in
# find_main_menu (found in C; the page's other lists are never looked at).
_NESTED_LISTS = etree.XPath("descendant-or-self::li//ul | descendant-or-self::li//ol")


def find_main_menu(root):
    """The list whose items carry the most sub-lists of links (at least two)."""
    candidates = set()
    for nested in _NESTED_LISTS(root):
        for li in nested.iterancestors("li"):
            parent = li.getparent()
            if parent is not None and parent.tag in ("ul", "ol"):
                candidates.add(parent)
    best, best_score = None, 1
    for ul in root.iter("ul", "ol") if candidates else ():
        if ul not in candidates:
            continue
        score = sum(1 for li in ul if li.tag == "li" and _sub_list(li) is not None)
        if score > best_score:
            best, best_score = ul, score
    return best


def _links(el, base_url: str) -> list[tuple[str, str]]:
    out = []
    for a in el.iter("a"):
        name, href = element_text(a), (a.get("href") or "").strip()
        if not name or not href or href.startswith(("#", "javascript:")):
            continue
        url = canonicalize_url(urljoin(base_url, href))
        if same_origin(url, base_url):
            out.append((name, url))
    return out


def _is_live(name: str, url: str) -> bool:
    return bool(_LIVE_RE.search(name)) or _first_segment(url) == "live"


def _label(li) -> str:
    """A sub-menu's title when it is not a link: the item's own text or first child's."""
    if normalize_space(li.text):
        return normalize_space(li.text)
    for child in li:
        if isinstance(child.tag, str) and child.tag not in ("ul", "ol"):
            text = element_text(child)
            if text and not child.xpath(".//ul | .//ol"):
                return text
    return ""


def _sections_from_list(ul, base_url: str) -> list[tuple[str, str, str]]:
    sections: list[tuple[str, str, str]] = []
    for li in ul:
        if li.tag != "li":
            continue
        own, sub = _own_link(li), _sub_list(li)
        name = element_text(own) if own is not None else ""
        if sub is not None:
            category = name or _label(li)
            for section, url in _links(sub, base_url):
                if category and not _is_live(section, url):
                    sections.append((category, section, url))
        elif own is not None and name:
            url = canonicalize_url(urljoin(base_url, (own.get("href") or "").strip()))
            if (same_origin(url, base_url) and path_key(url) != "/"
                    and not _is_live(name, url)):
                sections.append((name, name, url))
    return _dedupe(sections)


def _sections_from_patterns(root, base_url: str) -> list[tuple[str, str, str]]:
    """No nested menu: group header/nav links by their first path segment."""
    areas = root.xpath("//header | //nav | //*[@role='navigation']")
    pairs = [pair for area in areas for pair in _links(area, base_url)]
    categories = {_first_segment(u): n for n, u in pairs if len(path_key(u).split("/")) == 2}
    sections = []
    for name, url in pairs:
        segments = path_key(url).strip("/").split("/")
        if len(segments) == 2 and segments[0] in categories and segments[0] not in {
                "regions", "region", "tags", "authors"}:
            sections.append((categories[segments[0]], name, url))
    return _dedupe(sections)


def _find_regions_element(root, main_menu):
    # //*[contains(translate(@class, 'REGION', 'region'), 'region') or (the same of @id)]
    for el in dom_index(root).attr_contains(("region",)):
        if len(el.xpath(".//a[@href]")) >= 2 and (
                main_menu is None or el not in main_menu.iterancestors()):
            return el
    best, best_hits = None, 2
    for ul in root.iter("ul", "ol"):
        if main_menu is not None and (ul is main_menu or main_menu in ul.iterancestors()):
            continue
        names = [element_text(a) for a in ul.iter("a")]
        hits = sum(1 for n in names if n.lower() in KNOWN_REGION_NAMES)
        hits += sum(1 for a in ul.iter("a") if _first_segment(a.get("href") or "")
                    in {"regions", "region"})
        if hits > best_hits:
            best, best_hits = ul, hits
    return best


def _dedupe(entries: list) -> list:
    seen, out = set(), []
    for entry in entries:
        if entry not in seen:
            seen.add(entry)
            out.append(entry)
    return out


# The menus are the same on every page of a site: what is read from a menu element
# is memoised by the element's markup (and what its links are joined to), in a small
# table emptied when full.
_MEMO_SIZE = 64
_MENU_MEMO: dict[tuple, list] = {}


def _join_key(el, base_url: str) -> str:
    """What joining the element's hrefs depends on: the base URL's origin when every
    href is absolute or root-relative, else the whole base URL."""
    for a in el.iter("a"):
        href = (a.get("href") or "").strip()
        if not href.startswith(("/", "http://", "https://")):
            return base_url
    scheme, empty, netloc, *_rest = base_url.split("/", 3) + ["", ""]
    return f"{scheme}//{netloc}" if scheme.endswith(":") and not empty else base_url


def _memoised(read, el, base_url: str) -> list:
    """``read(el, base_url)``, memoised by the element's markup and ``_join_key``."""
    key = (read.__name__, etree.tostring(el, with_tail=False), _join_key(el, base_url))
    found = _MENU_MEMO.get(key)
    if found is None:
        found = read(el, base_url)
        if len(_MENU_MEMO) >= _MEMO_SIZE:
            _MENU_MEMO.clear()
        _MENU_MEMO[key] = found
    return list(found)


def read_menu(selector: Selector, base_url: str) -> tuple[Menu, list]:
    """The menu and the elements it was read from (to leave them out of link lists)."""
    root = selector.root
    if root is None or not isinstance(getattr(root, "tag", None), str):
        return fallback_menu(base_url), []
    # per document: the article parser and the listing parser both read it
    memo = document_memo(root)
    key = ("menu", base_url)
    if key not in memo:
        memo[key] = _read_menu(root, base_url)
    menu, elements = memo[key]
    return replace(menu, sections=list(menu.sections), regions=list(menu.regions)), \
        list(elements)


def _read_menu(root, base_url: str) -> tuple[Menu, list]:
    main_menu = find_main_menu(root)
    sections = _memoised(_sections_from_list, main_menu, base_url) \
        if main_menu is not None else []
    if not sections:
        sections = _sections_from_patterns(root, base_url)
    regions_el = _find_regions_element(root, main_menu)
    regions = _dedupe(_memoised(_links, regions_el, base_url)) if regions_el is not None else []
    if sections and regions:
        menu = Menu(sections, regions)
    else:
        fallback = fallback_menu(base_url)
        menu = Menu(sections or fallback.sections, regions or fallback.regions,
                    from_fallback=True)
    return menu, [el for el in (main_menu, regions_el) if el is not None]


def parse_menu(response) -> Menu:
    """The page's main and regions menus (absolute canonical URLs); SITE.md's list for a
    part the page does not show (then menu.from_fallback is True)."""
    try:
        return read_menu(page_selector(response), response.url)[0]
    except (AttributeError, ValueError, TypeError):
        return fallback_menu(response.url)


# -- breaking ticker ----------------------------------------------------------------------

_BREAKING_LABEL_RE = re.compile(r"^(?:breaking(?: news)?|urgent|عاجل)\s*:?$", re.I)


_LOWER = "translate({}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
_TICKER_WORDS = ("breaking", "ticker", "urgent")
_TICKER_XPATH = "//*[{}]".format(" or ".join(
    f"contains({_LOWER.format(attr)}, '{word}')"
    for attr in ("@class", "@id") for word in _TICKER_WORDS))


def find_breaking(root):
    """The ticker element: class/id naming it, else the list after a "BREAKING" label."""
    candidates = dom_index(root).attr_contains(_TICKER_WORDS)     # as _TICKER_XPATH
    for el in candidates:            # a list of items first, then any labelled box
        if el.xpath(".//li"):
            return el
    for el in candidates:
        if _ticker_texts(el):
            return el
    for el in root.iter():
        if isinstance(el.tag, str) and len(el) == 0 and _BREAKING_LABEL_RE.match(
                normalize_space(el.text)):
            for sibling in el.itersiblings():
                if sibling.xpath("descendant-or-self::li"):
                    return sibling
            parent = el.getparent()
            if parent is not None and parent.xpath(".//li"):
                return parent
    return None


def _ticker_texts(el) -> list[str]:
    items = el.xpath(".//li") or [c for c in el if isinstance(c.tag, str)]
    texts = []
    for item in items:
        text = element_text(item)
        if text and not _BREAKING_LABEL_RE.match(text) and text not in texts:
            texts.append(text)
    return texts


def read_breaking(selector: Selector):
    root = selector.root
    if root is None or not isinstance(getattr(root, "tag", None), str):
        return [], None
    el = find_breaking(root)
    return (_ticker_texts(el), el) if el is not None else ([], None)


def parse_breaking(response) -> list[str]:
    """The breaking-news ticker's item texts, normalised, in page order."""
    try:
        return read_breaking(page_selector(response))[0]
    except (AttributeError, ValueError, TypeError):
        return []
