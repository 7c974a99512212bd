"""Monitoring continuously: `newsmon monitor`, one process that polls each page of the
site when it is due (crawler.spiders.monitor) until SIGTERM. One edition per process
(`--edition`; the scheduler runs one monitor per configured edition, side by side).

It shares the crawl's locked-run path (`crawling.run_locked_crawl`): the site's crawl
lock for as long as it runs, one run record for the whole session (its polls are
aggregated, not one run each), the spool when the database goes away, the layout
alarm when it ends. A SIGTERM (or Ctrl-C) ends it normally: what it holds is written,
the run recorded `ok`, exit 0. `newsmon status` reads how fresh each kind of page is
(`freshness_lines`).
"""

from __future__ import annotations

import argparse
import signal
import threading
from typing import Any

from crawler.cli.common import (DB_HELP, EDITION_HELP, UsageError, add_common_options,
                                crawl_overrides, crawl_target, open_database,
                                parse_set_options)
from crawler.config import DEFAULT_BASE_URL

MONITOR_DESCRIPTION = (
    "Watch the site continuously until SIGTERM: every index page is looked at again at "
    "an interval learned from how often it shows new articles (within a budget of "
    "requests per hour shared out by the square root of each page's rate), the ticker "
    "at least every minute, new articles fetched at once. Learned rates are kept in the "
    "database. Settings: NEWSMON_MONITOR_* (docs/OPERATIONS.md).")


def add_parsers(sub: Any) -> None:
    monitor = sub.add_parser("monitor", help="watch the site continuously until SIGTERM",
                             description=MONITOR_DESCRIPTION)
    monitor.add_argument("--base-url", default=None,
                         help=f"site to watch (default: $NEWSMON_BASE_URL, the config file, "
                              f"else {DEFAULT_BASE_URL})")
    monitor.add_argument("--edition", help=EDITION_HELP)
    monitor.add_argument("--db", help=DB_HELP)
    monitor.add_argument("--budget", metavar="REQUESTS_PER_HOUR", default=None,
                         help="requests per hour the monitor may make to the site, every "
                              "request counted (default: NEWSMON_MONITOR_BUDGET, 240)")
    monitor.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                         help="override a Scrapy or NEWSMON_MONITOR_* setting (repeatable)")
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
    from crawler.cli.crawling import run_locked_crawl
    from crawler.spiders.monitor import MonitorSpider

    try:
        overrides = crawl_overrides(parse_set_options(args.set))
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    edition, base_url = crawl_target(args.edition or overrides.get("NEWSMON_EDITION") or None,
                                     args.base_url)
    overrides.update(budget_override(args.budget))
    # A SIGTERM before Scrapy takes the signals over (while the database is opened,
    # migrated, the lock taken) still ends the monitor normally, at its first tick.
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())
    try:
        url, store = open_database(args.db)
        return run_locked_crawl(url, store, base_url, "manual", overrides,
                                describe=f"monitoring {base_url} ({edition} edition) "
                                         f"until SIGTERM", edition=edition,
                                spider=MonitorSpider, stop_requested=stop.is_set)
    finally:
        signal.signal(signal.SIGTERM, previous)


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
