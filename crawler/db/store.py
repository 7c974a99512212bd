"""All writes to the database go through this module.

``Store`` wraps an Engine (see ``session.make_engine``). Every write method runs in
one transaction (``BEGIN IMMEDIATE`` on SQLite) and is retried a few times on a
deadlock, serialization failure or "database is locked". All SQL is built with
SQLAlchemy constructs, so values are always bound parameters.

Text is stored verbatim except for NUL characters (U+0000), which are removed from
every string (scalars, list items, JSON values) on both databases, because
PostgreSQL ``text``/``jsonb`` cannot hold them. Raw HTML is stored as bytes
(gzip-compressed), untouched.
"""

from __future__ import annotations

import gzip
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Engine, Table, case, delete, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from crawler.db import faults, metric_totals, queries
from crawler.db.monitoring import (write_aliases, 
    MonitoringStore,
    add_revision,
    amend_revision,
    record_placement_run,
    save_validators,
)
from crawler.db.models import (
    RUN_STATUSES,
    RUN_TRIGGERS,
    Article,
    ArticleLink,
    ArticleRegion,
    ArticleTag,
    BreakingNews,
    CrawlRun,
    FetchError,
    Placement,
    RawPage,
    Region,
    Tag,
)
from crawler.db.filters import ArticleFilter, aware_utc, utc_or_now
from crawler.db.queries import SCALAR_FIELDS
from crawler.db.reference import ensure_section, record_menu
from crawler.db.siblings import evidence_of, write_evidence
from crawler.db.upsert import upsert
from crawler.db.watchlists import queue_article_alerts, queue_breaking_alerts
from crawler.db.text import (clean_text, clean_value, content_hash, none_if_blank, text_hash,
                             unique_texts)
from crawler.items import ArticleItem, ListingItem

T = TypeVar("T")

_articles: Table = Article.__table__  # type: ignore[assignment]
_article_tags: Table = ArticleTag.__table__  # type: ignore[assignment]
_article_regions: Table = ArticleRegion.__table__  # type: ignore[assignment]
_article_links: Table = ArticleLink.__table__  # type: ignore[assignment]
_placements: Table = Placement.__table__  # type: ignore[assignment]
_breaking: Table = BreakingNews.__table__  # type: ignore[assignment]
_runs: Table = CrawlRun.__table__  # type: ignore[assignment]

# Raw pages are kept for re-extraction: level 1 takes 0.4 ms for a 75 KB page against
# 1.05 ms at gzip's default 9, for 18 % more bytes (docs/BENCHMARKS.md).
RAW_PAGE_GZIP_LEVEL = 1

_RETRYABLE_SQLSTATES = {"40001", "40P01"}  # serialization failure, deadlock


_aware = utc_or_now  # the monitoring methods use the same rule


def _later(current: Any, candidate: Any) -> Any:
    """SQL: the later of two datetimes (portable GREATEST)."""
    return case((candidate > current, candidate), else_=current)


def _is_retryable(error: DBAPIError) -> bool:
    if getattr(error.orig, "sqlstate", None) in _RETRYABLE_SQLSTATES:
        return True
    return "database is locked" in str(error.orig)


