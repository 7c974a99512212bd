"""`newsmon demo`: serve the bundled replicas of the three editions, crawl them, edit
two articles, crawl again, and show what landed (crawler.cli.demo_db: which database
it may replace)."""

from __future__ import annotations

import argparse
import shutil
import sys
from typing import IO, Any

from crawler.cli.common import EXIT_DEGRADED, add_common_options, isolate, open_database
from crawler.cli.crawling import print_run_summary
from crawler.cli.validate import database_url


def add_parsers(sub: Any) -> None:
    demo = sub.add_parser(
        "demo", help="serve the bundled replicas of the three editions locally, crawl "
                     "them, edit two articles and crawl again, report what was stored")
    demo.add_argument("--db", default="newsmon-demo.sqlite3",
                      help="where to store the demo crawl: a SQLite file (path or "
                           "sqlite:///PATH) that an earlier demo created is replaced, any "
                           "other file is refused; or an empty PostgreSQL database "
                           "(default: ./newsmon-demo.sqlite3)")
    demo.add_argument("--force", action="store_true",
                      help="replace the SQLite file even if `newsmon demo` did not "
                           "create it")
    add_common_options(demo)


def demo(args: argparse.Namespace) -> int:
    from crawler.cli.demo_db import DEMO_PORT, demo_sqlite_path, prepare_sqlite, refuse_other_sites
    from crawler.crawl.runner import run_crawl
    from crawler.db.store import Store
    from crawler.logging_setup import set_level
    from crawler.replica.server import ReplicaServer

    set_level("WARNING")  # the report is the point; warnings and errors still show
    db_url = database_url(args.db)  # a path, sqlite:///PATH or postgresql://...
    path = demo_sqlite_path(db_url)
    if path is not None:
        prepare_sqlite(path, args.force)  # refuses a file the demo did not create
    _url, store = open_database(db_url)
    ports = _demo_ports(DEMO_PORT)
    origins = {edition: f"http://127.0.0.1:{port}" for edition, port in ports.items()}
    servers = {edition: ReplicaServer(port=port, edition=edition, sibling_origins={
        other: origin for other, origin in origins.items() if other != edition})
        for edition, port in ports.items()}
    with servers["en"] as server, servers["ar"], servers["es"]:
        if path is None:
            refuse_other_sites(store, list(origins.values()))
        print(f"newsmon demo: replicas of the three editions served at "
              f"{', '.join(f'{e} {o}' for e, o in origins.items())}", file=sys.stderr)
        # The Arabic and Spanish editions crawl in processes of their own (Scrapy's
        # reactor runs once per process), side by side with the English one: each
        # edition has its own crawl lock.
        others = {edition: _start_crawl(origins[edition], db_url, edition)
                  for edition in ("ar", "es")}
        run_id = Store(store.engine, edition="en").start_run(server.base_url,
                                                             trigger="manual")
        outcome = run_crawl(server.base_url, db_url,
                            {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False",
                             "LOG_LEVEL": "WARNING", "LOG_INSTALL_ROOT_HANDLER": False},
                            run_id=run_id, edition="en")
        editions_ok = all(_finished(edition, proc) for edition, proc in others.items())
        # The site changes after publication, as a real one does: two edits, then a
        # second crawl, so that `changes`, `history` and the revision examples of
        # docs/SCHEMA.md have something to show.
        edited = _edit_two_articles(server)
        recrawl_ok = _recrawl(server.base_url, db_url)
    print_run_summary(store, run_id)
    print("  (the replica links a missing page, a page robots.txt forbids and off-site "
          "pages on purpose: the error above and the pages not fetched are expected)")
    print(f"then {len(edited)} articles were edited on the replica (a title, and a body "
          f"without a new modified date: a stealth edit) and the site crawled again: "
          f"{'see' if recrawl_ok else 'FAILED, see'} `newsmon runs`, `newsmon changes "
          f"--since 1d`")
    print_demo_report(store, db_url)
    return 0 if outcome.status == "ok" and recrawl_ok and editions_ok else 1


DEMO_EDITS = ("us-shutdown", "opec-cuts")  # replica articles the demo edits


def _edit_two_articles(server: Any) -> list[str]:
    from crawler.replica import content

    by_key = {a["key"]: a for a in content.ARTICLES}
    title_edit, body_edit = (by_key[key] for key in DEMO_EDITS)
    server.edit_article(title_edit["key"], title=title_edit["title"] + " (updated)")
    server.edit_article(body_edit["key"], modified=body_edit["modified"],
                        body=[*body_edit["body"], "This paragraph was added after publication."])
    return [title_edit["path"], body_edit["path"]]


