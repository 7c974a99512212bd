"""JSON-LD (schema.org) blocks: tolerant reading and helpers for article fields.

Pages carry several blocks (Organization, BreadcrumbList, the article), sometimes as a
list or an "@graph", sometimes broken by a CMS template: a broken block is skipped with
a warning, never an exception.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote, urlsplit

from parsel import Selector

from crawler.extract.dom import document_memo, scripts
from crawler.extract.text import is_element, normalize_space

logger = logging.getLogger(__name__)

ARTICLE_TYPES = frozenset({
    "newsarticle", "article", "reportagenewsarticle", "analysisnewsarticle",
    "opinionnewsarticle", "blogposting", "videoobject", "backgroundnewsarticle",
    "reviewnewsarticle", "liveblogposting", "report", "scholarlyarticle",
})


def load_json_lenient(raw: str) -> Any:
    """json.loads that forgives what CMS templates do: HTML comments or CDATA around
    the JSON, raw control characters in strings, trailing junk after the value."""
    text = raw.strip()
    text = re.sub(r"^\s*(?:<!--|/\*\s*<!\[CDATA\[\s*\*/|<!\[CDATA\[)", "", text)
    if text.endswith(("-->", "]]>", "*/")):       # (the only ends the pattern can match)
        text = re.sub(r"(?:-->|/\*\s*\]\]>\s*\*/|\]\]>)\s*$", "", text).strip()
    text = text.rstrip(";").strip()
    try:
        return json.loads(text, strict=False)
    except ValueError:
        pass
    start = min((i for i in (text.find("{"), text.find("[")) if i >= 0), default=-1)
    if start < 0:
        raise ValueError("no JSON value")
    value, _end = json.JSONDecoder(strict=False).raw_decode(text, start)
    return value


_LD_XPATH = ('//script[translate(@type, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", '
             '"abcdefghijklmnopqrstuvwxyz")="application/ld+json"]/text()')
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def iter_jsonld(selector: Selector) -> Iterator[dict]:
    """Every JSON-LD object of the page: lists and @graph flattened, in page order.
    Parsed once per document (``document_memo``: the page check and the field readers
    all ask); the objects are shared, so readers never modify them."""
    root = selector.root
    if not is_element(root):
        yield from _parse_blocks(selector.xpath(_LD_XPATH).getall())
        return
    memo = document_memo(root)
    objects = memo.get("jsonld_objects")
    if objects is None:         # _LD_XPATH over the page's scripts, read once
        objects = memo["jsonld_objects"] = list(_parse_blocks(
            [text for kind, _ident, text in scripts(root)
             if (kind or "").translate(_ASCII_LOWER) == "application/ld+json"]))
    yield from objects


def _parse_blocks(raws: list[str]) -> Iterator[dict]:
    for index, raw in enumerate(raws):
        try:
            data = load_json_lenient(raw)
        except (ValueError, RecursionError) as exc:
            logger.warning("Skipping broken JSON-LD block #%d: %s", index, exc)
            continue
        yield from _flatten(data)


def _flatten(data: Any, depth: int = 0) -> Iterator[dict]:
    if depth > 5:
        return
    if isinstance(data, list):
        for entry in data:
            yield from _flatten(entry, depth + 1)
    elif isinstance(data, dict):
        yield data
        graph = data.get("@graph")
        if graph is not None:
            yield from _flatten(graph, depth + 1)


def type_names(obj: Any) -> list[str]:
    """"@type" as a list of lower-case names without a schema.org prefix."""
    if not isinstance(obj, dict):
        return []
    types = obj.get("@type")
    types = types if isinstance(types, list) else [types]
    return [t.rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower() for t in types if isinstance(t, str)]


def is_article(obj: Any) -> bool:
    return any(t in ARTICLE_TYPES for t in type_names(obj))


def find_article(objects: list[dict]) -> dict | None:
    """The article object: a top-level one, else one nested as a page's mainEntity."""
    for obj in objects:
        if is_article(obj):
            return obj
    for obj in objects:
        for key in ("mainEntity", "mainEntityOfPage", "about"):
            nested = obj.get(key)
            for candidate in nested if isinstance(nested, list) else [nested]:
                if is_article(candidate):
                    return candidate
    return None


_REF_KEYS = ("author", "image", "publisher", "mainEntityOfPage", "isPartOf", "thumbnail")


def _resolve_refs(article: dict, objects: list[dict]) -> dict:
    """A copy of the article whose {"@id": ...} references (Yoast-style @graph:
    author, image, mainEntityOfPage) are replaced by the objects they name."""
    by_id = {obj["@id"]: obj for obj in objects
             if isinstance(obj.get("@id"), str) and len(obj) > 1}
    if not by_id:
        return article

    def resolve(value: Any) -> Any:
        if isinstance(value, list):
            return [resolve(entry) for entry in value]
        if isinstance(value, dict) and set(value) <= {"@id", "@type"} \
                and isinstance(value.get("@id"), str):
            return by_id.get(value["@id"], value)
        return value

    resolved = dict(article)
    for key in _REF_KEYS:
        if key in resolved:
            resolved[key] = resolve(resolved[key])
    return resolved


