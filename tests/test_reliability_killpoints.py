"""Crash safety at chosen points: a crawl of the replica ends right after its Nth
database write (``NEWSMON_FAULT_EXIT_AFTER_WRITES``, crawler/db/faults.py: ``os._exit``
as a SIGKILL would leave it), then a normal crawl must store the whole site exactly
once, field for field, and leave no run ``running`` (bench/killpoints.py ``trial``).

What CI covers (the full sweep, every write on both databases, is
``python -m bench.killpoints``; figures in docs/RELIABILITY.md):

- SQLite: every ``SQLITE_STRIDE``-th write of a first crawl (1, 1+K, 1+2K ... past the
  last write, so the sweep reaches the crawl's end), and every ``INDEX_STRIDE``-th
  index-page write (``NEWSMON_FAULT_WRITES_OF=record_index_page``: the crawl dies right
  after it stored page k of a chain, before page k+1 answered: the cut of issue 20);
- PostgreSQL: every ``PG_STRIDE``-th write, from another offset;
- a graceful stop (``NEWSMON_FAULT_MODE=term``: SIGTERM, as a job timeout sends) right
  after chosen index-page writes, on SQLite.
"""

from __future__ import annotations

import pytest

from bench.killpoints import FAULT_ENV, newsmon, new_database, sweep, trial, \
    whole_site_problems
from crawler.db.faults import FAULT_KIND_ENV, FAULT_MODE_ENV
from crawler.replica.server import ReplicaServer
from tests._reliability import FAST

pytestmark = pytest.mark.e2e

SQLITE_STRIDE = 5
INDEX_STRIDE = 4
PG_STRIDE = 9


@pytest.fixture(scope="module")
def replica():
    with ReplicaServer() as server:
        yield server


def _assert_swept(trials, stride):
    killed = [t for t in trials if t.killed]
    failed = {t.kill_after: t.problems[:5] for t in trials if t.problems}
    assert not failed, failed
    # The sweep went past the crawl's last write (a crawl ended before its kill point),
    # and the kills did land: a first crawl of the replica makes over 60 writes.
    assert any(not t.killed for t in trials), [t.kill_after for t in trials]
    assert len(killed) * stride >= 60, len(killed)
    return killed


@pytest.mark.timeout(600)
def test_kill_after_every_fifth_write_then_a_crawl_stores_the_whole_site(replica, tmp_path):
    trials = sweep("sqlite", replica.base_url, range(1, 10_000, SQLITE_STRIDE), tmp_path)
    _assert_swept(trials, SQLITE_STRIDE)


@pytest.mark.timeout(600)
def test_kill_right_after_an_index_page_is_stored_finishes_its_chain(replica, tmp_path,
                                                                    monkeypatch):
    monkeypatch.setenv(FAULT_KIND_ENV, "record_index_page")
    trials = sweep("sqlite", replica.base_url, range(2, 10_000, INDEX_STRIDE), tmp_path)
    killed = [t for t in trials if t.killed]
    failed = {t.kill_after: t.problems[:5] for t in trials if t.problems}
    assert not failed, failed
    assert any(not t.killed for t in trials)  # past the last index page
    assert len(killed) * INDEX_STRIDE >= 28, len(killed)  # a first crawl stores 35


@pytest.mark.postgres
@pytest.mark.timeout(600)
def test_kill_points_on_postgresql(replica, tmp_path):
    from tests.conftest import _require_postgres

    _require_postgres()
    trials = sweep("postgresql", replica.base_url, range(3, 10_000, PG_STRIDE), tmp_path)
    _assert_swept(trials, PG_STRIDE)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("index_page", [5, 17])
def test_graceful_stop_after_an_index_page_then_a_crawl_stores_the_whole_site(
        replica, tmp_path, index_page):
    base_url = replica.base_url
    with new_database("sqlite", tmp_path) as db_url:
        common = ("crawl", "--base-url", base_url, "--db", db_url, *FAST)
        stopped = newsmon(*common, env={FAULT_ENV: str(index_page),
                                        FAULT_KIND_ENV: "record_index_page",
                                        FAULT_MODE_ENV: "term"})
        assert stopped.returncode == 1, stopped.stderr[-2000:]  # the run: interrupted
        assert "interrupted" in stopped.stderr
        final = newsmon(*common)
        assert final.returncode == 0, final.stderr[-2000:]
        assert whole_site_problems(db_url, base_url) == []


def test_a_kill_point_past_the_last_write_changes_nothing(replica, tmp_path):
    """The hook ends the process at the write it names, not before, not otherwise."""
    result = trial("sqlite", replica.base_url, 10_000, tmp_path)
    assert not result.killed and result.problems == []
    result = trial("sqlite", replica.base_url, 1, tmp_path)  # right after start_run
    assert result.killed and result.problems == []


@pytest.mark.timeout(300)
def test_once_a_crawl_completes_after_a_kill_recrawls_cost_what_they_did(tmp_path):
    """The recovery reads deeper only until a crawl completes: then an unchanged site
    costs the index pages of an ordinary recrawl again, and no article."""
    from tests._monitor_helpers import article_requests

    def recrawl_requests(server, db_url):
        server.clear_log()
        result = newsmon("crawl", "--base-url", server.base_url, "--db", db_url, *FAST)
        assert result.returncode == 0, result.stderr[-2000:]
        return sorted((r.path, r.status) for r in server.request_log)

    with ReplicaServer() as server:
        base_url = server.base_url
        with new_database("sqlite", tmp_path) as plain, \
                new_database("sqlite", tmp_path) as killed:
            assert newsmon("crawl", "--base-url", base_url, "--db", plain,
                           *FAST).returncode == 0
            ordinary = recrawl_requests(server, plain)
            # Killed right after the 12th index page was stored, then crawled to the end.
            result = newsmon("crawl", "--base-url", base_url, "--db", killed, *FAST,
                             env={FAULT_ENV: "12", FAULT_KIND_ENV: "record_index_page"})
            assert result.returncode != 0
            recovery = recrawl_requests(server, killed)
            assert whole_site_problems(killed, base_url) == []
            after = recrawl_requests(server, killed)
            assert article_requests(server) == []
    assert after == ordinary
    assert len(recovery) > len(ordinary)  # the recovery did read more
