"""Looking after an installation: `prune`, `doctor`, and the `db` subcommands
`vacuum` and `mark-interrupted` (registered by crawler.cli.unattended's `db`). The
work is done in crawler.ops (prune.py, doctor.py)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from crawler import config as config_module
from crawler.cli.common import DB_HELP, add_common_options, open_database

PRUNE_DESCRIPTION = (
    "Delete what the [retention] settings say is old enough: stored raw pages (reparse "
    "cannot re-read those articles), placement runs (compacted to one per position: "
    "first and last sighting kept), fetch errors, run records (the newest keep_runs "
    "always stay). Never an article, a revision or a ticker item. Batched (short "
    "transactions), resumable, idempotent; `--dry-run` reports what would be freed.")


def add_parsers(sub: Any) -> None:
    prune = sub.add_parser("prune", help="delete old raw pages, placement runs, fetch "
                                         "errors and run records ([retention] settings)",
                           description=PRUNE_DESCRIPTION)
    prune.add_argument("--db", help=DB_HELP)
    prune.add_argument("--dry-run", action="store_true",
                       help="count what would be deleted and the bytes freed; change nothing")
    prune.add_argument("--format", choices=("text", "json"), default="text")
    add_common_options(prune)
    doctor = sub.add_parser(
        "doctor", help="check configuration, database, disk, Chromium, site, runs and "
                       "scheduler; exit 0 OK, 1 warning, 2 failure")
    doctor.add_argument("--db", help=DB_HELP)
    doctor.add_argument("--format", choices=("text", "json"), default="text")
    add_common_options(doctor)


def add_db_parsers(db_sub: Any) -> None:
    """`db vacuum` and `db mark-interrupted` (beside `db upgrade`)."""
    vacuum = db_sub.add_parser("vacuum", help="give freed space back (SQLite: VACUUM, "
                                              "PostgreSQL: VACUUM (ANALYZE))")
    vacuum.add_argument("--db", help=DB_HELP)
    mark = db_sub.add_parser("mark-interrupted",
                             help="mark runs left `running` by a dead process as interrupted")
    mark.add_argument("--db", help=DB_HELP)
    mark.add_argument("--base-url", help="the site (default: the configured base_url)")


# --- prune --------------------------------------------------------------------------

def prune(args: argparse.Namespace) -> int:
    from crawler.ops.prune import Pruner, Retention

    retention = Retention.from_config(config_module.current())
    _url, store = open_database(args.db, must_exist=True)  # a typo creates nothing
    reports = Pruner(store.engine, retention, dry_run=args.dry_run).run()
    store.engine.dispose()
    if args.format == "json":
        print(json.dumps({"dry_run": args.dry_run,
                          "steps": [r.as_dict() for r in reports]}))
        return 0
    verb = "would delete" if args.dry_run else "deleted"
    for report in reports:
        if report.older_than is None:
            print(f"{report.step:<13} off (keep all; [retention] setting)")
            continue
        size = "size unknown" if report.bytes is None else _size(report.bytes)
        what = "compacted away" if report.step == "placements" and not args.dry_run \
            else verb
        line = (f"{report.step:<13} {what} {report.rows} rows older than "
                f"{report.older_than[:19]}Z, {size}")
        if report.batches:
            line += (f" ({report.batches} batches, longest "
                     f"{report.longest_batch_seconds:.2f}s)")
        print(line)
    if not args.dry_run and any(r.rows for r in reports):
        print("(the files keep their size until `newsmon db vacuum`; PostgreSQL reuses "
              "the space by itself)")
    return 0


def _size(count: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if count < 1000 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1000
    return ""


# --- db vacuum / mark-interrupted ------------------------------------------------------

def vacuum(args: argparse.Namespace) -> int:
    from crawler.db.session import redact_url
    from crawler.ops.prune import vacuum as vacuum_database

    url, store = open_database(args.db, upgrade=False)
    vacuum_database(store.engine)
    store.engine.dispose()
    print(f"newsmon: {redact_url(url)} vacuumed", file=sys.stderr)
    return 0


def mark_interrupted(args: argparse.Namespace) -> int:
    from crawler.ops.crawl_lock import every_edition_lock
    from crawler.ops.health import recover_abandoned_runs

    base_url = args.base_url or config_module.current().base_url
    url, store = open_database(args.db, must_exist=True)  # a typo creates nothing
    # The crawl lock proves nobody runs the site; LockHeld (exit 4) when someone does.
    with every_edition_lock(url, base_url):
        marked = recover_abandoned_runs(store, base_url, "marked by `newsmon db "
                                                         "mark-interrupted`")
    store.engine.dispose()
    print(f"newsmon: {len(marked)} run(s) of {base_url} marked interrupted"
          + (f": {', '.join(map(str, marked))}" if marked else ""), file=sys.stderr)
    return 0


# --- doctor ------------------------------------------------------------------------------

def doctor(args: argparse.Namespace) -> int:
    from crawler.db.session import resolve_database_url
    from crawler.ops.doctor import LABELS, run_checks, worst

    error = getattr(args, "config_error", None)
    config = None if error else config_module.current()
    url = None
    if config is not None:
        url = resolve_database_url(args.db or config.database_url)
    checks = run_checks(config, error, url)
    code = worst(checks)
    if args.format == "json":
        print(json.dumps({"status": LABELS[code], "code": code,
                          "checks": [c.as_dict() for c in checks]}))
    else:
        for check in checks:
            print(check.line())
        print(f"newsmon doctor: {LABELS[code]}")
    return code
