"""`newsmon monitor` as its own operations: watchlist alerts delivered while it runs
(a real webhook on 127.0.0.1, refusing its first deliveries), /metrics served when
configured (scraped and read with prometheus_client's parser), and neither when the
scheduler runs it (`--from-scheduler`)."""

from __future__ import annotations

import signal
import socket
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.db import outbox
from crawler.db.migrate import upgrade
from crawler.db.session import make_engine, sqlite_url
from crawler.db.watchlists import WatchlistSpec, add_watchlist
from crawler.replica.live import LiveReplica
from tests._notifiers import WebhookServer
from tests._operate_data import parse_metrics, value
from tests._reliability import FAST, start, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

SPEED = 30.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _config(tmp_path: Path, db_url: str, base_url: str, extra: str = "") -> Path:
    path = tmp_path / "newsmon.toml"
    path.write_text(f'database_url = "{db_url}"\nbase_url = "{base_url}"\n{extra}\n'
                    '[alerts]\npoll = "0.5s"\nbackoff = "0.5s"\ncrawl_wait = "5s"\n')
    return path


def _monitor(config: Path, site: LiveReplica, *extra: str):
    return start("monitor", "--config", str(config), *FAST, "--budget", "900",
                 "--set", f"NEWSMON_MONITOR_SPEEDUP={site.speed:g}",
                 "--set", "NEWSMON_JAVASCRIPT=False", *extra)


def test_the_monitor_delivers_alerts_as_matches_arrive_and_retries(tmp_path: Path):
    db_url = sqlite_url(tmp_path / "newsmon.sqlite3")
    upgrade(db_url)
    engine = make_engine(db_url)
    with WebhookServer() as hook, LiveReplica(seed=13, hours=1, speed=SPEED) as site:
        with engine.begin() as conn:  # every live article is a "Dispatch N: ..."
            add_watchlist(conn, WatchlistSpec("dispatches", "dispatch", notify=[hook.url()]),
                          datetime.now(UTC))
        hook.received.refuse_first = 2  # the notifier fails at first: retried
        process = _monitor(_config(tmp_path, db_url, site.base_url), site)
        try:
            # Delivered while the monitor runs, not only when it ends.
            assert wait_until(lambda: len(hook.received.keys()) >= 2, timeout=120), \
                outbox.list_alerts(engine, limit=None)
            assert process.returncode is None and process.proc.poll() is None
        finally:
            process.send_signal(signal.SIGTERM)
            out, err = process.communicate(timeout=90)
    assert process.returncode == 0, err[-3000:]
    assert hook.received.refused == 2
    alerts = outbox.list_alerts(engine, limit=None)
    assert alerts and {a["status"] for a in alerts} == {"delivered"}, alerts
    assert sorted(set(hook.received.keys())) == sorted(a["key"] for a in alerts)
    engine.dispose()


def test_the_monitor_serves_metrics_when_configured(tmp_path: Path):
    db_url = sqlite_url(tmp_path / "newsmon.sqlite3")
    port = _free_port()
    with LiveReplica(seed=13, hours=1, speed=SPEED) as site:
        config = _config(tmp_path, db_url, site.base_url, f'metrics_address = "{port}"')
        process = _monitor(config, site)
        endpoint = f"http://127.0.0.1:{port}/metrics"

        def scrape() -> dict:
            try:
                with urllib.request.urlopen(endpoint, timeout=10) as reply:
                    return parse_metrics(reply.read().decode())
            except OSError:
                return {}

        try:
            # Up while the monitor runs: its run is running, breaking items stored.
            assert wait_until(lambda: (value(scrape(), "newsmon_breaking_items_total")
                                       or 0) > 0, timeout=120, step=0.5)
            samples = scrape()
            assert value(samples, "newsmon_runs_running") == 1
            assert value(samples, "newsmon_database_up") == 1
        finally:
            process.send_signal(signal.SIGTERM)
            out, err = process.communicate(timeout=90)
    assert process.returncode == 0, err[-3000:]
    assert "Prometheus metrics on" in err
    with pytest.raises(OSError):  # gone with the monitor
        urllib.request.urlopen(endpoint, timeout=2)


def test_run_by_the_scheduler_the_monitor_leaves_metrics_to_it(tmp_path: Path):
    db_url = sqlite_url(tmp_path / "newsmon.sqlite3")
    port = _free_port()
    with LiveReplica(seed=13, hours=1, speed=SPEED) as site:
        config = _config(tmp_path, db_url, site.base_url, f'metrics_address = "{port}"')
        process = _monitor(config, site, "--from-scheduler")
        try:
            assert wait_until(lambda: len(site.request_log) > 20, timeout=60)
            with pytest.raises(OSError):  # the scheduler's port, not the child's
                urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2)
        finally:
            process.send_signal(signal.SIGTERM)
            out, err = process.communicate(timeout=90)
    assert process.returncode == 0, err[-3000:]
    assert "Prometheus metrics on" not in err


def test_a_metrics_address_in_use_is_one_line(tmp_path: Path):
    db_url = sqlite_url(tmp_path / "newsmon.sqlite3")
    with socket.socket() as busy, LiveReplica(seed=13, hours=1, speed=SPEED) as site:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        config = _config(tmp_path, db_url, site.base_url,
                         f'metrics_address = "{busy.getsockname()[1]}"')
        process = _monitor(config, site)
        out, err = process.communicate(timeout=90)
    assert process.returncode == 2
    assert err.strip().splitlines()[-1].startswith("newsmon: error: metrics_address")
    assert "Traceback" not in err
