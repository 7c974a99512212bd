"""What a site profile makes of one fetched page: whether it is an article (and which
of the page's signals said so) and, when it is, the item newsmon stores."""

from __future__ import annotations

from dataclasses import dataclass

from crawler.items import ArticleItem


@dataclass
class PageReading:
    is_article: bool
    reason: str                        # the signal that decided
    item: ArticleItem | None = None    # None: not an article, or no title or no body
