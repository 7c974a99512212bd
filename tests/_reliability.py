"""Helpers of the reliability tests (tests/test_reliability_*.py, docs/RELIABILITY.md):
the real `newsmon` command as a subprocess, and reads of the database it wrote."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import text

from crawler.db.session import make_engine
from crawler.db.store import Store

FAST = ["--set", "DOWNLOAD_DELAY=0", "--set", "AUTOTHROTTLE_ENABLED=False",
        "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=4"]


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "crawler.cli", *args]


def newsmon(*args: str, timeout: float = 120, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess:
    return subprocess.run(command(*args), capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


class Running:
    """A `newsmon` subprocess whose output goes to temporary files (a pipe nobody reads
    would block a chatty crawl): ``communicate`` waits and returns (stdout, stderr)."""

    def __init__(self, *args: str, env: dict[str, str] | None = None):
        self.out = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.err = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.proc = subprocess.Popen(command(*args), stdout=self.out, stderr=self.err,
                                     text=True, env={**os.environ, **(env or {})})

    @property
    def returncode(self) -> int | None:
        return self.proc.returncode

    def wait(self, timeout: float) -> int:
        return self.proc.wait(timeout=timeout)

    def send_signal(self, sig: int) -> None:
        self.proc.send_signal(sig)

    def communicate(self, timeout: float) -> tuple[str, str]:
        self.proc.wait(timeout=timeout)
        texts = []
        for handle in (self.out, self.err):
            handle.seek(0)
            texts.append(handle.read())
            handle.close()
        return texts[0], texts[1]


def start(*args: str, env: dict[str, str] | None = None) -> Running:
    """A running `newsmon` subprocess (``Running``)."""
    return Running(*args, env=env)


def wait_until(predicate: Callable[[], bool], timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def scalar(db_url: str, sql: str, **params: Any) -> Any:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()
    finally:
        engine.dispose()


def execute(db_url: str, sql: str, **params: Any) -> None:
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(text(sql), params)
    finally:
        engine.dispose()


def rows(db_url: str, sql: str, **params: Any) -> list[dict]:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return [dict(r) for r in conn.execute(text(sql), params).mappings()]
    finally:
        engine.dispose()


def article_count(db_url: str) -> int:
    try:
        return scalar(db_url, "SELECT count(*) FROM articles") or 0
    except Exception:  # noqa: BLE001 - not migrated yet
        return 0


def stored_records(db_url: str) -> dict[str, dict]:
    """Every stored article as an export record, by URL (the store's own reader)."""
    engine = make_engine(db_url)
    try:
        return {r["url"]: r for r in Store(engine).iter_export_articles()}
    finally:
        engine.dispose()


def as_exported(record: dict) -> dict:
    """An export record with datetimes as the ISO strings `expected_fields` uses."""
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in record.items()}


def mismatches(stored: dict[str, dict], expected: dict[str, dict],
               skip: tuple[str, ...] = ()) -> list[str]:
    out = []
    for url, want in expected.items():
        got = as_exported(stored[url])
        for key, value in want.items():
            if key not in skip and got[key] != value:
                out.append(f"{url} {key}: got {str(got[key])[:80]!r}, want {str(value)[:80]!r}")
    return out
