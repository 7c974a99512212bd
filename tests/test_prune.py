"""`newsmon prune` and `newsmon db vacuum` (crawler/ops/prune.py) on both backends:
what goes and what stays, compaction of placement runs, counters that never go down,
idempotence, the dry run; on PostgreSQL, a prune killed with SIGKILL mid-way and run
again ends where an uninterrupted one would, in batches short enough not to block
writers (lock_timeout 1 s)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from prometheus_client import generate_latest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from crawler.cli import main
from crawler.db.migrate import upgrade
from crawler.db.models import (Article, ArticleRevision, BreakingNews, CrawlRun, FetchError,
                               Placement, RawPage, RunFieldStat)
from crawler.db.session import make_engine
from crawler.db.store import Store
from crawler.ops.metrics import registry_for
from crawler.ops.prune import Pruner, Retention
from tests._operate_data import (NOW, add_article, add_breaking, add_error, add_field_stats,
                                 add_placements, add_run, parse_metrics)
from tests._ops_helpers import clean_env
from tests.conftest import _postgres_database

DAY = timedelta(days=1)


def count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model.__table__)).scalar_one()


def counters(engine) -> dict:
    """Every counter sample (the _total and summary ones) of the metrics."""
    samples = parse_metrics(generate_latest(registry_for(engine)).decode())
    return {k: v for k, v in samples.items()
            if k[0].endswith(("_total", "_count", "_sum"))}


def populate(engine) -> dict:
    old, recent = NOW - 100 * DAY, NOW - DAY
    runs = [add_run(engine, "ok", old + n * timedelta(hours=1), seconds=30, new=2,
                    unchanged=5) for n in range(5)]
    runs.append(add_run(engine, "failed", old + 6 * timedelta(hours=1), seconds=5))
    add_field_stats(engine, runs[0], {"body": (4, 4, 0, None)})
    for run_id in runs[:3]:
        add_error(engine, run_id, old, 404, "HTTP 404")
        add_error(engine, run_id, old, None, "timeout")
    fresh_run = add_run(engine, "ok", recent, seconds=30, new=1)
    add_error(engine, fresh_run, recent, 503, "HTTP 503")
    stale = add_article(engine, "stale", old, revisions=2, raw=b"x" * 500)
    fresh = add_article(engine, "fresh", recent, raw=b"y" * 300)
    add_breaking(engine, ["old ticker item"], old)
    page = {"page_url": "https://english.almayadeen.net/", "position": 1}
    add_placements(engine, [
        # stale at position 1: three old runs (gaps between), then a run still going on
        {**page, "article_id": stale, "first_seen_at": old, "last_seen_at": old + DAY},
        {**page, "article_id": stale, "first_seen_at": old + 2 * DAY,
         "last_seen_at": old + 3 * DAY},
        {**page, "article_id": stale, "first_seen_at": old + 5 * DAY,
         "last_seen_at": old + 9 * DAY},
        {**page, "article_id": stale, "first_seen_at": recent, "last_seen_at": NOW},
        # at position 2: one old run (nothing to compact)
        {**page, "position": 2, "article_id": stale, "first_seen_at": old,
         "last_seen_at": old + DAY},
        {**page, "article_id": fresh, "first_seen_at": recent, "last_seen_at": NOW},
    ])
    return {"runs": runs, "fresh_run": fresh_run, "stale": stale, "fresh": fresh, "old": old}


RETENTION = Retention(raw_pages=30 * 86400, placements=30 * 86400, fetch_errors=30 * 86400,
                      runs=30 * 86400, keep_runs=3, batch=2)


def test_prune_keeps_what_it_must_and_counters_do_not_go_down(store: Store) -> None:
    engine = store.engine
    data = populate(engine)
    before = counters(engine)
    articles, revisions, breaking = (count(engine, m) for m in
                                     (Article, ArticleRevision, BreakingNews))

    dry = {r.step: r for r in Pruner(engine, RETENTION, dry_run=True, now=NOW).run()}
    assert counters(engine) == before and count(engine, Placement) == 6  # nothing changed
    reports = {r.step: r for r in Pruner(engine, RETENTION, now=NOW).run()}
    # The dry run announced exactly what went.
    assert {s: dry[s].rows for s in dry} == {s: reports[s].rows for s in reports} == {
        "fetch_errors": 6, "runs": 4, "raw_pages": 1, "placements": 2}
    assert dry["raw_pages"].bytes == reports["raw_pages"].bytes == 500
    assert reports["fetch_errors"].batches == 3  # batch=2: short transactions

    # Never an article, a revision or a ticker item.
    assert (count(engine, Article), count(engine, ArticleRevision),
            count(engine, BreakingNews)) == (articles, revisions, breaking)
    with engine.connect() as conn:
        raw = conn.execute(select(RawPage.article_id)).scalars().all()
        assert raw == [data["fresh"]]
        kept_runs = conn.execute(select(CrawlRun.id).order_by(CrawlRun.id)).scalars().all()
        # The newest 3 runs stay whatever their age (the layout alarm's baseline).
        assert kept_runs == [data["runs"][4], data["runs"][5], data["fresh_run"]]
        assert count(engine, RunFieldStat) == 0
        assert conn.execute(select(FetchError.error)).scalars().all() == ["HTTP 503"]
        placements = conn.execute(
            select(Placement.article_id, Placement.position, Placement.first_seen_at,
                   Placement.last_seen_at).order_by(Placement.article_id, Placement.position,
                                                    Placement.first_seen_at)).all()
    old = data["old"]
    assert [tuple(p) for p in placements] == [
        (data["stale"], 1, old, old + 9 * DAY),      # three old runs, compacted to one
        (data["stale"], 1, NOW - DAY, NOW),           # the run going on: untouched
        (data["stale"], 2, old, old + DAY),
        (data["fresh"], 1, NOW - DAY, NOW)]
    assert counters(engine) == pytest.approx(before)  # deleted rows counted in pruned_totals

    again = Pruner(engine, RETENTION, now=NOW).run()  # idempotent
    assert [r.rows for r in again] == [0, 0, 0, 0]
    assert counters(engine) == pytest.approx(before)


def test_prune_and_vacuum_commands(db_url: str, monkeypatch, capsys) -> None:
    upgrade(db_url)
    engine = make_engine(db_url)
    data = populate(engine)
    for name in list(os.environ):
        if name.startswith("NEWSMON_"):
            monkeypatch.delenv(name)
    assert main(["prune", "--db", db_url]) == 0  # retention off by default: nothing
    out = capsys.readouterr().out
    assert out.count("off (keep all") == 4 and count(engine, FetchError) == 7
    monkeypatch.setenv("NEWSMON_RETENTION_FETCH_ERRORS", "30d")
    monkeypatch.setenv("NEWSMON_RETENTION_PLACEMENTS", "30d")
    assert main(["prune", "--db", db_url, "--dry-run", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["dry_run"] is True
    assert {s["step"]: s["rows"] for s in report["steps"]} == {
        "fetch_errors": 6, "runs": 0, "raw_pages": 0, "placements": 2}
    assert count(engine, FetchError) == 7
    assert main(["prune", "--db", db_url]) == 0
    out = capsys.readouterr().out
    assert "fetch_errors  deleted 6 rows" in out and count(engine, FetchError) == 1
    assert count(engine, Placement) == 4
    assert main(["db", "vacuum", "--db", db_url]) == 0
    captured = capsys.readouterr()
    assert captured.err.strip().endswith("vacuumed") and len(captured.err.splitlines()) == 1
    assert count(engine, Article) == 2 and data
    engine.dispose()
    monkeypatch.setenv("NEWSMON_RETENTION_RUNS", "soon")
    assert main(["prune", "--db", db_url]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "[retention] runs" in err[0]


# --- PostgreSQL: killed mid-way, short locks --------------------------------------------

def many_placements(engine, articles: int, runs_per_position: int, positions: int) -> None:
    """articles x positions groups of old runs (gaps between), one recent run each."""
    old = NOW - 100 * DAY
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO articles (url, content_hash, revision, authors, field_sources, "
            "first_seen_at, last_seen_at, last_fetched_at) SELECT 'https://x/a' || n, 'h', "
            "1, '[]', '{}', :t, :t, :t FROM generate_series(1, :n) AS n"),
            {"t": old, "n": articles})
        conn.execute(text(
            "INSERT INTO placements (article_id, page_url, page_kind, page_name, "
            "page_number, position, first_seen_at, last_seen_at) "
            "SELECT a.id, 'https://x/', 'home', 'Home', 1, p, "
            "  :old + (r * 2) * interval '1 hour', :old + (r * 2 + 1) * interval '1 hour' "
            "FROM articles a, generate_series(1, :positions) p, generate_series(0, :runs) r"),
            {"old": old, "positions": positions, "runs": runs_per_position - 1})
        conn.execute(text(
            "INSERT INTO placements (article_id, page_url, page_kind, page_name, "
            "page_number, position, first_seen_at, last_seen_at) "
            "SELECT a.id, 'https://x/', 'home', 'Home', 1, 1, :t, :t FROM articles a"),
            {"t": NOW - DAY})


def placement_state(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT article_id, position, count(*), min(first_seen_at), max(last_seen_at) "
            "FROM placements GROUP BY article_id, position, first_seen_at < :cut "
            "ORDER BY 1, 2, 4"), {"cut": NOW - 30 * DAY})]


@pytest.mark.postgres
def test_prune_killed_and_rerun_on_postgresql(tmp_path) -> None:
    for db_url in _postgres_database():
        upgrade(db_url)
        engine = make_engine(db_url)
        articles, runs, positions = 400, 25, 6  # 60,000 old placement rows
        many_placements(engine, articles, runs, positions)
        total = count(engine, Placement)
        assert total == articles * (runs * positions + 1)
        with engine.connect() as conn:  # what compaction must give: first/last kept
            expected = [tuple(r) for r in conn.execute(text(
                "SELECT article_id, position, 1, min(first_seen_at), max(last_seen_at) "
                "FROM placements WHERE last_seen_at < :cut GROUP BY article_id, position "
                "UNION ALL SELECT article_id, position, 1, first_seen_at, last_seen_at "
                "FROM placements WHERE last_seen_at >= :cut ORDER BY 1, 2, 4"),
                {"cut": NOW - 30 * DAY})]

        # A writer updating placements all along, refusing to wait more than 1 s.
        stop, waits, refused = threading.Event(), [], []

        def writer() -> None:
            probe = make_engine(db_url)
            while not stop.is_set():
                try:
                    with probe.begin() as conn:
                        conn.execute(text("SET LOCAL lock_timeout = '1s'"))
                        started = time.monotonic()
                        first = random.randint(1, total)
                        conn.execute(text(
                            "UPDATE placements SET page_name = 'Home' "
                            "WHERE id BETWEEN :a AND :b"), {"a": first, "b": first + 20})
                        waits.append(time.monotonic() - started)
                except OperationalError as exc:  # lock_timeout: waited 1 s
                    refused.append(str(exc.orig).splitlines()[0])
                time.sleep(0.01)
            probe.dispose()

        env = clean_env(NEWSMON_RETENTION_PLACEMENTS="30d", NEWSMON_PRUNE_BATCH="500")
        argv = [sys.executable, "-m", "crawler.cli", "prune", "--db", db_url,
                "--format", "json"]
        thread = threading.Thread(target=writer, daemon=True)
        thread.start()
        try:
            proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
            deadline = time.monotonic() + 120
            while count(engine, Placement) > total - total // 4:  # a quarter done
                assert proc.poll() is None, proc.communicate()
                assert time.monotonic() < deadline
                time.sleep(0.05)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            midway = count(engine, Placement)
            assert expected and len(expected) < midway < total
            # Killed between or inside a batch: every group is whole (compacted or not).
            for article_id, position, n, first, last in placement_state(engine):
                assert n in (1, runs), (article_id, position, n)
            done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)
        finally:
            stop.set()
            thread.join(30)
        assert done.returncode == 0, done.stderr[-2000:]
        steps = {s["step"]: s for s in json.loads(done.stdout)["steps"]}
        assert steps["placements"]["rows"] == midway - len(expected)
        assert steps["placements"]["longest_batch_seconds"] < 1.0, steps
        assert placement_state(engine) == expected
        assert waits and not refused, refused  # no write waited 1 s for a lock
        engine.dispose()


def test_the_scheduler_can_prune_nightly(tmp_path) -> None:
    from crawler.cli import cli_commands
    from crawler.config import load_config
    from crawler.ops.scheduler import CrawlScheduler

    off = CrawlScheduler(load_config(None, environ={}), db="sqlite:///x.db",
                         commands=cli_commands())
    assert "prune" not in off.enabled_jobs()  # off by default
    cfg = load_config(None, environ={"NEWSMON_PRUNE_CRON": "15 4 * * *"})
    scheduler = CrawlScheduler(cfg, db="sqlite:///x.db", commands=cli_commands())
    assert scheduler.enabled_jobs()["prune"] == ("cron", "15 4 * * *")
    assert scheduler.child_argv("prune")[-3:] == ["prune", "--db", "sqlite:///x.db"]


def test_prune_and_mark_interrupted_never_create_a_mistyped_database(tmp_path) -> None:
    import subprocess
    import sys

    missing = tmp_path / "typo" / "newsmon.sqlite3"
    for argv in (["prune", "--db", str(missing)], ["db", "mark-interrupted", "--db", str(missing)]):
        done = subprocess.run([sys.executable, "-m", "crawler.cli", *argv],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 3, done.stderr
        assert done.stderr.strip().count("\n") == 0 and "no database at" in done.stderr
    assert list(tmp_path.iterdir()) == []
