"""One crawl of a site at a time per database: the lock, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.db.migrate import upgrade
from crawler.ops.crawl_lock import LockHeld, crawl_lock, lock_file_path, site_key
from tests._ops_helpers import (FAST, Processes, SlowReplica, article_count,
                                assert_no_partial_rows, newsmon, runs, wait_for,
                                wait_while_running)

HOLDER = """
import sys, time
from crawler.ops.crawl_lock import crawl_lock
with crawl_lock(sys.argv[1], sys.argv[2]):
    print("locked", flush=True)
    time.sleep(60)
"""


@pytest.fixture
def procs(tmp_path: Path) -> Iterator[Processes]:
    processes = Processes(tmp_path)
    yield processes
    processes.close()


def start_holder(procs: Processes, db_url: str, site: str):
    proc = procs.start([sys.executable, "-c", HOLDER, db_url, site], name="holder")
    out = procs.tmp_path / f"holder-{len(procs.procs) - 1}.stdout"
    wait_for(lambda: "locked" in out.read_text(), 15, what="the holder to take the lock")
    return proc


def test_site_key() -> None:
    assert site_key("https://english.almayadeen.net/") == "english.almayadeen.net"
    assert site_key("http://English.Almayadeen.net:80/x") == "english.almayadeen.net"
    assert site_key("http://127.0.0.1:8123") == "127.0.0.1:8123"


def test_second_holder_is_refused_until_release(db_url: str) -> None:
    site = "http://news.example:8080/"
    with crawl_lock(db_url, site):
        with pytest.raises(LockHeld) as refused:
            with crawl_lock(db_url, "https://news.example:8080/other"):  # same site
                pass
        assert f"pid {os.getpid()}" in str(refused.value) or \
            f"pid={os.getpid()}" in str(refused.value)
        with crawl_lock(db_url, "http://other.example/"):  # another site: independent
            pass
    with crawl_lock(db_url, site):  # released
        pass


def test_lock_of_a_killed_process_is_recovered(db_url: str, procs: Processes) -> None:
    site = "http://news.example/"
    holder = start_holder(procs, db_url, site)
    with pytest.raises(LockHeld) as refused:
        with crawl_lock(db_url, site):
            pass
    assert str(holder.pid) in str(refused.value)
    os.killpg(holder.pid, signal.SIGKILL)
    holder.wait(timeout=10)

    def acquired() -> bool:
        try:
            with crawl_lock(db_url, site):
                return True
        except LockHeld:
            return False

    wait_for(acquired, 15, interval=0.2, what="the dead holder's lock to be released")


def test_stale_lock_file_is_ignored(tmp_path: Path) -> None:
    database = tmp_path / "newsmon.sqlite3"
    path = lock_file_path(str(database), "news.example")
    path.write_text(json.dumps({"pid": 999999, "host": "gone", "since": "2020-01-01"}))
    with crawl_lock(f"sqlite:///{database}", "http://news.example/") as info:
        assert info.where == str(path)
        assert json.loads(path.read_text())["pid"] == os.getpid()
    assert path.read_text() == ""  # emptied on release; the file may stay


def test_second_concurrent_crawl_is_refused_with_exit_4(db_url: str, procs: Processes) -> None:
    upgrade(db_url)
    with SlowReplica(delay=0.2) as replica:
        first = procs.newsmon("crawl", "--base-url", replica.base_url, "--db", db_url, *FAST,
                              name="first")
        wait_while_running(procs, first, lambda: runs(db_url), 60,
                           "the first crawl's run record")
        second = newsmon("crawl", "--base-url", replica.base_url, "--db", db_url, *FAST,
                         timeout=30)
        assert second.returncode == 4, second.stderr[-2000:]
        assert "another crawl" in second.stderr
        assert str(first.pid) in second.stderr  # who holds it
        assert first.poll() is None, "the first crawl should still be running"
        assert len(runs(db_url)) == 1  # the refused crawl recorded nothing
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=30) == 1  # interrupted
    (run,) = runs(db_url)
    assert run["status"] == "interrupted"
    assert_no_partial_rows(db_url)


def test_killed_crawl_is_recovered_by_the_next_crawl(db_url: str, procs: Processes) -> None:
    upgrade(db_url)
    with SlowReplica(delay=0.05) as replica:
        first = procs.newsmon("crawl", "--base-url", replica.base_url, "--db", db_url, *FAST,
                              name="killed")
        wait_while_running(procs, first, lambda: article_count(db_url) > 0, 60,
                           "a stored article")
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        assert [r["status"] for r in runs(db_url)] == ["running"]
        replica.delay = 0
        second = newsmon("crawl", "--base-url", replica.base_url, "--db", db_url, *FAST,
                         timeout=60)
    assert second.returncode == 0, second.stderr[-2000:]
    killed, recovered = runs(db_url)
    assert killed["status"] == "interrupted" and killed["finished_at"] is not None
    assert "ended without finishing" in killed["error_summary"]
    assert recovered["status"] == "ok"
    assert_no_partial_rows(db_url)


def _terminate_lock_session(db_url: str) -> None:
    from sqlalchemy import text

    from crawler.db.session import make_engine

    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            killed = conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name LIKE :name AND pid <> pg_backend_pid()"),
                {"name": f"newsmon crawl pid={os.getpid()} %"}).scalars().all()
            conn.commit()
    finally:
        engine.dispose()
    assert killed == [True]


@pytest.mark.postgres
def test_lost_lock_connection_is_retaken_or_the_crawl_stopped(db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("the heartbeat concerns the PostgreSQL lock")
    import threading

    site = "http://news.example/"
    lost = threading.Event()
    # 1. the connection dies, nobody else takes the lock: taken again, crawl goes on
    with crawl_lock(db_url, site, heartbeat=0.2, on_lost=lost.set):
        _terminate_lock_session(db_url)
        import time

        time.sleep(1.0)
        assert not lost.is_set()
        with pytest.raises(LockHeld):
            with crawl_lock(db_url, site):
                pass
    # 2. the connection dies and another process takes the lock first: on_lost
    with crawl_lock(db_url, site, heartbeat=0.5, on_lost=lost.set):
        _terminate_lock_session(db_url)
        with crawl_lock(db_url, site, heartbeat=60):  # the newcomer
            wait_for(lost.is_set, 5, what="on_lost")
