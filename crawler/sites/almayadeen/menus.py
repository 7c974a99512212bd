"""Menu entries read from a page's navigation areas, whatever their markup.

A navigation area is a <header>, a <nav>, a role="navigation" box, a box whose class
or id names a menu, nav bar or drawer (off-canvas menus live outside the header), or
the page's list of lists. In an area, links are grouped under a label by:

- a list item holding a sub-list (the item's own link or text is the label);
- a <details> (its <summary>);
- a data-section / data-category / data-group / data-menu attribute;
- a list after a short label element ("<h4>News</h4><ul>…").

Links in no group are placed by their paths: "/news/politics" under the area's
"/news" link, a lone "/infographs" as a top-level item. A group of region links
(paths under /regions/, or known region names) is the regions menu, whatever its
label ("Regions", "World", …). Names are cleaned of icons and stray punctuation and
take SITE.md's spelling when they only differ from it in case or spacing.
"""

from __future__ import annotations

import re

from lxml import etree

from crawler.extract.dom import document_memo, dom_index
from crawler.extract.text import element_text, normalize_space
from crawler.sites.almayadeen.urls import (
    KNOWN_INDEX_PATHS, NON_INDEX_SEGMENTS, REGION_SEGMENTS, canonicalize_url, join_url,
    path_key, same_origin)

KNOWN_CATEGORIES = {"news": "News", "articles": "Articles", "videos": "Videos"}
_AREA_WORDS = ("menu", "nav", "drawer", "offcanvas", "off-canvas", "sidebar-nav")
_LANDMARKS = etree.XPath("//header | //nav | //footer | //main | //article | //*[@role]")
_CONTENT_TAGS = ("main", "article")
_GROUP_ATTRS = ("data-section", "data-category", "data-group", "data-menu")
_LIVE_RE = re.compile(r"\blive\b", re.I)
_EDGE_JUNK_RE = re.compile(r"^[\W_]+|[\W_]+$")
_LIST_TAGS = ("ul", "ol")


def name_key(name: str | None) -> str:
    """A name's letters and digits, lower-cased ("Arts & Culture" -> "artsandculture");
    any script's: Arabic and Spanish menus are named in their own."""
    return re.sub(r"[\W_]+", "", normalize_space(name).lower().replace("&", "and"))


def first_segment(url_or_path: str) -> str:
    return path_key(url_or_path).strip("/").split("/")[0]


def clean_name(text: str | None, known: dict[str, str] | None = None) -> str:
    """A menu label without icons, arrows or stray punctuation at its ends; the known
    spelling when one matches ("ECONOMY " -> "Economy", "Arts & Culture" ->
    "Arts&Culture")."""
    text = normalize_space(text)
    if not text:
        return ""
    stripped = _EDGE_JUNK_RE.sub("", text)
    text = normalize_space(stripped if stripped else text)
    if known:
        return known.get(name_key(text), text)
    return text


def link_name(a, known: dict[str, str] | None = None) -> str:
    text = element_text(a) or a.get("title") or a.get("aria-label") or ""
    if not text:
        for img in a.iter("img"):
            text = img.get("alt") or ""
            break
    return clean_name(text, known)


def is_live(name: str, url: str) -> bool:
    return bool(_LIVE_RE.search(name)) or first_segment(url) == "live"


# -- areas --------------------------------------------------------------------------------

def own_link(li):
    """The item's own link: the first <a> not inside a nested list."""
    for a in li.iter("a"):
        node, nested = a.getparent(), False
        while node is not None and node is not li:
            if node.tag in _LIST_TAGS:
                nested = True
                break
            node = node.getparent()
        if not nested:
            return a
    return None


_HAS_LINK = etree.XPath("boolean(.//a[@href])")


def sub_list(li):
    for el in li.iter(*_LIST_TAGS):
        if el is not li and _HAS_LINK(el):
            return el
    return None


