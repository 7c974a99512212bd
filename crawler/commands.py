"""What each `newsmon` command does; argument parsing stays in crawler.cli."""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Iterator

from sqlalchemy.engine import make_url

from crawler.db import migrate
from crawler.db.session import (DatabaseUnavailable, check_connection, make_engine,
                                redact_url, resolve_database_url)
from crawler.db.store import Store
from crawler import monitor_commands, ops_commands
from crawler.export import write_records
from crawler.locking import LockHeld
from crawler.quality import EXIT_DEGRADED

logger = logging.getLogger("newsmon")

__all__ = ["DatabaseUnavailable", "LockHeld", "UsageError", "crawl", "export", "reparse", "demo", "db"]


class UsageError(Exception):
    """A command-line value that cannot be used (exit code 2)."""


def open_database(cli_value: str | None, upgrade: bool = True) -> tuple[str, Store]:
    """Resolve, connect and (by default) migrate: the one way commands reach the DB."""
    url = resolve_database_url(cli_value or ops_commands.configured_database_url())
    engine = make_engine(url)
    check_connection(engine)  # raises DatabaseUnavailable with a one-line reason
    if upgrade:
        migrate.upgrade(url)
    return url, Store(engine)


def crawl(args: argparse.Namespace) -> int:
    from crawler.runner import parse_set_options

    base_url = ops_commands.crawl_base_url(args.base_url)  # --base-url, env, config file
    try:
        overrides = ops_commands.crawl_overrides(parse_set_options(args.set))
        overrides.update(monitor_commands.revisit_overrides(args))  # --revisit-after
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    url, store = open_database(args.db)
    return run_locked_crawl(url, store, base_url, args.trigger, overrides,
                            describe=f"crawling {base_url}")


def run_locked_crawl(url: str, store: Store, base_url: str, trigger: str,
                     overrides: dict[str, Any], describe: str, **crawl_kwargs: Any) -> int:
    """One run of a crawl or backfill: lock, run record, summary and exit code."""
    from crawler.runner import run_crawl

    # One crawl of a site per database at a time: LockHeld (exit 4) if another runs.
    with ops_commands.exclusive_crawl(url, base_url, store):
        run_id = store.start_run(base_url, trigger=trigger)
        store.engine.dispose()
        print(f"newsmon: {describe} into {redact_url(url)} (run {run_id})", file=sys.stderr)
        outcome = run_crawl(base_url, url, overrides, run_id=run_id, **crawl_kwargs)
        if outcome.stats.get("newsmon/database_lost"):  # crawler.outage: exit 3
            raise DatabaseUnavailable(
                f"lost during run {run_id}: {outcome.stats.get('newsmon/spooled', 0)} items "
                f"spooled in {outcome.stats.get('newsmon/spool_file')}; the next crawl of "
                f"the site writes them first")
    print_run_summary(Store(make_engine(url)), run_id)
    if outcome.status not in ("ok", "degraded"):
        reason = outcome.stats.get("finish_reason", "unknown")
        print(f"newsmon: run {run_id} {outcome.status} (finish reason: {reason})",
              file=sys.stderr)
        return 1
    if outcome.status == "degraded":  # crawler.quality: a layout change?
        print(f"newsmon: run {run_id} degraded (layout change?): "
              f"{outcome.stats.get('newsmon/layout_alarms', 'see newsmon status')}",
              file=sys.stderr)
        return EXIT_DEGRADED
    return 0


def print_run_summary(store: Store, run_id: int, out: IO[str] = sys.stdout) -> None:
    run = store.get_run(run_id)
    print(f"run {run_id}: {run['status']}", file=out)
    print(f"  pages fetched:      {run['pages_fetched']}", file=out)
    print(f"  articles new:       {run['articles_new']}", file=out)
    print(f"  articles updated:   {run['articles_updated']}", file=out)
    print(f"  articles unchanged: {run['articles_unchanged']}", file=out)
    print(f"  errors:             {run['errors']}", file=out)
    if run.get("error_summary"):
        print(f"  first errors:       {run['error_summary'][:300]}", file=out)


@contextmanager
def output_stream(path: str | None) -> Iterator[IO[str]]:
    if path is None:
        yield sys.stdout
        return
    with open(path, "w", encoding="utf-8", newline="") as handle:
        yield handle


