"""The `newsmon` command line. Records go to stdout; logs and messages to stderr.

Exit codes: 0 success; 1 the run failed; 2 usage error; 3 database unavailable (at
the start: nothing fetched; lost during a crawl and not back by its end: the items are
spooled, see docs/RELIABILITY.md); 4 another crawl of the site holds the lock on this
database (`crawl`); 5 the crawl finished but is degraded: fields were filled far worse
than in the runs before (a layout change? `newsmon status` names them).
`status` exits like a monitoring check: 0 OK, 1 WARNING, 2 CRITICAL (3 unavailable).
"""

from __future__ import annotations

import argparse
import os
import logging
import sys
from collections.abc import Sequence

from crawler import __version__
from crawler import monitor_commands
from crawler.ops_commands import add_common_options
from crawler.spiders.almayadeen import DEFAULT_BASE_URL

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_DB_UNAVAILABLE = 0, 1, 2, 3
EXIT_LOCKED = 4  # another crawl of the site is running against the database
EXIT_DEGRADED = 5  # the crawl ran, but its fields look like a layout change

DB_HELP = ("database URL (default: $NEWSMON_DATABASE_URL, else the SQLite file "
           "~/.local/share/newsmon/newsmon.sqlite3)")


def add_article_filters(parser: argparse.ArgumentParser, until_help: str) -> None:
    """--until, --section, --region, --tag (export and search)."""
    parser.add_argument("--until", metavar="DATE", help=until_help)
    parser.add_argument("--section", metavar="NAME",
                        help="only articles of this section (e.g. Politics; any case)")
    parser.add_argument("--region", metavar="NAME", help="only articles in this region "
                        "(named by the article or listed on its index page)")
    parser.add_argument("--tag", metavar="NAME", help="only articles with this tag")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsmon", description="Crawl a news site into a relational database.",
        epilog="Exit codes: 0 ok, 1 run failed, 2 usage error, 3 database unavailable, "
               "4 another crawl holds the lock, 5 crawl degraded (layout change?). "
               "`status`: 0 OK, 1 WARNING, 2 CRITICAL.")
    parser.add_argument("--version", action="version", version=f"newsmon {__version__}")
    add_common_options(parser, top_level=True)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    crawl = sub.add_parser("crawl", help="crawl the site once into the database")
    crawl.add_argument("--base-url", default=None,
                       help=f"site to crawl (default: $NEWSMON_BASE_URL, the config file, "
                            f"else {DEFAULT_BASE_URL})")
    crawl.add_argument("--trigger", choices=("manual", "cron", "scheduler"), default="manual",
                       help="who started this run, as recorded (default: manual)")
    add_common_options(crawl)
    crawl.add_argument("--db", help=DB_HELP)
    crawl.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                       help="override a Scrapy setting, like `scrapy crawl -s` (repeatable)")
    monitor_commands.add_crawl_options(crawl)  # --revisit-after

    export = sub.add_parser("export", help="write stored records to stdout or a file")
    export.add_argument("--db", help=DB_HELP)
    export.add_argument("--format", choices=("jsonl", "csv", "parquet"), required=True,
                        help="parquet needs --out")
    export.add_argument("--kind", choices=("articles", "breaking"), default="articles")
    export.add_argument("--since", metavar="DATE",
                        help="only articles published (undated ones: first seen) and "
                             "breaking items last seen at or after DATE (ISO 8601; "
                             "a date without a zone is UTC)")
    add_article_filters(export, until_help="only articles published (undated ones: first "
                        "seen) and breaking items first seen before DATE")
    export.add_argument("--out", metavar="FILE", help="write here instead of stdout")

    search = sub.add_parser(
        "search", help="full-text search of titles, summaries and bodies, best first")
    search.add_argument("query", help='words (all required), "a phrase", `or` between '
                                      'alternatives, -word to exclude')
    search.add_argument("--since", metavar="DATE",
                        help="only articles published (undated ones: first seen) at or "
                             "after DATE (ISO 8601; a date without a zone is UTC)")
    add_article_filters(search, until_help="only articles published (undated ones: first "
                        "seen) before DATE")
    search.add_argument("--limit", type=int, default=20, help="at most N results "
                        "(default: 20)", metavar="N")
    search.add_argument("--format", choices=("text", "json"), default="text",
                        help="text (default) or json: a list of {url, title, "
                             "published_at, category, section, rank, snippet}")
    search.add_argument("--db", help=DB_HELP)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="SUBCOMMAND")
    upgrade = db_sub.add_parser("upgrade", help="create or upgrade the schema (Alembic)")
    upgrade.add_argument("--db", help=DB_HELP)

    reparse = sub.add_parser(
        "reparse", help="re-extract stored pages with the current parser, without fetching")
    reparse.add_argument("--db", help=DB_HELP)
    monitor_commands.add_subcommands(sub, DB_HELP)  # history, backfill

    demo = sub.add_parser(
        "demo", help="serve the bundled replica locally, crawl it, report what was stored")
    demo.add_argument("--db", default="sqlite:///newsmon-demo.sqlite3",
                      help="where to store the demo crawl; an existing SQLite file is "
                           "replaced (default: ./newsmon-demo.sqlite3)")

    schedule = sub.add_parser(
        "schedule", help="run forever, starting crawls on the configured schedule")
    schedule.add_argument("--db", help=DB_HELP)
    add_common_options(schedule)
    runs = sub.add_parser("runs", help="list recent crawl runs")
    runs.add_argument("--db", help=DB_HELP)
    runs.add_argument("--limit", type=int, default=20, help="how many (default: 20)")
    runs.add_argument("--base-url", help="only runs of this site")
    runs.add_argument("--format", choices=("text", "jsonl"), default="text")
    add_common_options(runs)
    status = sub.add_parser(
        "status", help="is monitoring healthy? exit 0 OK, 1 WARNING, 2 CRITICAL")
    status.add_argument("--db", help=DB_HELP)
    status.add_argument("--base-url", help="only runs of this site")
    status.add_argument("--format", choices=("text", "json"), default="text")
    add_common_options(status)
    config = sub.add_parser(
        "config", help="print the effective configuration, secrets masked")
    config.add_argument("--format", choices=("toml", "json"), default="toml")
    add_common_options(config)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from crawler import ops_commands
    from crawler.config import ConfigError

    try:
        ops_commands.configure(args)  # configuration and logging (text or JSON)
    except ConfigError as exc:
        print(f"newsmon: error: configuration: {exc}", file=sys.stderr)
        return EXIT_USAGE
    from crawler import analyst_commands, commands  # imported late: keeps `--help` fast
    from crawler.locking import LockHeld

    handler = {
        "crawl": commands.crawl, "export": commands.export, "reparse": commands.reparse,
        "search": analyst_commands.search,
        "history": monitor_commands.history, "backfill": monitor_commands.backfill,
        "demo": commands.demo, "db": commands.db,
        "schedule": ops_commands.schedule, "runs": ops_commands.runs,
        "status": ops_commands.status, "config": ops_commands.show_config,
    }[args.command]
    try:
        return handler(args)
    except commands.UsageError as exc:
        print(f"newsmon: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except commands.DatabaseUnavailable as exc:
        print(f"newsmon: database unavailable: {exc}", file=sys.stderr)
        return EXIT_DB_UNAVAILABLE
    except LockHeld as exc:
        print(f"newsmon: not crawling: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    except BrokenPipeError:
        # `newsmon export ... | head`: the reader left; that is not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
