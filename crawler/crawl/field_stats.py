"""Field fill rates of one crawl, counted as its articles pass (the layout alarm's
input): ``FieldStatsPipeline`` (before validation) counts, in the crawl's stats, the
article pages parsed, and per field of ``ARTICLE_FIELDS`` how many had it filled and
how many took it from the generic layer (``ArticleItem.field_sources``). Article
pages that could not be read as articles (the spider's ``newsmon/not_article``) count
as fetched but not recognised: the pseudo-field ``article``. crawler.ops.layout_alarm
judges the counts at the end of the run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crawler.items import ARTICLE_FIELDS, ArticleItem

FIELDS = tuple(f for f in ARTICLE_FIELDS if f != "url")
RECOGNISED = "article"  # pseudo-field: article pages read as articles
STAT = "newsmon/quality"


def is_filled(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return value not in (None, [], ())


class FieldStatsPipeline:
    """Counts field fill rates and generic-layer fallbacks into the crawl's stats."""

    def __init__(self, stats: Any):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> FieldStatsPipeline:
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, ArticleItem):
            self.stats.inc_value(f"{STAT}/articles")
            for name in FIELDS:
                if is_filled(getattr(item, name)):
                    self.stats.inc_value(f"{STAT}/filled/{name}")
                if item.field_sources.get(name) == "generic":
                    self.stats.inc_value(f"{STAT}/generic/{name}")
        return item


@dataclass
class FieldCount:
    pages: int = 0
    filled: int = 0
    generic: int = 0

    def add(self, other: FieldCount) -> None:
        self.pages += other.pages
        self.filled += other.filled
        self.generic += other.generic

    @property
    def fill_rate(self) -> float:
        return self.filled / self.pages if self.pages else 0.0

    @property
    def generic_rate(self) -> float:
        return self.generic / self.pages if self.pages else 0.0


def counts_from_stats(stats: Any) -> dict[str, FieldCount]:
    """This run's counts per field (``article`` included) from the crawl's stats."""
    articles = stats.get_value(f"{STAT}/articles", 0)
    unread = stats.get_value("newsmon/not_article", 0)
    counts = {RECOGNISED: FieldCount(articles + unread, articles, 0)}
    for name in FIELDS:
        counts[name] = FieldCount(articles, stats.get_value(f"{STAT}/filled/{name}", 0),
                                  stats.get_value(f"{STAT}/generic/{name}", 0))
    return counts
