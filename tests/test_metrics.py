"""Prometheus metrics (crawler/ops/metrics.py): the collector over the database on
both backends, the textfile `newsmon crawl` writes, and `/metrics` served by
`newsmon schedule`, each read back with prometheus_client's own parser."""

from __future__ import annotations

import os
import signal
import socket
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from prometheus_client import generate_latest

from crawler.db.session import make_engine, sqlite_url
from crawler.db.store import Store
from crawler.ops.metrics import registry_for
from crawler.replica.server import ReplicaServer
from tests._operate_data import (NOW, add_article, add_breaking, add_counters, add_error,
                                 add_field_stats, add_run, parse_metrics, value)
from tests._ops_helpers import FAST, Processes, clean_env, newsmon, query, runs, wait_for


def scrape(store: Store) -> dict:
    return parse_metrics(generate_latest(registry_for(store.engine)).decode())


def test_collector_reports_what_the_tables_hold(store: Store) -> None:
    engine = store.engine
    hour = timedelta(hours=1)
    ok1 = add_run(engine, "ok", NOW - 5 * hour, seconds=100, new=3, updated=1, unchanged=7)
    ok2 = add_run(engine, "ok", NOW - 4 * hour, seconds=50, new=2, unchanged=9)
    add_run(engine, "failed", NOW - 3 * hour, seconds=10)
    degraded = add_run(engine, "degraded", NOW - 2 * hour, seconds=40, new=1)
    add_run(engine, "running", NOW - hour, seconds=None)
    add_counters(engine, ok1, responses_2xx=30, responses_4xx=2, rendered_pages=4)
    add_counters(engine, ok2, responses_2xx=20, responses_3xx=1, rendered_pages=1)
    for status, error in [(404, "HTTP 404"), (410, "HTTP 410"), (503, "HTTP 503"),
                          (None, "timeout"), (None, "DNS lookup failed"),
                          (None, "skipped: JavaScript rendering unavailable (not read)"),
                          (None, "Connection refused")]:
        add_error(engine, ok1, NOW - 5 * hour, status, error)
    add_article(engine, "one", NOW, revisions=3)
    add_article(engine, "two", NOW, revisions=1)
    add_breaking(engine, ["a", "b", "c"], NOW)
    add_field_stats(engine, ok2, {"body": (10, 10, 0, None)})
    add_field_stats(engine, degraded, {"body": (8, 2, 0, "fill rate fell"),
                                       "title": (8, 8, 4, None)})

    samples = scrape(store)
    assert value(samples, "newsmon_database_up") == 1
    assert value(samples, "newsmon_runs_total", status="ok") == 2
    assert value(samples, "newsmon_runs_total", status="failed") == 1
    assert value(samples, "newsmon_runs_total", status="degraded") == 1
    assert value(samples, "newsmon_runs_total", status="running") is None  # not a counter
    assert value(samples, "newsmon_runs_total", status="interrupted") == 0  # exported at 0
    assert value(samples, "newsmon_runs_running") == 1
    assert value(samples, "newsmon_articles_total", outcome="new") == 6
    assert value(samples, "newsmon_articles_total", outcome="updated") == 1
    assert value(samples, "newsmon_articles_total", outcome="unchanged") == 16
    assert value(samples, "newsmon_run_duration_seconds_count") == 4
    assert value(samples, "newsmon_run_duration_seconds_sum") == pytest.approx(200, abs=0.01)
    assert value(samples, "newsmon_pages_fetched_total", status_class="2xx") == 50
    assert value(samples, "newsmon_pages_fetched_total", status_class="3xx") == 1
    assert value(samples, "newsmon_pages_fetched_total", status_class="4xx") == 2
    assert value(samples, "newsmon_rendered_pages_total") == 5
    assert value(samples, "newsmon_fetch_errors_total", kind="http_4xx") == 2
    assert value(samples, "newsmon_fetch_errors_total", kind="http_5xx") == 1
    assert value(samples, "newsmon_fetch_errors_total", kind="timeout") == 1
    assert value(samples, "newsmon_fetch_errors_total", kind="dns") == 1
    assert value(samples, "newsmon_fetch_errors_total", kind="skipped") == 1
    assert value(samples, "newsmon_fetch_errors_total", kind="other") == 1
    assert value(samples, "newsmon_revisions_total") == 2  # revisions 2 and 3 of "one"
    assert value(samples, "newsmon_breaking_items_total") == 3
    last_success = NOW - 2 * hour + timedelta(seconds=40)  # the degraded run
    assert value(samples, "newsmon_last_success_timestamp_seconds") == pytest.approx(
        last_success.timestamp())
    assert value(samples, "newsmon_edition_last_success_timestamp_seconds",
                 edition="en") == pytest.approx(last_success.timestamp())
    assert value(samples, "newsmon_edition_last_success_timestamp_seconds", edition="ar") is None
    assert value(samples, "newsmon_last_run_duration_seconds") == pytest.approx(40)
    assert value(samples, "newsmon_last_run_status", status="degraded") == 1
    assert value(samples, "newsmon_last_run_status", status="ok") == 0
    # The last judged run is the degraded one: its rates and its alarm.
    assert value(samples, "newsmon_field_fill_ratio", field="body") == 0.25
    assert value(samples, "newsmon_field_generic_ratio", field="title") == 0.5
    assert value(samples, "newsmon_layout_alarm", field="body") == 1
    assert value(samples, "newsmon_layout_alarm", field="title") == 0
    assert value(samples, "newsmon_layout_degraded") == 1
    assert value(samples, "newsmon_database_size_bytes") > 0
    assert value(samples, "newsmon_spool_items") == 0
    assert not any("url" in dict(labels) for _name, labels in samples)