def _path(url: str | None) -> str:
    return unquote(urlsplit(url or "").path).rstrip("/")


def read_article(selector: Selector, location: str | None = None) -> dict | None:
    """The page's article object, references resolved. Several distinct articles side
    by side (a listing page's cards): the one that is this page's, else None."""
    objects = list(iter_jsonld(selector))
    articles = [obj for obj in objects if is_article(obj)]
    if len({text_value(a.get("headline") or a.get("name")) for a in articles}) > 1:
        here = _path(location) if location else None
        articles = [a for a in articles if here and _path(page_url(a)) == here]
        article = articles[0] if articles else None
    else:
        article = find_article(objects)
    return _resolve_refs(article, objects) if article is not None else None


def page_description(obj: dict) -> str | None:
    """The article's description, else that of the WebPage it is the main entity of."""
    found = text_value(obj.get("description"))
    if found:
        return found
    for key in ("mainEntityOfPage", "isPartOf"):
        entity = obj.get(key)
        if isinstance(entity, dict) and "webpage" in type_names(entity):
            found = text_value(entity.get("description"))
            if found:
                return found
    return None


def text_value(value: Any) -> str | None:
    """A string (or the first string of a list, or an object's name), normalised."""
    if isinstance(value, list):
        for entry in value:
            found = text_value(entry)
            if found:
                return found
        return None
    if isinstance(value, dict):
        return text_value(value.get("name") or value.get("@value"))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        return normalize_space(value) or None
    return None


def duration_minutes(value: Any) -> int | None:
    """Whole minutes of an ISO 8601 duration such as ``timeRequired`` ("PT1H5M"), zero
    included; None when it states neither hours nor minutes."""
    match = re.match(r"^PT(?:(\d+)H)?(?:(\d+)M)?", text_value(value) or "")
    if match and (match.group(1) or match.group(2)):
        return int(match.group(1) or 0) * 60 + int(match.group(2) or 0)
    return None


def author_names(value: Any) -> list[str]:
    """Names from a string, a Person/Organization object, or a list of either."""
    names: list[str] = []
    for entry in value if isinstance(value, list) else [value]:
        if isinstance(entry, str):
            name = normalize_space(entry)
        elif isinstance(entry, dict):
            name = text_value(entry.get("name")) or ""
        else:
            name = ""
        if name and name not in names:
            names.append(name)
    return names


def image_url_and_caption(value: Any) -> tuple[str | None, str | None]:
    """The first image's url and caption from a string, an ImageObject or a list."""
    for entry in value if isinstance(value, list) else [value]:
        if isinstance(entry, str) and normalize_space(entry):
            return normalize_space(entry), None
        if isinstance(entry, dict):
            ident = text_value(entry.get("@id"))    # "…#primaryimage" names, not locates
            url = text_value(entry.get("url")) or text_value(entry.get("contentUrl")) \
                or (ident if ident and "#" not in ident else None)
            caption = text_value(entry.get("caption")) or text_value(entry.get("description"))
            if url:
                return url, caption
    return None, None


def keywords(value: Any) -> list[str]:
    """Keywords from a comma-separated string or a list of strings."""
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("name")
        if not isinstance(item, str):
            continue
        for part in item.split(","):
            part = normalize_space(part)
            if part and part not in out:
                out.append(part)
    return out


def page_url(obj: dict) -> str | None:
    """mainEntityOfPage (string or {"@id"}/{"url"}), else url."""
    entity = obj.get("mainEntityOfPage")
    if isinstance(entity, str) and normalize_space(entity):
        return normalize_space(entity)
    if isinstance(entity, dict):
        found = text_value(entity.get("@id")) or text_value(entity.get("url"))
        if found:
            return found
    return text_value(obj.get("url"))


def breadcrumb_trail(selector: Selector) -> list[tuple[str, str]]:
    """(name, decoded path without trailing slash) of the first BreadcrumbList's items,
    in position order; items without a name or a URL, and the home page, left out."""
    for obj in iter_jsonld(selector):
        if "breadcrumblist" not in type_names(obj):
            continue
        items = obj.get("itemListElement")
        items = [i for i in (items if isinstance(items, list) else [items])
                 if isinstance(i, dict)]

        def position(item: dict) -> float:
            try:
                return float(item.get("position"))
            except (TypeError, ValueError):
                return float("inf")

        trail = []
        for item in sorted(items, key=position):   # (a stable sort: page order on ties)
            target = item.get("item")
            url = target if isinstance(target, str) else (
                (target.get("@id") or target.get("url")) if isinstance(target, dict) else None)
            name = text_value(item.get("name")) or (
                text_value(target.get("name")) if isinstance(target, dict) else None)
            path = _path(url if isinstance(url, str) else None)
            if name and path:
                trail.append((name, path))
        return trail
    return []


def crumb(selector: Selector, depth: int, page_url: str) -> str | None:
    """The name of the BreadcrumbList item whose path has ``depth`` segments (1: a
    category, 2: a section), the page's own item left out."""
    own = _path(page_url).lower()
    for name, path in breadcrumb_trail(selector):
        if path.lower() != own and len(path.strip("/").split("/")) == depth:
            return name
    return None
