"""Monitoring change from the command line: `history` (an article's revisions with a
diff of each change), `backfill` (articles from the sitemaps), and `crawl
--revisit-after`. Argument parsing stays in crawler.cli."""

from __future__ import annotations

import argparse
import difflib
import sys
import textwrap
from datetime import UTC, datetime
from typing import IO, Any

from crawler.config import parse_duration

WRAP = 88


def add_crawl_options(crawl: argparse.ArgumentParser) -> None:
    crawl.add_argument("--revisit-after", metavar="DURATION",
                       help="re-fetch every stored article the crawl meets that was last "
                            "fetched at least DURATION ago (e.g. 0s: all of them, 6h, 2d), "
                            "instead of the revisit schedule by article age "
                            "(NEWSMON_REVISIT_SCHEDULE)")


def add_subcommands(sub: Any, db_help: str) -> None:
    from crawler.ops_commands import add_common_options

    history = sub.add_parser(
        "history", help="an article's revisions, with a diff of each change")
    history.add_argument("url", help="the article's URL (canonical, or any that led to it)")
    history.add_argument("--db", help=db_help)
    add_common_options(history)

    backfill = sub.add_parser(
        "backfill", help="store the articles the site's sitemaps list and the database "
                         "lacks (resumable)",
        description="Store the articles the site's XML sitemaps list and the database "
                    "lacks (resumable). Sitemaps: robots.txt's Sitemap: lines, then "
                    "/sitemaps/all.xml, /sitemap_index.xml, /sitemap.xml, "
                    "/news-sitemap.xml (missing ones are skipped; indexes nest; .xml.gz "
                    "is read). Months: by the date in a sitemap's name "
                    "(sitemap-2025-9.xml, -2025-09, -2025-09-15), else by each URL's "
                    "news:publication_date or lastmod; URLs with no date are read. Only "
                    "article URLs of the site are fetched. A sitemap that cannot be read "
                    "is recorded as an error; no readable sitemap at all: exit 1.")
    backfill.add_argument("--since", metavar="YYYY-MM",
                          help="first month of publication to read (default: last month)")
    backfill.add_argument("--until", metavar="YYYY-MM",
                          help="last month of publication to read (default: up to now)")
    backfill.add_argument("--base-url", default=None,
                          help="site to read (default: as for crawl)")
    backfill.add_argument("--trigger", choices=("manual", "cron", "scheduler"),
                          default="manual", help="who started this run, as recorded")
    backfill.add_argument("--db", help=db_help)
    backfill.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                          help="override a Scrapy setting, like `scrapy crawl -s` "
                               "(repeatable)")
    add_common_options(backfill)


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


# --- history -------------------------------------------------------------------------

def history(args: argparse.Namespace) -> int:
    from sqlalchemy import inspect

    from crawler.commands import open_database
    from crawler.sites.almayadeen.urls import canonicalize_url

    url, store = open_database(args.db, upgrade=False)
    if not inspect(store.engine).has_table("article_revisions"):
        print("newsmon: the database has no revisions yet: run `newsmon db upgrade`",
              file=sys.stderr)
        return 1
    article_id = store.resolve_article_id(canonicalize_url(args.url)) \
        or store.resolve_article_id(args.url)
    if article_id is None:
        print(f"newsmon: no stored article for {args.url}", file=sys.stderr)
        return 1
    record = store.get_article(canonicalize_url(args.url)) or store.get_article(args.url)
    print_history(record, store.article_revisions(article_id))
    return 0


def _when(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ") if value else "-"


def revision_text(revision: dict[str, Any]) -> list[str]:
    """A revision as lines for a diff: title, summary, then the body's paragraphs,
    wrapped, a blank line between paragraphs."""
    lines = [f"Title:   {revision['title'] or ''}", f"Summary: {revision['summary'] or ''}", ""]
    for paragraph in (revision["body"] or "").split("\n\n"):
        lines += textwrap.wrap(paragraph, WRAP) or [""]
        lines.append("")
    return lines[:-1]


def print_history(record: dict[str, Any], revisions: list[dict[str, Any]],
                  out: IO[str] = sys.stdout) -> None:
    count = len(revisions)
    print(f"{record['url']}\n{record['title']}", file=out)
    print(f"{count} revision{'s' if count != 1 else ''}; first seen "
          f"{_when(record['first_seen_at'])}, last seen {_when(record['last_seen_at'])}",
          file=out)
    previous: dict[str, Any] | None = None
    for revision in revisions:
        head = (f"revision {revision['revision']}  fetched {_when(revision['fetched_at'])}"
                f"  modified {_when(revision['modified_at'])}"
                f"  sha256 {revision['content_hash'][:12]}")
        print(f"\n=== {head}", file=out)
        if previous is None:
            body = revision["body"] or ""
            print(f"Title:   {revision['title'] or ''}", file=out)
            print(f"Summary: {revision['summary'] or ''}", file=out)
            print(f"Body:    {len([p for p in body.split(chr(10) * 2) if p.strip()])} "
                  f"paragraphs, {len(body.split())} words", file=out)
        else:
            diff = difflib.unified_diff(
                revision_text(previous), revision_text(revision),
                fromfile=f"revision {previous['revision']}",
                tofile=f"revision {revision['revision']}", lineterm="", n=1)
            print("\n".join(diff) or "(same text: only the hash normalisation changed)",
                  file=out)
        previous = revision


# --- backfill ------------------------------------------------------------------------

def last_month(now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    year, month = (now.year, now.month - 1) if now.month > 1 else (now.year - 1, 12)
    return f"{year}-{month:02d}"


def backfill(args: argparse.Namespace) -> int:
    from crawler import ops_commands
    from crawler.commands import UsageError, open_database, run_locked_crawl
    from crawler.runner import parse_set_options
    from crawler.spiders.backfill import BackfillSpider, parse_month

    since = args.since or last_month()
    try:
        first, last = parse_month(since), parse_month(args.until)
        if last is not None and first is not None and last < first:
            raise ValueError("--until is before --since")
        overrides = ops_commands.crawl_overrides(parse_set_options(args.set))
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    base_url = ops_commands.crawl_base_url(args.base_url)
    url, store = open_database(args.db)
    # The crawl lock: a backfill and a crawl of the site do not run at the same time.
    return run_locked_crawl(
        url, store, base_url, args.trigger, overrides,
        describe=f"backfilling {base_url} from its sitemaps, {since} to {args.until or 'now'},",
        spider_cls=BackfillSpider, since=since, until=args.until)