def test_each_edition_has_its_last_success(store: Store) -> None:
    engine = store.engine
    hour = timedelta(hours=1)
    add_run(engine, "ok", NOW - 5 * hour, seconds=10, edition="ar")
    add_run(engine, "failed", NOW - 2 * hour, seconds=10, edition="ar")
    add_run(engine, "degraded", NOW - 3 * hour, seconds=20, edition="es")
    add_run(engine, "ok", NOW - hour, seconds=30)
    samples = scrape(store)
    expected = {"ar": NOW - 5 * hour + timedelta(seconds=10),
                "es": NOW - 3 * hour + timedelta(seconds=20),
                "en": NOW - hour + timedelta(seconds=30)}
    for edition, finished in expected.items():
        assert value(samples, "newsmon_edition_last_success_timestamp_seconds",
                     edition=edition) == pytest.approx(finished.timestamp())
    assert value(samples, "newsmon_last_success_timestamp_seconds") == pytest.approx(
        expected["en"].timestamp())


def test_a_run_finished_twice_counts_once_as_it_ended_last(store: Store) -> None:
    """A crawl's spool replayed after `newsmon db mark-interrupted` marked its run: the
    run's first end is taken out of the running totals, its last one counted."""
    engine = store.engine
    run_id = add_run(engine, "interrupted", NOW, seconds=10, new=1, unchanged=2)
    assert value(scrape(store), "newsmon_runs_total", status="interrupted") == 1
    store.finish_run(run_id, "ok", pages_fetched=9, articles_new=3, articles_updated=1,
                     articles_unchanged=2, errors=0, finished_at=NOW + timedelta(seconds=30))
    add_counters(engine, run_id, responses_2xx=5, rendered_pages=1)
    add_counters(engine, run_id, responses_2xx=7, rendered_pages=1)  # written again
    samples = scrape(store)
    assert value(samples, "newsmon_runs_total", status="interrupted") == 0
    assert value(samples, "newsmon_runs_total", status="ok") == 1
    assert value(samples, "newsmon_articles_total", outcome="new") == 3
    assert value(samples, "newsmon_articles_total", outcome="updated") == 1
    assert value(samples, "newsmon_run_duration_seconds_count") == 1
    assert value(samples, "newsmon_run_duration_seconds_sum") == pytest.approx(30)
    assert value(samples, "newsmon_pages_fetched_total", status_class="2xx") == 7
    assert value(samples, "newsmon_rendered_pages_total") == 1


