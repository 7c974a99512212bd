"""`newsmon monitor` end to end: the real command in a subprocess against the live
replica (crawler.replica.live) on 127.0.0.1, running 30 times faster than real time;
each test stops the monitor with SIGTERM after a fixed time and reads the database.

Learned rates and the budget's arithmetic are tested as pure code in test_polling.py.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from sqlalchemy.engine import make_url

from crawler.replica.content import ENDLESS_INDEX, SECTION_INDEXES
from crawler.replica.live import LiveReplica
from tests._reliability import FAST, article_count, newsmon, rows, start, wait_until
from tests._tcp_proxy import TcpProxy
from tests.conftest import _postgres_database

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

SPEED = 30.0  # replica seconds per real second


def monitor_args(site: LiveReplica, db_url: str, *extra: str) -> list[str]:
    return ["monitor", "--base-url", site.base_url, "--db", db_url, *FAST,
            "--set", f"NEWSMON_MONITOR_SPEEDUP={site.speed:g}", "--set", "NEWSMON_JAVASCRIPT=False",
            *extra]


def run_monitor(site: LiveReplica, db_url: str, seconds: float, *extra: str,
                sig: int = signal.SIGTERM) -> tuple[int, str, str, float]:
    """Run the monitor for ``seconds`` from its first request (a loaded machine may take
    seconds to start Python), stop it; (exit code, stdout, stderr, stop time)."""
    already = len(site.request_log)
    process = start(*monitor_args(site, db_url, *extra))
    assert wait_until(lambda: len(site.request_log) > already, timeout=60)
    time.sleep(seconds)
    stopped = time.time()
    process.send_signal(sig)
    out, err = process.communicate(timeout=90)
    return process.returncode, out, err, stopped


def stored_urls(db_url: str) -> set[str]:
    return {r["url"] for r in rows(db_url, "SELECT url FROM articles")}


def breaking_first_seen(db_url: str) -> dict[str, float]:
    return {r["text"]: _epoch(r["first_seen_at"])
            for r in rows(db_url, "SELECT text, first_seen_at FROM breaking_news")}


def pages(db_url: str) -> dict[str, dict]:
    return {urlsplit(r["url"]).path: r for r in rows(
        db_url, "SELECT url, page_kind, polls, changes, interval_seconds, last_polled_at "
                "FROM monitor_pages")}


def _epoch(value) -> float:
    from datetime import datetime

    return (datetime.fromisoformat(value) if isinstance(value, str) else value).timestamp()


def index_requests(site: LiveReplica, since: float = 0.0) -> list[str]:
    return [r.path for r in site.request_log if r.time >= since
            and (r.path == "/" or r.path.split("?")[0].count("/") <= 2
                 and not r.path.startswith("/robots"))]


def early_paths(requests: list, seconds: float) -> list[str]:
    """Index pages requested in the first ``seconds`` after the first request."""
    if not requests:
        return []
    start_at = requests[0].time
    return [r.path for r in requests if r.time <= start_at + seconds
            and (r.path == "/" or r.path.split("?")[0].count("/") <= 2)
            and not r.path.startswith("/robots")]


def test_monitor_stores_what_the_site_publishes_and_ends_on_sigterm(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'monitor.sqlite3'}"
    # Without sitemaps: what the index pages alone teach it (with them: below).
    with LiveReplica(seed=13, hours=1, speed=SPEED, sitemaps=False) as site:  # an edit at 387 s
        code, out, err, stopped = run_monitor(
            site, db_url, 50, "--budget", "900",
            "--set", "NEWSMON_MONITOR_MAX_INTERVAL=5m",
            "--set", "NEWSMON_MONITOR_RUN_EVERY=10m")  # 20 s here
        truth = site.truth()
        requests = len(site.request_log)
    assert code == 0, err[-3000:]
    runs = rows(db_url, "SELECT id, status, pages_fetched, articles_new FROM crawl_runs "
                        "ORDER BY id")
    # One run row per 10 replica minutes (not one per poll), the last ended by SIGTERM.
    assert [r["status"] for r in runs] == ["ok"] * len(runs) and 2 <= len(runs) <= 3
    assert f"run {runs[-1]['id']}: ok" in out
    assert sum(r["pages_fetched"] for r in runs) == pytest.approx(requests, abs=3)
    stored = stored_urls(db_url)
    # Every page is looked at every 5 replica minutes (10 s here) at the latest.
    due = [a for a in truth["articles"] if a["real"] < stopped - 15]
    assert len(due) >= 4
    assert [a["url"] for a in due if a["url"] not in stored] == []
    assert sum(r["articles_new"] for r in runs) >= len(due)
    # An edited title, shown on the cards, makes the article fetched again: a revision.
    edits = [e for e in truth["edits"] if e["real"] < stopped - 15]
    assert edits
    revisions = {(r["url"], r["title"]) for r in rows(
        db_url, "SELECT a.url, r.title FROM article_revisions r JOIN articles a "
                "ON a.id = r.article_id")}
    assert [e for e in edits if (e["url"], e["title"]) not in revisions] == []
    # The ticker: items on air 2 replica minutes or more after the first sweep.
    warm = site.started_real + 20
    seen = breaking_first_seen(db_url)
    aired = [b for b in truth["breaking"] if b["on_real"] > warm and b["on_real"] < stopped - 5
             and ((b["off_real"] or stopped) - b["on_real"]) * SPEED >= 120]
    assert aired, truth["breaking"]
    assert [b["text"] for b in aired if b["text"] not in seen] == []
    late = [(b["text"], (seen[b["text"]] - b["on_real"]) * SPEED) for b in aired
            if (seen[b["text"]] - b["on_real"]) * SPEED > 60]
    assert late == []
    # What it learned: Politics (the busiest section) given a shorter interval than
    # the typical section, and kept in the database.
    learned = pages(db_url)
    sections = sorted(p["interval_seconds"] for p in learned.values()
                      if p["page_kind"] == "section")
    assert learned["/news/politics"]["interval_seconds"] < sections[len(sections) // 2]
    assert learned["/news/politics"]["changes"] >= 1


def test_the_budget_is_respected_and_busy_pages_get_it(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'monitor.sqlite3'}"
    budget = 150.0  # requests per replica hour: 2.5 per real second at 60x
    with LiveReplica(seed=12, hours=2, speed=60, sitemaps=False) as site:
        code, _out, err, stopped = run_monitor(site, db_url, 60, "--budget", str(budget))
        warm = site.started_real + 25  # the first sweep (every page, ~100 articles) is over
        spent = [r for r in site.request_log if warm <= r.time <= stopped]
        polls = index_requests(site, since=warm)
        truth = site.truth()
    assert code == 0, err[-3000:]
    allowed = budget * (stopped - warm) * site.speed / 3600
    assert len(spent) <= allowed * 1.15 + 3, (len(spent), allowed)
    assert len(spent) >= allowed * 0.5, (len(spent), allowed)  # ... and used
    politics = sum(p.split("?")[0] == "/news/politics" for p in polls)
    # Sections that published nothing in the run (Technology: the endless index).
    busy = {(a["category"], a["section"]) for a in truth["articles"]}
    quiet = {path: sum(p.split("?")[0] == path for p in polls)
             for path, section in SECTION_INDEXES.items()
             if section not in busy and path != ENDLESS_INDEX}
    assert len(quiet) >= 5
    assert politics >= 2 and politics > 2 * max(quiet.values()), (politics, quiet)


def test_pages_seen_first_start_from_their_cards_dates(tmp_path):
    # Three hours published before the clock: Politics' first page shows an hour of
    # news, the quiet sections' show days. Minutes after starting, before any page
    # could have shown it much that is new, the monitor already polls them apart.
    db_url = f"sqlite:///{tmp_path / 'monitor.sqlite3'}"
    with LiveReplica(seed=12, hours=1, speed=SPEED, sitemaps=False, history_hours=3) as site:
        code, _out, err, _stopped = run_monitor(site, db_url, 12, "--budget", "150")
    assert code == 0, err[-3000:]
    learned = {urlsplit(r["url"]).path: r for r in rows(
        db_url, "SELECT url, page_kind, long_count, long_exposure, interval_seconds "
                "FROM monitor_pages")}
    politics = learned["/news/politics"]
    assert politics["long_count"] >= 5 and politics["long_exposure"] < 3 * 3600
    quiet = [learned[path] for path, (_category, section) in SECTION_INDEXES.items()
             if section in ("Blog", "Digital Series", "Explainers") and path in learned]
    assert len(quiet) == 3
    assert all(politics["interval_seconds"] * 3 < q["interval_seconds"] for q in quiet), \
        (politics, quiet)


def test_pages_are_not_seeded_with_what_a_sitemap_lists(tmp_path):
    # The same history, with the sitemaps that list it: the index pages' cards are
    # the sitemaps' news too, so the pages start with none of it (as a poll is not
    # credited with what a sitemap showed first) and the sitemaps take the polls.
    db_url = f"sqlite:///{tmp_path / 'monitor.sqlite3'}"
    with LiveReplica(seed=12, hours=1, speed=SPEED, history_hours=3) as site:
        code, _out, err, _stopped = run_monitor(site, db_url, 12, "--budget", "150")
    assert code == 0, err[-3000:]
    learned = {urlsplit(r["url"]).path: r for r in rows(
        db_url, "SELECT url, page_kind, long_count, interval_seconds FROM monitor_pages")}
    politics, news = learned["/news/politics"], learned["/sitemaps/news.xml"]
    assert politics["long_count"] < 2 and news["long_count"] >= 20, (politics, news)
    assert news["interval_seconds"] * 5 < politics["interval_seconds"], (politics, news)


def test_a_restarted_monitor_keeps_its_learned_rates(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'monitor.sqlite3'}"
    extra = ("--budget", "150",)  # intervals of several minutes
    with LiveReplica(seed=13, hours=1, speed=10) as site:  # slower: the restart takes seconds
        code, _out, err, _stopped = run_monitor(site, db_url, 35, *extra)
        assert code == 0, err[-3000:]
        first = pages(db_url)
        restarted = time.time()
        code, out, err, _stopped = run_monitor(site, db_url, 12, *extra)
        early = [r for r in site.request_log if r.time >= restarted]
    assert code == 0, err[-3000:]
    assert "run 2: ok" in out
    assert [r["status"] for r in rows(db_url, "SELECT status FROM crawl_runs ORDER BY id")] \
        == ["ok", "ok"]
    second = pages(db_url)
    assert second.keys() == first.keys() and len(first) >= 20
    for path, page in first.items():  # counts go on from where they were
        assert second[path]["polls"] >= page["polls"]
        assert second[path]["changes"] >= page["changes"]
    assert second["/"]["polls"] > first["/"]["polls"]
    # A monitor that had forgotten would look at every page at once on starting (after
    # the home page); this one looks only at those due, not at the pages it has just
    # polled: in its first replica minute, not half of them.
    # Which pages the saved state says are due within that minute (with a margin):
    start_at = early[0].time
    due = {path for path, page in first.items()
           if _epoch(page["last_polled_at"]) + page["interval_seconds"] / site.speed
           <= start_at + 2 * 60 / site.speed}
    first_minute = {p.split("?")[0] for p in early_paths(early, 60 / site.speed)}
    assert len(due) < len(first) - 3, due   # else the test proves nothing
    # Home: read on starting; and the ticker, read every 45 s, may take one page early.
    assert len(first_minute - due - {"/"}) <= 1, (first_minute, due)
    # `newsmon status` says how fresh each kind of page is.
    status = newsmon("status", "--db", db_url)
    assert status.returncode == 0, status.stdout + status.stderr
    kinds = {line.split()[2] for line in status.stdout.splitlines()
             if line.startswith("monitor ")}
    assert kinds == {"home", "section", "region", "sitemap"}, status.stdout
    assert "looked at longest ago" in status.stdout and "target" in status.stdout


def sitemap_requests(site: LiveReplica, since: float = 0.0) -> list:
    return [r for r in site.request_log if r.time >= since and r.path.startswith("/sitemaps/")]


def test_sitemaps_are_polled_conditionally_and_earn_the_polls(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'monitor.sqlite3'}"
    with LiveReplica(seed=13, hours=1, speed=SPEED) as site:
        code, _out, err, stopped = run_monitor(site, db_url, 45, "--budget", "287")
        truth = site.truth()
        warm = site.started_real + 20
        polls = index_requests(site, since=warm)
        looked = sitemap_requests(site, since=warm)
    assert code == 0, err[-3000:]
    learned = pages(db_url)
    watched = {path for path, p in learned.items() if p["page_kind"] == "sitemap"}
    # Named by robots.txt: the monthly index, this month's sitemap, the news sitemap.
    assert {"/sitemaps/all.xml", "/sitemaps/news.xml"} <= watched
    assert any(p.startswith("/sitemaps/all/sitemap-") for p in watched), watched
    # Conditional: an unchanged sitemap answers 304 (the ticker is on no sitemap).
    assert sum(r.status == 304 for r in looked) >= 1, [(r.path, r.status) for r in looked]
    assert all(r.headers.get("If-None-Match") for r in looked if r.status == 304)
    # It paid (every article appears there first or as soon as anywhere): the news
    # sitemap and this month's list the same articles, each credited with those it
    # showed first, so together they learned a rate, and the one that paid most is
    # polled more often than the typical section.
    listing = [path for path in watched if path != "/sitemaps/all.xml"]
    assert sum(learned[path]["changes"] for path in listing) >= 1
    per_section = sorted(sum(p.split("?")[0] == path for p in polls)
                         for path in SECTION_INDEXES if path != ENDLESS_INDEX)
    sitemap_polls = max(sum(r.path == path for r in looked) for path in listing)
    assert sitemap_polls > per_section[len(per_section) // 2], (sitemap_polls, per_section)
    due = [a for a in truth["articles"] if a["real"] < stopped - 15]
    assert due and [a["url"] for a in due if a["url"] not in stored_urls(db_url)] == []


def test_a_site_without_sitemaps_costs_one_probe(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'monitor.sqlite3'}"
    with LiveReplica(seed=13, hours=1, speed=SPEED, sitemaps=False) as site:
        code, _out, err, _stopped = run_monitor(site, db_url, 30, "--budget", "287")
        truth = site.truth()
        looked = [(r.path, r.status) for r in sitemap_requests(site)]
    assert code == 0, err[-3000:]
    # robots.txt names none: the place the site is known to use is tried once, 404.
    assert looked == [("/sitemaps/all.xml", 404)]
    assert not [p for p, row in pages(db_url).items() if row["page_kind"] == "sitemap"]
    assert {a["url"] for a in truth["articles"]} & stored_urls(db_url)  # found on pages


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database (direct URL), dropped afterwards."""
    yield from _postgres_database()


