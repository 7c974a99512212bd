"""Monitoring continuously: `newsmon monitor`, one process that polls each page of the
site when it is due (crawler.spiders.monitor) until SIGTERM. One edition per process
(`--edition`; the scheduler runs one monitor per configured edition, side by side).

It shares the crawl's locked-run path (`crawling.run_locked_crawl`): the site's crawl
lock for as long as it runs, one run record for the whole session (its polls are
aggregated, not one run each), the spool when the database goes away, the layout
alarm when it ends. A SIGTERM (or Ctrl-C) ends it normally: what it holds is written,
the run recorded `ok`, exit 0. `newsmon status` reads how fresh each kind of page is
(`freshness_lines`).

Run by hand (or by systemd) it is also its own operations, as the scheduler is
(`monitor_operations`): watchlist alerts delivered as the monitor stores matches (and
pending ones retried), /metrics served when `metrics_address` is configured. Run by
the scheduler (`--from-scheduler`), it leaves both to the scheduler.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from crawler.cli.common import (DB_HELP, EDITION_HELP, UsageError, add_common_options,
                                crawl_overrides, crawl_target, open_database,
                                parse_set_options)
from crawler.cli.validate import scrapy_setting_types, site_url
from crawler.config import DEFAULT_BASE_URL

MONITOR_DESCRIPTION = (
    "Watch the site continuously until SIGTERM: every index page (and every sitemap "
    "robots.txt names, polled conditionally) is looked at again at "
    "an interval learned from how often it shows new articles (within a budget of "
    "requests per hour shared out by the square root of each page's rate; a page seen "
    "for the first time starts from the dates of the articles on its cards), the ticker "
    "every 45 s when the budget pays for it, new articles fetched at once. Learned "
    "rates are kept in the "
    "database. Watchlist alerts are delivered as they match; /metrics is served when "
    "metrics_address is set. Settings: NEWSMON_MONITOR_* (docs/OPERATIONS.md).")


def add_parsers(sub: Any) -> None:
    monitor = sub.add_parser("monitor", help="watch the site continuously until SIGTERM",
                             description=MONITOR_DESCRIPTION)
    monitor.add_argument("--base-url", default=None,
                         help=f"site to watch (default: $NEWSMON_BASE_URL, the config file, "
                              f"else {DEFAULT_BASE_URL})")
    monitor.add_argument("--edition", help=EDITION_HELP)
    monitor.add_argument("--db", help=DB_HELP)
    monitor.add_argument("--budget", metavar="REQUESTS_PER_HOUR", default=None,
                         help="requests per hour the monitor may make to the site: polls "
                              "and what they find (new articles are always fetched, and "
                              "a quarter stays for polls; each page's first look when "
                              "starting is not counted) (default: NEWSMON_MONITOR_BUDGET, "
                              "240)")
    monitor.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                         help="override a Scrapy or NEWSMON_MONITOR_* setting (repeatable)")
    # The scheduler passes it: it delivers alerts and serves /metrics itself.
    monitor.add_argument("--from-scheduler", action="store_true", help=argparse.SUPPRESS)
    add_common_options(monitor)


def budget_override(value: str | None) -> dict[str, str]:
    if value is None:
        return {}
    try:
        budget = float(value)
    except ValueError:
        budget = -1.0
    if not budget > 0 or budget != budget or budget == float("inf"):
        raise UsageError(f"--budget: expected a positive number of requests per hour, "
                         f"got {value!r}")
    return {"NEWSMON_MONITOR_BUDGET": str(budget)}


def monitor(args: argparse.Namespace) -> int:
    from scrapy.settings import Settings

    from crawler.cli.crawling import run_locked_crawl
    from crawler.spiders.monitor import MonitorSpider, polling_config

    if args.base_url is not None:  # the configuration's is validated when loaded
        args.base_url = site_url(args.base_url)
    try:
        overrides = crawl_overrides(parse_set_options(args.set))
        overrides.update(budget_override(args.budget))
        polling_config(Settings(overrides))  # NEWSMON_MONITOR_* read now: a bad one is exit 2
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    edition, base_url = crawl_target(args.edition or overrides.get("NEWSMON_EDITION") or None,
                                     args.base_url)
    scrapy_setting_types(overrides)  # before a run is recorded: exit 2, nothing written
    # A SIGTERM before Scrapy takes the signals over (while the database is opened,
    # migrated, the lock taken) still ends the monitor normally, at its first tick.
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())
    try:
        url, store = open_database(args.db)
        with monitor_operations(url, base_url, overrides, not args.from_scheduler):
            return run_locked_crawl(url, store, base_url, "manual", overrides,
                                    describe=f"monitoring {base_url} ({edition} edition) "
                                             f"until SIGTERM", edition=edition,
                                    spider=MonitorSpider, stop_requested=stop.is_set)
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def monitor_operations(db_url: str, base_url: str, overrides: dict[str, Any],
                       enabled: bool) -> Iterator[None]:
    """While the monitor runs: the alert sender (a thread: alerts delivered within
    `alerts.poll` of their match, failed ones retried) and, when `metrics_address` is
    set, /metrics. When it ends: this session's alerts still pending get a last,
    bounded try (`alerts.crawl_wait`), as after a crawl."""
    if not enabled:
        yield
        return
    from crawler.config import current
    from crawler.ops.alerts import deliver_run_alerts, start_sender_thread

    cfg = current()
    server = None
    if cfg.metrics_address:
        from crawler.db.session import make_engine
        from crawler.ops.metrics import serve_metrics, spool_file

        host, port = cfg.metrics_address
        spool_dir = overrides.get("NEWSMON_SPOOL_DIR") or cfg.scrapy.get("NEWSMON_SPOOL_DIR")
        engine = make_engine(db_url)
        try:
            server = serve_metrics((host, port), engine,
                                   [spool_file(db_url, base_url, spool_dir)])
        except OSError as exc:
            engine.dispose()
            raise UsageError(f"metrics_address {host}:{port}: cannot listen: "
                             f"{exc.strerror or exc}") from None
        print(f"newsmon: Prometheus metrics on http://{host}:{port}/metrics",
              file=sys.stderr)
    started = datetime.now(UTC)
    stop = threading.Event()
    sender = start_sender_thread(db_url, cfg, stop)
    try:
        yield
    finally:
        stop.set()
        sender.join(timeout=30)
        if server is not None:
            server.shutdown()
            server.server_close()
        said = deliver_run_alerts(db_url, cfg, started)
        if said:
            print(f"newsmon: {said}", file=sys.stderr)


def freshness_lines(engine: Any, base_url: str | None) -> list[str]:
    """`newsmon status`: how fresh each kind of page is (the monitor's pages)."""
    from crawler.db.monitor_pages import freshness

    lines = []
    for entry in freshness(engine, base_url):
        if entry["worst_age"] is None:
            continue
        lines.append(
            f"monitor {entry['base_url']} {entry['page_kind']} pages: {entry['pages']}, "
            f"looked at longest ago {entry['worst_age']:.0f}s (target "
            f"{entry['worst_target']:.0f}s, {entry['worst_url']}), "
            f"{entry['overdue']} overdue")
    return lines
