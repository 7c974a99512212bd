"""What each `newsmon` command does; argument parsing stays in crawler.cli."""

from __future__ import annotations

import argparse
import logging
import sys
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Iterator

from sqlalchemy.engine import make_url

from crawler.db import migrate
from crawler.db.session import (DatabaseUnavailable, check_connection, make_engine,
                                redact_url, resolve_database_url)
from crawler.db.store import Store
from crawler.export import write_records

logger = logging.getLogger("newsmon")

__all__ = ["DatabaseUnavailable", "UsageError", "crawl", "export", "reparse", "demo", "db"]


class UsageError(Exception):
    """A command-line value that cannot be used (exit code 2)."""


def open_database(cli_value: str | None, upgrade: bool = True) -> tuple[str, Store]:
    """Resolve, connect and (by default) migrate: the one way commands reach the DB."""
    url = resolve_database_url(cli_value)
    engine = make_engine(url)
    check_connection(engine)  # raises DatabaseUnavailable with a one-line reason
    if upgrade:
        migrate.upgrade(url)
    return url, Store(engine)


def crawl(args: argparse.Namespace) -> int:
    from crawler.runner import parse_set_options, run_crawl

    try:
        overrides = parse_set_options(args.set)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    url, store = open_database(args.db)
    run_id = store.start_run(args.base_url, trigger="manual")
    store.engine.dispose()
    print(f"newsmon: crawling {args.base_url} into {redact_url(url)} (run {run_id})",
          file=sys.stderr)
    outcome = run_crawl(args.base_url, url, overrides, run_id=run_id)
    print_run_summary(Store(make_engine(url)), run_id)
    if outcome.status not in ("ok", "degraded"):
        reason = outcome.stats.get("finish_reason", "unknown")
        print(f"newsmon: run {run_id} {outcome.status} (finish reason: {reason})",
              file=sys.stderr)
        return 1
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


def parse_since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError as exc:
        raise UsageError(f"--since: not an ISO 8601 date: {value!r}") from exc
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@contextmanager
def output_stream(path: str | None) -> Iterator[IO[str]]:
    if path is None:
        yield sys.stdout
        return
    with open(path, "w", encoding="utf-8", newline="") as handle:
        yield handle


def export(args: argparse.Namespace) -> int:
    since = parse_since(args.since)
    _url, store = open_database(args.db, upgrade=False)
    if args.kind == "articles":
        records = store.iter_export_articles(since=since)
    else:
        records = store.iter_export_breaking(since=since)
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
                             "LOG_LEVEL": "WARNING"}, run_id=run_id)
    print_run_summary(store, run_id)
    print_demo_report(store, db_url)
    return 0 if outcome.status == "ok" else 1


def print_demo_report(store: Store, db_url: str, out: IO[str] = sys.stdout) -> None:
    counts = store.counts()
    print("\nstored rows: " + ", ".join(f"{k} {v}" for k, v in counts.items()), file=out)
    articles = list(store.iter_export_articles())
    by_section: dict[str, int] = {}
    for record in articles:
        key = f"{record['category'] or '?'} > {record['section'] or '?'}"
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
          f"  newsmon export --db {db_url} --format jsonl | head -n 1\n"
          f"  sqlite3 {make_url(db_url).database} 'select section, count(*) from articles "
          f"group by section'", file=out)
