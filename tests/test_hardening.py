"""Issue 13: what users really type, through the real `newsmon` entry point.

Each test reproduces one reported problem and proves its fix: the exit code, ONE line
on stderr (no traceback), and, for refused input, that nothing in the working folder
was created, changed or deleted (``Tree`` snapshots). docs/RELIABILITY.md ("Bad
command-line input") lists every case with its test.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from crawler import cli
from crawler.db.session import make_engine
from crawler.replica.server import ReplicaServer
from tests.conftest import _postgres_database

FAST = ["--set", "DOWNLOAD_DELAY=0", "--set", "AUTOTHROTTLE_ENABLED=False"]


def newsmon(*args: str, cwd: Path | None = None, env: dict | None = None,
            timeout: float = 180, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})}, **kwargs)


def run(capsys, *args: str) -> tuple[int, str, list[str]]:
    """`newsmon ARGS` in this process: (exit code, stdout, stderr's non-blank lines)."""
    try:
        code = cli.main(list(args))
    except SystemExit as exc:  # argparse
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.out, [ln for ln in captured.err.splitlines() if ln.strip()]


def one_line(lines: list[str]) -> str:
    assert len(lines) == 1, lines
    assert "Traceback" not in lines[0]
    return lines[0]


class Tree:
    """Every file under a folder: path -> (size, sha256, mtime)."""

    def __init__(self, root: Path):
        self.root = root
        self.files = self._scan()

    def _scan(self) -> dict[str, tuple]:
        found = {}
        for path in sorted(self.root.rglob("*")):
            key = str(path.relative_to(self.root))
            if path.is_file():
                data = path.read_bytes()
                found[key] = (len(data), hashlib.sha256(data).hexdigest(),
                              path.stat().st_mtime_ns)
            else:
                found[key] = ("dir",)
        return found

    def unchanged(self) -> bool:
        return self._scan() == self.files


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """A SQLite database holding a crawl of the replica: (base_url, path)."""
    path = tmp_path_factory.mktemp("hardening") / "crawl.sqlite3"
    with ReplicaServer() as server:
        result = newsmon("crawl", "--base-url", server.base_url, "--db", str(path), *FAST)
        assert result.returncode == 0, result.stderr[-2000:]
        yield server.base_url, path


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """An empty working folder, current directory of in-process commands."""
    monkeypatch.chdir(tmp_path)
    for name in ("NEWSMON_DATABASE_URL", "NEWSMON_CONFIG"):
        # set, then removed: monkeypatch restores it (`--config` sets NEWSMON_CONFIG
        # for the commands' children; it must not leak into later tests).
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    return tmp_path


# --- 1, 3, 10: demo -----------------------------------------------------------------

def test_demo_replaces_only_its_own_database(tmp_path, crawled):
    notes = tmp_path / "notes.txt"
    notes.write_text("precious\n")
    real = tmp_path / "real.sqlite3"
    real.write_bytes(crawled[1].read_bytes())
    tree = Tree(tmp_path)
    for target in (notes, real, f"sqlite:///{real}"):
        result = newsmon("demo", "--db", str(target), cwd=tmp_path)
        assert result.returncode == 2
        line = one_line(result.stderr.splitlines())
        assert "not created by `newsmon demo`" in line and "--force" in line
    assert tree.unchanged()
    # --force replaces the text file; a second demo then replaces its own file freely.
    first = newsmon("demo", "--db", str(notes), "--force", cwd=tmp_path)
    assert first.returncode == 0, first.stderr[-2000:]
    second = newsmon("demo", "--db", str(notes), cwd=tmp_path)  # a plain path, too
    assert second.returncode == 0, second.stderr[-2000:]
    with sqlite3.connect(notes) as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == int.from_bytes(
            b"nsmm", "big")
        assert conn.execute("SELECT count(*) FROM crawl_runs").fetchone()[0] == 1
    assert f"sqlite3 {notes} " in second.stdout


@pytest.mark.postgres
def test_demo_on_postgresql_masks_the_password_and_refuses_another_sites_data():
    for url in _postgres_database():
        secret = url.replace("postgres@", "postgres:s3cret-pw@", 1)
        result = newsmon("demo", "--db", secret.replace("postgresql+psycopg://",
                                                       "postgres://"))
        assert result.returncode == 0, result.stderr[-2000:]
        assert "s3cret-pw" not in result.stdout + result.stderr
        assert "psql 'postgresql://postgres@" in result.stdout
        assert "sqlite3" not in result.stdout
        engine = make_engine(url)
        with engine.connect() as conn:
            articles = conn.execute(text("SELECT count(*) FROM articles")).scalar()
        again = newsmon("demo", "--db", url)  # the same origin: updates, no second copy
        assert again.returncode == 0, again.stderr[-2000:]
        with engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM articles")).scalar() == articles
            conn.execute(text("INSERT INTO crawl_runs (base_url, started_at, status, "
                              "trigger) VALUES ('https://example.org', now(), 'ok', "
                              "'manual')"))
        refused = newsmon("demo", "--db", url)
        assert refused.returncode == 2
        assert "holds crawls of https://example.org" in one_line(refused.stderr.splitlines())
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM articles")).scalar() == articles
        engine.dispose()


# --- 2, 6, 21: export ------------------------------------------------------------------

def test_a_failed_export_keeps_the_earlier_file(tmp_path, crawled):
    out = tmp_path / "articles.jsonl"
    out.write_text("the earlier export\n")

    def small_files() -> None:  # "disk full" at 40 KB (SQLite's -shm is 32): EFBIG
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (40_000, 40_000))

    result = newsmon("export", "--db", str(crawled[1]), "--format", "jsonl", "--out",
                     str(out), preexec_fn=small_files)
    assert result.returncode == 1
    line = one_line(result.stderr.splitlines())
    assert "export failed" in line and "earlier file is kept" in line
    assert out.read_text() == "the earlier export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["articles.jsonl"]
    ok = newsmon("export", "--db", str(crawled[1]), "--format", "csv", "--out", str(out))
    assert ok.returncode == 0 and out.read_text().startswith("url,")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["articles.jsonl"]


