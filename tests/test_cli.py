"""The command line as a user meets it: real subprocesses, a real replica, real SQLite."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from crawler.db.session import make_engine
from crawler.replica.content import expected_articles
from crawler.replica.server import ReplicaServer

REPO = Path(__file__).resolve().parent.parent
FAST = ["--set", "DOWNLOAD_DELAY=0", "--set", "AUTOTHROTTLE_ENABLED=False"]


def newsmon(*args: str, timeout: float = 180, cwd: Path | None = None,
            env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


@pytest.fixture(scope="module")
def crawled_sqlite(tmp_path_factory):
    db_url = f"sqlite:///{tmp_path_factory.mktemp('cli')}/cli.sqlite3"
    with ReplicaServer() as server:
        result = newsmon("crawl", "--base-url", server.base_url, "--db", db_url, *FAST)
        assert result.returncode == 0, result.stderr[-2000:]
        yield server.base_url, db_url


def test_help_lists_every_command():
    result = newsmon("--help")
    assert result.returncode == 0
    for command in ("crawl", "export", "db", "reparse", "demo"):
        assert command in result.stdout


def test_unreachable_database_is_one_line_and_fetches_nothing(tmp_path):
    # Port 1 on 127.0.0.1: nothing listens there, the connection is refused at once.
    secret = "postgresql+psycopg://newsmon:s3cret@127.0.0.1:1/newsmon"
    with ReplicaServer() as server:
        result = newsmon("crawl", "--base-url", server.base_url, "--db", secret, *FAST,
                         timeout=60)
        assert server.request_log == []
    assert result.returncode == 3
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("newsmon: database unavailable:")
    assert "s3cret" not in result.stderr + result.stdout


def test_malformed_set_option_is_a_usage_error(tmp_path):
    result = newsmon("crawl", "--db", f"sqlite:///{tmp_path}/x.sqlite3", "--set", "NOEQUALS")
    assert result.returncode == 2
    assert "NAME=VALUE" in result.stderr


def test_unreachable_site_fails_the_run(tmp_path):
    # Nothing listens on the replica's off-site port once the server is gone.
    with ReplicaServer() as server:
        base_url = server.base_url
    result = newsmon("crawl", "--base-url", base_url, "--db",
                     f"sqlite:///{tmp_path}/x.sqlite3", *FAST, "--set", "RETRY_TIMES=0")
    assert result.returncode == 1
    assert "failed" in result.stdout + result.stderr


def test_export_jsonl_to_stdout_has_only_records(crawled_sqlite):
    base_url, db_url = crawled_sqlite
    result = newsmon("export", "--db", db_url, "--format", "jsonl")
    assert result.returncode == 0
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert {r["url"] for r in records} == set(expected_articles(base_url))


def test_export_csv_to_a_file_round_trips_lists(crawled_sqlite, tmp_path):
    _base_url, db_url = crawled_sqlite
    out = tmp_path / "articles.csv"
    result = newsmon("export", "--db", db_url, "--format", "csv", "--out", str(out))
    assert result.returncode == 0 and result.stdout == ""
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == len(expected_articles("x"))
    assert all(isinstance(json.loads(row["tags"]), list) for row in rows)


def test_export_since_filters_on_publication(crawled_sqlite):
    base_url, db_url = crawled_sqlite
    since = "2025-09-01"
    result = newsmon("export", "--db", db_url, "--format", "jsonl", "--since", since)
    got = {json.loads(line)["url"] for line in result.stdout.splitlines()}
    want = {url for url, a in expected_articles(base_url).items()
            if a["published_at"] >= "2025-09-01T00:00:00+00:00"}
    assert got == want and 0 < len(got) < len(expected_articles(base_url))
    bad = newsmon("export", "--db", db_url, "--format", "jsonl", "--since", "last tuesday")
    assert bad.returncode == 2


def test_export_breaking(crawled_sqlite):
    _base_url, db_url = crawled_sqlite
    result = newsmon("export", "--db", db_url, "--format", "jsonl", "--kind", "breaking")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records and all(set(r) == {"text", "first_seen_at", "last_seen_at"}
                           for r in records)


def test_reparse_restores_fields_from_the_stored_html(crawled_sqlite):
    base_url, db_url = crawled_sqlite
    url = next(iter(expected_articles(base_url)))
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE articles SET title = :t WHERE url = :u"),
                     {"t": "damaged by an old parser", "u": url})
    result = newsmon("reparse", "--db", db_url)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "updated 1" in result.stdout
    with engine.connect() as conn:
        title = conn.execute(text("SELECT title FROM articles WHERE url = :u"),
                             {"u": url}).scalar_one()
    engine.dispose()
    assert title == expected_articles(base_url)[url]["title"]


def test_db_upgrade_creates_the_schema(tmp_path):
    db_url = f"sqlite:///{tmp_path}/fresh.sqlite3"
    result = newsmon("db", "upgrade", "--db", db_url)
    assert result.returncode == 0, result.stderr
    engine = make_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM articles")).scalar_one() == 0
    engine.dispose()


def test_database_url_from_the_environment(tmp_path):
    db_file = tmp_path / "env.sqlite3"
    result = newsmon("db", "upgrade", env={"NEWSMON_DATABASE_URL": f"sqlite:///{db_file}"})
    assert result.returncode == 0 and db_file.exists()


def test_scrapy_crawl_works_as_well_as_the_cli(tmp_path):
    db_url = f"sqlite:///{tmp_path}/scrapy.sqlite3"  # no `db upgrade`: the crawl does it
    with ReplicaServer() as server:
        result = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "almayadeen",
             "-a", f"base_url={server.base_url}", "-s", f"NEWSMON_DATABASE_URL={db_url}",
             "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"],
            cwd=REPO, capture_output=True, text=True, timeout=180)
        assert result.returncode == 0, result.stderr[-2000:]
        expected = expected_articles(server.base_url)
    engine = make_engine(db_url)
    with engine.connect() as conn:
        urls = set(conn.execute(text("SELECT url FROM articles")).scalars())
    engine.dispose()
    assert urls == set(expected)


def test_demo_serves_crawls_and_reports(tmp_path):
    result = newsmon("demo", "--db", f"sqlite:///{tmp_path}/demo.sqlite3", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "articles new:" in result.stdout
    assert f"articles new:       {len(expected_articles('x'))}" in result.stdout
    assert "articles by section:" in result.stdout
