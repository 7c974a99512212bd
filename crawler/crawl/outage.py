"""Losing the database during a crawl: spool, keep crawling, write it all back.

``Spooler`` sits between the item pipeline (``crawler.crawl.pipelines.StorePipeline``) and
the database. Each item goes to ``StorePipeline.apply``; when that fails because the
database is unavailable (``is_unavailable``: a lost connection, a refused one, a
timeout), the item is appended to the run's spool file (``crawler.crawl.spool``) and so is
every later item, in order, while the database stays away. At most every
``NEWSMON_SPOOL_RETRY_INTERVAL`` seconds (default 5) the next item first probes the
database (``SELECT 1``); when it answers, the spool is written back, oldest first,
before anything newer. At the end of the run the spooler waits up to
``NEWSMON_SPOOL_CLOSE_WAIT`` seconds (default 30) for the database; if it is still away,
what the run still had to write (listings whose article was not stored yet, redirect
aliases, the run's own record) is spooled as well, and the next run of the site writes
it all before it crawls (``open``). Records of an earlier run are written by a helper
pipeline bound to that run's id, so that its fetch errors and counts stay its own, and
its record gets the status it finished with.

While the database is away, the spider's reads (``crawler.crawl.incremental.CrawlMemory``)
go through ``OutageTolerantReads``: nothing is known, so articles are fetched (and
later stored as unchanged if they were stored already) rather than lost.

A spooled record the database refuses for another reason (a bug, bad data) is set
aside in the spool file's ``unwritable`` table with the error, logged, and skipped.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import exc as sa_exc

from crawler.db.session import DatabaseUnavailable, check_connection
from crawler.items import FetchErrorItem
from crawler.crawl.spool import RedirectAliases, RunEnd, Spool, spool_path

logger = logging.getLogger(__name__)

RETRY_INTERVAL_SETTING = "NEWSMON_SPOOL_RETRY_INTERVAL"
CLOSE_WAIT_SETTING = "NEWSMON_SPOOL_CLOSE_WAIT"


# PostgreSQL SQLSTATE classes and codes that mean "not now" rather than "not this":
# connection exceptions, insufficient resources (disk full, too many connections),
# server shutting down or starting, a statement timeout.
_PG_UNAVAILABLE = ("08", "53", "57P", "57014")
# SQLite's equivalents, by message (sqlite3 has no SQLSTATE).
_SQLITE_UNAVAILABLE = ("database is locked", "unable to open database", "disk i/o error",
                       "database or disk is full", "readonly database")


def is_unavailable(error: BaseException) -> bool:
    """Does ``error`` mean "the database cannot be reached or used right now" (as
    opposed to a bug or bad data, which spooling would not cure)?"""
    if isinstance(error, (DatabaseUnavailable, sa_exc.DisconnectionError,
                          sa_exc.TimeoutError)):
        return True
    if isinstance(error, sa_exc.DBAPIError):
        if error.connection_invalidated:
            return True
        state = getattr(error.orig, "sqlstate", None)
        if state:
            return state.startswith(_PG_UNAVAILABLE)
        if isinstance(error.orig, sqlite3.Error):
            message = str(error.orig).lower()
            return any(text in message for text in _SQLITE_UNAVAILABLE)
        # A driver error without a SQLSTATE: the connection itself failed.
        return isinstance(error, (sa_exc.OperationalError, sa_exc.InterfaceError))
    return isinstance(error, (ConnectionError, TimeoutError))


def one_line(error: BaseException, password: str | None = None) -> str:
    """The first line of an error's message, without the password."""
    message = str(getattr(error, "orig", None) or error).strip()
    line = message.splitlines()[0].strip() if message else type(error).__name__
    return line.replace(password, "***") if password else line


def utcnow() -> datetime:
    return datetime.now(UTC)


class _NullStats:
    """Stats of a helper pipeline: counts of an earlier run are not this run's."""

    def inc_value(self, *args: Any, **kwargs: Any) -> None:
        pass

    def set_value(self, *args: Any, **kwargs: Any) -> None:
        pass

    def get_value(self, key: str, default: Any = None) -> Any:
        return default