@pytest.mark.parametrize("where, code", [
    ("", 2), (".", 2), ("missing/dir/out.jsonl", 2), ("/dev/full", 1)])
def test_export_to_a_place_that_cannot_be_written(capsys, workdir, crawled, where, code):
    tree = Tree(workdir)
    got, _out, err = run(capsys, "export", "--db", str(crawled[1]), "--format", "jsonl",
                         "--out", where)
    assert got == code
    one_line(err)
    assert tree.unchanged()


def test_csv_export_options_and_counts(capsys, workdir, crawled):
    code, out, err = run(capsys, "export", "--db", str(crawled[1]), "--format", "csv",
                         "--join-lists", "--bom")
    assert code == 0 and out.startswith("\ufeffurl,")
    count = len(out.splitlines()) - 1 - out.count("\n\"")  # header; quoted newlines aside
    assert one_line(err).startswith("newsmon: exported ")
    assert one_line(err).endswith(" articles") and "records" not in err[0]
    assert '"[' not in out and "; " in out  # lists joined, not JSON arrays
    assert count > 0
    code, _out, err = run(capsys, "search", "--db", str(crawled[1]), "  ")
    assert code == 2 and "empty query" in one_line(err)
    # json and jsonl are the same export
    _c, as_json, _e = run(capsys, "export", "--db", str(crawled[1]), "--format", "json")
    _c, as_jsonl, _e = run(capsys, "export", "--db", str(crawled[1]), "--format", "jsonl")
    assert as_json == as_jsonl and json.loads(as_json.splitlines()[0])["url"]


# --- 7: limits -------------------------------------------------------------------------

