"""Bad input: each fault of the replica (crawler/replica/faults.py) gives a clear log
line and a recorded fetch error, and the crawl goes on; untrusted text is stored
verbatim; redirects off the site are not followed.

One real `newsmon crawl` of ``ReplicaServer(faults=True)`` per database backend feeds
every test. Small limits keep it fast: DOWNLOAD_TIMEOUT=1 (the slow page answers
after 3 s), DOWNLOAD_MAXSIZE=2000000 (the giant page is 3 MiB, the megabyte article
1.5 MB), RETRY_TIMES=1.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from subprocess import CompletedProcess

import pytest

from crawler.db.session import sqlite_url
from crawler.replica import faults
from crawler.replica.content import expected_articles
from crawler.replica.server import LoggedRequest, ReplicaServer
from tests._reliability import FAST, mismatches, newsmon, rows, stored_records
from tests.conftest import _postgres_database

pytestmark = pytest.mark.e2e

LIMITS = ["--set", "DOWNLOAD_TIMEOUT=1", "--set", "DOWNLOAD_MAXSIZE=2000000",
          "--set", "RETRY_TIMES=1"]


class Trap:
    """A listening port that counts the connections it gets (there must be none)."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        self.sock.close()


@dataclass
class FaultyCrawl:
    result: CompletedProcess
    base_url: str
    db_url: str
    log: list[LoggedRequest]
    trap_connections: int
    seconds: float

    def url(self, name: str) -> str:
        return self.base_url + faults.FAULTS[name].path

    def errors(self, name: str) -> list[dict]:
        return [e for e in rows(self.db_url, "SELECT url, status, error FROM fetch_errors")
                if e["url"] == self.url(name)]

    def requests(self, name: str) -> list[LoggedRequest]:
        return [r for r in self.log if r.path == faults.FAULTS[name].path]


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def crawled(request, tmp_path_factory) -> Iterator[FaultyCrawl]:
    if request.param == "sqlite":
        yield from crawl(sqlite_url(tmp_path_factory.mktemp("faults") / "faults.sqlite3"),
                         tmp_path_factory.mktemp("spool"))
    else:
        for db_url in _postgres_database():
            yield from crawl(db_url, tmp_path_factory.mktemp("spool"))


def crawl(db_url: str, spool_dir: object) -> Iterator[FaultyCrawl]:
    trap = Trap()
    try:
        with ReplicaServer(faults=True, offsite_port=trap.port) as server:
            started = time.monotonic()
            result = newsmon("crawl", "--base-url", server.base_url, "--db", db_url,
                             *FAST, *LIMITS, "--set", f"NEWSMON_SPOOL_DIR={spool_dir}",
                             timeout=120)
            seconds = time.monotonic() - started
            yield FaultyCrawl(result, server.base_url, db_url, list(server.request_log),
                              trap.connections, seconds)
    finally:
        trap.close()


def test_the_crawl_goes_on_and_stores_everything_else(crawled):
    assert crawled.result.returncode == 0, crawled.result.stderr[-3000:]
    assert "run 1: ok" in crawled.result.stdout
    stored = stored_records(crawled.db_url)
    expected = {**expected_articles(crawled.base_url),
                **faults.expected_fault_articles(crawled.base_url)}
    assert sorted(stored) == sorted(expected)
    assert not mismatches(stored, expected)
    assert crawled.seconds < 60


FAULTS_WITH_ERRORS = [f for f in faults.FAULTS.values() if f.error]


@pytest.mark.parametrize("fault", FAULTS_WITH_ERRORS, ids=lambda f: f.name)
def test_each_fault_is_a_fetch_error_and_a_log_line(crawled, fault):
    errors = crawled.errors(fault.name)
    assert len(errors) == 1, (fault.name, errors)
    assert fault.error in errors[0]["error"], errors[0]
    line = f"Fetch error: {crawled.url(fault.name)} ("
    logged = [entry for entry in crawled.result.stderr.splitlines() if line in entry]
    assert logged and fault.error in logged[0], fault.name
    stored = crawled.url(fault.name) in stored_records(crawled.db_url)
    assert stored == fault.stored  # read anyway when it can be (charset, metadata)


