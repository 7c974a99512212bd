"""Credentials never appear in logs, error messages, stored errors or `newsmon
config`; politeness defaults (robots.txt, one or two requests at a time, a delay,
AutoThrottle, a user agent naming the project and a configurable contact URL).

(Untrusted article text stored verbatim, redirects off the site not followed:
tests/test_reliability_input.py.)
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url

from crawler import __version__
from crawler.crawl import settings as project_settings
from crawler.config import load_config
from crawler.db.session import sqlite_url
from crawler.replica.content import EDGE_CASES
from crawler.replica.server import ReplicaServer
from crawler.crawl.runner import build_settings
from tests._reliability import (FAST, article_count, execute, newsmon, rows, start,
                                wait_until)
from tests._tcp_proxy import TcpProxy
from tests.conftest import _postgres_database

SECRET = "s3cr3t-Pa55w0rd"


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from _postgres_database()


@pytest.mark.e2e
@pytest.mark.postgres
def test_the_database_password_never_appears(pg_url, tmp_path):
    outputs = []
    with TcpProxy(("127.0.0.1", 5432)) as proxy, ReplicaServer(article_delay=0.05) as server:
        # The server trusts local connections: the password is sent and ignored.
        secret_url = make_url(pg_url).set(host=proxy.host, port=proxy.port,
                                          password=SECRET).render_as_string(False)
        crawl = ["crawl", "--base-url", server.base_url, "--db", secret_url, *FAST,
                 "--set", f"NEWSMON_SPOOL_DIR={tmp_path}",
                 "--set", "NEWSMON_SPOOL_RETRY_INTERVAL=0.3"]

        proxy.cut()  # unreachable at the start: one line, exit 3, nothing fetched
        refused = newsmon(*crawl)
        assert refused.returncode == 3
        assert refused.stderr.strip().startswith("newsmon: database unavailable: ")
        assert len(refused.stderr.strip().splitlines()) == 1
        assert server.request_log == []
        outputs.append(refused)
        proxy.restore()

        # A crawl with every log line (DEBUG) that loses its database for a moment.
        running = start(*crawl, "--set", "LOG_LEVEL=DEBUG")
        assert wait_until(lambda: article_count(pg_url) >= 3, timeout=60)
        proxy.cut()
        time.sleep(1)
        proxy.restore()
        out, err = running.communicate(timeout=120)
        assert running.returncode == 0, err[-2000:]
        assert "database unavailable" in err  # the outage was logged...
        outputs.append((out, err))

        config_file = tmp_path / "newsmon.toml"
        config_file.write_text(f'database_url = "{secret_url}"\n')
        env = {"NEWSMON_DATABASE_URL": secret_url}
        for args in (["status"], ["status", "--format", "json"], ["runs"],
                     ["config"], ["config", "--format", "json"]):
            result = newsmon(*args, env=env)
            assert result.returncode in (0, 1, 2), (args, result.stderr)
            outputs.append(result)
        outputs.append(newsmon("--config", str(config_file), "config"))
    for output in outputs:
        text = "".join(output) if isinstance(output, tuple) else output.stdout + output.stderr
        assert SECRET not in text  # ... without the password
    assert "***" in outputs[-1].stdout  # config shows the URL, masked
    stored = rows(pg_url, "SELECT error_summary AS text FROM crawl_runs UNION ALL "
                          "SELECT error FROM fetch_errors")
    assert not any(SECRET in (r["text"] or "") for r in stored)
    assert not any(SECRET in p.name for p in tmp_path.iterdir())


def test_politeness_defaults_of_the_settings_a_crawl_uses():
    assert project_settings.ROBOTSTXT_OBEY is True
    assert project_settings.AUTOTHROTTLE_ENABLED is True
    config = load_config(environ={})
    settings = build_settings("sqlite://", config.scrapy_settings())
    assert settings.getbool("ROBOTSTXT_OBEY")
    assert 1 <= settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") <= 2
    assert settings.getfloat("DOWNLOAD_DELAY") >= 1.0
    assert settings.getbool("AUTOTHROTTLE_ENABLED")
    assert settings.getfloat("AUTOTHROTTLE_TARGET_CONCURRENCY") <= 2
    agent = settings.get("USER_AGENT")
    assert agent == f"newsmon/{__version__} (+{project_settings.NEWSMON_CONTACT_URL})"


@pytest.mark.e2e
def test_real_requests_obey_robots_txt_wait_and_name_the_contact(tmp_path):
    contact = "https://example.org/newsmon-operators"
    with ReplicaServer() as server:
        result = newsmon("crawl", "--base-url", server.base_url, "--db",
                         sqlite_url(tmp_path / "polite.sqlite3"),
                         # Politeness as by default; few requests queued, so that
                         # the crawl stops soon after its fourth page.
                         "--set", "CLOSESPIDER_PAGECOUNT=4", "--set",
                         "CONCURRENT_REQUESTS=2", env={"NEWSMON_CONTACT_URL": contact})
        log = list(server.request_log)
    assert result.returncode == 0, result.stderr[-2000:]
    assert log[0].path == "/robots.txt"  # asked before anything else
    assert {entry.user_agent for entry in log} == {f"newsmon/{__version__} (+{contact})"}
    times = [entry.time for entry in log]
    gaps = [later - earlier for earlier, later in zip(times, times[1:])]
    assert len(log) >= 4 and min(gaps) >= 0.4  # DOWNLOAD_DELAY 1 s (randomised +-50%)
    assert EDGE_CASES["robots_disallowed"]["path"] not in [e.path for e in log]


@pytest.mark.e2e
def test_robots_txt_binds_the_requests_that_wait_for_it_together(tmp_path):
    db_url = sqlite_url(tmp_path / "robots.sqlite3")
    disallowed = EDGE_CASES["robots_disallowed"]["path"]
    related_only = EDGE_CASES["related_only"]["path"]
    with ReplicaServer() as server:
        base_url = server.base_url
        first = newsmon("crawl", "--base-url", base_url, "--db", db_url, *FAST)
        execute(db_url, "DELETE FROM articles WHERE url = :url", url=base_url + related_only)
        server.clear_log()
        # The second crawl starts with several requests at once, before robots.txt is
        # read: the home page and the links earlier crawls saw but did not store
        # (crawler/crawl/resume.py): the deleted article, then the disallowed one. Scrapy
        # 2.19 let every waiter but the first through unchecked
        # (crawler.crawl.fetch_guards.RobotsTxtMiddleware).
        second = newsmon("crawl", "--base-url", base_url, "--db", db_url, *FAST)
        paths = server.requested_paths()
    assert first.returncode == 0 and second.returncode == 0, second.stderr[-2000:]
    assert paths[0] == "/robots.txt" and related_only in paths
    assert disallowed not in paths
    assert f"Not fetched, robots.txt forbids it: {base_url}{disallowed}" in second.stderr