@pytest.mark.parametrize("command", ["search", "runs"])
@pytest.mark.parametrize("value", ["99999999999999999999", "0", "-3", "ten"])
def test_limits_out_of_range(capsys, workdir, crawled, command, value):
    extra = ["word"] if command == "search" else []
    code, _out, err = run(capsys, command, "--db", str(crawled[1]), *extra,
                          "--limit", value)
    assert code == 2 and "--limit" in one_line(err)


# --- 8, 9: crawl options ---------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["--base-url", "notaurl"], ["--base-url", "ftp://x"],
    ["--set", "DOWNLOAD_DELAY=abc"], ["--set", "ROBOTSTXT_OBEY=maybe"],
    ["--set", "CONCURRENT_REQUESTS=2.5"]])
def test_bad_crawl_options_record_nothing(capsys, workdir, args):
    tree = Tree(workdir)
    code, _out, err = run(capsys, "crawl", "--db", "crawl.sqlite3", *args)
    assert code == 2
    assert "must be an http(s) URL" in one_line(err) or "Scrapy setting" in err[0]
    assert tree.unchanged()  # no database, so no run recorded


def test_a_bad_setting_in_the_config_file_is_refused_up_front(capsys, workdir):
    config = workdir / "newsmon.toml"
    config.write_text('[scrapy]\nDOWNLOAD_DELAY = "abc"\n')
    tree = Tree(workdir)
    code, _out, err = run(capsys, "--config", str(config), "crawl", "--db", "x.sqlite3")
    assert code == 2 and "DOWNLOAD_DELAY" in one_line(err)
    assert tree.unchanged()


def test_a_crawl_that_fails_to_start_marks_its_run_failed(tmp_path):
    db = tmp_path / "start.sqlite3"
    with ReplicaServer() as server:
        result = newsmon("crawl", "--base-url", server.base_url, "--db", str(db), *FAST,
                         "--set", 'EXTENSIONS={"no_such_module.Extension": 1}')
    assert result.returncode == 1
    runs = newsmon("runs", "--db", str(db), "--format", "jsonl")
    rows = [json.loads(line) for line in runs.stdout.splitlines()]
    assert [r["status"] for r in rows] == ["failed"]
    assert "failed to start" in rows[0]["error_summary"]


# --- 10, 11: database URLs --------------------------------------------------------------

@pytest.mark.parametrize("command", [["search", "x"], ["export", "--format", "csv"],
                                     ["history", "https://x/y"], ["runs"], ["status"],
                                     ["crawl"], ["reparse"], ["db", "upgrade"]])
@pytest.mark.parametrize("url, says", [
    ("mysql://u@h/db", "unsupported database 'mysql'"),
    ("sqlite://", "in-memory"),
    ("postgresql//host/db", "looks like a broken URL"),
    ("sqlite:/relative.sqlite3", "looks like a broken URL")])
def test_unusable_database_urls(capsys, workdir, command, url, says):
    tree = Tree(workdir)
    code, out, err = run(capsys, *command, "--db", url)
    if command == ["status"]:  # a monitoring check: the verdict is on stdout
        assert code == 2 and says in one_line(err)
    else:
        assert code == 2 and says in one_line(err)
    assert tree.unchanged()


@pytest.mark.parametrize("command", [["search", "x"], ["export", "--format", "csv"],
                                     ["history", "https://x/y"], ["runs"]])
def test_read_commands_never_create_a_database(capsys, workdir, command):
    tree = Tree(workdir)
    code, _out, err = run(capsys, *command, "--db", "typo/dir/newsmon.sqlite3")
    assert code == 3 and "no database at" in one_line(err)
    code, _out, err = run(capsys, *command, "--db", "newsmon.sqlite3")
    assert code == 3 and "no database at" in one_line(err)
    assert tree.unchanged()


