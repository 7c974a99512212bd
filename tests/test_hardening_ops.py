"""Issue 13, beyond command-line input: what a crawl opens and logs (no listening
socket, no tracebacks for an unreachable site, one JSON object per traceback),
Chromium's sandbox, index cards' own headlines, the deployment files, and the
docs/SCHEMA.md examples on a demo database.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.db.session import make_engine
from crawler.replica.server import ReplicaServer
from tests._hardening import FAST, newsmon

# --- 4, 13, 14: crawling ----------------------------------------------------------------

def _listening_inodes() -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as handle:
            for row in list(handle)[1:]:
                fields = row.split()
                if fields[3] == "0A":  # LISTEN
                    inodes.add(fields[9])
    return inodes


def _socket_inodes(pid: int) -> set[str]:
    found = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            found.add(target[8:-1])
    return found


def test_a_crawl_opens_no_listening_socket(tmp_path):
    import time

    home = tmp_path / "home"
    home.mkdir()
    listening_seen = set()
    with ReplicaServer(article_delay=0.2) as server:
        proc = subprocess.Popen(
            [sys.executable, "-m", "crawler.cli", "crawl", "--base-url", server.base_url,
             "--db", str(tmp_path / "c.sqlite3"), *FAST],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env={**os.environ, "HOME": str(home), "XDG_STATE_HOME": str(home / "state")})
        samples = 0
        while proc.poll() is None:
            try:
                listening_seen |= _socket_inodes(proc.pid) & _listening_inodes()
                samples += 1
            except FileNotFoundError:
                break
            time.sleep(0.1)
        assert proc.wait(timeout=180) == 0
    assert samples > 5 and listening_seen == set()
    assert not list(home.rglob("job_files"))  # no remote-control token written


def test_an_unreachable_site_is_warnings_not_tracebacks(tmp_path):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = newsmon("crawl", "--base-url", f"http://127.0.0.1:{port}", "--db",
                     str(tmp_path / "u.sqlite3"), *FAST, "--set", "RETRY_TIMES=0")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    robots = [ln for ln in result.stderr.splitlines() if "robots.txt not fetched" in ln]
    assert len(robots) == 1 and "WARNING" in robots[0] and "refused" in robots[0]


def test_json_logs_keep_a_traceback_in_one_object(tmp_path):
    with ReplicaServer() as server:
        result = newsmon("--log-format", "json", "crawl", "--base-url", server.base_url,
                         "--db", str(tmp_path / "j.sqlite3"), *FAST,
                         "--set", 'EXTENSIONS={"no_such_module.Extension": 1}')
    assert result.returncode == 1
    entries = [json.loads(line) for line in result.stderr.splitlines()]  # all JSON
    with_traceback = [e for e in entries if "Traceback" in e.get("exception", "")]
    assert with_traceback and all("Traceback" not in e["message"] for e in entries)
    assert any("no_such_module" in e["exception"] for e in with_traceback)


def test_chromium_sandbox_is_used_unless_root():
    from crawler.crawl.browser import sandbox_launch_options

    as_root = sandbox_launch_options(0)
    assert as_root["chromium_sandbox"] is False and "--no-sandbox" in as_root["args"]
    as_user = sandbox_launch_options(1000)
    assert as_user["chromium_sandbox"] is True and "--no-sandbox" not in as_user["args"]


@pytest.mark.skipif(os.geteuid() != 0 or not Path("/usr/bin/chromium").exists(),
                    reason="needs root (to switch user) and Debian's Chromium")
def test_chromium_runs_sandboxed_as_an_ordinary_user():
    import tempfile

    from crawler.crawl.browser import sandbox_launch_options

    home = Path(tempfile.mkdtemp(prefix="newsmon-sandbox-", dir="/tmp"))
    try:
        home.chmod(0o777)  # pytest's own folders are root's only
        result = subprocess.run(
            [shutil.which("runuser") or "/usr/sbin/runuser", "-u", "nobody", "--",
             "/usr/bin/chromium", "--headless", *sandbox_launch_options(65534)["args"],
             f"--user-data-dir={home}/profile", "--dump-dom",
             "data:text/html,<p>sandboxed</p>"],
            capture_output=True, text=True, timeout=60, env={**os.environ, "HOME": str(home)})
    finally:
        shutil.rmtree(home, ignore_errors=True)
    assert "--no-sandbox" not in sandbox_launch_options(65534)["args"]
    assert "<p>sandboxed</p>" in result.stdout, result.stderr[-1000:]


# --- 24: deployment ---------------------------------------------------------------------

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
HARDENING = ("ProtectSystem=strict", "PrivateDevices=yes", "ProtectKernelTunables=yes",
             "ProtectKernelModules=yes", "ProtectKernelLogs=yes", "NoNewPrivileges=yes",
             "RestrictAddressFamilies=", "ReadWritePaths=/var/lib/newsmon")


@pytest.mark.parametrize("unit", ["newsmon-crawl.service", "newsmon-scheduler.service"])
def test_systemd_units_are_hardened(unit):
    lines = (DEPLOY / "systemd" / unit).read_text().splitlines()
    for directive in HARDENING:
        assert any(line.startswith(directive) for line in lines), directive
    assert "KillMode=mixed" in lines
    docs = [line.split("=", 1)[1] for line in lines if line.startswith("Documentation=")]
    assert docs and all(d.startswith("https://") for d in docs)  # not a file of a checkout
    analyze = shutil.which("systemd-analyze")
    if analyze:
        result = subprocess.run([analyze, "security", "--offline=yes",
                                 str(DEPLOY / "systemd" / unit)],
                                capture_output=True, text=True, timeout=60)
        score = float(result.stdout.rsplit("exposure level for", 1)[1].split(":")[1].split()[0])
        assert score <= 4.0, result.stdout[-500:]  # docs/OPERATIONS.md: 8.5 before


def test_docker_keeps_state_and_builds_from_source_only():
    compose = (DEPLOY / "docker-compose.yml").read_text()
    assert "- newsmon-state:/var/lib/newsmon" in compose
    assert "\n  newsmon-state:" in compose.split("\nvolumes:", 1)[1]  # a named volume
    assert "shm_size:" in compose
    ignored = (DEPLOY.parent / ".dockerignore").read_text().splitlines()
    assert {".venv", ".git", "**/*.sqlite3"} <= set(ignored)


# --- 23: a card's own headline -----------------------------------------------------------

def test_a_card_headline_makes_its_article_due_once_not_every_crawl(tmp_path):
    db = str(tmp_path / "cards.sqlite3")
    # Index pages answered in full each time (no 304), so every crawl reads the cards.
    full = [*FAST, "--set", "NEWSMON_CONDITIONAL_REQUESTS=False"]
    with ReplicaServer() as server:
        assert newsmon("crawl", "--base-url", server.base_url, "--db", db, *full
                       ).returncode == 0
        server.set_card_title("trump-netanyahu-ft", "Trump corners Netanyahu on Gaza")
        fetched = []
        for _ in range(3):
            server.clear_log()
            result = newsmon("crawl", "--base-url", server.base_url, "--db", db, *full)
            assert result.returncode == 0, result.stderr[-2000:]
            fetched.append(sorted(r.path for r in server.request_log
                                  if "how-trump-cornered-netanyahu" in r.path))
    # The card changed once: one fetch; then the same card headline is not a change
    # (before: the article was fetched on every crawl, forever).
    assert len(fetched[0]) == 1 and fetched[1:] == [[], []], fetched


# --- 25: docs/SCHEMA.md on the demo database ----------------------------------------------

# Every example of docs/SCHEMA.md returns rows on a database `newsmon demo` made: their
# windows are relative to the data (its articles were published in 2025), their values
# the replica's, and the demo crawls twice around two edits, so the revision examples
# have rows too.
def test_schema_examples_return_rows_on_the_demo_database(tmp_path):
    import re

    from tests.test_schema_doc import DOC

    db = tmp_path / "demo.sqlite3"
    result = newsmon("demo", "--db", str(db), cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    sections = re.split(r"\n(\*\*\d+\. [^\n]*)", DOC.read_text())
    checked = []
    for title, text in zip(sections[1::2], sections[2::2]):
        blocks = re.findall(r"```sql\n(.*?)```", text.split("\n**", 1)[0], re.S)
        sqlite_blocks = [b for b in blocks if not b.lstrip().startswith("-- PostgreSQL")]
        assert sqlite_blocks, title
        for statement in sqlite_blocks[0].split(";"):
            if not re.search(r"\bSELECT\b", statement):
                continue
            with sqlite3.connect(db) as conn:
                rows = conn.execute(statement).fetchall()
            assert rows, f"no rows on the demo database: {title}"
        checked.append(title)
    assert len(checked) >= 22, checked


def test_the_ticker_example_counts_alerts_still_on_air_from_the_day_before(tmp_path):
    import re
    from datetime import UTC, datetime, timedelta

    from crawler.db.migrate import upgrade
    from crawler.db.session import sqlite_url
    from crawler.db.store import Store
    from tests.test_schema_doc import DOC

    url = sqlite_url(tmp_path / "ticker.sqlite3")
    upgrade(url)
    store = Store(make_engine(url))
    last = datetime(2025, 10, 2, 12, 0, tzinfo=UTC)
    store.record_breaking(["Still on air since yesterday"], last - timedelta(hours=30))
    store.record_breaking(["Still on air since yesterday"], last)  # seen again: on air
    store.record_breaking(["Gone three days ago"], last - timedelta(days=3))
    store.record_breaking(["Shown today"], last - timedelta(hours=2))
    store.engine.dispose()
    section = DOC.read_text().split("Breaking-news timeline of the last day", 1)[1]
    block = next(b for b in re.findall(r"```sql\n(.*?)```", section, re.S)
                 if b.lstrip().startswith("-- SQLite"))
    with sqlite3.connect(tmp_path / "ticker.sqlite3") as conn:
        texts = [row[3] for row in conn.execute(block.strip().rstrip(";"))]
    assert texts == ["Still on air since yesterday", "Shown today"]
