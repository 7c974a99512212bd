"""Pruning a million placement rows on PostgreSQL (docs/BENCHMARKS.md, "Operations";
run as ``python -m bench.operations prune [--rows 1000000]``).

1,000,000 old placement rows (compactable); `newsmon prune` in a subprocess, SIGKILLed a
third of the way, then run again to its end, while a writer updates placements with
`lock_timeout = 1s`: the longest batch, the longest wait of the writer, the end state
checked against what compaction must give.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from bench.crawls import _clean_env
from bench.report import machine_line
from bench.scratch import BENCH_ADMIN_URL, scratch_postgres
from crawler.db import migrate
from crawler.db.session import make_engine


def bench_prune(rows: int) -> None:
    print(f"machine: {machine_line()}")
    positions, runs = 10, 25
    articles = max(1, rows // (positions * runs))
    now = datetime.now(UTC)
    old = now - timedelta(days=100)
    with scratch_postgres(BENCH_ADMIN_URL) as db_url:
        migrate.upgrade(db_url)
        engine = make_engine(db_url, statement_timeout_ms=0)
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO articles (url, content_hash, revision, authors, field_sources, "
                "first_seen_at, last_seen_at, last_fetched_at) SELECT 'https://x/a' || n, "
                "'h', 1, '[]', '{}', :t, :t, :t FROM generate_series(1, :n) AS n"),
                {"t": old, "n": articles})
            conn.execute(text(
                "INSERT INTO placements (article_id, page_url, page_kind, page_name, "
                "page_number, position, first_seen_at, last_seen_at) "
                "SELECT a.id, 'https://x/', 'home', 'Home', 1, p, "
                " :old + (r * 2) * interval '1 hour', :old + (r * 2 + 1) * interval '1 hour' "
                "FROM articles a, generate_series(1, :p) p, generate_series(0, :r) r"),
                {"old": old, "p": positions, "r": runs - 1})
            conn.execute(text("ANALYZE placements"))
        total = articles * positions * runs
        print(f"{total} old placement rows ({articles} articles x {positions} positions x "
              f"{runs} runs each); compaction leaves {articles * positions}")
        stop, waits, refused = threading.Event(), [], []

        def writer() -> None:
            import random

            probe = make_engine(db_url)
            while not stop.is_set():
                try:
                    with probe.begin() as conn:
                        conn.execute(text("SET LOCAL lock_timeout = '1s'"))
                        first = random.randint(1, total)
                        began = time.monotonic()
                        conn.execute(text("UPDATE placements SET page_name = 'Home' "
                                          "WHERE id BETWEEN :a AND :b"),
                                     {"a": first, "b": first + 20})
                        waits.append(time.monotonic() - began)
                except Exception as exc:  # noqa: BLE001 - lock_timeout: a 1 s wait
                    refused.append(str(exc).splitlines()[0])
                time.sleep(0.02)
            probe.dispose()

        env = {**_clean_env(), "NEWSMON_RETENTION_PLACEMENTS": "30d"}
        argv = [sys.executable, "-m", "crawler.cli", "prune", "--db", db_url,
                "--format", "json"]
        thread = threading.Thread(target=writer, daemon=True)
        thread.start()
        started = time.monotonic()
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        while _count(engine) > total - total // 3:
            if proc.poll() is not None:
                raise RuntimeError(proc.communicate()[1][-2000:])
            time.sleep(0.2)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        killed_at = time.monotonic() - started
        midway = _count(engine)
        done = subprocess.run(argv, env=env, capture_output=True, text=True)
        elapsed = time.monotonic() - started
        stop.set()
        thread.join(30)
        assert done.returncode == 0, done.stderr[-2000:]
        report = {s["step"]: s for s in json.loads(done.stdout)["steps"]}["placements"]
        with engine.connect() as conn:
            groups, bad = conn.execute(text(
                "SELECT count(*), count(*) FILTER (WHERE n <> 1 OR f <> :old OR "
                "l <> :last) FROM (SELECT count(*) n, min(first_seen_at) f, "
                "max(last_seen_at) l FROM placements GROUP BY article_id, position) g"),
                {"old": old, "last": old + timedelta(hours=2 * runs - 1)}).one()
        engine.dispose()
        print(f"SIGKILL after {killed_at:.1f} s with {total - midway} rows deleted; the rerun "
              f"deleted {report['rows']} in {report['batches']} batches; "
              f"{elapsed:.1f} s in all")
        print(f"longest batch (transaction) of the rerun: "
              f"{report['longest_batch_seconds']:.3f} s; writer: {len(waits)} updates, "
              f"longest wait {max(waits) * 1000:.0f} ms, refused after 1 s: {len(refused)}")
        print(f"end state: {groups} groups, {bad} not compacted to their first/last "
              f"sighting (expected 0)")


def _count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM placements")).scalar_one()
