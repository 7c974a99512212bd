"""`newsmon schedule`: real scheduler processes starting real crawls of the replica."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crawler.config import load_config
from crawler.db.migrate import upgrade
from crawler.db.session import make_engine, sqlite_url
from crawler.db.store import Store
from crawler.cli import cli_commands
from crawler.ops.scheduler import CrawlScheduler
from crawler.replica.server import ReplicaServer
from tests._ops_helpers import (FAST, Processes, SlowReplica, article_count,
                                assert_no_partial_rows, runs, wait_for, wait_while_running)


@pytest.fixture
def procs(tmp_path: Path) -> Iterator[Processes]:
    processes = Processes(tmp_path)
    yield processes
    processes.close()


def write_config(path: Path, db_url: str, base_url: str, **schedule: str) -> Path:
    settings = {"crawl_every": '"2s"', "revisit_every": '"off"', "backfill_cron": '"off"',
                "shutdown_grace": '"15s"', "misfire_grace_time": '"5s"',
                "crawl_args": json.dumps(FAST), **schedule}
    lines = [f'database_url = "{db_url}"', f'base_url = "{base_url}"', "", "[schedule]"]
    lines += [f"{key} = {value}" for key, value in settings.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_schedule_runs_crawls_one_at_a_time(tmp_path: Path, procs: Processes) -> None:
    db_url = sqlite_url(tmp_path / "newsmon.sqlite3")
    with ReplicaServer() as replica:
        config = write_config(tmp_path / "newsmon.toml", db_url, replica.base_url)
        scheduler = procs.newsmon("--log-format", "json", "schedule", "--config", str(config),
                                  name="schedule")
        time.sleep(15)
        assert scheduler.poll() is None, procs.stderr(scheduler)[-3000:]
        scheduler.send_signal(signal.SIGTERM)
        assert scheduler.wait(timeout=30) == 0
    recorded = runs(db_url)
    assert len(recorded) >= 3, recorded
    assert {r["trigger"] for r in recorded} == {"scheduler"}
    assert all(r["finished_at"] is not None for r in recorded)
    assert {r["status"] for r in recorded[:-1]} == {"ok"}
    assert recorded[-1]["status"] in ("ok", "interrupted")
    for earlier, later in zip(recorded, recorded[1:]):
        assert earlier["finished_at"] <= later["started_at"], "runs overlapped"
    # --log-format json: every stderr line, the crawls' included, is a JSON object.
    lines = procs.stderr(scheduler).splitlines()
    records = [json.loads(line) for line in lines]
    loggers = {r["logger"] for r in records}
    assert {"newsmon.scheduler", "scrapy.core.engine"} <= loggers
    assert any("SIGTERM received" in r["message"] for r in records)


def test_sigterm_during_a_crawl_interrupts_it_cleanly(db_url: str, tmp_path: Path,
                                                      procs: Processes) -> None:
    upgrade(db_url)
    with SlowReplica(delay=0.2) as replica:
        config = write_config(tmp_path / "newsmon.toml", db_url, replica.base_url,
                              crawl_every='"1h"')
        scheduler = procs.newsmon("schedule", "--config", str(config), name="schedule")
        wait_while_running(procs, scheduler, lambda: article_count(db_url) > 0, 60,
                           "a stored article")
        started = time.monotonic()
        scheduler.send_signal(signal.SIGTERM)
        assert scheduler.wait(timeout=30) == 0
        assert time.monotonic() - started < 15  # graceful, not the grace time's SIGKILL
    (run,) = runs(db_url)
    # the slow replica keeps this crawl going for ~7 s: the signal lands mid-crawl
    assert run["status"] == "interrupted", run
    assert run["finished_at"] is not None
    assert_no_partial_rows(db_url)
    assert run["articles_new"] == article_count(db_url)  # counts match what was committed
    log = procs.stderr(scheduler)
    assert "SIGTERM received" in log and "graceful" in log.lower()


class _Stubborn(CrawlScheduler):
    """Starts a child that ignores SIGTERM, in place of a crawl."""

    def child_argv(self, job: str) -> list[str]:
        return [sys.executable, "-c",
                "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                "print('started', flush=True); time.sleep(60)"]


def test_child_that_ignores_sigterm_is_killed_after_the_grace_time(tmp_path: Path) -> None:
    db_url = sqlite_url(tmp_path / "newsmon.sqlite3")
    upgrade(db_url)
    engine = make_engine(db_url)
    store = Store(engine)
    base_url = "http://news.example/"
    abandoned = store.start_run(base_url, trigger="scheduler",
                                started_at=datetime.now(UTC) - timedelta(minutes=1))
    config = load_config(environ={"NEWSMON_CRAWL_EVERY": "1h", "NEWSMON_REVISIT_EVERY": "off",
                                  "NEWSMON_BACKFILL_CRON": "off",
                                  "NEWSMON_SHUTDOWN_GRACE": "1s",
                                  "NEWSMON_BASE_URL": base_url,
                                  "NEWSMON_DATABASE_URL": db_url})
    scheduler = _Stubborn(config, commands={"crawl": {"--db", "--trigger"}})
    children: list[int] = []

    def stop_soon() -> None:
        wait_for(lambda: scheduler._children, 10, what="the child")  # noqa: SLF001
        children.extend(scheduler._children)  # noqa: SLF001
        time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=stop_soon, daemon=True).start()
    started = time.monotonic()
    assert scheduler.run() == 0
    elapsed = time.monotonic() - started
    assert 1.0 <= elapsed < 8, elapsed
    (pid,) = children
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    run = store.get_run(abandoned)
    assert run["status"] == "interrupted" and "killed by the scheduler" in run["error_summary"]
    engine.dispose()


def test_jobs_and_child_command_line(tmp_path: Path) -> None:
    config_file = tmp_path / "n.toml"
    config_file.write_text('[schedule]\ncrawl_args = ["--set", "DOWNLOAD_DELAY=0"]\n')
    config = load_config(config_file, environ={})
    scheduler = CrawlScheduler(config, config_path=str(config_file), db="sqlite:///x.db",
                               log_format="json", commands=cli_commands())
    # revisit and backfill are scheduled once newsmon has those commands.
    expected = {"crawl"} | ({"revisit", "backfill"} & set(scheduler.commands))
    assert set(scheduler.enabled_jobs()) == expected
    argv = scheduler.child_argv("crawl")
    assert argv[:3] == [sys.executable, "-m", "crawler.cli"]
    assert argv[3:] == ["--log-format", "json", "--config", str(config_file), "crawl",
                        "--db", "sqlite:///x.db", "--set", "DOWNLOAD_DELAY=0",
                        "--trigger", "scheduler"]
    secret = CrawlScheduler(config, db="postgresql://newsmon:s3cret@db/newsmon",
                            commands=cli_commands())
    assert "s3cret" not in secret.describe("crawl") and "newsmon:***@db" in secret.describe("crawl")


def test_sigterm_to_a_plain_scrapy_crawl_marks_the_run_interrupted(
        tmp_path: Path, procs: Processes) -> None:
    # No CLI around it: the store pipeline alone must see the shutdown, although Scrapy
    # records its finish reason only after the pipelines have closed.
    db_url = sqlite_url(tmp_path / "scrapy.sqlite3")
    upgrade(db_url)
    repo = Path(__file__).resolve().parent.parent
    with SlowReplica(delay=0.2) as replica:
        crawl = procs.start(
            [sys.executable, "-m", "scrapy", "crawl", "almayadeen",
             "-a", f"base_url={replica.base_url}", "-s", f"NEWSMON_DATABASE_URL={db_url}",
             "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"],
            name="scrapy", cwd=repo)
        wait_while_running(procs, crawl, lambda: article_count(db_url) > 0, 60,
                           "a stored article")
        crawl.send_signal(signal.SIGTERM)
        assert crawl.wait(timeout=30) == 0
    (run,) = runs(db_url)
    assert run["status"] == "interrupted", run
    assert_no_partial_rows(db_url)
