"""Prometheus metrics of newsmon, computed from the database (and a crawl's stats).

- `newsmon schedule` serves them on `/metrics` when `metrics_address` is set
  (`serve_metrics`): a `DatabaseCollector` runs a few small queries at each scrape,
  so the numbers are those of every run recorded, whoever ran it (scheduler, cron,
  a person), and survive restarts.
- `newsmon crawl` writes the same metrics, and its own run's, to a node_exporter
  textfile when `metrics_textfile` is set (crawler.ops.run_metrics, a Scrapy
  extension; the file is replaced atomically). It also records the numbers of a run
  that `crawl_runs` has no column for (responses by status class, pages rendered) in
  `run_counters`.

Counters are running totals kept by the store in the transactions that change them
(`metric_totals`, crawler.db.metric_totals): a scrape reads them in one query however
many runs are recorded, and `newsmon prune` never lowers them. Names follow Prometheus
conventions: `newsmon_*_total` for counters, seconds and bytes, and no label with many
values (no URLs). The list is in docs/OPERATIONS.md.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection, Engine

from crawler.db import metric_totals
from crawler.db.metric_totals import DURATION, FINISHED, sample_key  # noqa: F401 (re-export)
from crawler.db.models import ArticleRevision, BreakingNews, CrawlRun, RunFieldStat

logger = logging.getLogger(__name__)

SUCCESS = ("ok", "degraded")
STATUS_CLASSES = ("1xx", "2xx", "3xx", "4xx", "5xx")

_runs = CrawlRun.__table__
_fields = RunFieldStat.__table__

# Counter name -> (help, label name or None). A sample is keyed (name, label value).
COUNTERS: dict[str, tuple[str, str | None]] = {
    "newsmon_runs_total": ("Finished crawl runs by final status", "status"),
    "newsmon_articles_total": ("Articles met by crawls: new, updated (a new revision), "
                               "unchanged", "outcome"),
    "newsmon_pages_fetched_total": ("HTTP responses received by crawls, by status class",
                                    "status_class"),
    "newsmon_rendered_pages_total": ("Pages rendered in headless Chromium", None),
    "newsmon_fetch_errors_total": ("Fetch errors recorded, by kind", "kind"),
    "newsmon_revisions_total": ("Changed versions of articles stored (revision > 1)", None),
    "newsmon_breaking_items_total": ("Distinct breaking-news ticker items stored", None),
}
ERROR_KINDS = ("http_4xx", "http_5xx", "timeout", "dns", "skipped", "other")
# Every label value a counter can have is exported from the start (at 0), so that
# rate() and alerts see a series before its first event.
LABEL_VALUES = {"newsmon_runs_total": FINISHED,
                "newsmon_articles_total": ("new", "updated", "unchanged"),
                "newsmon_pages_fetched_total": STATUS_CLASSES,
                "newsmon_fetch_errors_total": ERROR_KINDS}


# --- the collector ---------------------------------------------------------------------

class DatabaseCollector:
    """A prometheus_client collector reading the database at each scrape."""

    def __init__(self, engine: Engine, spool_files: Iterable[Path] = ()):
        self.engine = engine
        self.spool_files = list(spool_files)

    def describe(self) -> list[Any]:
        return []  # no query at registration

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import GaugeMetricFamily

        up = GaugeMetricFamily("newsmon_database_up",
                               "1 when the database answered the metrics queries")
        try:
            with self.engine.connect() as conn:
                families = list(database_families(conn))
        except Exception as exc:  # noqa: BLE001 - a scrape reports, never raises
            logger.warning("metrics: the database did not answer the metrics queries: %s",
                           str(exc).strip().splitlines()[0][:200] if str(exc) else exc)
            up.add_metric([], 0)
            families = []
        else:
            up.add_metric([], 1)
        yield up
        yield from families
        spooled = GaugeMetricFamily("newsmon_spool_items",
                                    "Items waiting in the outage spool for the database")
        spooled.add_metric([], float(sum(spool_items(p) for p in self.spool_files)))
        yield spooled


def database_families(conn: Connection) -> Iterator[Any]:
    from prometheus_client.core import (CounterMetricFamily, GaugeMetricFamily,
                                        SummaryMetricFamily)

    totals = metric_totals.read(conn)
    # The single numbers in one round trip (a scrape is a handful of queries).
    revisions = ArticleRevision.__table__
    singles = conn.execute(select(
        select(func.count()).select_from(revisions).where(revisions.c.revision > 1)
        .scalar_subquery().label("revisions"),
        select(func.count()).select_from(BreakingNews.__table__).scalar_subquery()
        .label("breaking"),
        select(func.count()).select_from(_runs).where(_runs.c.status == "running")
        .scalar_subquery().label("running"),
        select(func.max(_fields.c.run_id)).scalar_subquery().label("judged_run"))).one()
    totals[sample_key("newsmon_revisions_total")] = float(singles.revisions)
    totals[sample_key("newsmon_breaking_items_total")] = float(singles.breaking)

    for name, (help_text, label) in COUNTERS.items():
        family = CounterMetricFamily(name[:-len("_total")], help_text,
                                     labels=[label] if label else None)
        if label is None:
            family.add_metric([], totals.get(name, 0.0))
        else:
            values = {key.partition("|")[2] for key in totals
                      if key.partition("|")[0] == name} | set(LABEL_VALUES[name])
            for label_value in sorted(values):
                family.add_metric([label_value], totals.get(sample_key(name, label_value), 0.0))
        yield family
    yield SummaryMetricFamily(DURATION, "Duration of finished crawl runs",
                              count_value=totals.get(DURATION + "_count", 0.0),
                              sum_value=totals.get(DURATION + "_sum", 0.0))

    running = GaugeMetricFamily("newsmon_runs_running", "Runs recorded as running")
    running.add_metric([], float(singles.running))
    yield running
    # Per edition (three values at most): an edition whose crawls stopped succeeding
    # is not hidden by the others' (alert on time() - this); the latest of them is the
    # site's last success.
    by_edition = {edition or "en": _as_utc(finished).timestamp() for edition, finished in
                  conn.execute(select(_runs.c.edition, func.max(_runs.c.finished_at))
                               .where(_runs.c.status.in_(SUCCESS))
                               .group_by(_runs.c.edition)) if finished is not None}
    family = GaugeMetricFamily("newsmon_last_success_timestamp_seconds",
                               "End of the last successful (ok or degraded) run, Unix time")
    if by_edition:
        family.add_metric([], max(by_edition.values()))
    yield family
    family = GaugeMetricFamily("newsmon_edition_last_success_timestamp_seconds",
                               "End of the edition's last successful run, Unix time",
                               labels=["edition"])
    for edition, finished in sorted(by_edition.items()):
        family.add_metric([edition], finished)
    yield family
    last = conn.execute(
        select(_runs.c.status, _runs.c.started_at, _runs.c.finished_at)
        .where(_runs.c.status.in_(FINISHED))
        .order_by(_runs.c.started_at.desc(), _runs.c.id.desc()).limit(1)).first()
    family = GaugeMetricFamily("newsmon_last_run_duration_seconds",
                               "Duration of the last finished run")
    status_family = GaugeMetricFamily("newsmon_last_run_status",
                                      "1 for the final status of the last finished run",
                                      labels=["status"])
    if last is not None and last.finished_at is not None:
        family.add_metric([], (_as_utc(last.finished_at)
                               - _as_utc(last.started_at)).total_seconds())
        for status in FINISHED:
            status_family.add_metric([status], 1.0 if last.status == status else 0.0)
    yield family
    yield status_family
    yield from field_families(conn, singles.judged_run)
    size = database_size(conn)
    if size is not None:
        family = GaugeMetricFamily("newsmon_database_size_bytes",
                                   "Size of the database as the database reports it")
        family.add_metric([], float(size))
        yield family


def field_families(conn: Connection, last_run: int | None) -> Iterator[Any]:
    """Fill rates of the last run with field statistics and the layout alarm's state."""
    from prometheus_client.core import GaugeMetricFamily

    fill = GaugeMetricFamily("newsmon_field_fill_ratio",
                             "Share of the last judged run's article pages that had the "
                             "field filled", labels=["field"])
    generic = GaugeMetricFamily("newsmon_field_generic_ratio",
                                "Share of the last judged run's article pages that took "
                                "the field from the generic layer", labels=["field"])
    alarm = GaugeMetricFamily("newsmon_layout_alarm",
                              "1 when the layout alarm flags the field in the last judged "
                              "run (a layout change?)", labels=["field"])
    degraded = GaugeMetricFamily("newsmon_layout_degraded",
                                 "1 when the last judged run has a layout alarm")
    alarms = 0
    if last_run is not None:
        for row in conn.execute(select(_fields).where(_fields.c.run_id == last_run)
                                .order_by(_fields.c.field)):
            pages = row.pages or 0
            fill.add_metric([row.field], row.filled / pages if pages else 0.0)
            generic.add_metric([row.field], row.generic / pages if pages else 0.0)
            alarm.add_metric([row.field], 1.0 if row.alarm else 0.0)
            alarms += bool(row.alarm)
    degraded.add_metric([], 1.0 if alarms else 0.0)
    yield from (fill, generic, alarm, degraded)


