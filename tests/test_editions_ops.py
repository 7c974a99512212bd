"""Editions in operations: which edition a crawl is, the per-edition crawl lock, the
configuration's editions and the scheduler's per-edition jobs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from crawler.cli import cli_commands
from crawler.config import ConfigError, load_config, set_current
from crawler.crawl.edition import crawl_edition
from crawler.db.runs import lock_key
from crawler.ops.crawl_lock import LockHeld, crawl_lock, every_edition_lock
from crawler.ops.scheduler import CrawlScheduler


def test_two_editions_lock_side_by_side_one_edition_once(db_url: str) -> None:
    site = "http://127.0.0.1:8123/"
    with crawl_lock(db_url, site, edition="ar"):
        with crawl_lock(db_url, site, edition="es"):   # another edition: beside it
            with crawl_lock(db_url, site, edition="en"):
                pass
        with pytest.raises(LockHeld) as refused:        # the same edition: refused
            with crawl_lock(db_url, "https://127.0.0.1:8123/x", edition="ar"):
                pass
        assert "127.0.0.1:8123#ar" in str(refused.value)
        with pytest.raises(LockHeld):                   # "no crawl of the site at all"
            with every_edition_lock(db_url, site):
                pass
    with every_edition_lock(db_url, site):              # all released
        pass


def test_english_keeps_the_lock_it_had_before_editions() -> None:
    assert lock_key("https://english.almayadeen.net/") == "english.almayadeen.net"
    assert lock_key("https://english.almayadeen.net/", "en") == "english.almayadeen.net"
    assert lock_key("http://127.0.0.1:8001", "ar") == "127.0.0.1:8001#ar"


def test_the_crawl_edition() -> None:
    assert crawl_edition("es", None, "http://127.0.0.1:1").key == "es"
    assert crawl_edition(None, "ar", "http://127.0.0.1:1").key == "ar"
    assert crawl_edition(None, None, "https://espanol.almayadeen.net/").key == "es"
    assert crawl_edition(None, None, "https://almayadeen.net").key == "ar"
    assert crawl_edition(None, None, "http://127.0.0.1:1").key == "en"
    with pytest.raises(ValueError):
        crawl_edition("fr", None, "")


def test_crawl_target_from_edition_and_base_url(tmp_path: Path) -> None:
    from crawler.cli.common import crawl_target
    from crawler.cli.errors import UsageError

    config_file = tmp_path / "n.toml"
    config_file.write_text('[site]\neditions = ["en", "ar", "es"]\n'
                           'ar_base_url = "http://127.0.0.1:8011"\n')
    set_current(load_config(config_file, environ={}))
    try:
        assert crawl_target("ar", None) == ("ar", "http://127.0.0.1:8011")
        assert crawl_target("es", None) == ("es", "https://espanol.almayadeen.net")
        assert crawl_target("ES", "http://127.0.0.1:9") == ("es", "http://127.0.0.1:9")
        # A base URL alone: the configured edition whose site it is.
        assert crawl_target(None, "http://127.0.0.1:8011/") == ("ar", "http://127.0.0.1:8011/")
        assert crawl_target(None, None) == ("en", "https://english.almayadeen.net")
        with pytest.raises(UsageError):
            crawl_target("fr", None)
    finally:
        set_current(None)


def test_config_editions_are_checked(tmp_path: Path) -> None:
    assert load_config(environ={}).editions == ["en"]
    assert load_config(environ={"NEWSMON_EDITIONS": "ar, es"}).editions == ["ar", "es"]
    with pytest.raises(ConfigError, match="editions"):
        load_config(environ={"NEWSMON_EDITIONS": "en fr"})
    with pytest.raises(ConfigError, match="es_base_url"):
        load_config(environ={"NEWSMON_ES_BASE_URL": "espanol"})


def test_scheduler_runs_each_configured_edition(tmp_path: Path) -> None:
    config_file = tmp_path / "n.toml"
    config_file.write_text('[site]\neditions = ["en", "ar", "es"]\n'
                           '[schedule]\nmonitor = true\n')
    config = load_config(config_file, environ={})
    scheduler = CrawlScheduler(config, config_path=str(config_file), db="sqlite:///x.db",
                               log_format="json", commands=cli_commands())
    jobs = set(scheduler.enabled_jobs())
    assert {"monitor:en", "monitor:ar", "monitor:es"} <= jobs and "monitor" not in jobs
    argv = scheduler.child_argv("monitor:ar")
    assert argv[:3] == [sys.executable, "-m", "crawler.cli"]
    assert argv[3:] == ["--log-format", "json", "--config", str(config_file), "monitor",
                        "--db", "sqlite:///x.db", "--edition", "ar", "--from-scheduler"]
    assert scheduler.edition_sites() == ["https://english.almayadeen.net",
                                         "https://www.almayadeen.net",
                                         "https://espanol.almayadeen.net"]
    # English alone: the jobs of before editions, unchanged.
    plain = CrawlScheduler(load_config(environ={}), commands=cli_commands())
    assert "crawl" in plain.enabled_jobs() and "--edition" not in plain.child_argv("crawl")