def export(args: argparse.Namespace) -> int:
    from crawler import analyst_commands as analyst
    from crawler.export import write_parquet

    filters = analyst.article_filters(args)  # --since --until --section --region --tag
    if args.kind == "breaking" and (args.section or args.region or args.tag):
        raise UsageError("--section, --region and --tag filter articles only")
    if args.format == "parquet" and not args.out:
        raise UsageError("--format parquet needs --out FILE")
    url, store = open_database(args.db, upgrade=False)
    try:
        analyst.require_current_schema(url)
    except analyst.SchemaOutdated as exc:
        print(f"newsmon: {exc}", file=sys.stderr)
        return 1
    if args.kind == "articles":
        records = store.iter_export_articles(**filters)
    else:
        records = store.iter_export_breaking(since=filters["since"], until=filters["until"])
    if args.format == "parquet":
        count = write_parquet(records, args.kind, args.out)
    else:
        with output_stream(args.out) as out:
            count = write_records(records, args.format, args.kind, out)
    print(f"newsmon: exported {count} {args.kind} records", file=sys.stderr)
    return 0


def db(args: argparse.Namespace) -> int:
    url, _store = open_database(args.db, upgrade=False)
    migrate.upgrade(url)
    print(f"newsmon: schema of {redact_url(url)} is at the latest revision", file=sys.stderr)
    return 0


def reparse(args: argparse.Namespace) -> int:
    from crawler.reparse import reparse_all

    _url, store = open_database(args.db)
    counts = reparse_all(store)
    print("reparse: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 1 if counts.get("failed") else 0


def demo(args: argparse.Namespace) -> int:
    from crawler.replica.server import ReplicaServer
    from crawler.runner import run_crawl

    from crawler.logging_setup import set_level

    set_level("WARNING")  # the report is the point; warnings and errors still show
    db_url = args.db
    parsed = make_url(db_url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        # Each demo serves the replica on a new port, so its URLs differ: start afresh.
        for suffix in ("", "-wal", "-shm"):
            Path(parsed.database + suffix).unlink(missing_ok=True)
    _url, store = open_database(db_url)
    with ReplicaServer() as server:
        print(f"newsmon demo: replica served at {server.base_url}", file=sys.stderr)
        run_id = store.start_run(server.base_url, trigger="manual")
        outcome = run_crawl(server.base_url, db_url,
                            {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False",
                             "LOG_LEVEL": "WARNING", "LOG_INSTALL_ROOT_HANDLER": False},
                            run_id=run_id)
    print_run_summary(store, run_id)
    print("  (the replica links a missing page, a page robots.txt forbids and off-site "
          "pages on purpose: the error above and the pages not fetched are expected)")
    print_demo_report(store, db_url)
    return 0 if outcome.status == "ok" else 1


def _program_name() -> str:
    """How the user can call newsmon again: plain `newsmon` when it is on PATH."""
    argv0 = sys.argv[0]
    if shutil.which("newsmon") or not argv0.endswith("newsmon"):
        return "newsmon"
    return argv0


def print_demo_report(store: Store, db_url: str, out: IO[str] = sys.stdout) -> None:
    counts = store.counts()
    print("\nstored rows: " + ", ".join(f"{k} {v}" for k, v in counts.items()), file=out)
    articles = list(store.iter_export_articles())
    by_section: dict[str, int] = {}
    for record in articles:
        key = " > ".join(n for n in (record["category"], record["section"]) if n) or "?"
        by_section[key] = by_section.get(key, 0) + 1
    print("articles by section:", file=out)
    for key, n in sorted(by_section.items()):
        print(f"  {key:<32} {n}", file=out)
    print("latest articles:", file=out)
    latest = sorted((r for r in articles if r["published_at"]),
                    key=lambda r: r["published_at"], reverse=True)[:5]
    for record in latest:
        print(f"  {record['published_at']:%Y-%m-%d %H:%M}Z  {record['title']}", file=out)
    print(f"\nThe database is {redact_url(db_url)}. Try:\n"
          f"  {_program_name()} export --db {db_url} --format jsonl | head -n 1\n"
          f"  sqlite3 {make_url(db_url).database} 'select section, count(*) from articles "
          f"group by section'", file=out)
