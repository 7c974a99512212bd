"""Issue 20's cut, made on purpose: a crawl dies after it read pages 1 and 2 of an index
chain and stored every article they list, while page 3 has not answered. The next crawl
must still read page 3 and store the article listed only there.

The replica holds back ``/news/politics?page=3`` (``path_delays``); the first crawl
stores everything else, then it is killed (SIGKILL) or stopped (SIGTERM, as a job
timeout or a deploy does). Before the fix, the next crawl found page 1 all known and
page 2 read before, stopped at page 1, and the article stayed missing in every later
crawl. Now what a crawl that did not complete stored does not count as seen when a
later crawl decides how deep to read a chain (crawler/crawl/incremental.py).
"""

from __future__ import annotations

import signal
import time
from datetime import datetime, timezone

import pytest

from bench.killpoints import new_database, newsmon, whole_site_problems
from crawler.replica.changes import new_article
from crawler.replica.content import expected_articles
from crawler.replica.server import ReplicaServer
from tests._reliability import FAST, article_count, start, wait_until

pytestmark = pytest.mark.e2e

HELD = "/news/politics?page=3"


def only_on_page_3() -> dict:
    """An article listed on page 3 of Politics and nowhere else: no other page links
    it (``index_only``: not in any Read Next card either)."""
    return {**new_article("chain-cut", "Archive note on a budget vote deferred again",
                          published=datetime(2020, 1, 6, 9, 0, tzinfo=timezone.utc),
                          listed=dict(home=False, section=3, regions=[])),
            "index_only": True}


@pytest.mark.timeout(240)
@pytest.mark.parametrize("stop, backend", [
    (signal.SIGKILL, "sqlite"),
    pytest.param(signal.SIGKILL, "postgresql", marks=pytest.mark.postgres),
    (signal.SIGTERM, "sqlite")], ids=["kill-sqlite", "kill-postgresql", "term-sqlite"])
def test_a_chain_cut_after_page_2_is_finished_by_the_next_crawl(tmp_path, backend, stop):
    if backend == "postgresql":
        from tests.conftest import _require_postgres

        _require_postgres()
    with ReplicaServer() as server, new_database(backend, tmp_path) as db_url:
        base_url = server.base_url
        added = server.add_article(only_on_page_3())
        expected = {**expected_articles(base_url), base_url + added["path"]: added}
        server.path_delays[HELD] = 15.0
        crawl = start("crawl", "--base-url", base_url, "--db", db_url, *FAST)
        try:
            # Everything but the article behind the held page is stored, then nothing
            # more comes: the crawl waits for page 3.
            assert wait_until(lambda: article_count(db_url) == len(expected) - 1, 60)
            time.sleep(1.0)
            assert article_count(db_url) == len(expected) - 1
            assert not any(r.path == HELD for r in server.request_log)  # not answered
            crawl.send_signal(stop)
            crawl.communicate(timeout=60)
        finally:
            if crawl.returncode is None:
                crawl.send_signal(signal.SIGKILL)
                crawl.communicate(timeout=30)
        assert crawl.returncode != 0
        server.path_delays.clear()
        final = newsmon("crawl", "--base-url", base_url, "--db", db_url, *FAST)
        assert final.returncode == 0, final.stderr[-2000:]
        assert any(r.path == HELD for r in server.request_log)
        assert whole_site_problems(db_url, base_url, (added,)) == []
