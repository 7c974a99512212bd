"""What every group of commands shares: exit codes, usage errors, the global options,
opening the database, and the crawl options read from the configuration."""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from crawler import config as config_module
from crawler.cli.errors import UsageError
from crawler.cli.when import parse_when
from crawler.config import Config, ConfigError
from crawler.logging_setup import configure_logging, set_level

logger = logging.getLogger("newsmon")

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_DB_UNAVAILABLE = 0, 1, 2, 3
EXIT_LOCKED = 4  # another crawl of the site is running against the database
EXIT_DEGRADED = 5  # the crawl ran, but its fields look like a layout change

DB_HELP = ("database: sqlite:///PATH, a file path, or postgresql://USER@HOST/DB "
           "(default: $NEWSMON_DATABASE_URL, else database_url of the config file, else "
           "the SQLite file ~/.local/share/newsmon/newsmon.sqlite3)")


class SchemaOutdated(RuntimeError):
    """The database's schema is behind this version of newsmon (exit code 1)."""


def add_common_options(parser: argparse.ArgumentParser, *, top_level: bool = False) -> None:
    """`--config` and `--log-format`, accepted before or after the subcommand."""
    default = None if top_level else argparse.SUPPRESS
    parser.add_argument("--config", metavar="FILE", default=default,
                        help="TOML configuration file (default: $NEWSMON_CONFIG; "
                             "environment variables NEWSMON_* override it)")
    parser.add_argument("--log-format", choices=("text", "json"), default=default,
                        help="log lines on stderr: text (default: $NEWSMON_LOG_FORMAT, "
                             "else text) or json, one object a line")


def configure(args: argparse.Namespace) -> Config:
    """Load the configuration (ConfigError) and set up logging; call once, first."""
    path = getattr(args, "config", None)
    if path:
        # Children (the scheduler's crawls) and later loads see the same file.
        os.environ[config_module.ENV_CONFIG] = os.path.abspath(path)
    cfg = config_module.load_config(path)
    if getattr(args, "log_format", None):
        cfg.log_format = args.log_format
        cfg.sources["log_format"] = "command line"
    config_module.set_current(cfg)
    configure_logging(cfg.log_format, cfg.log_level)
    if getattr(args, "command", None) in ("config", "schedule"):
        for warning in cfg.warnings:  # e.g. a misspelt NEWSMON_* variable
            logger.warning("config: %s", warning)
    return cfg


def commands_of(parser: argparse.ArgumentParser) -> dict[str, set[str]]:
    """The subcommands of a parser and the options each accepts (the scheduler checks
    its jobs' command lines against them)."""
    for action in parser._actions:  # noqa: SLF001 - argparse has no public accessor
        if isinstance(getattr(action, "choices", None), dict):
            return {name: set(sub._option_string_actions)  # noqa: SLF001
                    for name, sub in action.choices.items()}
    return {}


def configured_database_url() -> str | None:
    """The database URL of the configuration (environment, then file), if any."""
    return config_module.current().database_url


def open_database(cli_value: str | None, upgrade: bool = True,
                  must_exist: bool | None = None) -> tuple[str, Any]:
    """Resolve, validate, connect and (by default) migrate: the one way commands reach
    the DB. Without ``upgrade`` (the read commands) a missing SQLite file is NoDatabase,
    never a new empty database."""
    from crawler.cli.validate import database_url
    from crawler.db import migrate
    from crawler.db.session import check_connection, make_engine
    from crawler.db.store import Store

    if must_exist is None:  # read commands need a database; crawls may create one
        must_exist = not upgrade
    url = database_url(cli_value or configured_database_url(), must_exist=must_exist)
    if upgrade:
        _make_default_folder(url)
    engine = make_engine(url)
    check_connection(engine)  # raises DatabaseUnavailable with a one-line reason
    if upgrade:
        migrate.upgrade_if_needed(url)
    return url, Store(engine)


def _make_default_folder(url: str) -> None:
    """The default SQLite file's folder (~/.local/share/newsmon) is created on first use;
    a folder the user named must exist (a typo must not create a directory tree)."""
    from sqlalchemy.engine import make_url

    from crawler.db.session import default_sqlite_path

    database = make_url(url).database
    if make_url(url).get_backend_name() != "sqlite" or not database:
        return
    path = Path(database)
    if path == default_sqlite_path().resolve():
        path.parent.mkdir(parents=True, exist_ok=True)
    elif not path.parent.is_dir():
        raise UsageError(f"--db: no directory {path.parent} for the database {path.name}")


def open_reading(db: str | None) -> Any:
    """The store of an existing database at the latest schema, for the read commands
    (NoDatabase or SchemaOutdated otherwise: the dispatcher answers both in one line)."""
    url, store = open_database(db, upgrade=False)
    require_current_schema(url)
    return store


def require_current_schema(url: str) -> None:
    """SchemaOutdated unless the database is at the latest revision (read commands)."""
    from crawler.db import migrate
    from crawler.db.session import redact_url

    revision = migrate.current_revision(url)
    current = revision == migrate.SCHEMA_HEAD
    if revision is None:
        raise SchemaOutdated(f"{redact_url(url)} is not a newsmon database (it has no "
                             f"newsmon schema)")
    if not current:
        raise SchemaOutdated(f"the schema of {redact_url(url)} is not at the latest "
                             f"revision: run `newsmon db upgrade`")


