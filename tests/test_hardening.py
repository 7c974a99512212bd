"""Issue 13: what users really type, through the real `newsmon` entry point.

Each test reproduces one reported problem and proves its fix: the exit code, ONE line
on stderr (no traceback), and, for refused input, that nothing in the working folder
was created, changed or deleted (``Tree`` snapshots). docs/RELIABILITY.md ("Bad
command-line input") lists every case with its test; crawling, deployment and the
schema examples are in tests/test_hardening_ops.py.
"""

from __future__ import annotations

import json
import resource
import signal
import sqlite3

import pytest
from sqlalchemy import text

from crawler.db.session import make_engine
from crawler.replica.server import ReplicaServer
# The fixtures `crawled` and `workdir` are used by name (pytest), hence the noqa.
from tests._hardening import (FAST, Tree, crawled, newsmon, one_line, run,  # noqa: F401,F811
                              workdir)
from tests.conftest import _postgres_database

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
        # replaced, not appended to: one demo's crawls: English twice (before and after
        # its edits), Arabic and Spanish once each
        assert conn.execute("SELECT edition, count(*) FROM crawl_runs GROUP BY edition "
                            "ORDER BY edition").fetchall() == [("ar", 1), ("en", 2), ("es", 1)]
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


@pytest.mark.parametrize("args, says", [
    (["--base-url", "htp:/bad"], "must be an http(s) URL"),
    (["--set", "NEWSMON_MONITOR_TICKER_INTERVAL=soon"], "NEWSMON_MONITOR_TICKER_INTERVAL"),
    (["--set", "NEWSMON_MONITOR_SPEEDUP=fast"], "NEWSMON_MONITOR_SPEEDUP"),
    (["--set", "DOWNLOAD_DELAY=abc"], "Scrapy setting DOWNLOAD_DELAY"),
    (["--budget", "1e400"], "--budget")])
def test_bad_monitor_options_record_nothing(capsys, workdir, args, says):
    tree = Tree(workdir)
    code, _out, err = run(capsys, "monitor", "--db", "monitor.sqlite3", *args)
    assert code == 2 and says in one_line(err)
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
    assert any("section named 'Politcs'" in line and "Politics" in line for line in err)


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
