"""Running unattended: `schedule`, `runs`, `status`, `config` and `db`, with their
options. The scheduler itself, the crawl lock and run health live in crawler.ops."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import IO, Any

from crawler import config as config_module
from crawler.config import Config, ConfigError
from crawler.cli import maintenance
from crawler.cli.common import (DB_HELP, EXIT_DB_UNAVAILABLE, UsageError,
                                add_common_options, commands_of, open_database)
from crawler.cli.validate import MAX_LIMIT, NoDatabase, limit


def add_parsers(sub: Any) -> None:
    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="SUBCOMMAND")
    upgrade = db_sub.add_parser("upgrade", help="create or upgrade the schema (Alembic)")
    upgrade.add_argument("--db", help=DB_HELP)
    add_common_options(upgrade)
    maintenance.add_db_parsers(db_sub)  # vacuum, mark-interrupted

    schedule = sub.add_parser(
        "schedule", help="run forever, starting crawls on the configured schedule")
    schedule.add_argument("--db", help=DB_HELP)
    add_common_options(schedule)
    runs = sub.add_parser("runs", help="list recent crawl runs")
    runs.add_argument("--db", help=DB_HELP)
    runs.add_argument("--limit", type=limit, default=20, metavar="N",
                      help=f"how many (1 to {MAX_LIMIT}; default: 20)")
    runs.add_argument("--base-url", help="only runs of this site")
    runs.add_argument("--format", choices=("text", "jsonl", "json"), default="text",
                      help="text (default), or jsonl (json: the same), one run a line")
    add_common_options(runs)
    status = sub.add_parser(
        "status", help="is monitoring healthy? exit 0 OK, 1 WARNING, 2 CRITICAL")
    status.add_argument("--db", help=DB_HELP)
    status.add_argument("--base-url", help="only runs of this site")
    status.add_argument("--format", choices=("text", "json", "jsonl"), default="text",
                        help="text: one Nagios-style line with perfdata (default), or "
                             "json (jsonl: the same), one object")
    add_common_options(status)
    config = sub.add_parser(
        "config", help="print the effective configuration, secrets masked")
    config.add_argument("--format", choices=("toml", "json"), default="toml")
    add_common_options(config)


# --- db --------------------------------------------------------------------------------

def db(args: argparse.Namespace) -> int:
    from crawler.db.session import redact_url

    if args.db_command == "vacuum":
        return maintenance.vacuum(args)
    if args.db_command == "mark-interrupted":
        return maintenance.mark_interrupted(args)
    url, _store = open_database(args.db)  # creates or upgrades the schema
    print(f"newsmon: schema of {redact_url(url)} is at the latest revision", file=sys.stderr)
    return 0


# --- schedule --------------------------------------------------------------------------

def schedule(args: argparse.Namespace) -> int:
    from crawler.ops.scheduler import CrawlScheduler

    cfg = config_module.current()
    scheduler = CrawlScheduler(cfg, config_path=cfg.config_file, db=args.db,
                               log_format=cfg.log_format,
                               commands=commands_of(args.parser))
    try:
        return scheduler.run()
    except ValueError as exc:
        raise UsageError(str(exc)) from exc


# --- runs ------------------------------------------------------------------------------

def _open(db: str | None) -> Any:
    _url, store = open_database(db, upgrade=False)
    return store


def _schema_missing(store: Any) -> bool:
    from sqlalchemy import inspect

    return not inspect(store.engine).has_table("crawl_runs")


def runs(args: argparse.Namespace) -> int:
    from crawler.ops.health import load_runs

    store = _open(args.db)
    rows = [] if _schema_missing(store) else load_runs(store.engine, args.limit,
                                                       args.base_url)
    if args.format in ("jsonl", "json"):
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
          f"{'errors':>6}  ed  base url", file=out)
    for r in rows:
        print(f"{r['id']:>6}  {r['started_at']:%Y-%m-%d %H:%M:%S}  {_duration(r):>8}  "
              f"{r['trigger']:<9}  {r['status']:<11}  {r['pages_fetched'] or 0:>5}  "
              f"{r['articles_new'] or 0:>5}  {r['articles_updated'] or 0:>5}  "
              f"{r['articles_unchanged'] or 0:>5}  {r['errors'] or 0:>6}  "
              f"{r.get('edition') or 'en':<2}  {r['base_url']}",
              file=out)
        if r.get("error_summary"):
            print(f"{'':>8}{r['error_summary'][:200]}", file=out)


# --- status ----------------------------------------------------------------------------

def status(args: argparse.Namespace) -> int:
    from crawler.ops.health import Thresholds, evaluate, load_runs

    cfg = config_module.current()
    thresholds = Thresholds.from_config(cfg)
    from crawler.db.session import DatabaseUnavailable

    try:
        store = _open(args.db)
        rows = [] if _schema_missing(store) else load_runs(
            store.engine, max(thresholds.window * 5, 50), args.base_url)
    except (DatabaseUnavailable, NoDatabase) as exc:
        # A monitoring check reads stdout: the verdict goes there, whatever --log-format.
        reason = str(exc)
        if args.format == "text":
            print(f"NEWSMON UNKNOWN - database unavailable: {reason}")
        else:
            print(json.dumps({"status": "UNKNOWN", "code": EXIT_DB_UNAVAILABLE,
                              "problems": [f"database unavailable: {reason}"]}))
        return EXIT_DB_UNAVAILABLE
    health = evaluate(rows, thresholds, now=datetime.now(UTC))
    if rows:
        from crawler.ops.layout_alarm import explain_health

        explain_health(health, store.engine, rows)  # degraded: which fields, since when
    fresh = _monitor_freshness(store, args.base_url)
    if args.format in ("json", "jsonl"):
        view = health.as_dict()
        if fresh:
            view["monitor"] = fresh
        print(json.dumps(view, default=str))
    else:
        print(health.summary())
        for line in edition_lines(rows):
            print(line)
        if fresh:
            from crawler.cli.monitoring import freshness_lines

            for line in freshness_lines(store.engine, args.base_url):
                print(line)
    return health.code


def edition_lines(rows: list[dict[str, Any]]) -> list[str]:
    """`newsmon status`: the latest run of each edition, when more than one is crawled."""
    latest: dict[str, dict[str, Any]] = {}
    for row in rows:  # newest first
        latest.setdefault(row.get("edition") or "en", row)
    if len(latest) < 2:
        return []
    return [f"edition {edition}: run {row['id']} {row['status']}, started "
            f"{row['started_at']:%Y-%m-%d %H:%M:%S}Z ({row['base_url']})"
            for edition, row in sorted(latest.items())]


def _monitor_freshness(store: Any, base_url: str | None) -> list[dict[str, Any]]:
    """How fresh the monitor keeps each kind of page (none: no monitor ran)."""
    from crawler.db.monitor_pages import freshness

    try:
        return freshness(store.engine, base_url)
    except Exception:  # noqa: BLE001 - a schema before 0009 (status does not migrate)
        return []


# --- config ----------------------------------------------------------------------------

def show_config(args: argparse.Namespace) -> int:
    cfg = config_module.current()
    view = cfg.masked()
    used = database_used(cfg)
    if args.format == "json":
        view["scrapy_settings"] = _masked_scrapy(cfg)
        print(json.dumps({"config_file": cfg.config_file, "database_used": used,
                          "settings": view, "sources": cfg.sources}, indent=2, default=str))
        return 0
    print("# newsmon effective configuration (secrets masked)")
    print(f"# config file: {cfg.config_file or 'none ($NEWSMON_CONFIG unset)'}")
    print(f"# database used by commands without --db: {used}")
    print("# each value's source: default, file or env (NEWSMON_* variable)")
    print(config_module.to_toml(view, cfg.sources, config_module.field_names()), end="")
    print("\n# Scrapy settings of `newsmon crawl` derived from the above "
          "(`--set NAME=VALUE` overrides them):")
    for name, value in _masked_scrapy(cfg).items():
        print(f"#   {name} = {value!r}")
    return 0


def database_used(cfg: Config) -> str:
    """The database a command without --db uses (masked), or why none can be."""
    from crawler.cli.validate import database_url
    from crawler.config import mask_url

    try:
        return mask_url(database_url(cfg.database_url))
    except UsageError as exc:
        return f"none: {exc}"


def _masked_scrapy(cfg: Config) -> dict[str, Any]:
    try:
        settings = cfg.scrapy_settings()
    except ConfigError as exc:
        return {"error": str(exc)}
    masked = cfg.masked().get("scrapy", {})
    return {k: masked.get(k, v) for k, v in settings.items()}