class Spooler:
    """The StorePipeline's guard against a database outage (module docstring)."""

    def __init__(self, pipeline: Any, spool: Spool, *, retry_interval: float = 5.0,
                 close_wait: float = 30.0, clock: Callable[[], float] = time.monotonic):
        self.pipeline = pipeline
        self.spool = spool
        self.retry_interval = retry_interval
        self.close_wait = close_wait
        self.clock = clock
        self.down_since: datetime | None = None
        self.next_probe = 0.0
        self.spooled = 0    # items this run spooled
        self.written = 0    # spooled items written back by this run

    @classmethod
    def for_pipeline(cls, pipeline: Any, db_url: str, base_url: str) -> Spooler:
        settings = pipeline.crawler.settings
        path = spool_path(db_url, base_url, settings.get("NEWSMON_SPOOL_DIR") or None)
        return cls(pipeline, Spool(path),
                   retry_interval=settings.getfloat(RETRY_INTERVAL_SETTING, 5.0),
                   close_wait=settings.getfloat(CLOSE_WAIT_SETTING, 30.0))

    @property
    def down(self) -> bool:
        return self.down_since is not None

    # --- the run's life ---------------------------------------------------------

    def open(self) -> None:
        """At the start of a run: write what earlier runs (or this one) spooled."""
        waiting = self.spool.count()
        if waiting:
            logger.warning("spool: %d items that could not be written earlier (database "
                           "unavailable) are in %s: writing them first", waiting,
                           self.spool.path)
            self._drain()

    def submit(self, item: Any, now: datetime) -> None:
        """Write ``item`` (``pipeline.apply``), or spool it while the database is away."""
        if self.down and not self._back():
            self._spool(item, now)
            return
        try:
            self.pipeline.apply(item, now)
        except Exception as error:  # noqa: BLE001 - sorted below
            if not is_unavailable(error):
                raise
            self._lost(error)
            self._spool(item, now)

    def finish(self) -> bool:
        """At the end of the run. True: the database answers and the spool is written
        (the pipeline finishes the run as usual). False: it stayed away for
        ``close_wait`` seconds; the rest of the run is spooled, for the next run."""
        if not self.down:
            return True
        deadline = self.clock() + self.close_wait
        while True:
            self.next_probe = 0.0
            if self._back():
                return True
            remaining = deadline - self.clock()
            if remaining <= 0:
                break
            time.sleep(min(self.retry_interval, remaining))
        self._spool_rest()
        return False

    def close(self) -> None:
        self.spool.close()

    # --- outage and recovery ----------------------------------------------------

    def _lost(self, error: BaseException) -> None:
        if self.down:
            return
        self.down_since = utcnow()
        self.next_probe = self.clock() + self.retry_interval
        store = self.pipeline.store
        password = store.engine.url.password if store is not None else None
        logger.error("database unavailable (%s): items are spooled to %s until it answers "
                     "again", one_line(error, password), self.spool.path)
        self.pipeline.crawler.stats.inc_value("newsmon/database_outages")

    def _spool(self, item: Any, now: datetime) -> None:
        if isinstance(item, FetchErrorItem):  # the log line now, the row when written
            logger.warning("Fetch error: %s (%s) [spooled]", item.url, item.error)
        self.spool.append(self.pipeline.run_id, now, item)
        self.spooled += 1
        self.pipeline.crawler.stats.inc_value("newsmon/spooled_items")

    def _back(self) -> bool:
        """Probe the database (at most every retry_interval); when it answers, write
        the spool. True when the database is usable and the spool is empty."""
        if self.clock() < self.next_probe:
            return False
        self.next_probe = self.clock() + self.retry_interval
        try:
            check_connection(self.pipeline.store.engine)
        except DatabaseUnavailable:
            return False
        return self._drain()

    def _drain(self) -> bool:
        """Write every spooled record, oldest first; False if the database went away
        again meanwhile (the rest stays spooled)."""
        helpers: dict[int, Any] = {}
        ends: list[tuple[int, int, RunEnd]] = []
        written = 0
        for record in self.spool.records():
            target = self.pipeline if record.run_id == self.pipeline.run_id \
                else helpers.get(record.run_id) or helpers.setdefault(
                    record.run_id, self._helper(record.run_id))
            try:
                item = record.item()
                if isinstance(item, RunEnd):
                    ends.append((record.id, record.run_id, item))
                    continue  # written after the run's other records
                if isinstance(item, RedirectAliases):
                    target.redirected.setdefault(item.target, set()).update(item.sources)
                    target._record_redirects({item.target})
                else:
                    target.apply(item, record.seen_at)
            except Exception as error:  # noqa: BLE001 - sorted below
                if is_unavailable(error) and not self._answers():
                    self._lost(error)
                    return False
                logger.error("spool: record %d (%s of run %d) cannot be written, set aside "
                             "in %s: %s", record.id, record.kind, record.run_id,
                             self.spool.path, one_line(error))
                self.spool.set_aside(record.id, f"{type(error).__name__}: {error}")
                continue
            self.spool.remove(record.id)
            written += 1
        try:
            for helper in helpers.values():
                helper._record_redirects(set(helper.redirected))
                helper._flush_pending(final=True)
            for record_id, run_id, end in ends:
                self._finish_earlier_run(run_id, end, helpers.get(run_id))
                self.spool.remove(record_id)
            if self.pipeline.redirected:
                self.pipeline._record_redirects(set(self.pipeline.redirected))
        except Exception as error:  # noqa: BLE001
            if not is_unavailable(error):
                raise
            self._lost(error)
            return False
        self.written += written
        if self.down_since is not None or written:
            logger.warning("spool: %s%d spooled items written%s",
                           "database available again: " if self.down else "", written,
                           f" (of earlier runs: {sorted(helpers)})" if helpers else "")
        self.down_since = None
        return True

    def _answers(self) -> bool:
        try:
            check_connection(self.pipeline.store.engine)
        except DatabaseUnavailable:
            return False
        return True

    def _helper(self, run_id: int) -> Any:
        """A pipeline writing an earlier run's records under that run's id."""
        crawler = SimpleNamespace(settings=self.pipeline.crawler.settings, stats=_NullStats(),
                                  spider=getattr(self.pipeline.crawler, "spider", None))
        helper = type(self.pipeline)(crawler)
        helper.store, helper.run_id = self.pipeline.store, run_id
        return helper

    def _finish_earlier_run(self, run_id: int, end: RunEnd, helper: Any) -> None:
        if run_id == self.pipeline.run_id:
            return  # this run finishes itself
        counts = helper.counts if helper is not None else {}
        summary = "; ".join(filter(None, [end.error_summary,
                                          *(helper.error_samples if helper else [])]))
        self.pipeline.store.finish_run(
            run_id, end.status, pages_fetched=end.pages_fetched,
            articles_new=end.articles_new + counts.get("new", 0),
            articles_updated=end.articles_updated + counts.get("updated", 0),
            articles_unchanged=end.articles_unchanged + counts.get("unchanged", 0),
            errors=end.errors + counts.get("errors", 0),
            error_summary=summary[:2000] or None, finished_at=end.finished_at,
            index_complete=end.index_complete)
        logger.warning("spool: run %d recorded as %s (it ended while the database was "
                       "unavailable)", run_id, end.status)

    def _spool_rest(self) -> None:
        """The database stayed away to the end: spool what the run still had to write."""
        p = self.pipeline
        now = utcnow()
        for listings in p.pending.values():
            for listing in listings:
                self._spool(listing, listing.observed_at or now)
        for target, sources in p.redirected.items():
            self._spool(RedirectAliases(target, sorted(sources)), now)
        p.pending.clear()
        p.redirected.clear()
        stats = p.crawler.stats
        pages = stats.get_value("response_received_count", 0)
        status = p._run_status(pages, stats.get_value("finish_reason", "finished"))
        since = self.down_since or now
        note = (f"database unavailable from {since:%Y-%m-%d %H:%M:%S} UTC to the end of "
                f"the run: {self.spooled + 1} items spooled, written by the next run")
        self._spool(RunEnd(status=status, finished_at=now, pages_fetched=pages,
                           articles_new=p.counts["new"], articles_updated=p.counts["updated"],
                           articles_unchanged=p.counts["unchanged"], errors=p.counts["errors"],
                           error_summary="; ".join([note, *p.error_samples[:9]]),
                           index_complete=p.walked_every_chain()), now)
        stats.set_value("newsmon/run_id", p.run_id)
        stats.set_value("newsmon/status", status)
        stats.set_value("newsmon/database_lost", True)
        stats.set_value("newsmon/spooled", self.spool.count())
        stats.set_value("newsmon/spool_file", str(self.spool.path))
        logger.error("database still unavailable at the end of run %s: %d items are spooled "
                     "in %s; the next run of the site writes them first", p.run_id,
                     self.spool.count(), self.spool.path)


class OutageTolerantReads:
    """A Store whose reads for the spider (``CrawlMemory``) answer "nothing known"
    while the database is unavailable, instead of failing the page's callback."""

    _EMPTY: dict[str, Callable[[], Any]] = {
        "known_articles": dict, "recent_failures": set, "validators": dict,
        "index_listing": lambda: None, "last_complete_crawl": lambda: None}

    def __init__(self, store: Any, warn_every: float = 60.0):
        self._store = store
        self._warn_every = warn_every
        self._warned_at: float | None = None

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._store, name)
        empty = self._EMPTY.get(name)
        if empty is None:
            return attribute

        def read(*args: Any, **kwargs: Any) -> Any:
            try:
                return attribute(*args, **kwargs)
            except Exception as error:  # noqa: BLE001 - sorted below
                if not is_unavailable(error):
                    raise
                now = time.monotonic()
                if self._warned_at is None or now - self._warned_at > self._warn_every:
                    self._warned_at = now
                    logger.warning("database unavailable (%s): the crawl goes on without "
                                   "knowing what earlier runs stored",
                                   one_line(error, self._store.engine.url.password))
                return empty()

        return read