def database_size(conn: Connection) -> int | None:
    """Bytes the database occupies, when it tells (SQLite: pages; PostgreSQL:
    pg_database_size)."""
    try:
        if conn.dialect.name == "sqlite":
            pages = conn.execute(text("PRAGMA page_count")).scalar_one()
            page_size = conn.execute(text("PRAGMA page_size")).scalar_one()
            return int(pages) * int(page_size)
        if conn.dialect.name == "postgresql":
            return int(conn.execute(
                text("SELECT pg_database_size(current_database())")).scalar_one())
    except Exception:  # noqa: BLE001 - no permission: the size is left out
        logger.debug("database size unavailable", exc_info=True)
    return None


def spool_items(path: Path) -> int:
    """Items in a spool file (crawler.crawl.spool), read-only; 0 when there is none."""
    if not path.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=2)
        try:
            return int(conn.execute("SELECT count(*) FROM spooled").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def _as_utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# --- serving and writing ---------------------------------------------------------------

def registry_for(engine: Engine, spool_files: Iterable[Path] = ()) -> Any:
    from prometheus_client import CollectorRegistry

    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector(engine, spool_files))
    return registry


def serve_metrics(address: tuple[str, int], engine: Engine,
                  spool_files: Iterable[Path] = ()) -> Any:
    """Serve /metrics on `address` in a background thread; returns the server
    (`.shutdown()` stops it). OSError when the address cannot be bound."""
    from prometheus_client import start_http_server

    host, port = address
    server, _thread = start_http_server(port, addr=host,
                                        registry=registry_for(engine, spool_files))
    return server


def spool_file(db_url: str, base_url: str, spool_dir: str | None) -> Path:
    from crawler.crawl.spool import spool_path

    return spool_path(db_url, base_url, spool_dir)
