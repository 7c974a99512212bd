"""Text normalisation and hashing used when storing (pure functions).

NUL characters (U+0000) are removed from all stored text on both databases:
PostgreSQL ``text`` and ``jsonb`` cannot hold them, and doing the same on SQLite
keeps the two backends identical.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable
from typing import Any


def clean_text(value: str | None) -> str | None:
    """``value`` without NUL characters (PostgreSQL cannot store them)."""
    return None if value is None else value.replace("\x00", "")


def clean_value(value: Any) -> Any:
    """``value`` (a string, or lists and dicts of them) without NUL characters."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean_value(v) for v in value]
    if isinstance(value, dict):
        return {clean_value(k): clean_value(v) for k, v in value.items()}
    return value


def none_if_blank(value: Any) -> Any:
    """A missing value is NULL, never an empty string: ``""`` or whitespace only (after
    NUL removal) becomes None; a list loses such items; anything else is kept."""
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, list):
        return [v for v in value if none_if_blank(v) is not None]
    return value


def unique_texts(values: Iterable[str | None]) -> list[str]:
    """Non-empty values without NULs, deduplicated, first occurrence order kept."""
    return list(dict.fromkeys(v for v in (clean_text(x) for x in values) if v))


def normalize_text(value: str | None) -> str:
    """NFC, whitespace runs collapsed to one space, stripped (for hashing)."""
    return " ".join(unicodedata.normalize("NFC", clean_text(value) or "").split())


def content_hash(title: str | None, summary: str | None, body: str | None) -> str:
    """sha256 (hex) of the normalised title, summary and body."""
    joined = "\x1f".join(normalize_text(v) for v in (title, summary, body))
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def text_hash(text: str) -> str:
    """sha256 (hex) of a breaking-news text, normalised."""
    return hashlib.sha256(normalize_text(text).encode("utf-8")).hexdigest()
