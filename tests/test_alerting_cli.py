"""`newsmon watch`, `newsmon alerts`, `newsmon feed` through the real entry point, and
a `newsmon crawl` that delivers its own run's alerts before it exits."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crawler import cli
from crawler.db import outbox
from crawler.db.search import search
from crawler.db.session import make_engine
from crawler.db.store import Store
from crawler.replica.changes import new_article
from crawler.replica.server import ReplicaServer
from tests._notifiers import WebhookServer
from tests._ops_helpers import FAST, clean_env, newsmon
from tests._analyst_data import CORRIDOR_URL, OPINION_URL, populate

NOW = datetime.now(UTC).replace(microsecond=0)
SECRET_MAIL = "mailto://analyst:Pa55word@smtp.example.org:587?to=desk@example.org"
SECRET_HOOK = "json://hooks.example.org/newsmon?token=T0ken"
ATOM = "{http://www.w3.org/2005/Atom}"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_line(err: str) -> str:
    assert err.count("\n") == 1, err
    return err.strip()


@pytest.fixture(autouse=True)
def _log_to_this_tests_stderr(capsys):
    """The CLI's log handler writes to the stderr of the test that installed it."""
    from crawler.logging_setup import configure_logging
    configure_logging()


@pytest.fixture
def db(store: Store, db_url: str, capsys) -> str:
    capsys.readouterr()  # the migration's log lines
    return db_url


def test_watch_add_list_remove_and_secrets_stay_masked(capsys, db):
    code, out, err = run(capsys, "watch", "add", "red-sea", '"red sea" or hezbollah',
                         "--section", "Politics", "--kinds", "new,edit",
                         "--notify", SECRET_MAIL, "--notify", SECRET_HOOK, "--db", db)
    assert code == 0 and out == ""
    line = one_line(err)
    assert "watchlist red-sea added" in line and "section Politics" in line
    assert "kinds new,edit" in line and "smtp.example.org" in line
    code, out, err = run(capsys, "watch", "list", "--db", db)
    assert code == 0 and out.startswith("red-sea: query '\"red sea\" or hezbollah'")
    code, listed, _ = run(capsys, "watch", "list", "--format", "json", "--db", db)
    (row,) = json.loads(listed)
    assert row["kinds"] == ["new", "edit"] and len(row["notify"]) == 2
    for shown in (line, out, listed):
        assert "Pa55word" not in shown and "T0ken" not in shown and "analyst:" not in shown

    code, _, err = run(capsys, "watch", "add", "red-sea", "x", "--db", db)
    assert code == 2 and "exists already" in one_line(err)
    code, _, err = run(capsys, "watch", "remove", "red-sea", "--db", db)
    assert code == 0 and one_line(err) == "newsmon: watchlist red-sea removed"
    code, _, err = run(capsys, "watch", "remove", "red-sea", "--db", db)
    assert code == 1 and "no watchlist named 'red-sea'" in one_line(err)


@pytest.mark.parametrize("argv, message", [
    (["bad name!", "x"], "watchlist name"),
    (["w", "--", "-only"], "has nothing to look for"),  # -- : a query that starts with -
    (["w", ""], "an empty query needs"),
    (["w", "x", "--kinds", "new,sometimes"], "--kinds: sometimes"),
    (["w", "x", "--notify", "nosuch://user:Pa55word@host"], "not a notifier URL"),
])
def test_watch_add_refuses_bad_input_in_one_line(capsys, db, argv, message):
    code, out, err = run(capsys, "watch", "add", "--db", db, *argv)
    assert code == 2 and out == "" and message in one_line(err)
    assert "Pa55word" not in err


