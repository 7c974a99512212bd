"""Run records and `newsmon status` / `newsmon runs`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from crawler.db.store import Store
from crawler.ops.health import CRITICAL, OK, WARNING, Thresholds, evaluate
from tests._ops_helpers import clean_env, newsmon

NOW = datetime(2025, 9, 15, 12, 0, tzinfo=UTC)


def run(id: int, status: str, minutes_ago: float, *, pages: int = 50, errors: int = 0,
        duration: float = 2.0) -> dict:
    started = NOW - timedelta(minutes=minutes_ago)
    return {"id": id, "status": status, "started_at": started,
            "finished_at": None if status == "running" else started + timedelta(minutes=duration),
            "pages_fetched": pages, "errors": errors, "base_url": "http://a.example"}


def history(*statuses: str, every: float = 10, last_ago: float = 5) -> list[dict]:
    """Runs every `every` minutes, the last one `last_ago` minutes ago (oldest first)."""
    n = len(statuses)
    return [run(i + 1, s, last_ago + (n - 1 - i) * every) for i, s in enumerate(statuses)]


@pytest.mark.parametrize("runs, code, problem", [
    (history("ok", "ok", "ok"), OK, None),
    (history("ok", "failed", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok"), OK, None),
    (history("ok", "ok", last_ago=45), WARNING, "no successful run for 43m"),
    (history("ok", "ok", last_ago=200), CRITICAL, "no successful run for 3h18m"),
    (history("ok", "ok", "ok", "failed", "failed"), WARNING, "2 of the last 5 runs failed"),
    (history("ok", "failed", "failed", "failed", "failed"), CRITICAL,
     "no successful run for"),
    (history("ok", "failed", "ok", "failed", "ok", "failed"), CRITICAL, "3 of the last 6"),
    (history("failed", "failed"), CRITICAL, "no successful run recorded"),
    ([], CRITICAL, "no successful run recorded"),
    (history("ok", "ok", "degraded"), WARNING, "was degraded"),
    # a restart interrupts a run: not a failure
    (history("ok", "interrupted", "interrupted", "ok"), OK, None),
    (history("ok", "ok", "running"), OK, None),
])
def test_evaluate(runs: list[dict], code: int, problem: str | None) -> None:
    health = evaluate(runs, Thresholds(), now=NOW)
    assert health.code == code, health.summary()
    if problem:
        assert any(problem in p for p in health.problems), health.problems
    else:
        assert health.problems == []
    assert health.summary().startswith(f"NEWSMON {health.label} - ")


def test_fetch_error_rate() -> None:
    runs = [run(1, "ok", 5, pages=100, errors=15), run(2, "ok", 15, pages=100, errors=10)]
    health = evaluate(runs, Thresholds(), now=NOW)
    assert (health.code, health.error_rate) == (WARNING, 0.125)
    health = evaluate(runs, Thresholds(crit_error_rate=0.12), now=NOW)
    assert health.code == CRITICAL


def seed(store: Store, base_url: str, statuses: list[str], last_ago: timedelta,
         every: timedelta = timedelta(minutes=10)) -> None:
    now = datetime.now(UTC)
    for i, status in enumerate(statuses):
        started = now - last_ago - every * (len(statuses) - 1 - i)
        run_id = store.start_run(base_url, trigger="cron", started_at=started)
        store.finish_run(run_id, status, pages_fetched=40, articles_new=3, articles_updated=1,
                         articles_unchanged=30, errors=0 if status == "ok" else 2,
                         error_summary=None if status == "ok" else "HTTP 503 http://x/",
                         finished_at=started + timedelta(seconds=30))


def test_status_command_exit_codes(store: Store) -> None:
    """A healthy, a stale and a failing history, told apart by --base-url."""
    url = store.engine.url.render_as_string(hide_password=False)
    seed(store, "http://healthy.example", ["ok"] * 5, timedelta(minutes=3))
    seed(store, "http://stale.example", ["ok"] * 3, timedelta(minutes=50))
    seed(store, "http://dead.example", ["ok"] * 3, timedelta(hours=5))
    seed(store, "http://failing.example", ["ok", "ok", "failed", "failed", "failed", "ok"],
         timedelta(minutes=2))
    expected = {"healthy": (0, "OK"), "stale": (1, "WARNING"), "dead": (2, "CRITICAL"),
                "failing": (2, "CRITICAL")}
    for site, (code, label) in expected.items():
        result = newsmon("status", "--db", url, "--base-url", f"http://{site}.example")
        assert result.returncode == code, (site, result.stdout, result.stderr[-1500:])
        assert result.stdout.startswith(f"NEWSMON {label} - "), result.stdout
    result = newsmon("status", "--db", url, "--base-url", "http://failing.example",
                     "--format", "json")
    report = json.loads(result.stdout)
    assert (report["status"], report["failed_runs"], report["window_runs"]) == ("CRITICAL", 3, 6)


def test_status_thresholds_come_from_the_environment(store: Store) -> None:  # both databases
    url = store.engine.url.render_as_string(hide_password=False)
    seed(store, "http://a.example", ["ok"], timedelta(minutes=50))
    assert newsmon("status", "--db", url).returncode == WARNING
    env = clean_env(NEWSMON_HEALTH_WARN_AGE="2h", NEWSMON_HEALTH_CRIT_AGE="3h")
    assert newsmon("status", "--db", url, env=env).returncode == OK


def test_status_without_runs_and_without_database(tmp_path) -> None:
    empty = tmp_path / "empty.sqlite3"
    empty.touch()
    result = newsmon("status", "--db", str(empty))
    assert result.returncode == CRITICAL and "no successful run recorded" in result.stdout
    # No database: a monitoring line on stdout, UNKNOWN (3); no file is created.
    result = newsmon("status", "--db", str(tmp_path / "missing.sqlite3"))
    assert result.returncode == 3 and result.stdout.startswith("NEWSMON UNKNOWN - ")
    assert not (tmp_path / "missing.sqlite3").exists()
    result = newsmon("status", "--db", "postgresql://postgres@127.0.0.1:1/nothing")
    assert result.returncode == 3, result.stderr
    assert result.stdout.startswith("NEWSMON UNKNOWN - database unavailable")


def test_runs_command(store: Store) -> None:  # both databases
    url = store.engine.url.render_as_string(hide_password=False)
    seed(store, "http://a.example", ["ok", "failed", "ok"], timedelta(minutes=1))
    result = newsmon("runs", "--db", url, "--format", "jsonl", "--limit", "2")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["id"], r["status"], r["trigger"]) for r in rows] == [
        (3, "ok", "cron"), (2, "failed", "cron")]
    assert rows[0]["started_at"] > rows[1]["started_at"]
    text = newsmon("runs", "--db", url).stdout
    assert "HTTP 503 http://x/" in text and text.splitlines()[0].split()[:2] == ["id", "started"]
