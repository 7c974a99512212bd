"""Crash safety: `newsmon crawl` killed with SIGKILL at random moments, 20 times, then
crawled again: every article stored exactly once, no partial row ever.

Four SQLite databases, five kills each, then a crawl to the end. Each killed crawl also
revisits every stored article (``--revisit-after 0s``), so kills land while the schema
is created, while articles are first inserted and while stored ones are updated. The
replica is slowed down (``article_delay``) so that a crawl lasts several seconds and the
kills (seeded, from process start-up on) fall all over it. After every kill, every
stored article must equal the truth (regions aside: the listings that add them may not
have been read yet) and have its raw page, revision and alias: a write that was not one
transaction would show. The crawl to the end must then store the whole site exactly
once, including the articles reachable only through links of articles a killed crawl
stored but did not follow (crawler/crawl/resume.py).
"""

from __future__ import annotations

import random
import signal
import subprocess
import time

import pytest
from sqlalchemy import inspect

from crawler.db import migrate
from crawler.db.session import make_engine, sqlite_url
from crawler.replica.content import expected_articles, expected_fields, BY_PATH
from crawler.replica.server import ReplicaServer
from tests._reliability import (FAST, mismatches, newsmon, rows, scalar, start,
                                stored_records)

pytestmark = pytest.mark.e2e

TRIALS = 20
ROUND = 5  # trials per database
# Seconds per article page: a crawl (even a revisit) then lasts over 4.5 s, so a kill
# in the first 3.5 s after the process starts lands mid-crawl.
DELAY = 0.4
SEED = 20261128


def check_no_partial_rows(db_url: str, base_url: str) -> int:
    """Every stored article is whole; returns how many are stored."""
    if not migrate.is_up_to_date(db_url):  # killed while creating the schema (the next
        engine = make_engine(db_url)       # crawl finishes it): nothing stored yet
        has_articles = inspect(engine).has_table("articles")
        engine.dispose()
        assert not has_articles or scalar(db_url, "SELECT count(*) FROM articles") == 0
        return 0
    expected = expected_articles(base_url)
    stored = stored_records(db_url)
    assert set(stored) <= set(expected), set(stored) - set(expected)
    problems = mismatches(stored, {u: expected[u] for u in stored}, skip=("regions",))
    assert not problems, "\n".join(problems[:10])
    for url, record in stored.items():
        # regions: those the page names, plus those of the index pages read so far
        own = expected_fields(BY_PATH[url[len(base_url):]], base_url,
                              with_listings=False)["regions"]
        assert set(own) <= set(record["regions"]) <= set(expected[url]["regions"]), url
        assert record["revision"] == 1, url  # a revisit of the same text: no revision
    orphans = scalar(db_url, "SELECT count(*) FROM articles a WHERE NOT EXISTS "
                             "(SELECT 1 FROM raw_pages r WHERE r.article_id = a.id) OR NOT "
                             "EXISTS (SELECT 1 FROM article_revisions v WHERE "
                             "v.article_id = a.id) OR NOT EXISTS (SELECT 1 FROM url_aliases"
                             " u WHERE u.article_id = a.id AND u.url = a.url)")
    assert orphans == 0
    return len(stored)


def crawl_to_the_end(db_url: str, base_url: str) -> None:
    final = newsmon("crawl", "--base-url", base_url, "--db", db_url, *FAST)
    assert final.returncode == 0, final.stderr[-3000:]
    expected = expected_articles(base_url)
    stored = stored_records(db_url)
    assert sorted(stored) == sorted(expected)  # each exactly once (url is unique, too)
    assert not mismatches(stored, expected)
    assert scalar(db_url, "SELECT count(*) FROM articles") == len(expected)
    assert scalar(db_url, "SELECT count(*) FROM raw_pages") == len(expected)
    # Every run ended in a recorded state: the killed ones were marked interrupted.
    statuses = {r["status"] for r in rows(db_url, "SELECT status FROM crawl_runs")}
    assert statuses <= {"ok", "interrupted"}, statuses


@pytest.mark.timeout(240)
def test_sigkill_at_random_moments_loses_nothing_and_leaves_no_partial_row(tmp_path):
    rng = random.Random(SEED)
    killed, stored_after = 0, []
    started = time.monotonic()
    with ReplicaServer(article_delay=DELAY) as server:
        base_url = server.base_url
        for trial in range(TRIALS):
            # A fresh database every ROUND trials: kills while articles are first
            # inserted, then while stored ones are revisited; each round ends with a
            # crawl to the end.
            db_url = sqlite_url(tmp_path / f"crash-{trial // ROUND}.sqlite3")
            crawl = start("crawl", "--base-url", base_url, "--db", db_url,
                          "--revisit-after", "0s", *FAST,
                          "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=2", "--set",
                          "LOG_LEVEL=WARNING")
            try:
                crawl.wait(timeout=rng.uniform(0.5, 3.5))
            except subprocess.TimeoutExpired:
                crawl.send_signal(signal.SIGKILL)
                killed += 1
            crawl.communicate(timeout=30)
            stored_after.append(check_no_partial_rows(db_url, base_url))
            if trial % ROUND == ROUND - 1:
                server.article_delay = 0.0  # the crawl to the end needs no slowing
                crawl_to_the_end(db_url, base_url)
                server.article_delay = DELAY
    total = len(expected_articles("x"))
    assert killed >= TRIALS - 1, killed  # the kills did land mid-crawl,
    assert sum(0 < n < total for n in stored_after) >= 3, stored_after  # mid-insert too
    assert time.monotonic() - started < 200