_NESTED_LISTS = etree.XPath("descendant-or-self::li//ul | descendant-or-self::li//ol")


def find_main_menu(root):
    """The list whose items carry the most sub-lists of links (at least two)."""
    candidates = set()
    for nested in _NESTED_LISTS(root):
        for li in nested.iterancestors("li"):
            parent = li.getparent()
            if parent is not None and parent.tag in _LIST_TAGS:
                candidates.add(parent)
    best, best_score = None, 1
    for ul in root.iter(*_LIST_TAGS) if candidates else ():
        if ul not in candidates:
            continue
        score = sum(1 for li in ul if li.tag == "li" and sub_list(li) is not None)
        if score > best_score:
            best, best_score = ul, score
    return best


def landmarks(root) -> list:
    """<header>, <nav>, <footer>, <main>, <article> and role=… elements, in document
    order (one scan, memoised per document: the menu and link readers share it)."""
    memo = document_memo(root)
    if "landmarks" not in memo:
        memo["landmarks"] = _LANDMARKS(root)
    return memo["landmarks"]


def in_content(el) -> bool:
    """Inside a <main> or an <article> (a card's <header> is not the site's)."""
    return any(anc.tag in _CONTENT_TAGS or anc.get("role") == "main"
               for anc in el.iterancestors())


def chrome(root) -> list:
    """The page's own header, footer and navigation boxes (not a card's header)."""
    out = []
    for el in landmarks(root):
        role = el.get("role")
        if el.tag == "nav" or role in ("navigation", "banner", "contentinfo") or (
                el.tag in ("header", "footer") and not in_content(el)):
            out.append(el)
    return out


def find_areas(root) -> list:
    """The outermost navigation areas, in document order: none holds the page's
    content (a wrapper whose class says "nav" around <main> is not a menu)."""
    marks = landmarks(root)
    content = [el for el in marks if el.tag in _CONTENT_TAGS or el.get("role") == "main"]
    wrappers = {anc for el in content for anc in el.iterancestors()} | set(content)
    candidates = [el for el in marks if el.tag == "nav" or el.get("role") == "navigation"
                  or (el.tag == "header" and not in_content(el))]
    candidates += [el for el in dom_index(root).attr_contains(_AREA_WORDS)
                   if el.tag not in ("html", "body", "a", "li") and el not in wrappers]
    main_menu = find_main_menu(root)
    if main_menu is not None:
        candidates.append(main_menu)
    chosen = {el for el in candidates if el not in wrappers}
    areas = [el for el in dict.fromkeys(candidates)
             if el in chosen and not any(anc in chosen for anc in el.iterancestors())]
    return sorted(areas, key=_document_position)


def _document_position(el) -> list[int]:
    position = []
    parent = el.getparent()
    while parent is not None:
        position.append(parent.index(el))
        el, parent = parent, parent.getparent()
    return position[::-1]


# -- groups ---------------------------------------------------------------------------------

def _label_of_li(li) -> str:
    """A sub-menu's title when it is not a link: the item's own text or first child's."""
    if normalize_space(li.text):
        return normalize_space(li.text)
    for child in li:
        if isinstance(child.tag, str) and child.tag not in _LIST_TAGS:
            text = element_text(child)
            if text and not child.xpath(".//ul | .//ol"):
                return text
    return ""


def _label_before(el):
    """The short label element right before a list, or None."""
    prev = el.getprevious()
    while prev is not None and not isinstance(prev.tag, str):
        prev = prev.getprevious()
    if prev is None or prev.tag in _LIST_TAGS or prev.tag in ("script", "style", "img"):
        return None
    text = element_text(prev)
    if not text or len(text) > 40 or len(prev.xpath(".//a")) > 1:
        return None
    return prev