def test_watch_test_shows_the_last_seven_days_matches(capsys, db, store):
    populate(store, NOW)
    run(capsys, "watch", "add", "gaza", "gaza -numbers", "--db", db)
    code, out, err = run(capsys, "watch", "test", "gaza", "--db", db)
    expected = [r["url"] for r in search(store.engine, "gaza -numbers",
                                         since=NOW - timedelta(days=7))]
    assert code == 0 and expected and all(url in out for url in expected)
    assert CORRIDOR_URL in out and OPINION_URL in out
    assert f"would have matched {len(expected)} articles and 1 breaking items" in one_line(err)
    assert "breaking " in out and "**Gaza**" in out  # "UN convoy reaches Gaza City"
    run(capsys, "watch", "add", "politics", "", "--section", "politics", "--db", db)
    code, out, err = run(capsys, "watch", "test", "politics", "--db", db)
    assert code == 0 and CORRIDOR_URL in out and OPINION_URL not in out
    assert "and 0 breaking items" in one_line(err)  # a filtered watchlist: no breaking
    code, _, err = run(capsys, "watch", "test", "nosuch", "--db", db)
    assert code == 1 and "no watchlist" in one_line(err)


def test_alerts_list_retry_send_and_feed(capsys, db, store, tmp_path):
    with WebhookServer() as hook:
        run(capsys, "watch", "add", "gaza", "gaza", "--notify", hook.url(), "--db", db)
        run(capsys, "watch", "add", "quiet", "ceasefire", "--db", db)  # notifies no one
        populate(store, NOW)
        code, out, err = run(capsys, "alerts", "--pending", "--db", db)
        pending = out.splitlines()
        assert code == 0 and len(pending) == 3 and err == ""  # 2 articles + 1 breaking
        assert all(" gaza " in line and "[pending]" in line for line in pending)
        hook.received.refuse_first = 100
        code, _, err = run(capsys, "alerts", "send", "--wait", "0", "--db", db)
        # The notifier is down: a cron job must see it in the exit code and one line.
        assert code == 1 and "[apprise]" not in err  # newsmon says why, once a notifier
        lines = err.splitlines()
        assert lines[-1] == ("newsmon: not every alert delivered: 0 alerts delivered, "
                             "3 pending, 0 failed (`newsmon alerts --pending` shows why; "
                             "they are retried later)")
        assert len(lines) == 4 and all("error=500" in line for line in lines[:3])
        engine = make_engine(db)
        with engine.begin() as conn:  # as if every attempt had failed
            conn.exec_driver_sql("UPDATE alerts SET status = 'failed' WHERE status = 'pending'")
        code, out, err = run(capsys, "alerts", "--failed", "--db", db)
        assert code == 0 and len(out.splitlines()) == 6  # each with its last error line
        assert "last error:" in out and "500" in out and "T0ken" not in out
        code, _, err = run(capsys, "alerts", "send", "--wait", "0", "--db", db)
        assert code == 1 and one_line(err) == (
            "newsmon: not every alert delivered: 0 alerts delivered, 0 pending, 3 failed "
            "(`newsmon alerts retry` resends the failed ones)")
        hook.received.refuse_first = 0
        code, _, err = run(capsys, "alerts", "retry", "--db", db)
        assert code == 0 and "3 failed alerts pending again" in err
        assert err.strip().endswith("3 alerts delivered, 0 pending, 0 failed")
        assert len(hook.received.keys()) == 3
        code, out, _ = run(capsys, "alerts", "--format", "json", "--db", db)
        rows = json.loads(out)
        assert {r["status"] for r in rows} == {"delivered", "unsent"}
        assert sorted(r["key"] for r in rows if r["watchlist"] == "gaza") == \
            sorted(hook.received.keys())

    feed_file = tmp_path / "feeds" / "gaza.xml"
    feed_file.parent.mkdir()
    code, _, err = run(capsys, "feed", "gaza", "--out", str(feed_file), "--db", db)
    assert code == 0 and "(3 entries)" in one_line(err)
    root = ET.parse(feed_file).getroot()
    entries = root.findall(f"{ATOM}entry")
    assert root.tag == f"{ATOM}feed" and len(entries) == 3
    assert {e.find(f"{ATOM}id").text for e in entries} == {
        f"urn:newsmon:alert:{k}" for k in hook.received.keys()}
    links = {e.find(f"{ATOM}link").get("href") for e in entries if e.find(f"{ATOM}link") is not None}
    assert CORRIDOR_URL in links
    assert [p.name for p in feed_file.parent.iterdir()] == ["gaza.xml"]  # no temporary left
    code, _, err = run(capsys, "feed", "gaza", "--out", str(tmp_path / "no" / "f.xml"),
                       "--db", db)
    assert code == 1 and "cannot write" in one_line(err)
    assert outbox.counts_by_status(engine)["unsent"] == 1  # "quiet": kept for feeds
    engine.dispose()


