"""Crawling: `crawl`, `backfill` and `reparse`, with the options each takes (`demo`:
crawler.cli.demo).

`crawl` and `backfill` share one locked-run path (`run_locked_crawl`): the site's
crawl lock, the run record, the summary and the exit code.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import IO, Any

from crawler.config import DEFAULT_BASE_URL, parse_duration
from crawler.cli.common import (DB_HELP, EDITION_HELP, EXIT_DEGRADED, UsageError,
                                add_common_options, crawl_overrides, crawl_target,
                                open_database, parse_date, parse_set_options)
from crawler.cli.validate import scrapy_setting_types, site_url

BACKFILL_DESCRIPTION = (
    "Store the articles the site's XML sitemaps list and the database lacks "
    "(resumable). Sitemaps: robots.txt's Sitemap: lines, then /sitemaps/all.xml, "
    "/sitemap_index.xml, /sitemap.xml, /news-sitemap.xml (missing ones are skipped; "
    "indexes nest; .xml.gz is read). Months: by the date in a sitemap's name "
    "(sitemap-2025-9.xml, -2025-09, -2025-09-15), else by each URL's "
    "news:publication_date or lastmod; URLs with no date are read. Only article URLs "
    "of the site are fetched. A sitemap that cannot be read is recorded as an error; "
    "no readable sitemap at all: exit 1.")


def add_parsers(sub: Any) -> None:
    crawl = sub.add_parser("crawl", help="crawl the site once into the database")
    crawl.add_argument("--base-url", default=None,
                       help=f"site to crawl (default: $NEWSMON_BASE_URL, the config file, "
                            f"else {DEFAULT_BASE_URL})")
    crawl.add_argument("--edition", help=EDITION_HELP)
    crawl.add_argument("--trigger", choices=("manual", "cron", "scheduler"), default="manual",
                       help="who started this run, as recorded (default: manual)")
    add_common_options(crawl)
    crawl.add_argument("--db", help=DB_HELP)
    crawl.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                       help="override a Scrapy setting, like `scrapy crawl -s` (repeatable)")
    crawl.add_argument("--revisit-after", metavar="DURATION",
                       help="re-fetch every stored article the crawl meets that was last "
                            "fetched at least DURATION ago (e.g. 0s: all of them, 6h, 2d), "
                            "instead of the revisit schedule by article age "
                            "(NEWSMON_REVISIT_SCHEDULE)")

    reparse = sub.add_parser(
        "reparse", help="re-extract stored pages with the current parser, without fetching")
    reparse.add_argument("--db", help=DB_HELP)
    add_common_options(reparse)

    backfill = sub.add_parser(
        "backfill", help="store the articles the site's sitemaps list and the database "
                         "lacks (resumable)", description=BACKFILL_DESCRIPTION)
    backfill.add_argument("--since", metavar="DATE",
                          help="first month of publication to read: the month of DATE "
                               "(YYYY-MM, YYYY-MM-DD, a date-time, or 7d, 24h, today, "
                               "yesterday; default: last month)")
    backfill.add_argument("--until", metavar="DATE",
                          help="last month of publication to read: the month of DATE, "
                               "same forms (default: up to now)")
    backfill.add_argument("--base-url", default=None,
                          help="site to read (default: as for crawl)")
    backfill.add_argument("--edition", help=EDITION_HELP)
    backfill.add_argument("--trigger", choices=("manual", "cron", "scheduler"),
                          default="manual", help="who started this run, as recorded")
    backfill.add_argument("--db", help=DB_HELP)
    backfill.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                          help="override a Scrapy setting, like `scrapy crawl -s` "
                               "(repeatable)")
    add_common_options(backfill)



# --- crawl -----------------------------------------------------------------------------

def revisit_overrides(args: argparse.Namespace) -> dict[str, str]:
    """Scrapy settings for `crawl --revisit-after` (ValueError when malformed)."""
    value = getattr(args, "revisit_after", None)
    if value is None:
        return {}
    try:
        parse_duration(value)
    except ValueError as exc:
        raise ValueError(f"--revisit-after: {exc}") from None
    return {"NEWSMON_REVISIT_AFTER": value}


def crawl(args: argparse.Namespace) -> int:
    if args.base_url is not None:  # the configuration's is validated when loaded
        args.base_url = site_url(args.base_url)
    try:
        overrides = crawl_overrides(parse_set_options(args.set))
        overrides.update(revisit_overrides(args))  # --revisit-after
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    # --edition (or --set NEWSMON_EDITION=...), --base-url, env, config file
    edition, base_url = crawl_target(args.edition or overrides.get("NEWSMON_EDITION") or None,
                                     args.base_url)
    scrapy_setting_types(overrides)  # before a run is recorded: exit 2, nothing written
    url, store = open_database(args.db)
    started = datetime.now(UTC)
    code = run_locked_crawl(url, store, base_url, args.trigger, overrides,
                            describe=f"crawling {base_url} ({edition} edition)",
                            edition=edition)
    from crawler.config import current
    from crawler.ops.alerts import deliver_run_alerts

    # The run's watchlist alerts, before exiting (bounded: alerts.crawl_wait).
    said = deliver_run_alerts(url, current(), started)
    if said:
        print(f"newsmon: {said}", file=sys.stderr)
    return code


@contextmanager
def exclusive_crawl(db_url: str, base_url: str, store: Any,
                    edition: str = "en") -> Iterator[None]:
    """Hold the crawl lock of the site's edition (LockHeld at once if another crawl has
    it) and mark runs of it that a dead process left "running" as interrupted."""
    from crawler.ops.crawl_lock import crawl_lock
    from crawler.ops.health import recover_abandoned_runs

    with crawl_lock(db_url, base_url, edition=edition):
        recover_abandoned_runs(store, base_url, "its process ended without finishing "
                                                "the run (killed or crashed)", edition)
        yield


def run_locked_crawl(url: str, store: Any, base_url: str, trigger: str,
                     overrides: dict[str, Any], describe: str, edition: str = "en",
                     **crawl_kwargs: Any) -> int:
    """One run of a crawl or backfill of ``edition``: lock, run record, summary and
    exit code."""
    from crawler.crawl.runner import run_crawl
    from crawler.db.session import DatabaseUnavailable, make_engine, redact_url
    from crawler.db.store import Store

    # One crawl of a site's edition per database at a time: LockHeld (exit 4) if
    # another runs; the other editions crawl beside it.
    with exclusive_crawl(url, base_url, store, edition):
        run_id = Store(store.engine, edition=edition).start_run(base_url, trigger=trigger)
        store.engine.dispose()
        print(f"newsmon: {describe} into {redact_url(url)} (run {run_id})", file=sys.stderr)
        try:
            outcome = run_crawl(base_url, url, overrides, run_id=run_id, edition=edition,
                                **crawl_kwargs)
        finally:
            # A crawl that died starting (a bad setting, a spider that would not open)
            # never closed its run: it failed, rather than `running` until the next.
            close_unfinished_run(url, run_id)
        if outcome.stats.get("newsmon/database_lost"):  # crawler.crawl.outage: exit 3
            raise DatabaseUnavailable(
                f"lost during run {run_id}: {outcome.stats.get('newsmon/spooled', 0)} items "
                f"spooled in {outcome.stats.get('newsmon/spool_file')}; the next crawl of "
                f"the site writes them first")
    run_id = outcome.run_id or run_id  # a monitor goes on under new runs (checkpoints)
    print_run_summary(Store(make_engine(url)), run_id)
    if outcome.status not in ("ok", "degraded"):
        reason = outcome.stats.get("finish_reason", "unknown")
        print(f"newsmon: run {run_id} {outcome.status} (finish reason: {reason})",
              file=sys.stderr)
        return 1
    if outcome.status == "degraded":  # crawler.ops.layout_alarm: a layout change?
        print(f"newsmon: run {run_id} degraded (layout change?): "
              f"{outcome.stats.get('newsmon/layout_alarms', 'see newsmon status')}",
              file=sys.stderr)
        return EXIT_DEGRADED
    return 0


def close_unfinished_run(url: str, run_id: int) -> None:
    """Mark run ``run_id`` failed if the crawl left it ``running`` (start-up failure)."""
    from crawler.db.session import DatabaseUnavailable, make_engine
    from crawler.db.store import Store

    store = Store(make_engine(url))
    try:
        run = store.get_run(run_id)
        if run and run["status"] == "running":
            store.finish_run(run_id, "failed", pages_fetched=run["pages_fetched"] or 0,
                             articles_new=run["articles_new"] or 0,
                             articles_updated=run["articles_updated"] or 0,
                             articles_unchanged=run["articles_unchanged"] or 0,
                             errors=run["errors"] or 0,
                             error_summary="the crawl failed to start (see its log)")
    except DatabaseUnavailable:
        pass  # lost: the spool path and the next crawl's recovery deal with it
    except Exception as exc:  # noqa: BLE001 - an outage's error; the next crawl recovers
        from crawler.crawl.outage import is_unavailable

        if not is_unavailable(exc):
            raise
    finally:
        store.engine.dispose()


def print_run_summary(store: Any, run_id: int, out: IO[str] = sys.stdout) -> None:
    run = store.get_run(run_id)
    print(f"run {run_id}: {run['status']}", file=out)
    print(f"  pages fetched:      {run['pages_fetched']}", file=out)
    print(f"  articles new:       {run['articles_new']}", file=out)
    print(f"  articles updated:   {run['articles_updated']}", file=out)
    print(f"  articles unchanged: {run['articles_unchanged']}", file=out)
    print(f"  errors:             {run['errors']}", file=out)
    if run.get("error_summary"):
        print(f"  first errors:       {run['error_summary'][:300]}", file=out)


# --- backfill --------------------------------------------------------------------------

def last_month(now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    year, month = (now.year, now.month - 1) if now.month > 1 else (now.year - 1, 12)
    return f"{year}-{month:02d}"


def backfill(args: argparse.Namespace) -> int:
    from crawler.spiders.backfill import BackfillSpider, parse_month

    since = month_of(args.since, "--since") or last_month()
    until = month_of(args.until, "--until")
    try:
        first, last = parse_month(since), parse_month(until)
        if last is not None and first is not None and last < first:
            raise ValueError(f"--until ({until}) is before --since ({since})")
        overrides = crawl_overrides(parse_set_options(args.set))
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    scrapy_setting_types(overrides)
    if args.base_url is not None:
        args.base_url = site_url(args.base_url)
    edition, base_url = crawl_target(args.edition or overrides.get("NEWSMON_EDITION") or None,
                                     args.base_url)
    url, store = open_database(args.db)
    # The crawl lock: a backfill and a crawl of the edition do not run at the same time.
    return run_locked_crawl(
        url, store, base_url, args.trigger, overrides,
        describe=f"backfilling {base_url} ({edition} edition) from its sitemaps, {since} "
                 f"to {until or 'now'},",
        spider=BackfillSpider, edition=edition, since=since, until=until)


def month_of(value: str | None, option: str) -> str | None:
    """The month (YYYY-MM) of a command-line date, in any form `export` takes."""
    when = parse_date(value, option)
    return None if when is None else f"{when.year}-{when.month:02d}"


# --- reparse ---------------------------------------------------------------------------

def reparse(args: argparse.Namespace) -> int:
    from crawler.crawl.reparse import reparse_all

    _url, store = open_database(args.db)
    counts = reparse_all(store)
    print("reparse: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 1 if counts.get("failed") else 0
