"""The metrics of one crawl (docs/OPERATIONS.md, "Metrics and alerts"): `RunMetrics`,
a Scrapy extension (named in `EXTENSIONS` of crawler.crawl.settings: the crawl does not
import ops), answers `spider_closed`: it records the run's numbers that `crawl_runs`
has no column for (HTTP responses by status class, pages rendered) in `run_counters`
(adding them to the running totals, crawler.db.metric_totals) and, when
`NEWSMON_METRICS_TEXTFILE` is set (`metrics_textfile`), writes the metrics of
crawler.ops.metrics and the run's own end to that node_exporter textfile, atomically. Nothing here ever fails a crawl: a problem is one warning line."""

from __future__ import annotations

import logging
import os
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from crawler.ops.metrics import STATUS_CLASSES, DatabaseCollector, spool_file

logger = logging.getLogger(__name__)

RESPONSE_STAT = "downloader/response_status_count/"
RENDERED_STAT = "newsmon/rendered_pages"


def run_counters(stats: dict[str, Any]) -> dict[str, int]:
    """A run's `run_counters` (name -> value) from its Scrapy stats."""
    counters: dict[str, int] = defaultdict(int)
    for key, value in stats.items():
        if key.startswith(RESPONSE_STAT):
            code = key[len(RESPONSE_STAT):]
            if code.isdigit() and f"{code[0]}xx" in STATUS_CLASSES:
                counters[f"responses_{code[0]}xx"] += int(value)
    counters["rendered_pages"] = int(stats.get(RENDERED_STAT, 0) or 0)
    return dict(counters)


class RunMetrics:
    """Scrapy extension (``EXTENSIONS`` in crawler.crawl.settings): at the end of a
    crawl, record its counters in `run_counters` and, when `NEWSMON_METRICS_TEXTFILE`
    is set, write the metrics to that node_exporter textfile."""

    def __init__(self, crawler: Any):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> RunMetrics:
        from scrapy import signals

        extension = cls(crawler)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_closed(self, spider: Any = None, reason: str = "") -> None:
        started = time.process_time()
        settings, stats = self.crawler.settings, self.crawler.stats
        values = stats.get_stats() if stats else {}
        db_url = settings.get("NEWSMON_DATABASE_URL")
        run_id = values.get("newsmon/run_id")
        textfile = settings.get("NEWSMON_METRICS_TEXTFILE")
        try:
            if db_url and run_id and not values.get("newsmon/database_lost"):
                write_run_metrics(db_url, int(run_id), values, textfile,
                                  spool_dir=settings.get("NEWSMON_SPOOL_DIR"),
                                  base_url=getattr(spider, "base_url", "") or "")
            elif textfile:
                write_textfile(textfile, None, values)
        except Exception as exc:  # noqa: BLE001 - metrics never fail a crawl
            logger.warning("could not record the run's metrics: %s",
                           (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300])
        if stats:
            stats.set_value("newsmon/metrics_cpu_seconds", time.process_time() - started)


def write_run_metrics(db_url: str, run_id: int, stats: dict[str, Any],
                      textfile: str | None, *, spool_dir: str | None = None,
                      base_url: str = "") -> None:
    from crawler.db.metric_totals import record_run_counters
    from crawler.db.session import make_engine

    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            record_run_counters(conn, run_id, run_counters(stats))
        if textfile:
            spools = [spool_file(db_url, base_url, spool_dir)] if base_url else []
            write_textfile(textfile, engine, stats, spools)
    finally:
        engine.dispose()


class _StatsCollector:
    """The crawl's own end, for the textfile (also when the database was lost)."""

    def __init__(self, stats: dict[str, Any]):
        self.stats = stats

    def describe(self) -> list[Any]:
        return []

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import GaugeMetricFamily

        end = GaugeMetricFamily("newsmon_textfile_run_end_timestamp_seconds",
                                "When the crawl that wrote this file ended, Unix time")
        end.add_metric([], time.time())
        yield end
        lost = GaugeMetricFamily("newsmon_textfile_run_database_lost",
                                 "1 when that crawl lost the database (items spooled)")
        lost.add_metric([], 1.0 if self.stats.get("newsmon/database_lost") else 0.0)
        yield lost


def write_textfile(path: str | os.PathLike[str], engine: Engine | None,
                   stats: dict[str, Any], spool_files: Iterable[Path] = ()) -> None:
    """Write the metrics to a node_exporter textfile, atomically (a temporary file in
    the same folder, then a rename: the exporter never reads half a file)."""
    from prometheus_client import CollectorRegistry, write_to_textfile

    registry = CollectorRegistry(auto_describe=False)
    if engine is not None:
        registry.register(DatabaseCollector(engine, spool_files))
    registry.register(_StatsCollector(stats))
    Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
    write_to_textfile(str(Path(path).expanduser()), registry)