def _assign_groups(area) -> tuple[dict, set, set]:
    """{link: (group key, label)}, the links that label a group, the lists of groups."""
    groups: dict = {}
    headers: set = set()
    menu_lists: set = set()
    for el in area.iter():
        tag = el.tag
        if not isinstance(tag, str):
            continue
        label, key, members = None, el, None
        if tag == "li":
            sub = sub_list(el)
            if sub is not None:
                own = own_link(el)
                label = element_text(own) if own is not None else _label_of_li(el)
                if own is not None:
                    headers.add(own)
                members = sub.iter("a")
                if el.getparent() is not None:
                    menu_lists.add(el.getparent())
        elif tag == "details":
            summary = next((c for c in el if c.tag == "summary"), None)
            if summary is not None:
                label = element_text(summary)
                headers.update(summary.iter("a"))
                members = (a for a in el.iter("a") if a not in headers)
        elif tag in _LIST_TAGS:
            prev = _label_before(el)
            if prev is not None and not (el.getparent() is not None
                                         and el.getparent().tag == "li"):
                label = element_text(prev)
                headers.update(prev.iter("a"))
                members = el.iter("a")
        if members is None:
            for attr in _GROUP_ATTRS:
                value = normalize_space(el.get(attr))
                if value:
                    label, key, members = value, ("attr", name_key(value)), el.iter("a")
                    break
        if members is not None:
            for a in members:
                groups[a] = (key, label or "")      # inner groups override outer ones
    return groups, headers, menu_lists


def _region_like(name: str, url: str, region_names: dict) -> bool:
    return first_segment(url) in REGION_SEGMENTS or name_key(name) in region_names


def read_area(area, base_url: str, known: dict[str, str], region_names: dict
              ) -> tuple[list, list]:
    """(sections [(category, name, url)], regions [(name, url)]) of one area."""
    groups, headers, menu_lists = _assign_groups(area)
    links = []                      # (a, name, url) in document order
    categories: dict[str, str] = {}   # first segment -> name of the one-segment link
    for a in area.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        url = canonicalize_url(join_url(base_url, href))
        path = path_key(url)
        if not same_origin(url, base_url) or path == "/":
            continue
        name = link_name(a, known)
        segments = path.strip("/").split("/")
        if len(segments) == 1 and name and segments[0] not in categories:
            categories[segments[0]] = name
        if a not in headers and name:
            links.append((a, name, url, segments))
    members: dict = {}
    for a, name, url, _segments in links:
        if a in groups:
            members.setdefault(groups[a][0], []).append((name, url))
    region_groups = {key for key, pairs in members.items()
                     if sum(_region_like(n, u, region_names) for n, u in pairs) * 2 >= len(pairs)}
    loose_regions = [(n, u) for a, n, u, _s in links
                     if a not in groups and _region_like(n, u, region_names)]
    with_children = {s[0] for _a, _n, _u, s in links if len(s) == 2}
    sections, regions = [], []
    for a, name, url, segments in links:
        group = groups.get(a)
        if group is not None and group[0] in region_groups:
            regions.append((name, url))
            continue
        if group is None and len(loose_regions) >= 2 and (name, url) in loose_regions:
            regions.append((name, url))
            continue
        if is_live(name, url) or segments[0] in NON_INDEX_SEGMENTS or len(segments) > 2:
            continue
        category = clean_name(group[1], known) if group is not None else ""
        if group is None and len(segments) == 2:
            category = categories.get(segments[0]) or KNOWN_CATEGORIES.get(segments[0], "")
        elif group is None:      # a one-segment link: a top-level item, or a category
            parent = a.getparent()
            item = a if parent is None else next(a.iterancestors("li"), None)
            in_menu = item is not None and item.getparent() in menu_lists
            if segments[0] in with_children or not (
                    in_menu or path_key(url) in KNOWN_INDEX_PATHS):
                continue
            category = name
        if not category:
            category = categories.get(segments[0]) or KNOWN_CATEGORIES.get(segments[0], "")
        if category:
            sections.append((category, name, url))
    return sections, regions
