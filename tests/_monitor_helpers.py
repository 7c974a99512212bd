"""Helpers of the monitoring tests (incremental crawls, revisions, backfill): the real
`newsmon` in a subprocess against a ReplicaServer on 127.0.0.1, assertions from the
server's own request log and from the database."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import make_url, text

from crawler.db.session import make_engine, sqlite_url
from crawler.db.store import Store
from crawler.db.export import write_records
from crawler.replica.server import LoggedRequest, ReplicaServer
from tests.conftest import _admin_engine, _postgres_database

FAST = ["--set", "DOWNLOAD_DELAY=0", "--set", "AUTOTHROTTLE_ENABLED=False",
        "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=4", "--set", "LOG_LEVEL=INFO"]
TIMEOUT = 120  # seconds, for one command


def newsmon(*args: str, timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler.cli", *args],
                          capture_output=True, text=True, timeout=timeout)


def crawl(server: ReplicaServer, db_url: str, *extra: str) -> subprocess.CompletedProcess:
    result = newsmon("crawl", "--base-url", server.base_url, "--db", db_url, *FAST, *extra)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def export(db_url: str, kind: str = "articles") -> dict[str, dict]:
    result = newsmon("export", "--db", db_url, "--format", "jsonl", "--kind", kind)
    assert result.returncode == 0, result.stderr[-3000:]
    records = [json.loads(line) for line in result.stdout.splitlines()]
    return {r.get("url", r.get("text")): r for r in records}


def records(db_url: str, kind: str = "articles") -> dict[str, dict]:
    """What `newsmon export --format jsonl` writes, read in this process (faster)."""
    engine = make_engine(db_url)
    try:
        store = Store(engine)
        rows = store.iter_export_articles() if kind == "articles" else \
            store.iter_export_breaking()
        out = io.StringIO()
        write_records(rows, "jsonl", kind, out)
    finally:
        engine.dispose()
    parsed = [json.loads(line) for line in out.getvalue().splitlines()]
    return {r.get("url", r.get("text")): r for r in parsed}


def article_requests(server: ReplicaServer) -> list[LoggedRequest]:
    """The logged requests of article pages (of the site as it is served now)."""
    paths = {a["path"] for a in server.articles()} | {
        a["old_path"] for a in server.articles() if a["old_path"]}
    return [r for r in server.request_log if urlsplit(r.path).path in paths]


def sql(db_url: str, query: str, **params) -> list[dict]:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return [dict(row) for row in conn.execute(text(query), params).mappings()]
    finally:
        engine.dispose()


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


# --- one first crawl per module, copied for each test -----------------------------

@dataclass
class Site:
    """A replica and a database holding its first crawl (copy it: ``copy_of``)."""
    server: ReplicaServer
    kind: str          # "sqlite" | "postgresql"
    template: str      # URL of the database of the first crawl


def crawled_site(kind: str, folder: Path) -> Iterator[Site]:
    """Serve the replica, crawl it once into a new database of ``kind``."""
    with ReplicaServer() as server:
        databases = ([sqlite_url(folder / "first.sqlite3")] if kind == "sqlite"
                     else _postgres_database())
        for db_url in databases:
            crawl(server, db_url)
            if kind == "sqlite":  # the copies are plain file copies
                engine = make_engine(db_url)
                with engine.connect() as conn:
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                engine.dispose()
            yield Site(server, kind, db_url)


def copy_of(site: Site, folder: Path) -> Iterator[str]:
    """A copy of the site's first-crawl database (dropped afterwards), the server
    reset to the truth."""
    site.server.reset()
    if site.kind == "sqlite":
        target = folder / "copy.sqlite3"
        shutil.copyfile(make_url(site.template).database, target)
        yield sqlite_url(target)
        return
    name = f"newsmon_test_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine()
    quote = admin.dialect.identifier_preparer.quote
    try:
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {quote(name)} TEMPLATE "
                              f"{quote(make_url(site.template).database)}"))
        yield make_url(site.template).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {quote(name)} WITH (FORCE)"))
        admin.dispose()