def test_collector_without_a_database_says_so(tmp_path: Path) -> None:
    engine = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    samples = parse_metrics(generate_latest(registry_for(engine)).decode())
    assert value(samples, "newsmon_database_up") == 0
    assert value(samples, "newsmon_runs_running") is None


@pytest.mark.e2e
def test_crawl_writes_the_textfile_atomically(tmp_path: Path) -> None:
    db_url = sqlite_url(tmp_path / "n.sqlite3")
    textfile = tmp_path / "textfile" / "newsmon.prom"
    env = clean_env(NEWSMON_METRICS_TEXTFILE=str(textfile))
    with ReplicaServer() as replica:
        for number in (1, 2):
            done = newsmon("crawl", "--db", db_url, "--base-url", replica.base_url, *FAST,
                           env=env, timeout=120)
            assert done.returncode == 0, done.stderr[-2000:]
            samples = parse_metrics(textfile.read_text())
            assert value(samples, "newsmon_runs_total", status="ok") == number
    recorded = runs(db_url)
    assert value(samples, "newsmon_articles_total", outcome="new") == sum(
        r["articles_new"] for r in recorded) > 0
    assert value(samples, "newsmon_articles_total", outcome="unchanged") == sum(
        r["articles_unchanged"] for r in recorded)
    errors = query(db_url, "SELECT count(*) AS n FROM fetch_errors WHERE status = 404")
    assert value(samples, "newsmon_fetch_errors_total", kind="http_4xx") == errors[0]["n"] > 0
    assert value(samples, "newsmon_pages_fetched_total", status_class="2xx") > 0
    assert value(samples, "newsmon_pages_fetched_total", status_class="4xx") >= errors[0]["n"]
    assert value(samples, "newsmon_field_fill_ratio", field="title") == 1.0
    assert value(samples, "newsmon_textfile_run_database_lost") == 0
    assert abs(value(samples, "newsmon_textfile_run_end_timestamp_seconds") - time.time()) < 120
    assert os.listdir(textfile.parent) == ["newsmon.prom"]  # no temporary file left


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def procs(tmp_path: Path):
    processes = Processes(tmp_path)
    yield processes
    processes.close()


@pytest.mark.e2e
def test_schedule_serves_metrics_and_beats(tmp_path: Path, procs: Processes) -> None:
    db_url = sqlite_url(tmp_path / "n.sqlite3")
    port = _free_port()
    with ReplicaServer() as replica:
        config = tmp_path / "n.toml"
        config.write_text(
            f'database_url = "{db_url}"\nbase_url = "{replica.base_url}"\n'
            f'metrics_address = "{port}"\n\n[schedule]\ncrawl_every = "1h"\n'
            f'revisit_every = "off"\nbackfill_cron = "off"\n'
            f'crawl_args = ["--set", "DOWNLOAD_DELAY=0", "--set", "AUTOTHROTTLE_ENABLED=False"]\n')
        scheduler = procs.newsmon("schedule", "--config", str(config), name="schedule")
        wait_for(lambda: any(r["status"] == "ok" for r in runs(db_url)), 120,
                 what="the first scheduled crawl")
        started = time.perf_counter()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as reply:
            body = reply.read().decode()
        elapsed = time.perf_counter() - started
        samples = parse_metrics(body)
        assert value(samples, "newsmon_runs_total", status="ok") == 1
        assert value(samples, "newsmon_articles_total", outcome="new") == runs(db_url)[0][
            "articles_new"]
        assert elapsed < 5, elapsed  # the figure that matters is in docs/BENCHMARKS.md
        # The first beat came before the first crawl made the schema: it is retried soon.
        beat = wait_for(lambda: query(db_url, "SELECT * FROM heartbeats WHERE role = "
                                              "'scheduler'"), 20, what="a heartbeat")
        assert len(beat) == 1 and beat[0]["pid"] == scheduler.pid
        assert beat[0]["stopped_at"] is None
        scheduler.send_signal(signal.SIGTERM)
        assert scheduler.wait(timeout=60) == 0, procs.stderr(scheduler)[-2000:]
    beat = query(db_url, "SELECT * FROM heartbeats WHERE role = 'scheduler'")
    assert beat[0]["stopped_at"] is not None
    with pytest.raises(OSError):  # the endpoint is gone with the scheduler
        urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2)


