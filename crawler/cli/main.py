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
from crawler.cli import (alerting, analysis, crawling, demo, extracting, maintenance, monitoring,
                         reading, unattended)
from crawler.cli.common import (EXIT_DB_UNAVAILABLE, EXIT_FAILED, EXIT_LOCKED, EXIT_OK,
                                EXIT_USAGE, SchemaOutdated, UsageError, add_common_options, commands_of, configure)
from crawler.config import ConfigError
from crawler.logging_setup import configure_logging

HANDLERS = {
    "crawl": crawling.crawl, "backfill": crawling.backfill, "demo": demo.demo,
    "reparse": crawling.reparse, "monitor": monitoring.monitor,
    "export": reading.export, "search": reading.search, "history": reading.history,
    "siblings": reading.siblings,
    "schedule": unattended.schedule, "runs": unattended.runs, "status": unattended.status,
    "config": unattended.show_config, "db": unattended.db,
    "changes": analysis.changes, "frontpage": analysis.frontpage,
    "prominence": analysis.prominence, "stats": analysis.stats, "report": analysis.report,
    "extract": extracting.extract,
    "prune": maintenance.prune, "doctor": maintenance.doctor,
    "watch": alerting.watch, "alerts": alerting.alerts, "feed": alerting.feed,
}


class NewsmonParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (exit 2): a script or a log
    reader sees the reason, not a usage block."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = NewsmonParser(
        prog="newsmon", description="Crawl a news site into a relational database.",
        epilog="Exit codes: 0 ok, 1 run failed, 2 usage error, 3 database unavailable, "
               "4 another crawl holds the lock, 5 crawl degraded (layout change?). "
               "`status`: 0 OK, 1 WARNING, 2 CRITICAL; `doctor`: 0 OK, 1 warning, 2 failure.")
    parser.add_argument("--version", action="version", version=f"newsmon {__version__}")
    add_common_options(parser, top_level=True)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in (crawling, demo, monitoring, reading, analysis, extracting, alerting,
                  unattended, maintenance):
        group.add_parsers(sub)
    _give_common_options(parser)
    return parser


def _give_common_options(parser: argparse.ArgumentParser) -> None:
    """`--config` and `--log-format` after every subcommand too (and after each of a
    command's own subcommands), whichever group module declared it."""
    for action in parser._actions:  # noqa: SLF001 - argparse has no public accessor
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            for sub in action.choices.values():
                if "--config" not in sub._option_string_actions:  # noqa: SLF001
                    add_common_options(sub)
                _give_common_options(sub)


def cli_commands() -> dict[str, set[str]]:
    """Subcommands of this newsmon and the options each accepts."""
    return commands_of(build_parser())


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error (one line, above)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    args.parser = parser
    try:
        configure(args)  # configuration and logging (text or JSON)
    except ConfigError as exc:
        if args.command != "doctor":
            print(f"newsmon: error: configuration: {exc}", file=sys.stderr)
            return EXIT_USAGE
        args.config_error = str(exc)  # doctor reports it as its first check
        configure_logging("text", "INFO")
    from crawler.cli.validate import NoDatabase
    from crawler.db.session import DatabaseUnavailable
    from crawler.ops.crawl_lock import LockHeld

    try:
        return HANDLERS[args.command](args)
    except UsageError as exc:
        print(f"newsmon: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except NoDatabase as exc:
        print(f"newsmon: {exc}", file=sys.stderr)
        return EXIT_DB_UNAVAILABLE
    except SchemaOutdated as exc:
        print(f"newsmon: {exc}", file=sys.stderr)
        return EXIT_FAILED
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
