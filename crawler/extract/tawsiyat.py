"""The CMS's own metadata block: <script id="tawsiyat-metadata" type="text/tawsiyat">.

One JSON object with type ("article"/"page"), postid, title, url, keywords (one
comma-separated string), thumbnail, video_duration, word_count (a string), lang,
description, author, published_time, last_updated, classes ([{key, mapping, value}],
mapping one of posttype/category/country/coverage/author), html, lite_url.
"""

from __future__ import annotations

import logging
import math
import re

from parsel import Selector

from crawler.extract.jsonld import load_json_lenient
from crawler.extract.dom import scripts
from crawler.extract.text import is_element, normalize_space

logger = logging.getLogger(__name__)

_XPATH = ('//script[@id="tawsiyat-metadata"]/text()'
          ' | //script[translate(@type, "TAWSIYT", "tawsiyt")="text/tawsiyat"]/text()')
_TYPE_LOWER = str.maketrans("TAWSIYT", "tawsiyt")      # as the XPath's translate()


def read_tawsiyat(selector: Selector) -> dict | None:
    """The metadata object, or None when absent or broken (broken: logged)."""
    if is_element(selector.root):   # _XPATH over the page's scripts, read once
        raw = next((text for kind, ident, text in scripts(selector.root)
                    if ident == "tawsiyat-metadata"
                    or (kind or "").translate(_TYPE_LOWER) == "text/tawsiyat"), None)
    else:
        raw = selector.xpath(_XPATH).get()
    if raw is None or not raw.strip():
        return None
    try:
        data = load_json_lenient(raw)
    except (ValueError, RecursionError) as exc:
        logger.warning("Broken tawsiyat metadata: %s", exc)
        return None
    if not isinstance(data, dict):
        logger.warning("Tawsiyat metadata is not an object: %s", type(data).__name__)
        return None
    return data


def string(data: dict | None, key: str) -> str | None:
    """A normalised string value (numbers accepted), None when empty or missing."""
    if not data:
        return None
    value = data.get(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    return normalize_space(value) or None


def class_values(data: dict | None, mapping: str) -> list[str]:
    """The values of "classes" entries with the given mapping, in order, deduplicated."""
    out: list[str] = []
    classes = (data or {}).get("classes")
    for entry in classes if isinstance(classes, list) else []:
        if not isinstance(entry, dict) or entry.get("mapping") != mapping:
            continue
        value = entry.get("value")
        value = normalize_space(value) if isinstance(value, str) else ""
        if value and value not in out:
            out.append(value)
    return out


def keyword_list(data: dict | None) -> list[str]:
    out: list[str] = []
    for part in (string(data, "keywords") or "").split(","):
        part = normalize_space(part)
        if part and part not in out:
            out.append(part)
    return out


_AUTHOR_SPLIT_RE = re.compile(r"\s*(?:,|;|\s&\s|\band\b)\s*", re.I)


_BY_PREFIX_RE = re.compile(r"^(?:written\s+)?by\s*:?\s+", re.I)


def split_authors(text: str | None) -> list[str]:
    """"A, B" / "A and B" / "A & B" / "By A" → ["A", "B"]."""
    names: list[str] = []
    for part in _AUTHOR_SPLIT_RE.split(_BY_PREFIX_RE.sub("", normalize_space(text))):
        part = normalize_space(part)
        if part and part not in names:
            names.append(part)
    return names


def read_minutes(data: dict | None, words_per_minute: int = 200) -> int | None:
    """ceil(word_count / words_per_minute), None when word_count is missing or zero."""
    raw = string(data, "word_count")
    try:
        words = int(float(raw.replace(",", ""))) if raw else 0
    except ValueError:
        return None
    return math.ceil(words / words_per_minute) if words > 0 else None
