"""The site's navigation, read from any page: main menu, regions menu, breaking ticker.

Menus are found by their structure in the page's navigation areas (crawler.sites.
almayadeen.menus: nested lists, <details>, data-section attributes, labelled lists,
link paths) and the ticker by crawler.sites.almayadeen.ticker, not by the reference's
class names, so that a redesign keeps working. SITE.md's list is the fallback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from urllib.parse import urljoin

from lxml import etree
from parsel import Selector

from crawler.extract.document import page_selector  # noqa: F401  (re-exported)
from crawler.extract.dom import document_memo, dom_index
from crawler.extract.text import element_text
from crawler.sites.almayadeen.edition_menus import EDITION_FALLBACKS
from crawler.sites.almayadeen.menus import (
    find_areas, first_segment, link_name, name_key, read_area)
from crawler.sites.almayadeen.ticker import (  # noqa: F401  (re-exported)
    find_breaking, parse_breaking, read_breaking)
from crawler.sites.almayadeen.urls import (
    REGION_SEGMENTS, canonicalize_url, is_numeric_id, join_url, path_key, same_origin)


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
        first = first_segment(path)
        for category, _name, url in self.sections:
            if first and first_segment(url) == first:
                return category
        return None

    def section_for_path(self, path: str) -> str | None:
        """The menu section whose index is the path's first two segments (or, in a
        path with a numeric id, the segments before it)."""
        segments = path_key(path).strip("/").split("/")
        numbered = next((i for i, s in enumerate(segments) if is_numeric_id(s)), None)
        if numbered:    # "/<section>/<numeric id>/<slug>": the section is what precedes
            wanted = "/" + "/".join(segments[:numbered])
        elif len(segments) < 2:
            return None
        else:
            wanted = "/" + "/".join(segments[:2])
        for _category, name, url in self.sections:
            if path_key(url) == wanted:
                return name
        return None

    def section_named(self, name: str | None) -> str | None:
        """The menu's spelling of a section name ("arts & culture" → "Arts&Culture")."""
        key = name_key(name)
        for _category, section, _url in self.sections:
            if key and name_key(section) == key:
                return section
        return None

    def category_named(self, name: str | None) -> str | None:
        key = name_key(name)
        for category, _section, _url in self.sections:
            if key and name_key(category) == key:
                return category
        return None


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
# The other editions' guessed menus (crawler.sites.almayadeen.edition_menus), as Menus.
EDITION_FALLBACK_MENUS = {
    edition: Menu(sections=[(category, name, path) for category, names in sections
                            for name, path in names],
                  regions=list(regions), from_fallback=True)
    for edition, (sections, regions) in EDITION_FALLBACKS.items()}
_EDITION_REGION_NAMES = [name for menu in EDITION_FALLBACK_MENUS.values()
                         for name, _path in menu.regions]
KNOWN_REGION_NAMES = frozenset(n.lower() for n in _FALLBACK_REGIONS + _EDITION_REGION_NAMES)
# SITE.md's spelling of every menu name, by name key ("artsandculture": "Arts&Culture")
_KNOWN_NAMES = {name_key(n): n for n in [c for c, _ in _FALLBACK_SECTIONS]
                + [n for _, names in _FALLBACK_SECTIONS for n in names]
                + _FALLBACK_TOP_LEVEL + _FALLBACK_REGIONS}
_REGION_KEYS = {name_key(n): n for n in _FALLBACK_REGIONS + _EDITION_REGION_NAMES}


def fallback_menu(base_url: str, edition: str | None = None) -> Menu:
    """The edition's fallback menu (English: FALLBACK_MENU, SITE.md's list; Arabic and
    Spanish: a guess) with absolute URLs on the base URL's origin."""
    menu = EDITION_FALLBACK_MENUS.get(edition or "en", FALLBACK_MENU)
    absolute = lambda u: canonicalize_url(urljoin(base_url, u))  # noqa: E731
    return Menu([(c, n, absolute(u)) for c, n, u in menu.sections],
                [(n, absolute(u)) for n, u in menu.regions], from_fallback=True)