def test_metrics_address_in_use_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = newsmon("schedule", "--db", sqlite_url(tmp_path / "n.sqlite3"),
                       env=clean_env(NEWSMON_METRICS_ADDRESS=f"127.0.0.1:{port}",
                                     NEWSMON_BASE_URL="http://127.0.0.1:9"))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].startswith("newsmon: error: metrics_address")
    assert "Traceback" not in done.stderr


def test_alert_rules_use_metrics_that_exist(store: Store) -> None:
    """deploy/prometheus/newsmon-alerts.yml parses and names only metrics newsmon has."""
    import re

    import yaml

    rules_file = Path(__file__).resolve().parent.parent / "deploy" / "prometheus" / \
        "newsmon-alerts.yml"
    rules = [r for g in yaml.safe_load(rules_file.read_text())["groups"] for r in g["rules"]]
    assert {"NewsmonNoSuccessfulRun", "NewsmonRunDegraded", "NewsmonFetchErrorRate"} <= {
        r["alert"] for r in rules}
    add_run(store.engine, "ok", NOW, seconds=10)
    exposed = {name for name, _labels in scrape(store)}
    families = {re.sub(r"_(sum|count)$", "", n) for n in exposed} | exposed
    for rule in rules:
        for name in re.findall(r"\bnewsmon_[a-z_]+", rule["expr"]):
            assert name in families, (rule["alert"], name)


def test_a_long_lived_collector_counts_like_a_fresh_one(store: Store) -> None:
    """The scheduler's collector, scraped again and again, reads what a fresh one reads
    from the running totals: runs that finish late, fetch errors written to them and
    pruning must all still be counted."""
    from crawler.ops.prune import Pruner, Retention

    engine, hour = store.engine, timedelta(hours=1)
    served = registry_for(engine)

    def check() -> dict:
        kept = parse_metrics(generate_latest(served).decode())
        fresh = scrape(store)
        assert kept == fresh
        return kept

    for n in range(3):
        add_error(engine, add_run(engine, "ok", NOW - (40 - n) * hour, new=1), NOW, 404, "x")
    check()
    late = store.start_run("https://english.almayadeen.net", started_at=NOW - 30 * hour)
    add_run(engine, "ok", NOW - 29 * hour, new=5)  # finished while `late` still runs
    assert value(check(), "newsmon_articles_total", outcome="new") == 8
    add_error(engine, late, NOW, 503, "HTTP 503")
    store.finish_run(late, "failed", pages_fetched=1, articles_new=2, articles_updated=0,
                     articles_unchanged=0, errors=1, finished_at=NOW - 29 * hour)
    samples = check()
    assert value(samples, "newsmon_articles_total", outcome="new") == 10
    assert value(samples, "newsmon_fetch_errors_total", kind="http_5xx") == 1
    Pruner(engine, Retention(runs=86400, fetch_errors=86400, keep_runs=1), now=NOW).run()
    samples = check()
    assert value(samples, "newsmon_articles_total", outcome="new") == 10
    assert value(samples, "newsmon_runs_total", status="ok") == 4