def test_the_schedulers_feeds_are_rewritten_when_a_match_arrives(store, tmp_path, caplog):
    """FeedRefresher (what `newsmon schedule` runs after each job and at each
    heartbeat): a feed is written at the start, again only after a new match; a feed
    it cannot write warns once per new match, not at every heartbeat."""
    import logging

    from crawler.db.watchlists import WatchlistSpec, add_watchlist
    from crawler.ops.feeds import FeedRefresher

    with store.engine.begin() as conn:
        add_watchlist(conn, WatchlistSpec("gaza", "gaza"), NOW)
    feed = tmp_path / "gaza.xml"
    refresher = FeedRefresher(store.engine, {"gaza": str(feed),
                                             "nosuch": str(tmp_path / "nosuch.xml")})
    with caplog.at_level(logging.INFO, logger="newsmon.feeds"):
        assert refresher.refresh() == 1  # gaza, empty; nosuch warned
        assert ET.parse(feed).getroot().findall(f"{ATOM}entry") == []
        assert refresher.refresh() == 0 and refresher.refresh() == 0  # nothing new
        populate(store, NOW)  # two articles and a breaking item about Gaza
        assert refresher.refresh() == 1
        assert len(ET.parse(feed).getroot().findall(f"{ATOM}entry")) == 3
        assert refresher.refresh() == 0
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == ["feeds: no watchlist named 'nosuch' ([alerts] feeds)"] * 2
    assert not (tmp_path / "nosuch.xml").exists()


@pytest.mark.e2e
def test_a_crawl_delivers_its_own_alerts_before_it_exits(tmp_path: Path):
    db = f"sqlite:///{tmp_path / 'newsmon.sqlite3'}"
    with WebhookServer() as hook, ReplicaServer() as replica:
        # The replica's articles are from 2025: history, not news. One published now:
        fresh = replica.add_article(new_article("gaza-fresh", "Gaza aid convoy reaches the north"))
        fresh_url = f"{replica.base_url}{fresh['path']}"
        env = clean_env()
        added = newsmon("watch", "add", "gaza", "gaza", "--notify", hook.url(), "--db", db,
                        env=env)
        # No database yet: said as for every command that does not create one (exit 3).
        assert added.returncode == 3 and "no database at" in added.stderr
        assert newsmon("db", "upgrade", "--db", db, env=env).returncode == 0
        assert newsmon("watch", "add", "gaza", "gaza", "--notify", hook.url(), "--db", db,
                       env=env).returncode == 0
        crawl = newsmon("crawl", "--base-url", replica.base_url, "--db", db, *FAST,
                        env=env, timeout=240)
        assert crawl.returncode == 0, crawl.stderr[-2000:]
        assert "newsmon: alerts of this run delivered" in crawl.stderr
    engine = make_engine(db)
    alerts = outbox.list_alerts(engine, limit=None)
    found = {r["url"] for r in search(engine, "gaza", since=datetime.now(UTC) - timedelta(days=7),
                                      limit=100)}
    engine.dispose()
    article_alerts = {a["url"] for a in alerts if a["kind"] == "new"}
    assert article_alerts == found == {fresh_url}
    assert any(r["published_at"] < datetime.now(UTC) - timedelta(days=30)
               for r in search(engine, "gaza", limit=5))  # older matches: no alert
    assert {a["status"] for a in alerts} == {"delivered"}
    assert sorted(hook.received.keys()) == sorted(a["key"] for a in alerts)
