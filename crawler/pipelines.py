"""Item pipelines: validate, then store (deduplicated, one transaction per article)."""

from __future__ import annotations

import logging
from dataclasses import fields as dataclass_fields
from datetime import UTC, datetime
from typing import Any

from scrapy.exceptions import DropItem

from crawler.db import migrate
from crawler.db.session import make_engine, resolve_database_url
from crawler.db.store import Store
from crawler.items import ArticleItem, BreakingItem, FetchErrorItem, ListingItem

logger = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


class ValidatePipeline:
    """Normalise empty values to None and refuse articles without a URL or a title."""

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        for f in dataclass_fields(item):
            value = getattr(item, f.name)
            if isinstance(value, str) and not value.strip():
                setattr(item, f.name, None)
        if not item.url or not item.title:
            missing = "url" if not item.url else "title"
            raise DropItem(f"article without {missing}: {item.fetched_url}")
        if item.modified_at is None:
            item.modified_at = item.published_at
        return item


class StorePipeline:
    """Writes items through crawler.db.store and keeps the run record.

    Listings can arrive before the article they point to has been fetched (the index
    page is parsed first), so unresolved listings wait in memory and are written when
    the article is stored, or at the end against articles stored in earlier runs.
    """

    def __init__(self, crawler: Any):
        self.crawler = crawler
        self.store: Store | None = None
        self.run_id: int | None = None
        self.pending: dict[str, list[ListingItem]] = {}
        self.counts = {"new": 0, "updated": 0, "unchanged": 0, "errors": 0}
        self.error_samples: list[str] = []

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        settings = self.crawler.settings
        url = resolve_database_url(settings.get("NEWSMON_DATABASE_URL") or None)
        if not migrate.is_up_to_date(url):  # `scrapy crawl` has no CLI to do it first
            migrate.upgrade(url)
        self.engine = make_engine(url)
        self.store = Store(self.engine)
        run_id = settings.getint("NEWSMON_RUN_ID", 0)
        spider = self.crawler.spider
        self.run_id = run_id or self.store.start_run(getattr(spider, "base_url", ""),
                                                     trigger="manual")

    def close_spider(self) -> None:
        assert self.store is not None and self.run_id is not None
        self._flush_pending(final=True)
        stats = self.crawler.stats
        pages = stats.get_value("response_received_count", 0)
        reason = stats.get_value("finish_reason", "finished")
        status = self._run_status(pages, reason)
        stats.set_value("newsmon/run_id", self.run_id)
        stats.set_value("newsmon/status", status)
        self.store.finish_run(
            self.run_id, status, pages_fetched=pages,
            articles_new=self.counts["new"], articles_updated=self.counts["updated"],
            articles_unchanged=self.counts["unchanged"], errors=self.counts["errors"],
            error_summary="; ".join(self.error_samples[:10]) or None)
        self.engine.dispose()

    def _run_status(self, pages: int, reason: str) -> str:
        if reason in ("shutdown", "cancelled"):
            return "interrupted"
        if pages == 0 or self.crawler.stats.get_value("newsmon/start_failed"):
            return "failed"
        return "ok"

    def process_item(self, item: Any) -> Any:
        assert self.store is not None and self.run_id is not None
        now = utcnow()
        if isinstance(item, ArticleItem):
            self._save_article(item, now)
        elif isinstance(item, ListingItem):
            article_id = self.store.resolve_article_id(item.article_url)
            if article_id is None:
                self.pending.setdefault(item.article_url, []).append(item)
            else:
                self.store.record_listing(item, article_id, now)
        elif isinstance(item, BreakingItem):
            self.store.record_breaking(item.texts, now)
        elif isinstance(item, FetchErrorItem):
            self._error(item.url, item.error, item.status)
        return item

    def _save_article(self, item: ArticleItem, now: datetime) -> None:
        assert self.store is not None and self.run_id is not None
        try:
            outcome, _article_id = self.store.save_article(item, self.run_id, now)
        except Exception as exc:  # keep crawling; the run records the failure
            logger.exception("Could not store %s", item.url)
            self._error(item.url, f"store failed: {type(exc).__name__}: {exc}"[:500])
            return
        self.counts[outcome] += 1
        self.crawler.stats.inc_value(f"newsmon/articles_{outcome}")
        known_as = {item.url, item.fetched_url, *item.requested_urls} - {None}
        self._flush_pending(urls=known_as & self.pending.keys())

    def _flush_pending(self, urls: set[str] | None = None, final: bool = False) -> None:
        assert self.store is not None
        now = utcnow()
        for url in list(self.pending if urls is None else urls):
            article_id = self.store.resolve_article_id(url)
            if article_id is None:
                if final:
                    logger.debug("Listing of %s dropped: article not stored", url)
                continue
            for listing in self.pending.pop(url):
                self.store.record_listing(listing, article_id, now)

    def _error(self, url: str, error: str, status: int | None = None) -> None:
        assert self.store is not None and self.run_id is not None
        logger.warning("Fetch error: %s (%s)", url, error)
        self.counts["errors"] += 1
        if len(self.error_samples) < 10:
            self.error_samples.append(f"{error} {url}")
        self.store.record_fetch_error(self.run_id, url, error, status=status)