@pytest.mark.postgres
def test_the_database_lost_while_monitoring_loses_nothing(pg_url, tmp_path):
    with TcpProxy(("127.0.0.1", 5432)) as proxy:
        db_url = make_url(pg_url).set(host=proxy.host, port=proxy.port) \
            .render_as_string(hide_password=False)
        with LiveReplica(seed=14, hours=1, speed=SPEED) as site:
            process = start(*monitor_args(
                site, db_url, "--budget", "900",
                "--set", "NEWSMON_MONITOR_MAX_INTERVAL=5m",
                "--set", f"NEWSMON_SPOOL_DIR={tmp_path / 'spool'}",
                "--set", "NEWSMON_SPOOL_RETRY_INTERVAL=0.5"))
            assert wait_until(lambda: article_count(pg_url) >= 20, timeout=60)
            time.sleep(5)
            cut_at = time.time()
            proxy.cut()
            time.sleep(10)                  # five replica minutes without a database
            # ... and longer if the random schedule has published nothing yet: the
            # test is about what is published while the database is away.
            assert wait_until(lambda: any(a["real"] >= cut_at
                                          for a in site.truth()["articles"]), timeout=60)
            time.sleep(2)
            during = article_count(pg_url)
            restored_at = time.time()
            proxy.restore()
            time.sleep(20)
            stopped = time.time()
            process.send_signal(signal.SIGTERM)
            out, err = process.communicate(timeout=90)
            truth = site.truth()
            requested = {site.base_url + r.path: round(r.time - cut_at, 1)
                         for r in site.request_log}
        assert process.returncode == 0, err[-3000:]
        assert proxy.refused > 0
        assert "spooled" in err
        stored = stored_urls(pg_url)
        published_in_cut = [a["url"] for a in truth["articles"]
                            if cut_at <= a["real"] <= restored_at - 1]
        assert published_in_cut, "the schedule published nothing during the cut"
        assert during <= article_count(pg_url) - len(published_in_cut)
        # (a wider margin than without a cut: the spool is written back first)
        due = [a for a in truth["articles"] if a["real"] < stopped - 20]
        assert [(a["url"], round(a["real"] - cut_at, 1), requested.get(a["url"]))
                for a in due if a["url"] not in stored] == []
        assert [r["status"] for r in rows(pg_url, "SELECT status FROM crawl_runs")] == ["ok"]
        assert "run 1: ok" in out