def test_status_without_a_database_is_a_monitoring_line(capsys, workdir):
    for fmt in ("text", "json"):
        code, out, err = run(capsys, "--log-format", fmt, "status", "--db", "nowhere.sqlite3")
        assert code == 3 and err == []
        assert out.startswith("NEWSMON UNKNOWN - database unavailable")
    code, out, _err = run(capsys, "status", "--db",
                          "postgresql+psycopg://u:pw@127.0.0.1:1/db")
    assert code == 3 and out.startswith("NEWSMON UNKNOWN - database unavailable")
    assert "pw" not in out.replace("postgresql", "")


def test_upgrade_is_suggested_only_for_a_newsmon_database(capsys, workdir):
    other = workdir / "other.sqlite3"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    code, _out, err = run(capsys, "search", "x", "--db", str(other))
    assert code == 1
    line = one_line(err)
    assert "not a newsmon database" in line and "db upgrade" not in line


@pytest.mark.postgres
def test_postgres_scheme_means_postgresql_for_crawl():
    for url in _postgres_database():
        with ReplicaServer() as server:
            result = newsmon("crawl", "--base-url", server.base_url, "--db",
                             url.replace("postgresql+psycopg://", "postgres://"), *FAST)
        assert result.returncode == 0, result.stderr[-2000:]
        engine = make_engine(url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM articles")).scalar() > 0
        engine.dispose()


# --- 12, 18: configuration ---------------------------------------------------------------

def test_a_config_file_that_is_not_utf8(capsys, workdir):
    config = workdir / "latin1.toml"
    config.write_bytes('base_url = "https://café.example"\n'.encode("latin-1"))
    code, _out, err = run(capsys, "--config", str(config), "config")
    assert code == 2 and "not UTF-8" in one_line(err)


def test_config_shows_the_database_used_and_warns_of_placeholders(capsys, workdir):
    config = workdir / "n.toml"
    config.write_text('database_url = "postgres://u:secret@db/news"\n')
    code, out, err = run(capsys, "--config", str(config), "config")
    assert code == 0
    assert "# database used by commands without --db: postgresql+psycopg://u:***@db/news" \
        in out
    assert "contact_url is still the placeholder" in one_line(err)
    config.write_text('[schedule]\ncrawl_every = "0s"\n')
    code, _out, err = run(capsys, "--config", str(config), "config")
    assert code == 2 and "crawl_every" in one_line(err) and '"off"' in err[0]


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
    from crawler.crawl.browser import CHROMIUM_ARGS, sandbox_launch_options

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


# --- 15, 16, 19: friction ----------------------------------------------------------------

def test_a_query_beginning_with_a_minus(capsys, workdir, crawled):
    code, out_option, _err = run(capsys, "search", "--db", str(crawled[1]), "--query",
                                 "-zzzz gaza", "--format", "json")
    assert code == 0
    code, out_dashes, _err = run(capsys, "search", "--db", str(crawled[1]),
                                 "--format", "json", "--", "-zzzz gaza")
    assert code == 0 and out_option == out_dashes and json.loads(out_option)


def test_prefix_search_is_refused_on_both_databases(capsys, workdir, crawled):
    for query in ("gaz*", 'ceasefire* "gaza"'):
        code, out, err = run(capsys, "search", "--db", str(crawled[1]), query)
        assert code == 2 and out == "" and "prefix search" in one_line(err)


def test_dates_and_filter_typos_warn(capsys, workdir, crawled):
    code, _out, err = run(capsys, "export", "--db", str(crawled[1]), "--format", "jsonl",
                          "--since", "2025-10", "--until", "2025-09-01")
    assert code == 0 and any("swapped?" in line for line in err)
    code, _out, err = run(capsys, "search", "gaza", "--db", str(crawled[1]),
                          "--section", "Politcs")
    assert code == 0
    assert any("--section 'Politcs'" in line and "Politics" in line for line in err)


@pytest.mark.parametrize("since, month", [("2025-10", "2025-10"), ("2025-10-01", "2025-10"),
                                          ("2025-10-15T08:00+02:00", "2025-10")])
def test_backfill_takes_the_same_dates(tmp_path, since, month):
    result = newsmon("backfill", "--base-url", "http://127.0.0.1:1", "--db",
                     str(tmp_path / "b.sqlite3"), "--since", since, "--until", "2025-11-03",
                     "--set", "RETRY_TIMES=0")
    assert f"{month} to 2025-11" in result.stderr and "Traceback" not in result.stderr
    reversed_range = newsmon("backfill", "--db", str(tmp_path / "r.sqlite3"),
                             "--since", "2025-11", "--until", "2025-10-01")
    assert reversed_range.returncode == 2 and "before --since" in reversed_range.stderr
    assert not (tmp_path / "r.sqlite3").exists()


def test_history_finds_an_article_by_trailing_slash_or_path(capsys, workdir, crawled):
    base_url, db = crawled
    with sqlite3.connect(db) as conn:
        url = conn.execute("SELECT url FROM articles ORDER BY id LIMIT 1").fetchone()[0]
    path = url.split("://", 1)[1].partition("/")[2]
    outputs = []
    for given in (url, url + "/", "/" + path, path):
        code, out, err = run(capsys, "history", given, "--db", str(db))
        assert code == 0, (given, err)
        outputs.append(out)
    assert len(set(outputs)) == 1 and outputs[0].startswith(url)


# --- 17: global options everywhere ------------------------------------------------------

def test_every_subcommand_takes_the_global_options():
    from crawler.cli.common import commands_of
    from crawler.cli.main import build_parser

    parser = build_parser()
    commands = commands_of(parser)
    assert len(commands) >= 12
    for name, options in commands.items():
        if name == "db":  # its subcommand carries them
            sub = next(a for a in parser._actions
                       if isinstance(getattr(a, "choices", None), dict)).choices["db"]
            options = commands_of(sub)["upgrade"]
        assert {"--config", "--log-format"} <= options, name


# --- 20: status perfdata ---------------------------------------------------------------

def test_status_perfdata_has_thresholds_and_no_negative_age(capsys, workdir, crawled):
    code, out, _err = run(capsys, "status", "--db", str(crawled[1]))
    perf = out.split("|", 1)[1].split()
    assert perf[0].startswith("last_success_age=") and perf[0].count(";") == 2
    assert all(p.count(";") == 2 for p in perf)
    empty = workdir / "empty.sqlite3"
    sqlite3.connect(empty).close()
    code, out, _err = run(capsys, "status", "--db", str(empty))
    assert code == 2 and "last_success_age=U;" in out and "-1" not in out


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

# The examples whose windows are relative to the data (not to now()) and whose values
# are the replica's: they return rows on a database `newsmon demo` made (its articles
# were published in 2025). Titles as in docs/SCHEMA.md.
DATA_RELATIVE_EXAMPLES = ("Articles per section per day", "Most used tags in the last",
                          "Articles by an author", "Breaking-news timeline of the last")


def test_schema_examples_return_rows_on_the_demo_database(tmp_path):
    import re

    from tests.test_schema_doc import DOC

    db = tmp_path / "demo.sqlite3"
    result = newsmon("demo", "--db", str(db), cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    doc = DOC.read_text()
    checked = 0
    for title in DATA_RELATIVE_EXAMPLES:
        section = doc.split(title, 1)[1].split("\n**", 1)[0]
        blocks = re.findall(r"```sql\n(.*?)```", section, re.S)
        sqlite_blocks = [b for b in blocks if not b.lstrip().startswith("-- PostgreSQL")]
        statement = sqlite_blocks[0].strip().rstrip(";")
        with sqlite3.connect(db) as conn:
            rows = conn.execute(statement).fetchall()
        assert rows, title
        checked += 1
    assert checked == len(DATA_RELATIVE_EXAMPLES)


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