def _demo_ports(first: int) -> dict[str, int]:
    """Ports of the three editions' replicas: ``first`` and the two after it (stable
    origins: a second demo updates the first), else free ones."""
    import socket

    ports: dict[str, int] = {}
    for edition, wanted in zip(("en", "ar", "es"), (first, first + 1, first + 2)):
        for port in (wanted, 0):
            try:
                with socket.create_server(("127.0.0.1", port)) as probe:
                    ports[edition] = probe.getsockname()[1]
                    break
            except OSError:
                continue
    return ports


def _crawl_argv(base_url: str, edition: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "crawler.cli", "crawl", "--base-url", base_url,
            "--edition", edition, *extra, "--set", "DOWNLOAD_DELAY=0",
            "--set", "AUTOTHROTTLE_ENABLED=False", "--set", "LOG_LEVEL=ERROR"]


def _start_crawl(base_url: str, db_url: str, edition: str) -> Any:
    """A `newsmon crawl --edition` of one replica, started in the background."""
    import os
    import subprocess

    return subprocess.Popen(_crawl_argv(base_url, edition), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "NEWSMON_DATABASE_URL": db_url})


def _finished(edition: str, proc: Any) -> bool:
    out, err = proc.communicate(timeout=600)
    if proc.returncode not in (0, EXIT_DEGRADED):
        last = (err.strip().splitlines() or ["no output"])[-1]
        print(f"newsmon demo: the {edition} crawl failed (exit {proc.returncode}): {last}",
              file=sys.stderr)
        return False
    return True


def _recrawl(base_url: str, db_url: str) -> bool:
    """A second `newsmon crawl` of the replica, re-fetching every stored article (a
    process of its own: Scrapy's reactor runs once per process). The database URL
    goes by the environment, not the command line (a password would show in `ps`)."""
    import os
    import subprocess

    argv = _crawl_argv(base_url, "en", "--revisit-after", "0s")
    done = subprocess.run(argv, env={**os.environ, "NEWSMON_DATABASE_URL": db_url},
                          capture_output=True, text=True, timeout=600)
    if done.returncode not in (0, EXIT_DEGRADED):
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"newsmon demo: the second crawl failed (exit {done.returncode}): {last}",
              file=sys.stderr)
        return False
    return True


def _program_name() -> str:
    """How the user can call newsmon again: plain `newsmon` when it is on PATH."""
    argv0 = sys.argv[0]
    if shutil.which("newsmon") or not argv0.endswith("newsmon"):
        return "newsmon"
    return argv0


def print_demo_report(store: Any, db_url: str, out: IO[str] = sys.stdout) -> None:
    from crawler.cli.demo_db import try_hints
    from crawler.db.session import redact_url

    counts = store.counts()
    print("\nstored rows: " + ", ".join(f"{k} {v}" for k, v in counts.items()), file=out)
    articles = list(store.iter_export_articles())
    by_edition: dict[str, int] = {}
    for record in articles:
        by_edition[record["edition"]] = by_edition.get(record["edition"], 0) + 1
    linked = sum(1 for record in articles if record["siblings"])
    print("articles by edition: " + ", ".join(f"{k} {v}" for k, v in sorted(by_edition.items()))
          + f"; {linked} with a sibling in another edition (`newsmon siblings URL`)",
          file=out)
    by_section: dict[str, int] = {}
    for record in articles:
        key = " > ".join(n for n in (record["category"], record["section"]) if n) or "?"
        by_section[key] = by_section.get(key, 0) + 1
    print("articles by section:", file=out)
    for key, n in sorted(by_section.items()):
        print(f"  {key:<32} {n}", file=out)
    print("latest articles:", file=out)
    latest = sorted((r for r in articles if r["published_at"]),
                    key=lambda r: r["published_at"], reverse=True)[:5]
    for record in latest:
        print(f"  {record['published_at']:%Y-%m-%d %H:%M}Z  {record['edition']}  "
              f"{isolate(record['title'])}", file=out)
    hints = "\n".join(f"  {line}" for line in try_hints(db_url, _program_name()))
    print(f"\nThe database is {redact_url(db_url)}. Try:\n{hints}", file=out)
