"""Delivering alerts (crawler.ops.alerts) to real notifiers on 127.0.0.1: an SMTP
server (aiosmtpd) and a JSON webhook receiver, through Apprise; faults: SMTP down,
webhook 500, the sender SIGKILLed between sending and marking, the database lost
mid-delivery. Every match is delivered; a duplicate carries the same alert id."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from crawler.db import outbox
from crawler.db.migrate import upgrade
from crawler.db.models import Alert
from crawler.db.session import make_engine
from crawler.db.store import Store
from crawler.db.watchlists import WatchlistSpec, add_watchlist
from crawler.items import ArticleItem
from crawler.ops.alerts import AlertSender, SenderSettings
from tests._notifiers import SmtpServer, WebhookServer
from tests._tcp_proxy import TcpProxy
from tests.conftest import _postgres_database

BASE = "https://english.almayadeen.net"
REPO = Path(__file__).resolve().parent.parent
FAST = SenderSettings(digest_after=100, max_attempts=10, backoff=0.2, lease=1.0, poll=0.2)


def _watch(store: Store, name: str, query: str, notify: list[str]) -> None:
    with store.engine.begin() as conn:
        add_watchlist(conn, WatchlistSpec(name, query, notify=notify), datetime.now(UTC))


def _article(n: int, title: str, body: str = "Body text.") -> ArticleItem:
    return ArticleItem(url=f"{BASE}/news/politics/story-{n}", title=title, summary="Summary.",
                       body=body, published_at=datetime.now(UTC), category="News",
                       section="Politics", language="en")


def _store_articles(store: Store, count: int, title: str = "Red Sea shipping") -> list[str]:
    run = store.start_run(BASE)
    for n in range(count):
        store.save_article(_article(n, f"{title} {n}"), run, datetime.now(UTC))
    with store.engine.connect() as conn:
        return list(conn.execute(select(Alert.key).order_by(Alert.id)).scalars())


def _statuses(store: Store) -> Counter:
    return Counter(outbox.counts_by_status(store.engine))


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server


@pytest.fixture
def webhook():
    with WebhookServer() as server:
        yield server


def test_an_alert_arrives_within_ten_seconds_of_its_match(store: Store, smtp, webhook):
    _watch(store, "red-sea", '"red sea"', [smtp.url(), webhook.url()])
    stop = threading.Event()
    thread = threading.Thread(target=AlertSender(store.engine, SenderSettings()).serve,
                              args=(stop,), daemon=True)  # the scheduler's sender, poll 2 s
    thread.start()
    try:
        time.sleep(0.5)
        stored_at = time.monotonic()
        (key,) = _store_articles(store, 1)
        assert smtp.received.wait_for(1, timeout=10) and webhook.received.wait_for(1, timeout=10)
    finally:
        stop.set()
        thread.join(5)
    for received in (smtp.received, webhook.received):
        (arrived, title, body), = received.items
        assert arrived - stored_at < 10
        assert title.startswith("[newsmon] red-sea: new article: Red Sea shipping 0")
        assert f"{BASE}/news/politics/story-0" in body and "**Red** **Sea**" in body
        assert "Politics" in body and received.keys() == [key]
    assert _statuses(store) == {"delivered": 1}
    attempts = outbox.attempts_of(store.engine, store_alert_id(store, key))
    assert [a["ok"] for a in attempts] == [True, True]  # one per notifier
    assert all("127.0.0.1" not in (a["target"]) for a in attempts)  # a hash, not the URL


def store_alert_id(store: Store, key: str) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(Alert.id).where(Alert.key == key)).scalar_one()


def test_smtp_down_for_three_attempts_delays_but_loses_nothing(store: Store, smtp, webhook):
    smtp.received.refuse_first = 3
    _watch(store, "red-sea", '"red sea"', [smtp.url(), webhook.url()])
    keys = _store_articles(store, 2)
    left = AlertSender(store.engine, FAST).deliver_until(30)
    assert left == 0 and _statuses(store) == {"delivered": 2}
    assert sorted(smtp.received.keys()) == sorted(keys)  # each once, after the refusals
    assert sorted(webhook.received.keys()) == sorted(keys)  # not resent while SMTP failed
    assert smtp.received.refused == 3
    attempts = [a for k in keys for a in outbox.attempts_of(store.engine, store_alert_id(store, k))]
    assert sum(not a["ok"] for a in attempts) == 3 and sum(a["ok"] for a in attempts) == 4


def test_webhook_500_then_200_and_retry_after_giving_up(store: Store, webhook):
    webhook.received.refuse_first = 2
    _watch(store, "hook", "shipping", [webhook.url()])
    (key,) = _store_articles(store, 1)
    settings = SenderSettings(digest_after=5, max_attempts=2, backoff=0.1, lease=1, poll=0.1)
    sender = AlertSender(store.engine, settings)
    assert sender.deliver_until(5) == 0  # gave up after 2 attempts: failed, not pending
    (alert,) = outbox.list_alerts(store.engine)
    assert alert["status"] == "failed" and "500" in alert["last_error"]
    assert webhook.received.keys() == []
    assert outbox.retry_failed(store.engine, datetime.now(UTC)) == 1
    assert sender.deliver_until(5) == 0
    assert webhook.received.keys() == [key] and _statuses(store) == {"delivered": 1}


def test_many_matches_at_once_become_a_digest(store: Store, webhook):
    _watch(store, "hook", "shipping", [webhook.url()])
    keys = _store_articles(store, 7)
    settings = SenderSettings(digest_after=3, max_attempts=3, backoff=0.1, lease=1, poll=0.1)
    AlertSender(store.engine, settings).deliver_until(5)
    titles = [title for _, title, _ in webhook.received.items]
    assert len(titles) == 4 and titles[-1] == "[newsmon] hook: digest of 4 matches"
    assert sorted(webhook.received.keys()) == sorted(keys)
    # The next minute's matches: the watchlist has used its 3 single notifications.
    more = _store_articles(store, 9)[7:]
    AlertSender(store.engine, settings).deliver_until(5)
    assert webhook.received.items[-1][1] == "[newsmon] hook: digest of 2 matches"
    assert sorted(webhook.received.keys()) == sorted(keys + more)


def _sender_process(db_url: str, **env: str) -> subprocess.Popen:
    environment = {**os.environ, "NEWSMON_ALERTS_LEASE": "1s", "NEWSMON_ALERTS_BACKOFF": "0.2s",
                   "NEWSMON_ALERTS_POLL": "0.2s", **env}
    return subprocess.Popen([sys.executable, "-m", "crawler.cli", "alerts", "send", "--db",
                             db_url, "--wait", "20"], cwd=REPO, env=environment,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_sender_killed_between_sending_and_marking_sends_one_recognisable_duplicate(
        db_url: str, store: Store, webhook):
    _watch(store, "hook", "shipping", [webhook.url()])
    keys = _store_articles(store, 3)
    victim = _sender_process(db_url)
    killed = []

    def kill_once(body: str) -> None:  # the notification arrived; the sender is waiting
        if not killed:                  # for the answer, so it has not marked anything
            killed.append(body)
            os.kill(victim.pid, signal.SIGKILL)
            victim.wait(10)
    webhook.received.on_receive = kill_once
    victim.wait(30)
    assert victim.returncode == -signal.SIGKILL
    assert _statuses(store)["delivered"] == 0  # killed before marking the first
    webhook.received.on_receive = None
    again = _sender_process(db_url)
    out, err = again.communicate(timeout=60)
    assert again.returncode == 0, err
    assert "3 alerts delivered, 0 pending" in err
    received = Counter(webhook.received.keys())
    assert sorted(received) == sorted(keys)  # none lost
    assert sum(received.values()) == 4 and max(received.values()) == 2  # one duplicate,
    assert _statuses(store) == {"delivered": 3}  # same id: recognisable


@pytest.fixture
def pg_url():
    yield from _postgres_database()


@pytest.mark.postgres
def test_database_lost_mid_delivery_loses_nothing(pg_url: str, webhook):
    with TcpProxy(("127.0.0.1", 5432)) as proxy:
        from sqlalchemy.engine import make_url
        db_url = make_url(pg_url).set(host=proxy.host, port=proxy.port) \
            .render_as_string(hide_password=False)
        upgrade(db_url)
        engine = make_engine(db_url)
        store = Store(engine)
        _watch(store, "hook", "shipping", [webhook.url()])
        keys = _store_articles(store, 3)
        cut = []

        def lose_database(body: str) -> None:  # after sending, before marking
            if not cut:
                cut.append(body)
                proxy.cut()
        webhook.received.on_receive = lose_database
        stop = threading.Event()
        thread = threading.Thread(target=AlertSender(engine, FAST).serve, args=(stop,),
                                  daemon=True)
        thread.start()
        try:
            time.sleep(2)  # the sender keeps polling a database that is away
            assert thread.is_alive() and proxy.refused > 0
            proxy.restore()
            assert webhook.received.wait_for(4, timeout=20)
            deadline = time.monotonic() + 20
            while outbox.counts_by_status(engine) != {"delivered": 3}:
                assert time.monotonic() < deadline, outbox.counts_by_status(engine)
                time.sleep(0.2)
        finally:
            stop.set()
            thread.join(5)
            engine.dispose()
    received = Counter(webhook.received.keys())
    assert sorted(received) == sorted(keys) and max(received.values()) <= 2
    assert sum(received.values()) <= 4
