"""What a site profile makes of one fetched page: whether it is an article (and which
of the page's signals said so) and, when it is, the item newsmon stores; and the layered
field reading every profile shares (each field's candidates in layer order, the first
non-empty value winning, its layer recorded for ``item.field_sources``)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from crawler.items import ArticleItem

logger = logging.getLogger(__name__)

# A field's readers in layer order: (layer, reader) pairs.
Candidates = Iterable[tuple[str, Callable[[], Any]]]


@dataclass
class PageReading:
    is_article: bool
    reason: str                        # the signal that decided
    item: ArticleItem | None = None    # None: not an article, or no title or no body


def first_value(field_name: str, candidates: Candidates) -> tuple[Any, str | None]:
    """The first non-empty value and its layer; a reader that fails is skipped."""
    for layer, read in candidates:
        try:
            value = read()
        except Exception as exc:  # noqa: BLE001 (one broken reader must not lose the page)
            logger.warning("%s: %s reader failed: %r", field_name, layer, exc)
            continue
        if value not in (None, "", [], ()):
            return value, layer
    return None, None


@dataclass
class FieldLayers:
    """The layer each field of one item was read from, filled by ``take``."""
    sources: dict[str, str] = field(default_factory=dict)

    def take(self, field_name: str, candidates: Candidates, empty: Any = None) -> Any:
        """The field's first non-empty value (``empty`` when none), its layer recorded."""
        value, layer = first_value(field_name, candidates)
        if layer is not None:
            self.sources[field_name] = layer
        return empty if value is None else value
