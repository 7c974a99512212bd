"""Crash safety: `newsmon crawl` killed with SIGKILL at random moments, several times in
a row, then crawled again: every article stored exactly once, no partial row ever;
on SQLite and on PostgreSQL (bench/crash_rounds.py ``crawl_round``).

On each database, ``ROUNDS`` rounds: a new database, ``KILLS`` crawls killed at random
(seeded) moments (the first of a round early in its process's start-up, the others
counted from the crawl's first request), then a crawl to the end. Each killed crawl
also revisits every stored article (``--revisit-after 0s``), so kills land while the
schema is created, while articles are first inserted and while stored ones are
updated. The replica is slowed down (``article_delay``) so that a crawl lasts several
seconds and the kills fall all over it. After every kill, every stored article must
equal the truth (regions aside: the listings that add them may not have been read yet)
and have its raw page, revision and alias: a write that was not one transaction would
show. The crawl to the end must then store the whole site exactly once, including the
articles reachable only through links of articles a killed crawl stored but did not
follow (crawler/crawl/resume.py) and those listed only deep in an index chain a killed
crawl left half-read (crawler/crawl/incremental.py).

This is the short version for CI; ``python -m bench.crash_rounds`` runs the long one
(20 rounds of 6 kills on each database; figures in docs/RELIABILITY.md).
"""

from __future__ import annotations

import random

import pytest

from bench.crash_rounds import crawl_round
from crawler.replica.content import expected_articles
from crawler.replica.server import ReplicaServer

pytestmark = pytest.mark.e2e

ROUNDS = 2
KILLS = 5  # killed crawls per round
# A crawl (even a revisit) lasts over 4.5 s at 0.4 s per article page, so a kill in
# the first 3.5 s after its first request lands mid-crawl.
EARLIEST, LATEST = 0.5, 3.5
SEED = 20261128


@pytest.mark.timeout(300)
@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql",
                                                            marks=pytest.mark.postgres)])
def test_sigkill_at_random_moments_loses_nothing_and_leaves_no_partial_row(tmp_path,
                                                                           backend):
    if backend == "postgresql":
        from tests.conftest import _require_postgres

        _require_postgres()
    rng = random.Random(SEED)
    killed, stored_after = 0, []
    with ReplicaServer() as server:
        for number in range(ROUNDS):
            result = crawl_round(backend, server, rng, KILLS, tmp_path, EARLIEST, LATEST)
            assert result.problems == [], (number, result.problems[:10])
            killed += result.kills
            stored_after += result.stored_after
    total = len(expected_articles("x"))
    assert killed >= ROUNDS * KILLS - 2, killed  # the kills did land mid-crawl,
    assert sum(0 < n < total for n in stored_after) >= 2, stored_after  # mid-insert too
