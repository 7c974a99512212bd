"""`newsmon search`, and what `newsmon export` needs for its filters and Parquet.

Argument parsing stays in crawler.cli. Both commands only read: they need the schema
at the latest revision (`newsmon db upgrade`) and never change it.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import UTC, datetime
from typing import IO, Any

from crawler.db import migrate
from crawler.db.search import search as search_articles
from crawler.db.session import redact_url


class SchemaOutdated(RuntimeError):
    """The database's schema is behind this version of newsmon (exit code 1)."""


def parse_date(value: str | None, option: str) -> datetime | None:
    """An ISO 8601 date or date-time; without a time zone, UTC."""
    from crawler.commands import UsageError

    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError as exc:
        raise UsageError(f"{option}: not an ISO 8601 date: {value!r}") from exc
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def require_current_schema(url: str) -> None:
    # A read command only looks at the revision: no "Context impl" lines from Alembic.
    alembic_logger = logging.getLogger("alembic.runtime.migration")
    level = alembic_logger.level
    alembic_logger.setLevel(logging.WARNING)
    try:
        current = migrate.is_up_to_date(url)
    finally:
        alembic_logger.setLevel(level)
    if not current:
        raise SchemaOutdated(f"the schema of {redact_url(url)} is not at the latest "
                             f"revision: run `newsmon db upgrade`")


def article_filters(args: argparse.Namespace) -> dict[str, Any]:
    """Keyword arguments of ``Store.iter_export_articles`` / ``search`` from the
    command line's --since, --until, --section, --region, --tag."""
    return {"since": parse_date(args.since, "--since"),
            "until": parse_date(args.until, "--until"),
            "section": args.section, "region": args.region, "tag": args.tag}


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def print_results(results: list[dict[str, Any]], fmt: str, out: IO[str]) -> None:
    if fmt == "json":
        json.dump([{k: _plain(v) for k, v in r.items()} for r in results], out,
                  ensure_ascii=False, indent=2)
        out.write("\n")
        return
    for number, result in enumerate(results, 1):
        when = (f"{result['published_at']:%Y-%m-%d %H:%M}Z" if result["published_at"]
                else "undated")
        where = " > ".join(p for p in (result["category"], result["section"]) if p)
        print(f"{number}. {result['title'] or '(no title)'}", file=out)
        print(f"   {when}" + (f" · {where}" if where else "") + f" · {result['url']}",
              file=out)
        if result["snippet"]:
            print(f"   {' '.join(result['snippet'].split())}", file=out)


def search(args: argparse.Namespace) -> int:
    from crawler.commands import UsageError, open_database

    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    filters = article_filters(args)
    url, store = open_database(args.db, upgrade=False)
    try:
        require_current_schema(url)
    except SchemaOutdated as exc:
        print(f"newsmon: {exc}", file=sys.stderr)
        return 1
    results = search_articles(store.engine, args.query, limit=args.limit, **filters)
    print_results(results, args.format, sys.stdout)
    if args.format == "text" and not results:
        print("newsmon: no article matches", file=sys.stderr)
    return 0
