"""The scheduler running the monitor instead of fixed crawls (`[schedule] monitor =
true`): one long-running `newsmon monitor` child, stopped cleanly with the scheduler."""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.db.session import sqlite_url
from crawler.replica.live import LiveReplica
from tests._ops_helpers import Processes, runs
from tests._reliability import FAST
from tests.test_scheduler import write_config

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]


@pytest.fixture
def procs(tmp_path: Path) -> Iterator[Processes]:
    processes = Processes(tmp_path)
    yield processes
    processes.close()


def test_the_scheduler_runs_the_monitor_instead_of_crawls(tmp_path: Path, procs: Processes):
    db_url = sqlite_url(tmp_path / "newsmon.sqlite3")
    with LiveReplica(seed=21, hours=1, speed=30) as site:
        args = [*FAST, "--set", "NEWSMON_MONITOR_SPEEDUP=30", "--set", "NEWSMON_JAVASCRIPT=False"]
        config = write_config(tmp_path / "newsmon.toml", db_url, site.base_url,
                              monitor="true", monitor_args=json.dumps(args))
        scheduler = procs.newsmon("--log-format", "json", "schedule", "--config", str(config),
                                  name="schedule")
        time.sleep(25)  # crawl_every is 2 s in this config: no crawl may start
        assert scheduler.poll() is None, procs.stderr(scheduler)[-3000:]
        scheduler.send_signal(signal.SIGTERM)
        assert scheduler.wait(timeout=60) == 0
        requests = [r.path for r in site.request_log]
    log = procs.stderr(scheduler)
    assert "job monitor" in log and "job crawl" not in log.replace("job crawl: off", "")
    # The scheduler delivers alerts and serves /metrics itself: its child does not.
    assert "--from-scheduler" in log
    recorded = runs(db_url)
    assert len(recorded) == 1, recorded             # one monitor, not a crawl every 2 s
    assert recorded[0]["status"] == "ok"            # ended by the scheduler's SIGTERM
    assert recorded[0]["articles_new"] > 0
    assert requests.count("/") >= 2                 # it polled the home page again
