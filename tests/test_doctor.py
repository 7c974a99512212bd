"""`newsmon doctor` (crawler/ops/doctor.py): each broken condition is created here and
found, through the command (exit code 0 OK, 1 warning, 2 failure) or the check."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, text

from crawler.cli import main
from crawler.config import load_config
from crawler.db.migrate import upgrade
from crawler.db.models import Heartbeat
from crawler.db.session import make_engine, sqlite_url
from crawler.db.store import Store
from crawler.ops import doctor
from crawler.ops.crawl_lock import crawl_lock
from crawler.replica.server import ReplicaServer
from tests.conftest import _postgres_database


@pytest.fixture
def env(monkeypatch, tmp_path: Path):
    """No NEWSMON_* of the developer; JavaScript off (Chromium is its own test)."""
    for name in list(os.environ):
        if name.startswith("NEWSMON_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("NEWSMON_JAVASCRIPT", "false")
    monkeypatch.setenv("NEWSMON_SCHEDULE_TIMEZONE", "UTC")
    return monkeypatch


def run_doctor(capsys, *args: str) -> tuple[int, dict[str, dict]]:
    code = main(["doctor", "--format", "json", *args])
    report = json.loads(capsys.readouterr().out)
    assert report["code"] == code
    return code, {c["name"]: c for c in report["checks"]}


def config(**env: str):
    return load_config(None, environ={"NEWSMON_JAVASCRIPT": "false", **env})


def test_healthy_installation_and_text_output(env, capsys, tmp_path: Path) -> None:
    db_url = sqlite_url(tmp_path / "n.sqlite3")
    upgrade(db_url)
    with ReplicaServer() as replica:
        env.setenv("NEWSMON_BASE_URL", replica.base_url)
        env.setenv("NEWSMON_CONTACT_URL", "https://newsroom-tools.test/newsmon-contact")
        code = main(["doctor", "--db", db_url])
        robots = [r for r in replica.request_log if r.path == "/robots.txt"]
    out = capsys.readouterr().out.splitlines()
    assert code == 0, out
    names = [line.split()[1].rstrip(":") for line in out[:-1]]
    assert names == ["config", "database", "schema", "writable", "disk", "chromium", "site",
                     "contact", "runs", "scheduler"]
    assert all(line.startswith("OK") for line in out[:-1]) and out[-1].endswith("OK")
    assert "from env NEWSMON_BASE_URL: base_url" in out[0]  # where values came from
    # One request, with the User-Agent crawls send.
    assert len(robots) == 1 and "https://newsroom-tools.test/newsmon-contact" in robots[0].user_agent


def test_invalid_configuration(env, capsys) -> None:
    env.setenv("NEWSMON_CRAWL_EVERY", "every now and then")
    code, checks = run_doctor(capsys)
    assert code == 2 and checks["config"]["status"] == "FAILURE"
    assert "crawl_every" in checks["config"]["message"]
    env.delenv("NEWSMON_CRAWL_EVERY")
    env.setenv("NEWSMON_CRAWL_EVRY", "1h")  # misspelt: a warning
    assert doctor.check_config(load_config(None)).level == doctor.WARNING


def test_database_unreachable(env, capsys) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    code, checks = run_doctor(capsys, "--db", f"postgresql+psycopg://u:secret@127.0.0.1:{port}/x")
    assert code == 2 and checks["database"]["status"] == "FAILURE"
    assert "secret" not in json.dumps(checks)


def test_schema_not_current(env, capsys, db_url: str) -> None:
    upgrade(db_url, "0004")
    code, checks = run_doctor(capsys, "--db", db_url)
    assert code == 2 and checks["database"]["status"] == "OK"
    assert checks["schema"]["status"] == "FAILURE"
    assert "0004" in checks["schema"]["message"] and "newsmon db upgrade" in checks["schema"]["message"]


@pytest.mark.postgres
def test_database_read_only() -> None:
    for db_url in _postgres_database():
        upgrade(db_url)
        engine = make_engine(db_url)
        with engine.connect() as conn:
            name = conn.execute(text("SELECT current_database()")).scalar_one()
            conn.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
            conn.commit()
        engine.dispose()
        checks, engine = doctor.check_database(db_url)
        assert [c.label for c in checks] == ["OK", "OK", "FAILURE"]
        assert "read-only" in checks[2].message
        engine.dispose()


def test_disk_space(tmp_path: Path) -> None:
    db_url = sqlite_url(tmp_path / "n.sqlite3")
    free_mb = shutil.disk_usage(tmp_path).free // 2**20
    assert doctor.check_disk(config(), db_url).level == doctor.OK or free_mb < 1024
    warn = doctor.check_disk(config(NEWSMON_DOCTOR_MIN_FREE_MB=str(free_mb * 2)), db_url)
    assert warn.level == doctor.WARNING and "database" in warn.message
    fail = doctor.check_disk(config(NEWSMON_DOCTOR_MIN_FREE_MB=str(free_mb * 20)), db_url)
    assert fail.level == doctor.FAILURE and str(tmp_path) in fail.message


def test_disk_space_of_each_place_on_its_own_filesystem(tmp_path: Path) -> None:
    """The spool (and the metrics textfile) on another filesystem than the database:
    each filesystem is checked and named, the emptiest decides the level."""
    shm = Path("/dev/shm")
    if not shm.is_dir() or shm.stat().st_dev == tmp_path.stat().st_dev:
        pytest.skip("needs /dev/shm on a filesystem of its own")
    db_url = sqlite_url(tmp_path / "n.sqlite3")
    spool = Path(tempfile.mkdtemp(dir=shm, prefix="newsmon-doctor-"))
    try:
        frees = sorted(shutil.disk_usage(p).free // 2**20 for p in (tmp_path, spool))
        cfg = config(NEWSMON_METRICS_TEXTFILE=str(spool / "prom" / "newsmon.prom"),
                     NEWSMON_DOCTOR_MIN_FREE_MB=str(frees[1] + 1))
        cfg.scrapy["NEWSMON_SPOOL_DIR"] = str(spool / "not-yet")  # its folder: spool
        check = doctor.check_disk(cfg, db_url)
        assert check.level >= doctor.WARNING  # both below the floor now
        # (The logs' folder, /var/log/journal, may share the database's filesystem.)
        assert re.search(rf"database(, logs)? on {re.escape(str(tmp_path))}:", check.message)
        assert f"spool, metrics textfile on {spool}" in check.message
        calm = config(NEWSMON_DOCTOR_MIN_FREE_MB=str(max(1, frees[0] // 2)))
        calm.scrapy["NEWSMON_SPOOL_DIR"] = str(spool)
        assert doctor.check_disk(calm, db_url).level == doctor.OK
        if frees[1] > 20 * frees[0]:  # the emptier one alone fails
            low = config(NEWSMON_DOCTOR_MIN_FREE_MB=str(frees[0] * 11))
            low.scrapy["NEWSMON_SPOOL_DIR"] = str(spool)
            assert doctor.check_disk(low, db_url).level == doctor.FAILURE
    finally:
        shutil.rmtree(spool)


def test_chromium_missing_or_broken(tmp_path: Path) -> None:
    assert doctor.check_chromium(config()).level == doctor.OK  # javascript = false
    missing = doctor.check_chromium(config(NEWSMON_JAVASCRIPT="true",
                                           NEWSMON_CHROMIUM_PATH=str(tmp_path / "chromium")))
    assert missing.level == doctor.FAILURE and "no Chromium" in missing.message
    broken = tmp_path / "broken-chromium"
    broken.write_text("#!/bin/sh\necho 'cannot open display' >&2\nexit 1\n")
    broken.chmod(0o755)
    result = doctor.check_chromium(config(NEWSMON_JAVASCRIPT="true",
                                          NEWSMON_CHROMIUM_PATH=str(broken)))
    assert result.level == doctor.FAILURE and "cannot open display" in result.message


@pytest.mark.browser
def test_chromium_starts() -> None:
    if not shutil.which("/usr/bin/chromium"):
        if os.environ.get("NEWSMON_REQUIRE_BROWSER") == "1":
            pytest.fail("no /usr/bin/chromium (NEWSMON_REQUIRE_BROWSER=1)")
        pytest.skip("no /usr/bin/chromium")
    result = doctor.check_chromium(config(NEWSMON_JAVASCRIPT="true"))
    assert result.level == doctor.OK, result.message


def test_site_unreachable_or_without_robots() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    result = doctor.check_site(config(NEWSMON_BASE_URL=f"http://127.0.0.1:{port}"))
    assert result.level == doctor.FAILURE and "unreachable" in result.message
    with ReplicaServer() as replica:
        result = doctor.check_site(config(NEWSMON_BASE_URL=replica.base_url + "/no-such"))
    assert result.level == doctor.WARNING and "404" in result.message


def test_contact_url_placeholder() -> None:
    assert doctor.check_contact(config()).level == doctor.WARNING
    assert doctor.check_contact(config(NEWSMON_CONTACT_URL="https://example.org/c")).level \
        == doctor.OK


def test_run_left_running_by_a_dead_process(env, capsys, db_url: str) -> None:
    upgrade(db_url)
    store = Store(make_engine(db_url))
    base = "https://english.almayadeen.net"
    abandoned = store.start_run(base)  # its process is gone: nobody holds the lock
    result = doctor.check_runs(store.engine, db_url)
    assert result.level == doctor.WARNING and f"run(s) {abandoned} " in result.message
    assert "newsmon db mark-interrupted" in result.message
    with crawl_lock(db_url, base):  # a live crawl holds the lock: its run is not flagged
        assert doctor.check_runs(store.engine, db_url).level == doctor.OK
    # The command the check names does mark it.
    assert main(["db", "mark-interrupted", "--db", db_url, "--base-url", base]) == 0
    assert str(abandoned) in capsys.readouterr().err
    assert store.get_run(abandoned)["status"] == "interrupted"
    assert doctor.check_runs(store.engine, db_url).level == doctor.OK
    store.engine.dispose()


def test_scheduler_heartbeat(db_url: str) -> None:
    upgrade(db_url)
    engine = make_engine(db_url)
    now = datetime.now(UTC)
    assert doctor.check_scheduler(engine, now).level == doctor.OK  # never ran: cron?
    with engine.begin() as conn:
        conn.execute(insert(Heartbeat).values(process="scheduler@h:1", role="scheduler",
                                              host="h", pid=1, started_at=now - timedelta(hours=1),
                                              beat_at=now - timedelta(minutes=10)))
    dead = doctor.check_scheduler(engine, now)
    assert dead.level == doctor.FAILURE and "no heartbeat for 10m" in dead.message
    assert doctor.check_scheduler(engine, now - timedelta(minutes=9, seconds=30)).level \
        == doctor.OK
    with engine.begin() as conn:
        conn.execute(Heartbeat.__table__.update().values(stopped_at=now - timedelta(minutes=10)))
    assert doctor.check_scheduler(engine, now).level == doctor.WARNING
    engine.dispose()
