"""Helpers of the operations tests (scheduler, locking, health, config): run `newsmon`
as a real subprocess, serve a (slow) replica, read run records, check consistency."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import text

from crawler.db.session import make_engine
from crawler.replica.server import ReplicaServer

FAST = ["--set", "DOWNLOAD_DELAY=0", "--set", "AUTOTHROTTLE_ENABLED=False"]


class SlowReplica(ReplicaServer):
    """The replica, answering each page after `delay` seconds: a crawl lasts long
    enough to be interrupted at a known point."""

    def __init__(self, delay: float = 0.1, **kwargs: Any):
        super().__init__(**kwargs)
        self.delay = delay

    def respond(self, raw_path: str):  # type: ignore[override]
        time.sleep(self.delay)
        return super().respond(raw_path)


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without NEWSMON_* (so the developer's settings don't leak in)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSMON_")}
    env.update(extra)
    return env


def newsmon(*args: str, env: dict[str, str] | None = None, timeout: float = 60
            ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crawler.cli", *args], capture_output=True,
                          text=True, timeout=timeout, env=env or clean_env(),
                          stdin=subprocess.DEVNULL)


class Processes:
    """Background processes of a test; each is killed (its whole session) at the end."""

    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.procs: list[tuple[subprocess.Popen[bytes], Path]] = []

    def start(self, argv: list[str], env: dict[str, str] | None = None,
              name: str = "proc", cwd: Path | None = None) -> subprocess.Popen[bytes]:
        log = self.tmp_path / f"{name}-{len(self.procs)}.stderr"
        out = self.tmp_path / f"{name}-{len(self.procs)}.stdout"
        proc = subprocess.Popen(argv, stdout=open(out, "wb"), stderr=open(log, "wb"),
                                stdin=subprocess.DEVNULL, env=env or clean_env(),
                                start_new_session=True, cwd=cwd)
        self.procs.append((proc, log))
        return proc

    def newsmon(self, *args: str, env: dict[str, str] | None = None,
                name: str = "newsmon") -> subprocess.Popen[bytes]:
        return self.start([sys.executable, "-m", "crawler.cli", *args], env, name)

    def stderr(self, proc: subprocess.Popen[bytes]) -> str:
        for candidate, log in self.procs:
            if candidate is proc:
                return log.read_text(errors="replace")
        raise KeyError(proc)

    def close(self) -> None:
        for proc, _log in self.procs:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(timeout=10)


def wait_for(predicate: Callable[[], Any], timeout: float, interval: float = 0.05,
             what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def wait_while_running(procs: Processes, proc: subprocess.Popen[bytes],
                       predicate: Callable[[], Any], timeout: float, what: str) -> Any:
    """wait_for, failing at once (with the process's stderr) if `proc` ends first."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if proc.poll() is not None:
            raise AssertionError(f"process ended (exit {proc.returncode}) before {what}:\n"
                                 + procs.stderr(proc)[-3000:])
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}:\n"
                                 + procs.stderr(proc)[-3000:])
        time.sleep(0.05)


def query(db_url: str, sql: str) -> list[dict[str, Any]]:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            if not conn.dialect.has_table(conn, "crawl_runs"):
                return []
            return [dict(r) for r in conn.execute(text(sql)).mappings()]
    finally:
        engine.dispose()


def runs(db_url: str) -> list[dict[str, Any]]:
    """Every crawl run, oldest first."""
    from crawler.db.models import CrawlRun
    from sqlalchemy import select
    from sqlalchemy.exc import OperationalError, ProgrammingError

    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            if not conn.dialect.has_table(conn, "crawl_runs"):
                return []
            table = CrawlRun.__table__
            try:
                return [dict(r) for r in conn.execute(
                    select(table).order_by(table.c.id)).mappings()]
            except (OperationalError, ProgrammingError):
                # The crawl being watched is still migrating the schema (a column of a
                # later migration is not there yet): no finished run to see yet.
                return []
    finally:
        engine.dispose()


def article_count(db_url: str) -> int:
    rows = query(db_url, "SELECT count(*) AS n FROM articles")
    return rows[0]["n"] if rows else 0


def assert_no_partial_rows(db_url: str) -> None:
    """Every stored article is whole: its raw page and its URL alias were written in
    the same transaction, and the run counts match what was committed."""
    orphans = query(db_url, """
        SELECT a.id, a.url FROM articles a
        WHERE NOT EXISTS (SELECT 1 FROM raw_pages r WHERE r.article_id = a.id)
           OR NOT EXISTS (SELECT 1 FROM url_aliases u WHERE u.article_id = a.id)
           OR a.title IS NULL OR a.content_hash IS NULL""")
    assert orphans == [], f"partially written articles: {orphans}"
    running = [r["id"] for r in runs(db_url) if r["status"] == "running"]
    assert running == [], f"runs left running: {running}"
