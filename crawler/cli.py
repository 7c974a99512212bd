"""The `newsmon` command line. Records go to stdout; logs and messages to stderr.

Exit codes: 0 success; 1 the run failed; 2 usage error; 3 database unavailable.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from crawler import __version__
from crawler.spiders.almayadeen import DEFAULT_BASE_URL

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_DB_UNAVAILABLE = 0, 1, 2, 3

DB_HELP = ("database URL (default: $NEWSMON_DATABASE_URL, else the SQLite file "
           "~/.local/share/newsmon/newsmon.sqlite3)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsmon", description="Crawl a news site into a relational database.",
        epilog="Exit codes: 0 ok, 1 run failed, 2 usage error, 3 database unavailable.")
    parser.add_argument("--version", action="version", version=f"newsmon {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    crawl = sub.add_parser("crawl", help="crawl the site once into the database")
    crawl.add_argument("--base-url", default=DEFAULT_BASE_URL,
                       help=f"site to crawl (default: {DEFAULT_BASE_URL})")
    crawl.add_argument("--db", help=DB_HELP)
    crawl.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                       help="override a Scrapy setting, like `scrapy crawl -s` (repeatable)")

    export = sub.add_parser("export", help="write stored records to stdout or a file")
    export.add_argument("--db", help=DB_HELP)
    export.add_argument("--format", choices=("jsonl", "csv"), required=True)
    export.add_argument("--kind", choices=("articles", "breaking"), default="articles")
    export.add_argument("--since", metavar="DATE",
                        help="only records published (articles) or first seen (breaking) "
                             "at or after DATE (ISO 8601; a date without zone is UTC)")
    export.add_argument("--out", metavar="FILE", help="write here instead of stdout")

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="SUBCOMMAND")
    upgrade = db_sub.add_parser("upgrade", help="create or upgrade the schema (Alembic)")
    upgrade.add_argument("--db", help=DB_HELP)

    reparse = sub.add_parser(
        "reparse", help="re-extract stored pages with the current parser, without fetching")
    reparse.add_argument("--db", help=DB_HELP)

    demo = sub.add_parser(
        "demo", help="serve the bundled replica locally, crawl it, report what was stored")
    demo.add_argument("--db", default="sqlite:///newsmon-demo.sqlite3",
                      help="where to store the demo crawl; an existing SQLite file is "
                           "replaced (default: ./newsmon-demo.sqlite3)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s [%(name)s] %(levelname)s: %(message)s")
    from crawler import commands  # imported late: keeps `--help` fast

    handler = {
        "crawl": commands.crawl, "export": commands.export, "reparse": commands.reparse,
        "demo": commands.demo, "db": commands.db,
    }[args.command]
    try:
        return handler(args)
    except commands.UsageError as exc:
        print(f"newsmon: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except commands.DatabaseUnavailable as exc:
        print(f"newsmon: database unavailable: {exc}", file=sys.stderr)
        return EXIT_DB_UNAVAILABLE


if __name__ == "__main__":
    sys.exit(main())