# -- reading ----------------------------------------------------------------------------

def _find_regions_element(root, areas):
    """A regions menu outside the navigation areas: a box whose class or id names
    regions, else the list with the most region links or known region names."""
    def in_area(el):
        return any(area is el or area in el.iterancestors() or el in area.iterancestors()
                   for area in areas)
    for el in dom_index(root).attr_contains(("region",)):
        if len(el.xpath(".//a[@href]")) >= 2 and not in_area(el):
            return el
    best, best_hits = None, 2
    for ul in root.iter("ul", "ol"):
        if in_area(ul):
            continue
        hits = sum(1 for a in ul.iter("a") if name_key(element_text(a)) in _REGION_KEYS)
        hits += sum(1 for a in ul.iter("a")
                    if first_segment(a.get("href") or "") in REGION_SEGMENTS)
        if hits > best_hits:
            best, best_hits = ul, hits
    return best


def _region_links(el, base_url: str) -> list[tuple[str, str]]:
    out = []
    for a in el.iter("a"):
        name, href = link_name(a, _KNOWN_NAMES), (a.get("href") or "").strip()
        if not name or not href or href.startswith(("#", "javascript:")):
            continue
        url = canonicalize_url(join_url(base_url, href))
        if same_origin(url, base_url):
            out.append((name, url))
    return out


def _read_area(area, base_url: str) -> list:
    return [read_area(area, base_url, _KNOWN_NAMES, _REGION_KEYS)]


def _dedupe(entries: list) -> list:
    """Entries in order, the first of each URL (a menu shown twice, desktop and drawer)."""
    seen, out = set(), []
    for entry in entries:
        key = path_key(entry[-1])       # "/articles/analysis/" is "/articles/analysis"
        if key not in seen:
            seen.add(key)
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


def read_menu(selector: Selector, base_url: str, edition: str | None = None
              ) -> tuple[Menu, list]:
    """The menu and the elements it was read from (to leave them out of link lists).
    ``edition``: whose fallback menu completes a menu the page does not show."""
    root = selector.root
    if root is None or not isinstance(getattr(root, "tag", None), str):
        return fallback_menu(base_url, edition), []
    # per document: the article parser and the listing parser both read it
    memo = document_memo(root)
    key = ("menu", base_url, edition or "en")
    if key not in memo:
        memo[key] = _read_menu(root, base_url, edition)
    menu, elements = memo[key]
    return replace(menu, sections=list(menu.sections), regions=list(menu.regions)), \
        list(elements)


def _read_menu(root, base_url: str, edition: str | None = None) -> tuple[Menu, list]:
    areas = find_areas(root)
    sections, regions, used = [], [], []
    for area in areas:
        area_sections, area_regions = _memoised(_read_area, area, base_url)[0]
        sections += area_sections
        regions += area_regions
        if area_sections or area_regions:
            used.append(area)
    sections = _dedupe(sections)
    regions = _dedupe(regions)
    if not regions:
        regions_el = _find_regions_element(root, areas)
        if regions_el is not None:
            regions = _dedupe(_memoised(_region_links, regions_el, base_url))
            used.append(regions_el)
    if sections and regions:
        menu = Menu(sections, regions)
    else:
        fallback = fallback_menu(base_url, edition)
        menu = Menu(sections or fallback.sections, regions or fallback.regions,
                    from_fallback=True)
    return menu, used


def parse_menu(response, edition: str | None = None) -> Menu:
    """The page's main and regions menus (absolute canonical URLs); the edition's
    fallback list for a part the page does not show (then menu.from_fallback is True)."""
    try:
        return read_menu(page_selector(response), response.url, edition)[0]
    except (AttributeError, ValueError, TypeError):
        return fallback_menu(response.url, edition)