# --- crawl options -------------------------------------------------------------------

def crawl_base_url(cli_value: str | None) -> str:
    return cli_value or config_module.current().base_url


EDITION_HELP = ("the edition to crawl: en, ar or es (crawler/sites/editions.py); its site "
                "is the configuration's ([site] ar_base_url, es_base_url; English: "
                "base_url) or the real one, unless --base-url names another (a replica)")


def edition_base_url(edition: str) -> str:
    """The site of an edition: configured, else the edition's real site."""
    from crawler.crawl.edition import edition_site

    return edition_site(config_module.current(), edition)


def crawl_target(edition: str | None, base_url: str | None) -> tuple[str, str]:
    """(edition key, base URL) of a crawl from --edition and --base-url: an edition
    alone crawls its site; a base URL alone is the edition whose site it is (configured
    or real), else English; both: that edition read from that URL (a replica)."""
    from crawler.db.runs import site_key
    from crawler.sites.editions import DEFAULT_EDITION, EDITIONS, edition_for_url

    if edition is not None:
        edition = edition.strip().lower()
        if edition not in EDITIONS:
            raise UsageError(f"--edition: {edition!r} is not one of {', '.join(EDITIONS)}")
        return edition, base_url or edition_base_url(edition)
    base_url = crawl_base_url(base_url)
    for key in config_module.current().editions:
        if site_key(edition_base_url(key)) == site_key(base_url):
            return key, base_url
    found = edition_for_url(base_url)
    return (found.key if found else DEFAULT_EDITION), base_url


def parse_set_options(pairs: list[str]) -> dict[str, str]:
    """`NAME=VALUE` strings, as `scrapy crawl -s`, into a dict (ValueError if malformed)."""
    overrides = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"--set expects NAME=VALUE, got {pair!r}")
        overrides[name.strip()] = value
    return overrides


def crawl_overrides(set_overrides: dict[str, str]) -> dict[str, Any]:
    """Scrapy settings of a crawl: the configuration's, then `--set` on top."""
    cfg = config_module.current()
    try:
        settings = cfg.scrapy_settings()
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc
    settings.update(set_overrides)
    # Scrapy's records go through newsmon's handler (text or JSON), not a second one.
    settings["LOG_INSTALL_ROOT_HANDLER"] = False
    set_level(str(settings.get("LOG_LEVEL") or cfg.log_level).upper())
    return settings


# --- article filters (export, search) ------------------------------------------------

def add_edition_filters(parser: argparse.ArgumentParser) -> None:
    """--edition and --language: which edition's articles (every command that reads
    articles takes them)."""
    parser.add_argument("--edition", choices=("en", "ar", "es"), type=str.lower,
                        help="only articles of this edition (en, ar, es)")
    parser.add_argument("--language", metavar="CODE", type=str.lower,
                        help="only articles in this language (ISO 639-1: en, ar, es); "
                             "search also matches the words by that language's rules")


def edition_filters(args: argparse.Namespace) -> dict[str, Any]:
    return {"edition": getattr(args, "edition", None),
            "language": getattr(args, "language", None)}


def add_article_filters(parser: argparse.ArgumentParser, until_help: str) -> None:
    """--until, --section, --region, --tag, --edition, --language (export and search)."""
    parser.add_argument("--until", metavar="DATE", help=until_help)
    parser.add_argument("--section", metavar="NAME",
                        help="only articles of this section (e.g. Politics; any case)")
    parser.add_argument("--region", metavar="NAME", help="only articles in this region "
                        "(named by the article or listed on its index page)")
    parser.add_argument("--tag", metavar="NAME", help="only articles with this tag")
    add_edition_filters(parser)


def parse_date(value: str | None, option: str) -> datetime | None:
    """A moment from the command line (``crawler.cli.when``: absolute or relative
    forms; without a time zone, UTC); UsageError naming the option."""
    if value is None:
        return None
    try:
        return parse_when(value)
    except ValueError as exc:
        raise UsageError(f"{option}: {exc}") from None


def article_filters(args: argparse.Namespace) -> dict[str, Any]:
    """Keyword arguments of ``Store.iter_export_articles`` / ``search`` from the
    command line's --since, --until, --section, --region, --tag, --edition, --language."""
    since, until = parse_date(args.since, "--since"), parse_date(args.until, "--until")
    warn_reversed(since, until)
    return {"since": since, "until": until,
            "section": args.section, "region": args.region, "tag": args.tag,
            **edition_filters(args)}


def warn_reversed(since: datetime | None, until: datetime | None) -> None:
    """--until at or before --since selects nothing: most likely swapped; say so."""
    if since is not None and until is not None and until <= since:
        print(f"newsmon: warning: --until ({until:%Y-%m-%d %H:%M}Z) is not after --since "
              f"({since:%Y-%m-%d %H:%M}Z): nothing can match (swapped?)", file=sys.stderr)


_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")


def isolate(text: str | None) -> str | None:
    """Text with right-to-left letters (an Arabic title) between Unicode bidi isolates
    (FSI ... PDI): a terminal that lays out bidi text shows it right to left without
    reordering the numbers and URLs around it; other text unchanged."""
    if not text or not _RTL.search(text):
        return text
    return f"\u2068{text}\u2069"


def fail(message: str) -> None:
    """One line on stderr, newsmon's prefix."""
    print(f"newsmon: {message}", file=sys.stderr)