@pytest.mark.parametrize("fault", [f for f in faults.FAULTS.values() if not f.error],
                         ids=lambda f: f.name)
def test_faults_that_heal_leave_no_error(crawled, fault):
    assert crawled.errors(fault.name) == []
    assert crawled.url(fault.name) in stored_records(crawled.db_url)


def test_retry_after_is_honoured(crawled):
    first, second = crawled.requests("rate-limited")
    assert first.status == 429 and second.status == 200
    assert second.time - first.time >= faults.RETRY_AFTER - 0.05
    # Always 429: asked once, retried once (RETRY_TIMES=1) after Retry-After, then given up.
    always = crawled.requests("rate-limited-always")
    assert [r.status for r in always] == [429, 429]
    assert always[1].time - always[0].time >= 1 - 0.05
    assert "Gave up retrying" in crawled.result.stderr


def test_timeouts_resets_and_truncation_are_retried_then_given_up(crawled):
    for name in ("slow", "reset", "truncated"):
        assert len(crawled.requests(name)) == 2, name  # RETRY_TIMES=1
    assert len(crawled.requests("reset-once")) == 2  # reset, then served


def test_redirects_off_the_site_are_not_followed(crawled):
    assert crawled.trap_connections == 0  # another port of 127.0.0.1: never connected
    for name in ("redirect-other-port", "redirect-metadata", "redirect-private"):
        error = crawled.errors(name)[0]["error"]
        assert error.startswith("not followed: redirect to another origin"), error
    assert "169.254.169.254" in crawled.errors("redirect-metadata")[0]["error"]
    loop = crawled.errors("redirect-loop")[0]["error"]
    assert loop.startswith("not followed: redirect loop: ")
    assert len(crawled.requests("redirect-loop")) == 1


def test_untrusted_text_is_stored_verbatim_and_safely(crawled):
    stored = stored_records(crawled.db_url)
    sql = stored[crawled.url("sql-text")]
    assert sql["title"] == faults.SQL_TEXT and sql["body"].startswith(faults.SQL_TEXT)
    markup = stored[crawled.url("markup-text")]
    assert markup["title"] == faults.MARKUP_TEXT
    assert markup["body"].startswith(faults.MARKUP_TEXT)
    nul = stored[crawled.url("nul-text")]
    assert nul["body"].startswith(faults.NUL_TEXT.replace("\x00", ""))  # NULs removed
    big = stored[crawled.url("megabyte-text")]
    assert big["body"] == "\n\n".join(faults.MEGABYTE_PARAGRAPHS)
    assert len(big["body"].encode()) > 1_000_000
    # The SQL in the text did nothing: every table is still there and whole.
    assert rows(crawled.db_url, "SELECT count(*) AS n FROM articles")[0]["n"] == len(stored)


def test_session_ids_and_percent_case_make_one_request(crawled):
    # ";jsessionid=", "?PHPSESSID=", "%2d" and "%2D": four links, one article, one fetch
    asked = [r.path for r in crawled.log if "fault-session" in r.path]
    assert asked == [faults.FAULTS["session-id"].path], asked


def test_a_canonical_naming_the_home_page_is_not_trusted(crawled):
    stored = stored_records(crawled.db_url)
    assert stored[crawled.url("canonical-home")]["title"] == \
        faults.RECORDS["canonical-home"]["title"]


def test_a_redirect_chain_and_a_503_are_followed_to_the_article(crawled):
    chain = [r.path for r in crawled.log if "fault-redirect-chain" in r.path]
    assert chain == [faults.PREFIX + "redirect-chain" + hop for hop in ("-1", "-2", "-3", "")]
    assert [r.status for r in crawled.requests("unavailable-once")] == [503, 200]
    assert [r.status for r in crawled.requests("gone")] == [410]  # not retried
