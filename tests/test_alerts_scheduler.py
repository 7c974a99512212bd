"""The scheduler delivers alerts as matches arrive and retries the pending ones, and
refreshes the watchlists' feeds after its runs: a real `newsmon schedule` crawling the
replica, a real webhook on 127.0.0.1."""

from __future__ import annotations

import json
import signal
import time
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.db import outbox
from crawler.db.migrate import upgrade
from crawler.db.session import make_engine, sqlite_url
from crawler.db.watchlists import WatchlistSpec, add_watchlist
from crawler.replica.changes import new_article
from crawler.replica.server import ReplicaServer
from tests._notifiers import WebhookServer
from tests._ops_helpers import FAST, Processes, runs, wait_for

pytestmark = pytest.mark.e2e


def feed_ids(path: Path) -> list[str]:
    """The entry ids of an Atom feed file ([] while there is none)."""
    if not path.exists():
        return []
    atom = "{http://www.w3.org/2005/Atom}"
    return [e.find(f"{atom}id").text for e in ET.parse(path).getroot().findall(f"{atom}entry")]


def test_the_scheduler_delivers_what_the_crawl_left_pending(tmp_path: Path):
    db_url = sqlite_url(tmp_path / "newsmon.sqlite3")
    upgrade(db_url)
    engine = make_engine(db_url)
    with WebhookServer() as hook, ReplicaServer() as replica:
        with engine.begin() as conn:
            add_watchlist(conn, WatchlistSpec("gaza", "gaza", notify=[hook.url()]),
                          datetime.now(UTC))
        for n in range(3):  # news (the replica's own articles are from 2025)
            replica.add_article(new_article(f"gaza-{n}", f"Gaza talks resume, day {n}"))
        hook.received.refuse_first = 10_000  # down while the crawl runs
        feed = tmp_path / "feeds" / "gaza.xml"
        feed.parent.mkdir()
        config = tmp_path / "newsmon.toml"
        config.write_text("\n".join([
            f'database_url = "{db_url}"', f'base_url = "{replica.base_url}"', "",
            "[schedule]", 'crawl_every = "1h"', 'revisit_every = "off"',
            'backfill_cron = "off"', f"crawl_args = {json.dumps(FAST)}", "",
            "[alerts]", 'poll = "0.5s"', 'backoff = "0.5s"', 'crawl_wait = "1s"',
            f"feeds = {{ gaza = {json.dumps(str(feed))}, nosuch = "
            f"{json.dumps(str(tmp_path / 'nosuch.xml'))} }}"]) + "\n")
        procs = Processes(tmp_path)
        try:
            scheduler = procs.newsmon("schedule", "--config", str(config), name="schedule")
            assert wait_for(lambda: [r for r in runs(db_url) if r["finished_at"]], 180), \
                procs.stderr(scheduler)[-3000:]
            pending = outbox.list_alerts(engine, "pending")
            assert len(pending) == 3 and hook.received.keys() == []  # the crawl could not
            # The run's matches are in the watchlist's feed, written once the job ended
            # (delivered or not: a feed is read, not sent).
            # (At its start the scheduler wrote it empty: no match yet.)
            assert wait_for(lambda: len(feed_ids(feed)) == 3, 30), \
                procs.stderr(scheduler)[-3000:]
            assert sorted(feed_ids(feed)) == sorted(f"urn:newsmon:alert:{a['key']}"
                                                    for a in pending)
            assert [p.name for p in feed.parent.iterdir()] == ["gaza.xml"]  # no temporary
            log = procs.stderr(scheduler)
            assert "feeds: no watchlist named 'nosuch'" in log
            # Written when the job ended (not at a later heartbeat): just before its exit line.
            written = log.index(f"feeds: gaza written to {feed} (3 entries)")
            assert log.index("job crawl: exit 0") > written > log.index("job crawl: started")
            assert not (tmp_path / "nosuch.xml").exists()
            hook.received.refuse_first = 0  # the notifier is back
            started = time.monotonic()
            assert hook.received.wait_for(len(pending), timeout=30), \
                procs.stderr(scheduler)[-3000:]
            assert time.monotonic() - started < 10
            assert wait_for(lambda: outbox.pending_count(engine) == 0, 10)
            scheduler.send_signal(signal.SIGTERM)
            assert scheduler.wait(timeout=30) == 0
        finally:
            procs.close()
    assert sorted(hook.received.keys()) == sorted(a["key"] for a in pending)
    assert {a["status"] for a in outbox.list_alerts(engine, limit=None)} == {"delivered"}
    engine.dispose()