class Store(MonitoringStore):
    """Reads and writes newsmon data (monitoring methods: ``crawler.db.monitoring``).
    Thread-safe: each call uses its own connection from the engine's pool."""

    def __init__(self, engine: Engine, *, batch_size: int = 500, max_attempts: int = 4,
                 edition: str = "en"):
        self.engine = engine
        # The edition of what this store writes (a crawl's: runs, placements, index
        # pages, ticker items; articles whose item names none). crawler.sites.editions.
        self.edition = edition
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self._writer = engine.execution_options(sqlite_begin="IMMEDIATE")

    def _write(self, work: Callable[[Connection], T]) -> T:
        for attempt in range(1, self.max_attempts + 1):
            try:
                with self._writer.begin() as connection:
                    result = work(connection)
                faults.after_write(work)  # a test hook: off unless set (crawler.db.faults)
                return result
            except DBAPIError as error:
                if attempt == self.max_attempts or not _is_retryable(error):
                    raise
                time.sleep(0.05 * 2 ** attempt)
        raise AssertionError("unreachable")

    # --- runs ----------------------------------------------------------------------

    def start_run(self, base_url: str, trigger: str = "manual",
                  started_at: datetime | None = None) -> int:
        if trigger not in RUN_TRIGGERS:
            raise ValueError(f"trigger must be one of {RUN_TRIGGERS}, not {trigger!r}")
        row = {"started_at": _aware(started_at, "started_at"), "status": "running",
               "trigger": trigger, "base_url": clean_text(base_url), "edition": self.edition}
        return self._write(lambda s: s.execute(
            insert(_runs).values(row).returning(_runs.c.id)).scalar_one())

    def finish_run(self, run_id: int, status: str, *, pages_fetched: int, articles_new: int,
                   articles_updated: int, articles_unchanged: int, errors: int,
                   error_summary: str | None = None,
                   finished_at: datetime | None = None, index_complete: bool = False) -> None:
        """``index_complete``: a crawl that read every index chain as far as its rules
        say (ended ok/degraded); later crawls count what it stored as seen."""
        if status not in RUN_STATUSES:
            raise ValueError(f"status must be one of {RUN_STATUSES}, not {status!r}")
        values = {"status": status, "finished_at": _aware(finished_at, "finished_at"),
                  "pages_fetched": pages_fetched, "articles_new": articles_new,
                  "articles_updated": articles_updated,
                  "articles_unchanged": articles_unchanged, "errors": errors,
                  "error_summary": none_if_blank(clean_text(error_summary)),
                  "index_complete": bool(index_complete) and status in ("ok", "degraded")}
        self._write(lambda s: metric_totals.close_run(s, run_id, values))

    def record_fetch_error(self, run_id: int, url: str, error: str, status: int | None = None,
                           occurred_at: datetime | None = None) -> int:
        row = {"run_id": run_id, "url": clean_text(url), "error": clean_text(error),
               "status": status, "occurred_at": _aware(occurred_at, "occurred_at")}
        table = FetchError.__table__

        def work(s: Connection) -> int:
            metric_totals.add(s, {metric_totals.sample_key(
                metric_totals.FETCH_ERRORS, metric_totals.error_kind(status, row["error"])): 1})
            return s.execute(insert(table).values(row).returning(table.c.id)).scalar_one()
        return self._write(work)

    # --- articles ------------------------------------------------------------------

    def save_article(self, item: ArticleItem, run_id: int, seen_at: datetime, *,
                     new_revision: bool = True,
                     listings: Sequence[ListingItem] = ()) -> tuple[str, int]:
        """Insert or update one article and everything hanging off it, atomically.

        Returns ``("new" | "updated" | "unchanged", article_id)``. "updated" means an
        extracted field (``ArticleItem.fields()``, tags, metadata regions and related
        URLs included) differs from what is stored. Only a changed text (the
        ``content_hash`` of title, summary and body) makes a new revision: an
        ``article_revisions`` row and ``revision`` + 1; the first version is revision
        1. ``new_revision=False`` (a re-extraction of the stored page) rewrites the
        current revision's text instead. The response's validators (ETag,
        Last-Modified) are stored with the article.
        ``listings``: placements of the article observed before it was stored (as
        ``record_listing`` writes them), in the same transaction: a crash never leaves
        an article without its tags, links, regions, raw page or those placements.
        ``run_id`` identifies the crawl run (not stored per article).
        """
        seen_at = _aware(seen_at, "seen_at")
        # NUL characters removed; empty or blank strings are NULL (lists: dropped).
        fields = {k: none_if_blank(v) for k, v in clean_value(item.fields()).items()}
        url = fields["url"]
        if not url:
            raise ValueError("an article needs a url")
        scalars = {name: fields[name] for name in SCALAR_FIELDS}
        scalars["authors"] = list(scalars["authors"] or [])
        wanted = {**scalars, "tags": unique_texts(fields["tags"]),
                  "regions": sorted(unique_texts(fields["regions"])),
                  "related_urls": unique_texts(fields["related_urls"])}
        digest = content_hash(scalars["title"], scalars["summary"], scalars["body"])
        field_sources = clean_value(dict(item.field_sources))
        aliases = sorted(unique_texts([url, item.fetched_url, *item.requested_urls]))
        evidence = evidence_of(url, clean_value(list(item.alternate_urls)), scalars["image_url"],
                               getattr(item, "tawsiyat_id", None))
        raw = None
        if item.raw_html is not None:
            raw = {"url": clean_text(item.fetched_url) or url, "fetched_at": seen_at,
                   "http_status": item.http_status, "encoding": clean_text(item.encoding),
                   "html_gz": gzip.compress(item.raw_html, compresslevel=RAW_PAGE_GZIP_LEVEL, mtime=0)}

        def work(s: Connection) -> tuple[str, int]:
            ensure_section(s, scalars["section"], scalars["category"])  # the FK's target
            revised: dict[str, Any] | None = None  # the text before a new revision
            current = self._lock_article(s, url)
            if current is None:  # new, unless another writer inserts it first
                row = {"url": url, **scalars, "edition": item.edition or self.edition,
                       "content_hash": digest, "revision": 1,
                       "field_sources": field_sources, "first_seen_at": seen_at,
                       "last_seen_at": seen_at, "last_fetched_at": seen_at}
                result = upsert(s, _articles, row, ["url"], returning=[_articles.c.id])
                article_id = result.scalar_one_or_none() if result is not None else None
                status, stored = "new", None
                if article_id is None:
                    current = self._lock_article(s, url)
                else:
                    add_revision(s, article_id, 1, scalars, digest, seen_at)
            if current is not None:
                article_id = current["id"]
                stored = queries.stored_fields(s, current)
                status = "unchanged" if stored == wanted else "updated"
                values: dict[str, Any] = {
                    "last_seen_at": _later(_articles.c.last_seen_at, seen_at),
                    "last_fetched_at": _later(_articles.c.last_fetched_at, seen_at),
                    "field_sources": field_sources}
                if status == "updated":
                    values.update(scalars, content_hash=digest)
                if item.edition and item.edition != current["edition"]:
                    values["edition"] = item.edition  # a re-read page knows better
                if current["content_hash"] != digest and new_revision:
                    values["revision"] = current["revision"] + 1  # the row is locked
                    revised = dict(current)
                    add_revision(s, article_id, values["revision"], scalars, digest, seen_at)
                elif current["content_hash"] != digest:
                    amend_revision(s, article_id, current["revision"], scalars, digest)
                s.execute(update(_articles).where(_articles.c.id == article_id).values(values))
            if stored is None or stored["tags"] != wanted["tags"]:
                self._replace_tags(s, article_id, wanted["tags"])
            if stored is None or stored["regions"] != wanted["regions"]:
                self._set_metadata_regions(s, article_id, wanted["regions"])
            if stored is None or stored["related_urls"] != wanted["related_urls"]:
                self._replace_links(s, article_id, wanted["related_urls"])
            write_aliases(s, article_id, aliases)
            write_evidence(s, article_id, evidence)
            if raw is not None:
                save_validators(s, url, item.etag, item.last_modified, seen_at)
                upsert(s, RawPage, {"article_id": article_id, **raw}, ["article_id"],
                       list(raw))
            for listing in listings:  # placements seen before the article was stored
                self._write_listing(s, listing, article_id,
                                    _aware(listing.observed_at or seen_at, "observed_at"))
            if status == "new" or revised is not None:  # watchlists' alerts, same transaction
                regions = wanted["regions"] + [l.page_name for l in listings
                                               if l.page_kind == "region" and l.page_name]
                queue_article_alerts(
                    s, article_id=article_id, revision=revised["revision"] + 1 if revised else 1,
                    article={"url": url, **scalars,
                             "edition": item.edition or (current or {}).get("edition")
                             or self.edition},
                    tags=wanted["tags"], regions=regions,
                    previous=revised, matched_at=seen_at)
            return status, article_id

        return self._write(work)

    @staticmethod
    def _lock_article(s: Connection, url: str) -> Any:
        return s.execute(select(_articles).where(_articles.c.url == url)
                         .with_for_update()).mappings().first()

    @staticmethod
    def _name_ids(s: Connection, model: type[Tag] | type[Region], names: list[str]) -> dict[str, int]:
        """Ids of the named tags/regions, creating missing ones (sorted: lock order)."""
        table = model.__table__
        query = select(table.c.name, table.c.id).where(table.c.name.in_(names))
        ids = dict(s.execute(query).all())
        missing = sorted(set(names) - ids.keys())
        if missing:
            upsert(s, table, [{"name": n} for n in missing], ["name"])
            ids = dict(s.execute(query).all())
        return ids

    def _replace_tags(self, s: Connection, article_id: int, names: list[str]) -> None:
        s.execute(delete(_article_tags).where(_article_tags.c.article_id == article_id))
        if names:
            ids = self._name_ids(s, Tag, names)
            s.execute(insert(_article_tags), [
                {"article_id": article_id, "tag_id": ids[n], "position": i}
                for i, n in enumerate(names, 1)])

    def _set_metadata_regions(self, s: Connection, article_id: int, names: list[str]) -> None:
        """Metadata regions become exactly ``names``; index-derived ones stay."""
        ar = _article_regions
        ids = self._name_ids(s, Region, names) if names else {}
        clear = update(ar).where(ar.c.article_id == article_id, ar.c.from_metadata.is_(True))
        if ids:
            clear = clear.where(ar.c.region_id.not_in(list(ids.values())))
        s.execute(clear.values(from_metadata=False))
        upsert(s, ar, [{"article_id": article_id, "region_id": ids[n], "from_metadata": True,
                        "from_index": False} for n in sorted(ids)],
               ["article_id", "region_id"], {"from_metadata": True})
        s.execute(delete(ar).where(ar.c.article_id == article_id, ar.c.from_metadata.is_(False),
                                   ar.c.from_index.is_(False)))

    @staticmethod
    def _replace_links(s: Connection, article_id: int, urls: list[str]) -> None:
        s.execute(delete(_article_links).where(_article_links.c.from_article_id == article_id))
        if urls:
            s.execute(insert(_article_links), [
                {"from_article_id": article_id, "to_url": u, "kind": "related", "position": i}
                for i, u in enumerate(urls, 1)])

    def touch_article(self, article_id: int, seen_at: datetime) -> None:
        """The article was seen (e.g. listed) at ``seen_at``: move last_seen_at on."""
        seen_at = _aware(seen_at, "seen_at")
        self._write(lambda s: s.execute(
            update(_articles).where(_articles.c.id == article_id)
            .values(last_seen_at=_later(_articles.c.last_seen_at, seen_at))))

    def record_listing(self, item: ListingItem, article_id: int, seen_at: datetime) -> None:
        """An index page listed the article at ``seen_at`` (the page's observation
        time): extend or start its placement run (``monitoring.record_placement_run``),
        move the article's last_seen_at on; a region page also adds that region to
        the article (``from_index``)."""
        seen_at = _aware(seen_at, "seen_at")
        self._write(lambda s: self._write_listing(s, item, article_id, seen_at))

    def _write_listing(self, s: Connection, item: ListingItem, article_id: int,
                       seen_at: datetime) -> None:
        """``record_listing`` inside a transaction (also ``save_article``'s)."""
        row = {"article_id": article_id, "page_url": clean_text(item.page_url),
               "page_kind": item.page_kind, "page_name": clean_text(item.page_name),
               "page_number": item.page_number, "position": item.position,
               "first_seen_at": seen_at, "last_seen_at": seen_at, "edition": self.edition}
        record_placement_run(s, row)
        s.execute(update(_articles).where(_articles.c.id == article_id)
                  .values(last_seen_at=_later(_articles.c.last_seen_at, seen_at)))
        region = clean_text(item.page_name)
        if item.page_kind == "region" and region:
            region_id = self._name_ids(s, Region, [region])[region]
            upsert(s, _article_regions, {"article_id": article_id, "region_id": region_id,
                                         "from_metadata": False, "from_index": True},
                   ["article_id", "region_id"], {"from_index": True})

    # --- reference lists -----------------------------------------------------------

    def record_menu(self, sections: list[tuple[str | None, str]], regions: list[str]) -> int:
        """Add the site menu's sections (``(category, name)``) and regions to the
        reference lists (``crawler.db.reference``); returns how many were new."""
        return self._write(lambda s: record_menu(s, sections, regions))

    # --- breaking news -------------------------------------------------------------

    def record_breaking(self, texts: list[str], seen_at: datetime) -> int:
        """Record breaking-news texts seen at ``seen_at``; returns how many were new.

        Texts are identified by the sha256 of their normalised form; the first
        version of a text is the one kept.
        """
        seen_at = _aware(seen_at, "seen_at")
        rows: dict[str, dict[str, Any]] = {}
        for text in filter(str.strip, (clean_text(t) or "" for t in texts)):
            digest = text_hash(text)
            rows.setdefault(digest, {"text": text.strip(), "text_hash": digest,
                                     "first_seen_at": seen_at, "last_seen_at": seen_at,
                                     "edition": self.edition})
        if not rows:
            return 0

        def work(s: Connection) -> int:
            known = set(s.scalars(select(_breaking.c.text_hash)
                                  .where(_breaking.c.text_hash.in_(list(rows)))))
            upsert(s, _breaking, [rows[h] for h in sorted(rows)], ["text_hash"], {
                "last_seen_at": lambda ex: _later(_breaking.c.last_seen_at, ex.last_seen_at)})
            new = sorted(rows.keys() - known)
            if new:  # watchlists' alerts, in the same transaction
                ids = dict(s.execute(select(_breaking.c.text_hash, _breaking.c.id)
                                     .where(_breaking.c.text_hash.in_(new))).all())
                queue_breaking_alerts(s, [(ids[h], rows[h]["text"]) for h in new], seen_at,
                                      self.edition)
            return len(new)

        return self._write(work)

    # --- reads (see queries.py) ----------------------------------------------------

    def resolve_article_id(self, url: str) -> int | None:
        """The article a URL leads to: by canonical URL, else by alias."""
        with self.engine.connect() as conn:
            return queries.resolve_article_id(conn, clean_text(url) or "")

    def get_article(self, url: str) -> dict[str, Any] | None:
        """One article as an export record (``ARTICLE_EXPORT_KEYS``), or None."""
        with self.engine.connect() as conn:
            return queries.get_article(conn, clean_text(url) or "")

    def iter_export_articles(self, since: datetime | None = None,
                             until: datetime | None = None, *, section: str | None = None,
                             region: str | None = None, tag: str | None = None,
                             edition: str | None = None, language: str | None = None
                             ) -> Iterator[dict[str, Any]]:
        """Export records, ordered by published_at (missing last) then url, streamed
        in batches (constant memory). ``since``/``until``: only articles published in
        [since, until); an article without a publication date counts as published
        when first seen. ``section``, ``region``, ``tag``: by name; ``edition``,
        ``language``: as stored (``ArticleFilter``)."""
        which = ArticleFilter(since, until, section, region, tag, edition, language)
        with self.engine.connect() as conn:
            yield from queries.iter_export_articles(conn, which, self.batch_size)

    def iter_export_breaking(self, since: datetime | None = None,
                             until: datetime | None = None, edition: str | None = None
                             ) -> Iterator[dict[str, Any]]:
        """``{text, first_seen_at, last_seen_at}`` by first_seen_at. ``since``: only
        texts still seen (last_seen_at) at or after it; ``until``: first seen before it;
        ``edition``: only that edition's ticker."""
        since, until = aware_utc(since, "since"), aware_utc(until, "until")
        with self.engine.connect() as conn:
            yield from queries.iter_export_breaking(conn, since, self.batch_size, until,
                                                    edition)

    def iter_raw_pages(self) -> Iterator[tuple[int, str, bytes, str | None, int | None]]:
        """``(article_id, url, html_bytes, encoding, http_status)`` by article_id, read
        in short transactions (safe to write to the store while iterating)."""
        return queries.iter_raw_pages(self.engine, max(1, self.batch_size // 10))

    def count_articles(self) -> int:
        with self.engine.connect() as conn:
            return queries.count_rows(conn, _articles)

    def counts(self) -> dict[str, int]:
        """Rows per table, by table name."""
        with self.engine.connect() as conn:
            return queries.counts(conn)

    def get_run(self, run_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            return queries.get_run(conn, run_id)

    def recent_runs(self, limit: int = 10) -> list[dict[str, Any]]:
        """The latest crawl runs, newest first."""
        with self.engine.connect() as conn:
            return queries.recent_runs(conn, limit)

    def fetch_errors(self, run_id: int) -> list[dict[str, Any]]:
        """The fetch errors of a run, in the order they occurred."""
        with self.engine.connect() as conn:
            return queries.fetch_errors(conn, run_id)
