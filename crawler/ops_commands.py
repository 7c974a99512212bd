"""Running newsmon unattended: `schedule`, `runs`, `status`, `config`, and what
`crawl` needs for it (configuration, logging, the crawl lock).

Argument parsing stays in crawler.cli; `add_common_options` is used there.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import IO, Any

from crawler import config as config_module
from crawler.config import Config, ConfigError
from crawler.logging_setup import configure_logging, set_level

logger = logging.getLogger("newsmon")

EXIT_LOCKED = 4


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


def current_config() -> Config:
    return config_module.current()


def configured_database_url() -> str | None:
    """The database URL of the configuration (environment, then file), if any."""
    return config_module.current().database_url


# --- crawl ---------------------------------------------------------------------------

def crawl_base_url(cli_value: str | None) -> str:
    return cli_value or config_module.current().base_url


def crawl_overrides(set_overrides: dict[str, str]) -> dict[str, Any]:
    """Scrapy settings of a crawl: the configuration's, then `--set` on top."""
    cfg = config_module.current()
    try:
        settings = cfg.scrapy_settings()
    except ConfigError as exc:
        from crawler.commands import UsageError

        raise UsageError(str(exc)) from exc
    settings.update(set_overrides)
    # Scrapy's records go through newsmon's handler (text or JSON), not a second one.
    settings["LOG_INSTALL_ROOT_HANDLER"] = False
    set_level(str(settings.get("LOG_LEVEL") or cfg.log_level).upper())
    return settings


@contextmanager
def exclusive_crawl(db_url: str, base_url: str, store: Any) -> Iterator[None]:
    """Hold the site's crawl lock (LockHeld at once if another crawl has it) and mark
    runs that a dead process left "running" as interrupted."""
    from crawler.health import recover_abandoned_runs
    from crawler.locking import crawl_lock

    with crawl_lock(db_url, base_url):
        recover_abandoned_runs(store, base_url, "its process ended without finishing "
                                                "the run (killed or crashed)")
        yield


# --- schedule --------------------------------------------------------------------------

def schedule(args: argparse.Namespace) -> int:
    from crawler.commands import UsageError
    from crawler.scheduler import CrawlScheduler

    cfg = config_module.current()
    scheduler = CrawlScheduler(cfg, config_path=cfg.config_file, db=args.db,
                               log_format=cfg.log_format)
    try:
        return scheduler.run()
    except ValueError as exc:
        raise UsageError(str(exc)) from exc


# --- runs ------------------------------------------------------------------------------

def _open(db: str | None) -> Any:
    from crawler.commands import open_database

    _url, store = open_database(db, upgrade=False)
    return store


def _schema_missing(store: Any) -> bool:
    from sqlalchemy import inspect

    return not inspect(store.engine).has_table("crawl_runs")


def runs(args: argparse.Namespace) -> int:
    from crawler.health import load_runs

    store = _open(args.db)
    rows = [] if _schema_missing(store) else load_runs(store.engine, args.limit,
                                                       args.base_url)
    if args.format == "jsonl":
        for row in rows:
            print(json.dumps(_jsonable(row), ensure_ascii=False))
    else:
        print_runs(rows)
    return 0


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items()}


def _duration(row: dict[str, Any]) -> str:
    if not row.get("finished_at"):
        return "-"
    seconds = int((row["finished_at"] - row["started_at"]).total_seconds())
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def print_runs(rows: list[dict[str, Any]], out: IO[str] | None = None) -> None:
    out = out or sys.stdout
    if not rows:
        print("no runs recorded", file=out)
        return
    print(f"{'id':>6}  {'started (UTC)':<19}  {'duration':>8}  {'trigger':<9}  "
          f"{'status':<11}  {'pages':>5}  {'new':>5}  {'upd':>5}  {'same':>5}  "
          f"{'errors':>6}  base url", file=out)
    for r in rows:
        print(f"{r['id']:>6}  {r['started_at']:%Y-%m-%d %H:%M:%S}  {_duration(r):>8}  "
              f"{r['trigger']:<9}  {r['status']:<11}  {r['pages_fetched'] or 0:>5}  "
              f"{r['articles_new'] or 0:>5}  {r['articles_updated'] or 0:>5}  "
              f"{r['articles_unchanged'] or 0:>5}  {r['errors'] or 0:>6}  {r['base_url']}",
              file=out)
        if r.get("error_summary"):
            print(f"{'':>8}{r['error_summary'][:200]}", file=out)


# --- status ----------------------------------------------------------------------------

def status(args: argparse.Namespace) -> int:
    from crawler.health import Thresholds, evaluate, load_runs

    cfg = config_module.current()
    thresholds = Thresholds.from_config(cfg)
    store = _open(args.db)
    rows = [] if _schema_missing(store) else load_runs(
        store.engine, max(thresholds.window * 5, 50), args.base_url)
    health = evaluate(rows, thresholds, now=datetime.now(UTC))
    if rows:
        from crawler.quality import explain_health

        explain_health(health, store.engine, rows)  # degraded: which fields, since when
    if args.format == "json":
        print(json.dumps(health.as_dict()))
    else:
        print(health.summary())
    return health.code


# --- config ----------------------------------------------------------------------------

def show_config(args: argparse.Namespace) -> int:
    cfg = config_module.current()
    view = cfg.masked()
    if args.format == "json":
        view["scrapy_settings"] = _masked_scrapy(cfg)
        print(json.dumps({"config_file": cfg.config_file, "settings": view,
                          "sources": cfg.sources}, indent=2, default=str))
        return 0
    print("# newsmon effective configuration (secrets masked)")
    print(f"# config file: {cfg.config_file or 'none ($NEWSMON_CONFIG unset)'}")
    print("# each value's source: default, file or env (NEWSMON_* variable)")
    print(config_module.to_toml(view, cfg.sources, config_module.field_names()), end="")
    print("\n# Scrapy settings of `newsmon crawl` derived from the above "
          "(`--set NAME=VALUE` overrides them):")
    for name, value in _masked_scrapy(cfg).items():
        print(f"#   {name} = {value!r}")
    return 0


def _masked_scrapy(cfg: Config) -> dict[str, Any]:
    try:
        settings = cfg.scrapy_settings()
    except ConfigError as exc:
        return {"error": str(exc)}
    masked = cfg.masked().get("scrapy", {})
    return {k: masked.get(k, v) for k, v in settings.items()}
