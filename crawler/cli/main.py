"""The `newsmon` parser and dispatch. Records go to stdout; logs and messages to stderr.

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
import sys
from collections.abc import Sequence

from crawler import __version__
from crawler.cli import alerting, crawling, reading, unattended
from crawler.cli.common import (EXIT_DB_UNAVAILABLE, EXIT_LOCKED, EXIT_OK, EXIT_USAGE,
                                UsageError, add_common_options, commands_of, configure)
from crawler.config import ConfigError

HANDLERS = {
    "crawl": crawling.crawl, "backfill": crawling.backfill, "demo": crawling.demo,
    "reparse": crawling.reparse,
    "export": reading.export, "search": reading.search, "history": reading.history,
    "schedule": unattended.schedule, "runs": unattended.runs, "status": unattended.status,
    "config": unattended.show_config, "db": unattended.db,
    "watch": alerting.watch, "alerts": alerting.alerts, "feed": alerting.feed,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsmon", description="Crawl a news site into a relational database.",
        epilog="Exit codes: 0 ok, 1 run failed, 2 usage error, 3 database unavailable, "
               "4 another crawl holds the lock, 5 crawl degraded (layout change?). "
               "`status`: 0 OK, 1 WARNING, 2 CRITICAL.")
    parser.add_argument("--version", action="version", version=f"newsmon {__version__}")
    add_common_options(parser, top_level=True)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in (crawling, reading, unattended, alerting):
        group.add_parsers(sub)
    return parser


def cli_commands() -> dict[str, set[str]]:
    """Subcommands of this newsmon and the options each accepts."""
    return commands_of(build_parser())


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.parser = parser
    try:
        configure(args)  # configuration and logging (text or JSON)
    except ConfigError as exc:
        print(f"newsmon: error: configuration: {exc}", file=sys.stderr)
        return EXIT_USAGE
    from crawler.db.session import DatabaseUnavailable
    from crawler.ops.crawl_lock import LockHeld

    try:
        return HANDLERS[args.command](args)
    except UsageError as exc:
        print(f"newsmon: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except DatabaseUnavailable as exc:
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
