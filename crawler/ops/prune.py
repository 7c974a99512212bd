"""`newsmon prune`: keep the database's growth bounded, by the `[retention]` settings.

What may go, each after its own age (all off by default):
- `raw_pages` fetched longer ago than `raw_pages`: the stored HTML of an article, kept
  only for `newsmon reparse`. The article, its fields and revisions stay; what is lost
  is the chance to re-extract that article with a newer parser without fetching it
  again (a revisit stores its page anew).
- `placements` whose run ended longer ago than `placements` are compacted: the runs of
  an article at one position of one index page become one run, from the first
  sighting to the last. Lost: the gaps in between (when it left that position and came
  back). Runs still going on are never touched.
- `fetch_errors` older than `fetch_errors`.
- `crawl_runs` started longer ago than `runs` (with their fetch errors, field
  statistics and counters), except the newest `keep_runs` (the layout alarm's
  baseline reads them) and runs still `running`.
Never an article, a revision, a tag, a ticker item.

Every step works in batches of at most `batch` rows, each its own short transaction
(no long lock: a crawl writes in between), so it can be stopped at any moment (even
SIGKILL) and run again: what was done stays done, the rest is done by the next run;
a second run in a row finds nothing to do. Prometheus counters are running totals
kept apart (`metric_totals`, crawler.db.metric_totals): deleting rows never lowers
them. `dry_run` counts what would go and the bytes it would free.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, func, select, text, update
from sqlalchemy.engine import Connection, Engine

from crawler.db.models import (CrawlRun, FetchError, Placement, RawPage, RunCounter,
                               RunFieldStat)

logger = logging.getLogger(__name__)

_raw = RawPage.__table__
_placements = Placement.__table__
_errors = FetchError.__table__
_runs = CrawlRun.__table__
STEPS = ("fetch_errors", "runs", "raw_pages", "placements")


@dataclass
class Retention:
    """Ages in seconds (None: keep everything of that kind)."""
    raw_pages: float | None = None
    placements: float | None = None
    fetch_errors: float | None = None
    runs: float | None = None
    keep_runs: int = 100
    batch: int = 500

    @classmethod
    def from_config(cls, config: Any) -> Retention:
        return cls(raw_pages=config.retention_raw_pages,
                   placements=config.retention_placements,
                   fetch_errors=config.retention_fetch_errors, runs=config.retention_runs,
                   keep_runs=config.retention_keep_runs, batch=config.prune_batch)


@dataclass
class StepReport:
    step: str
    older_than: str | None = None  # the cutoff, ISO 8601 (None: the step is off)
    rows: int = 0                  # deleted (dry run: would be)
    bytes: int | None = None       # freed (estimated; None: the database does not tell)
    batches: int = 0
    longest_batch_seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Pruner:
    engine: Engine
    retention: Retention
    dry_run: bool = False
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    # Called after each committed batch (tests and the bench stop it there).
    on_batch: Callable[[str, int], None] | None = None

    def __post_init__(self) -> None:
        self._writer = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        self._row_bytes: dict[str, float | None] = {}

    def run(self) -> list[StepReport]:
        return [getattr(self, f"_prune_{step}")(StepReport(step)) for step in STEPS]

    # --- helpers -------------------------------------------------------------------

    def _cutoff(self, report: StepReport, age: float | None) -> datetime | None:
        if age is None:
            return None
        cutoff = self.now - timedelta(seconds=age)
        report.older_than = cutoff.isoformat()
        return cutoff

    def _batch(self, report: StepReport, work: Callable[[Connection], int]) -> int:
        """Run one batch in its own transaction and time it (the locks last as long)."""
        started = time.monotonic()
        with self._writer.begin() as conn:
            done = work(conn)
        elapsed = time.monotonic() - started
        if done:
            report.batches += 1
            report.rows += done
            report.longest_batch_seconds = max(report.longest_batch_seconds, elapsed)
            if self.on_batch is not None:
                self.on_batch(report.step, done)
        return done

    def row_bytes(self, table: str) -> float | None:
        """Average bytes per row of a table (indexes included), when the database
        tells: PostgreSQL's pg_total_relation_size, SQLite's dbstat (if compiled in)."""
        if table not in self._row_bytes:
            self._row_bytes[table] = _row_bytes(self.engine, table)
        return self._row_bytes[table]

    def _estimate(self, report: StepReport, table: str) -> None:
        per_row = self.row_bytes(table)
        report.bytes = None if per_row is None else int(per_row * report.rows)

    # --- the steps -------------------------------------------------------------------

    def _prune_fetch_errors(self, report: StepReport) -> StepReport:
        cutoff = self._cutoff(report, self.retention.fetch_errors)
        if cutoff is None:
            return report
        old = _errors.c.occurred_at < cutoff
        if self.dry_run:
            with self.engine.connect() as conn:
                report.rows = conn.execute(select(func.count()).where(old)).scalar_one()
            self._estimate(report, "fetch_errors")
            return report
        self._estimate_before(report, "fetch_errors")
        while self._batch(report, lambda conn: self._delete_errors(conn, old)):
            pass
        self._estimate(report, "fetch_errors")
        return report

    def _delete_errors(self, conn: Connection, where: Any) -> int:
        ids = list(conn.execute(select(_errors.c.id).where(where).order_by(_errors.c.id)
                                .limit(self.retention.batch)).scalars())
        if ids:
            conn.execute(delete(_errors).where(_errors.c.id.in_(ids)))
        return len(ids)

    def _prunable_runs(self, conn: Connection, cutoff: datetime, limit: int | None
                       ) -> list[int]:
        newest = select(_runs.c.id).order_by(_runs.c.started_at.desc(), _runs.c.id.desc()) \
            .limit(self.retention.keep_runs).scalar_subquery()
        stmt = select(_runs.c.id).where(_runs.c.started_at < cutoff,
                                        _runs.c.status != "running",
                                        _runs.c.id.not_in(newest)).order_by(_runs.c.id)
        if limit is not None:
            stmt = stmt.limit(limit)
        return list(conn.execute(stmt).scalars())

    def _prune_runs(self, report: StepReport) -> StepReport:
        cutoff = self._cutoff(report, self.retention.runs)
        if cutoff is None:
            return report
        if self.dry_run:
            with self.engine.connect() as conn:
                report.rows = len(self._prunable_runs(conn, cutoff, None))
            self._estimate(report, "crawl_runs")
            return report
        self._estimate_before(report, "crawl_runs")
        runs_per_batch = max(1, self.retention.batch // 20)  # each has ~20 field rows
        while True:
            with self.engine.connect() as conn:
                ids = self._prunable_runs(conn, cutoff, runs_per_batch)
            if not ids:
                break
            # Their fetch errors first, in batches of their own (a run may have many).
            errors = StepReport("fetch_errors")
            while self._batch(errors, lambda conn: self._delete_errors(
                    conn, _errors.c.run_id.in_(ids))):
                pass
            report.longest_batch_seconds = max(report.longest_batch_seconds,
                                               errors.longest_batch_seconds)
            self._batch(report, lambda conn: self._delete_runs(conn, ids))
        self._estimate(report, "crawl_runs")
        return report

    def _delete_runs(self, conn: Connection, ids: list[int]) -> int:
        for table in (RunCounter.__table__, RunFieldStat.__table__, _errors):
            conn.execute(delete(table).where(table.c.run_id.in_(ids)))
        return conn.execute(delete(_runs).where(_runs.c.id.in_(ids))).rowcount

    def _prune_raw_pages(self, report: StepReport) -> StepReport:
        cutoff = self._cutoff(report, self.retention.raw_pages)
        if cutoff is None:
            return report
        old = _raw.c.fetched_at < cutoff
        if self.dry_run:
            with self.engine.connect() as conn:
                rows, size = conn.execute(select(
                    func.count(), func.sum(func.length(_raw.c.html_gz))).where(old)).one()
            report.rows, report.bytes = int(rows), int(size or 0)
            return report
        report.bytes = 0
        pages_per_batch = max(1, self.retention.batch // 10)  # ~10 to 50 kB each

        def work(conn: Connection) -> int:
            rows = conn.execute(select(_raw.c.article_id, func.length(_raw.c.html_gz))
                                .where(old).order_by(_raw.c.article_id)
                                .limit(pages_per_batch)).all()
            if rows:
                conn.execute(delete(_raw).where(_raw.c.article_id.in_([r[0] for r in rows]),
                                                old))
                report.bytes = (report.bytes or 0) + sum(r[1] or 0 for r in rows)
            return len(rows)

        while self._batch(report, work):
            pass
        return report

    def _prune_placements(self, report: StepReport) -> StepReport:
        """Compact the old runs of each (article, page, position) to one."""
        cutoff = self._cutoff(report, self.retention.placements)
        if cutoff is None:
            return report
        p = _placements.c
        old = p.last_seen_at < cutoff
        if self.dry_run:
            groups = select(func.count().label("n")).where(old).group_by(
                p.article_id, p.page_url, p.position).subquery()
            with self.engine.connect() as conn:
                report.rows = int(conn.execute(  # int(): a Decimal on PostgreSQL
                    select(func.coalesce(func.sum(groups.c.n - 1), 0))).scalar_one())
            self._estimate(report, "placements")
            return report
        self._estimate_before(report, "placements")
        with self.engine.connect() as conn:
            last_article = conn.execute(select(func.max(p.article_id)).where(old)).scalar()
        after = 0
        while last_article is not None and after < last_article:
            # The next range of articles holding about `batch` old rows: a batch reads
            # and changes a bounded number of rows, wherever compaction stopped before.
            with self.engine.connect() as conn:
                upto = conn.execute(
                    select(p.article_id).where(p.article_id > after, old)
                    .order_by(p.article_id).offset(self.retention.batch).limit(1)
                ).scalar() or last_article
            self._batch(report, lambda conn: self._compact(conn, after, upto, cutoff))
            after = upto
        self._estimate(report, "placements")
        return report

    def _compact(self, conn: Connection, after: int, upto: int, cutoff: datetime) -> int:
        p = _placements.c
        group = (p.article_id, p.page_url, p.position)
        ranked = select(
            p.id,
            func.row_number().over(partition_by=group,
                                   order_by=(p.first_seen_at, p.id)).label("rank"),
            func.count().over(partition_by=group).label("runs"),
            func.max(p.last_seen_at).over(partition_by=group).label("last"),
        ).where(p.article_id > after, p.article_id <= upto, p.last_seen_at < cutoff
                ).subquery()
        rows = conn.execute(select(ranked.c.id, ranked.c.rank, ranked.c.last)
                            .where(ranked.c.runs > 1)).all()
        # The first run of each group stays and spans them all; the others go.
        doomed = [r.id for r in rows if r.rank > 1]
        for start in range(0, len(doomed), 1000):
            conn.execute(delete(_placements).where(p.id.in_(doomed[start:start + 1000])))
        keepers = [{"keep_id": r.id, "last": r.last} for r in rows if r.rank == 1]
        if keepers:
            conn.execute(update(_placements).where(p.id == bindparam("keep_id"))
                         .values(last_seen_at=bindparam("last")), keepers)
        return len(doomed)

    def _estimate_before(self, report: StepReport, table: str) -> None:
        self.row_bytes(table)  # measured before the rows go


def _row_bytes(engine: Engine, table: str) -> float | None:
    with engine.connect() as conn:
        rows = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608 - a table name of ours
        if not rows:
            return None
        size = table_bytes(conn, table)
    return None if size is None else size / rows


def table_bytes(conn: Connection, table: str) -> int | None:
    """Bytes of a table with its indexes (None: the database does not tell)."""
    if conn.dialect.name == "postgresql":
        return int(conn.execute(text("SELECT pg_total_relation_size(CAST(:t AS regclass))"),
                                {"t": table}).scalar_one())
    if conn.dialect.name == "sqlite":
        try:
            return int(conn.execute(text(
                "SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name = :t OR name IN "
                "(SELECT name FROM sqlite_master WHERE tbl_name = :t AND type = 'index')"),
                {"t": table}).scalar_one())
        except Exception:  # noqa: BLE001 - SQLite built without dbstat
            return None
    return None


def vacuum(engine: Engine) -> None:
    """Give the space freed back: VACUUM on SQLite (rewrites the file; needs as much
    free disk again), VACUUM (ANALYZE) on PostgreSQL (no exclusive lock)."""
    raw = engine.raw_connection()  # outside any transaction, as VACUUM must be
    try:
        driver = raw.driver_connection
        if engine.dialect.name == "postgresql":
            driver.autocommit = True
            driver.execute("VACUUM (ANALYZE)")
        else:
            driver.isolation_level = None
            driver.execute("VACUUM")
    finally:
        raw.close()
