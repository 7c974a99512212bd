"""Item pipelines: validate, then store (deduplicated, one transaction per article)."""

from __future__ import annotations

import logging
from dataclasses import fields as dataclass_fields
from datetime import UTC, datetime
from typing import Any

from scrapy import signals
from scrapy.exceptions import DropItem

from crawler.db import migrate
from crawler.db.session import make_engine, resolve_database_url
from crawler.db.store import Store
from crawler.crawl.edition import crawl_edition
from crawler.crawl.outage import Spooler, is_unavailable
from crawler.crawl.signals import run_checkpoint, run_closing
from crawler.items import (ArticleItem, BreakingItem, FetchErrorItem, IndexPageItem,
                           ListingItem, MenuItem, NotModifiedItem)
from crawler.sites.almayadeen.urls import canonicalize_url

logger = logging.getLogger(__name__)

# Listings of an article not stored yet wait in memory (written with it). A monitor
# polls the same pages all day: a card seen again at the same place only moves the
# end of its streak (one item kept, not one per poll), and a card whose article is
# still not stored this long after it was last seen (gone, forbidden by robots.txt,
# not an article) is let go at the next checkpoint.
PENDING_MAX_AGE = 6 * 3600.0


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
    A redirect to an article already requested in this run is dropped by Scrapy's
    dupefilter (``request_dropped``): its source URLs still become the article's
    aliases, so that the next run knows where they lead.
    While the database is unavailable, items are spooled to a local file and written
    when it answers again (``crawler.crawl.outage.Spooler``; docs/RELIABILITY.md). At the
    end, the run is judged by whoever answers ``run_closing`` (crawler.ops.layout_alarm):
    ``degraded``.
    """

    def __init__(self, crawler: Any):
        self.crawler = crawler
        self.store: Store | None = None
        self.run_id: int | None = None
        self.pending: dict[str, list[ListingItem]] = {}
        self.redirected: dict[str, set[str]] = {}  # target URL -> URLs redirecting to it
        self.counts = {"new": 0, "updated": 0, "unchanged": 0, "errors": 0}
        self.error_samples: list[str] = []
        self.spooler: Spooler | None = None
        self.edition = crawl_edition(None, None, "")  # the crawl's, set in open_spider
        self._checkpoint_base: dict[str, Any] = {}  # the stats at the last checkpoint

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.request_dropped, signal=signals.request_dropped)
        crawler.signals.connect(pipeline.checkpoint, signal=run_checkpoint)
        return pipeline

    def request_dropped(self, request: Any) -> None:
        sources = request.meta.get("redirect_urls")
        if not sources or self.store is None:
            return
        target = canonicalize_url(request.url)
        self.redirected.setdefault(target, set()).update(canonicalize_url(u) for u in sources)
        if self.spooler is None or not self.spooler.down:  # else: written when it is back
            self._record_redirects({target})

    def _record_redirects(self, targets: set[str]) -> None:
        assert self.store is not None
        for target in targets & self.redirected.keys():
            article_id = self.store.resolve_article_id(target)
            if article_id is not None:
                sources = self.redirected[target]
                self.store.record_aliases(article_id, sorted(sources))
                del self.redirected[target]  # only once written
                self._flush_pending(urls=sources & self.pending.keys())

    def open_spider(self) -> None:
        settings = self.crawler.settings
        url = resolve_database_url(settings.get("NEWSMON_DATABASE_URL") or None)
        if not migrate.is_up_to_date(url):  # `scrapy crawl` has no CLI to do it first
            migrate.upgrade(url)
        self.engine = make_engine(url)
        spider = self.crawler.spider
        self.edition = crawl_edition(settings.get("NEWSMON_EDITION"),
                                     getattr(spider, "edition", None),
                                     getattr(spider, "base_url", ""))
        self.store = Store(self.engine, edition=self.edition.key)
        run_id = settings.getint("NEWSMON_RUN_ID", 0)
        self.run_id = run_id or self.store.start_run(getattr(spider, "base_url", ""),
                                                     trigger="manual")
        self.spooler = Spooler.for_pipeline(self, url, getattr(spider, "base_url", ""))
        self.spooler.open()  # what an earlier run spooled (database unavailable then)

    def close_spider(self) -> None:
        assert self.store is not None and self.run_id is not None
        assert self.spooler is not None
        if not self.spooler.finish():  # the database stayed away: the rest is spooled
            self.spooler.close()
            self.engine.dispose()
            return
        self.spooler.close()
        self._record_redirects(set(self.redirected))
        self._flush_pending(final=True)
        stats = self.crawler.stats
        since = _StatsSince(stats, self._checkpoint_base) if self._checkpoint_base else stats
        pages = since.get_value("response_received_count", 0)
        # Scrapy records finish_reason only after pipelines close; an engine no longer
        # running at this point was stopped (SIGTERM/SIGINT): the run is interrupted.
        engine = self.crawler.engine
        reason = stats.get_value("finish_reason") or (
            "shutdown" if engine is not None and not engine.running else "finished")
        status = self._run_status(pages, reason)
        spider = self.crawler.spider
        verdicts = self.crawler.signals.send_catch_log(
            run_closing, store=self.store, run_id=self.run_id,
            base_url=getattr(spider, "base_url", ""), stats=since)
        if status == "ok" and any(result is True for _receiver, result in verdicts):
            status = "degraded"  # a layout change? (crawler.ops.layout_alarm)
        stats.set_value("newsmon/run_id", self.run_id)
        stats.set_value("newsmon/status", status)
        self.store.finish_run(
            self.run_id, status, pages_fetched=pages,
            articles_new=self.counts["new"], articles_updated=self.counts["updated"],
            articles_unchanged=self.counts["unchanged"], errors=self.counts["errors"],
            error_summary="; ".join(self.error_samples[:10]) or None,
            index_complete=self.walked_every_chain())
        self.engine.dispose()

    def walked_every_chain(self) -> bool:
        """The spider walks index chains (``WALKS_INDEX_CHAINS``: the crawl's, not the
        backfill's) and nothing but its own rules could end it early (no CLOSESPIDER_*
        limit). Store.finish_run records it for runs that ended ok/degraded only: a
        stopped or killed run never counts (crawler/crawl/incremental.py)."""
        settings = self.crawler.settings
        limited = any(settings.getfloat(name, 0) for name in (
            "CLOSESPIDER_TIMEOUT", "CLOSESPIDER_ITEMCOUNT", "CLOSESPIDER_PAGECOUNT",
            "CLOSESPIDER_ERRORCOUNT", "CLOSESPIDER_TIMEOUT_NO_ITEM"))
        return bool(getattr(self.crawler.spider, "WALKS_INDEX_CHAINS", False)) \
            and not limited

    def checkpoint(self, trigger: str = "manual") -> int | None:
        """Close this run as it stands and go on under a new one (``run_checkpoint``:
        the monitor, every hour). Its counts, pages and field statistics are those since
        the last checkpoint. Not while the database is away (the run goes on).
        Returns the new run's id, or None."""
        if self.store is None or self.run_id is None or self.spooler is None \
                or self.spooler.down:
            return None
        stats = self.crawler.stats
        base = self._checkpoint_base
        since = _StatsSince(stats, base)
        try:
            self._flush_pending()
            pages = since.get_value("response_received_count", 0)
            spider = self.crawler.spider
            base_url = getattr(spider, "base_url", "")
            verdicts = self.crawler.signals.send_catch_log(
                run_closing, store=self.store, run_id=self.run_id, base_url=base_url,
                stats=since)
            status = "ok" if pages else "failed"
            if status == "ok" and any(result is True for _receiver, result in verdicts):
                status = "degraded"
            self.store.finish_run(
                self.run_id, status, pages_fetched=pages,
                articles_new=self.counts["new"], articles_updated=self.counts["updated"],
                articles_unchanged=self.counts["unchanged"], errors=self.counts["errors"],
                error_summary="; ".join(self.error_samples[:10]) or None)
            self.run_id = self.store.start_run(base_url, trigger=trigger)
        except Exception as exc:  # noqa: BLE001 - the database went away: later
            if is_unavailable(exc):
                return None
            raise
        self._checkpoint_base = dict(stats.get_stats())
        self.counts = dict.fromkeys(self.counts, 0)
        self.error_samples = []
        return self.run_id

    def _run_status(self, pages: int, reason: str) -> str:
        # A spider that runs until stopped (the monitor) ends normally that way.
        stops_normally = getattr(self.crawler.spider, "ends_by_stopping", False)
        if reason in ("shutdown", "cancelled") and not stops_normally:
            return "interrupted"
        if pages == 0 and stops_normally and self._checkpoint_base:
            return "ok"  # stopped just after a checkpoint: nothing left to do
        if pages == 0 or self.crawler.stats.get_value("newsmon/start_failed"):
            return "failed"
        return "ok"

    def process_item(self, item: Any) -> Any:
        assert self.spooler is not None
        self.spooler.submit(item, utcnow())  # apply(), or spooled: database unavailable
        return item

    def apply(self, item: Any, now: datetime) -> None:
        """Write one item seen at ``now`` (items replayed from the spool included)."""
        assert self.store is not None and self.run_id is not None
        if isinstance(item, ArticleItem):
            self._save_article(item, now)
        elif isinstance(item, ListingItem):
            article_id = self.store.resolve_article_id(item.article_url)
            if article_id is None:
                self._hold(item)
            else:
                self.store.record_listing(item, article_id, item.observed_at or now)
        elif isinstance(item, IndexPageItem):
            self.store.record_index_page(item)
        elif isinstance(item, NotModifiedItem):  # a revisit found it unchanged (304)
            self.store.mark_not_modified(item.article_id, now)
            self.counts["unchanged"] += 1
            self.crawler.stats.inc_value("newsmon/articles_unchanged")
        elif isinstance(item, BreakingItem):
            self.store.record_breaking(item.texts, now)
        elif isinstance(item, MenuItem):
            self.store.record_menu(item.sections, item.regions)
        elif isinstance(item, FetchErrorItem):
            self._error(item.url, item.error, item.status)

    def _save_article(self, item: ArticleItem, now: datetime) -> None:
        assert self.store is not None and self.run_id is not None
        # A page of this site the parser did not assign: the crawl's edition, language.
        if item.edition is None:
            item.edition = self.edition.key
        if item.language is None and item.edition == self.edition.key:
            item.language = self.edition.language
        known_as = {item.url, item.fetched_url, *item.requested_urls} - {None}
        # Placements seen before the article: written in its transaction.
        waiting = [listing for url in sorted(known_as & self.pending.keys())
                   for listing in self.pending[url]]
        try:
            outcome, _article_id = self.store.save_article(item, self.run_id, now,
                                                           listings=waiting)
        except Exception as exc:  # keep crawling; the run records the failure
            if is_unavailable(exc):
                raise  # the Spooler spools the item
            logger.exception("Could not store %s", item.url)
            self._error(item.url, f"store failed: {type(exc).__name__}: {exc}"[:500])
            return
        for url in known_as:
            self.pending.pop(url, None)
        self.counts[outcome] += 1
        self.crawler.stats.inc_value(f"newsmon/articles_{outcome}")
        try:
            self._record_redirects(known_as)
        except Exception as exc:  # noqa: BLE001 - kept in self.redirected, written later
            if not is_unavailable(exc):
                raise

    def _hold(self, item: ListingItem) -> None:
        waiting = self.pending.setdefault(item.article_url, [])
        if len(waiting) >= 2 and _place(waiting[-2]) == _place(waiting[-1]) == _place(item):
            waiting[-1] = item  # the same streak, seen again: its end moves on
        else:
            waiting.append(item)

    def _flush_pending(self, urls: set[str] | None = None, final: bool = False) -> None:
        assert self.store is not None
        now = utcnow()
        for url in list(self.pending if urls is None else urls):
            article_id = self.store.resolve_article_id(url)
            if article_id is None:
                last = self.pending[url][-1].observed_at if self.pending[url] else None
                if final or last is None or (now - last).total_seconds() > PENDING_MAX_AGE:
                    logger.debug("Listing of %s dropped: article not stored", url)
                    if not final:
                        del self.pending[url]
                continue
            listings = self.pending[url]
            while listings:  # each forgotten only once written
                self.store.record_listing(listings[0], article_id,
                                          listings[0].observed_at or now)
                listings.pop(0)
            del self.pending[url]

    def _error(self, url: str, error: str, status: int | None = None) -> None:
        assert self.store is not None and self.run_id is not None
        # A page skipped for want of a browser was warned about once (crawler.crawl.rendering).
        level = logging.INFO if error.startswith("skipped:") else logging.WARNING
        logger.log(level, "Fetch error: %s (%s)", url, error)
        self.store.record_fetch_error(self.run_id, url, error, status=status)
        self.counts["errors"] += 1  # once written (a spooled error is counted when it is)
        if len(self.error_samples) < 10:
            self.error_samples.append(f"{error} {url}")


def _place(item: ListingItem) -> tuple:
    return (item.page_url, item.page_number, item.position)


class _StatsSince:
    """The crawl's stats counted from a checkpoint on (numbers: the difference; the
    rest as they are); ``set_value`` writes through."""

    def __init__(self, stats: Any, base: dict[str, Any]):
        self.stats, self.base = stats, base

    def get_value(self, key: str, default: Any = None) -> Any:
        value = self.stats.get_value(key, default)
        before = self.base.get(key)
        if isinstance(value, (int, float)) and isinstance(before, (int, float)) \
                and not isinstance(value, bool):
            return value - before
        return value

    def get_stats(self) -> dict[str, Any]:
        return {key: self.get_value(key) for key in self.stats.get_stats()}

    def set_value(self, key: str, value: Any) -> None:
        self.stats.set_value(key, value)

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self.stats.inc_value(key, count, start)
