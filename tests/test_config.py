"""Configuration (environment over TOML over defaults), `newsmon config`, JSON logs."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest

from crawler import config as config_module
from crawler.config import ConfigError, load_config, parse_duration
from crawler.db.session import sqlite_url
from crawler.logging_setup import JsonFormatter
from crawler.replica.server import ReplicaServer
from tests._ops_helpers import clean_env, newsmon, runs

TOML = """
database_url = "postgresql://newsmon:s3cret@db.internal/newsmon"
base_url = "https://news.example"

[politeness]
download_delay = 2.5
concurrency = 1
contact_url = "https://ops.example/newsmon"

[schedule]
crawl_every = "15m"
backfill_cron = "off"
shutdown_grace = 45
crawl_args = ["--set", "DOWNLOAD_TIMEOUT=10"]

[health]
warn_age = "1h"
crit_age = "4h"

[scrapy]
DOWNLOAD_TIMEOUT = 20
HTTPPROXY_AUTH_PASSWORD = "hunter2"
"""


@pytest.fixture
def toml_file(tmp_path: Path) -> Path:
    path = tmp_path / "newsmon.toml"
    path.write_text(TOML)
    return path


def test_defaults() -> None:
    config = load_config(environ={})
    assert config.config_file is None
    assert config.database_url is None and config.base_url == "https://english.almayadeen.net"
    assert (config.crawl_every, config.revisit_every, config.backfill_cron) == (
        600, 3600, "30 3 * * *")
    assert (config.coalesce, config.max_instances) == (True, 1)
    assert config.javascript is True and config.chromium_path == "/usr/bin/chromium"
    assert set(config.sources.values()) == {"default"}
    assert config.effective_user_agent.endswith(f"(+{config.contact_url})")


def test_file_then_environment(toml_file: Path) -> None:
    config = load_config(toml_file, environ={"NEWSMON_DOWNLOAD_DELAY": "0.5",
                                             "NEWSMON_CRAWL_EVERY": "2s",
                                             "NEWSMON_JAVASCRIPT": "no"})
    assert config.base_url == "https://news.example"           # file
    assert config.download_delay == 0.5                          # env over file
    assert config.crawl_every == 2 and config.sources["crawl_every"] == "env NEWSMON_CRAWL_EVERY"
    assert config.sources["concurrency"] == f"file {toml_file}"
    assert config.revisit_every == 3600 and config.sources["revisit_every"] == "default"
    assert config.backfill_cron is None and config.job_schedule("backfill") is None
    assert config.shutdown_grace == 45 and config.health_warn_age == 3600
    assert config.job_args("crawl") == ["--set", "DOWNLOAD_TIMEOUT=10"]
    # NEWSMON_CONFIG names the file when no path is given
    assert load_config(environ={"NEWSMON_CONFIG": str(toml_file)}).concurrency == 1


def test_scrapy_settings(toml_file: Path) -> None:
    settings = load_config(toml_file, environ={}).scrapy_settings()
    assert settings["DOWNLOAD_DELAY"] == 2.5
    assert settings["CONCURRENT_REQUESTS_PER_DOMAIN"] == 1
    assert settings["USER_AGENT"].endswith("(+https://ops.example/newsmon)")
    assert settings["DOWNLOAD_TIMEOUT"] == 20  # [scrapy] passes through
    assert settings["ROBOTSTXT_OBEY"] is True and settings["AUTOTHROTTLE_ENABLED"] is True


def test_crawl_settings_order(toml_file: Path) -> None:
    """crawler/crawl/settings.py < configuration < --set."""
    from crawler.cli.common import crawl_overrides

    config_module.set_current(load_config(toml_file, environ={}))
    try:
        settings = crawl_overrides({"DOWNLOAD_DELAY": "0"})
    finally:
        config_module.set_current(None)
    assert settings["DOWNLOAD_DELAY"] == "0" and settings["CONCURRENT_REQUESTS_PER_DOMAIN"] == 1
    assert settings["LOG_INSTALL_ROOT_HANDLER"] is False


def test_masked(toml_file: Path) -> None:
    view = load_config(toml_file, environ={}).masked()
    assert view["database_url"] == "postgresql://newsmon:***@db.internal/newsmon"
    assert view["scrapy"]["HTTPPROXY_AUTH_PASSWORD"] == "***"
    assert view["schedule"]["crawl_every"] == "15m"
    assert "s3cret" not in json.dumps(view) and "hunter2" not in json.dumps(view)


@pytest.mark.parametrize("env, message", [
    ({"NEWSMON_DOWNLOAD_DELAY": "fast"}, "download_delay (from env NEWSMON_DOWNLOAD_DELAY)"),
    ({"NEWSMON_CRAWL_EVERY": "soon"}, "crawl_every"),
    ({"NEWSMON_BACKFILL_CRON": "3 * *"}, "crontab"),
    ({"NEWSMON_LOG_FORMAT": "xml"}, "log_format"),
    ({"NEWSMON_CONCURRENCY": "0"}, "concurrency"),
    ({"NEWSMON_USER_AGENT": "newsmon"}, "contact URL"),
    ({"NEWSMON_BASE_URL": "ftp://x"}, "base_url"),
    ({"NEWSMON_HEALTH_WARN_AGE": "5h"}, "crit_age"),
    ({"NEWSMON_SCHEDULE_TIMEZONE": "Mars/Olympus"}, "time zone"),
])
def test_invalid_values(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_config(environ=env)
    assert message in str(error.value)


def test_invalid_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[politeness]\ndownload_dealy = 1\n")
    with pytest.raises(ConfigError, match=r"unknown setting \[politeness\] download_dealy"):
        load_config(bad, environ={})
    bad.write_text("base_url = \n")
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_config(bad, environ={})
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.toml", environ={})


def test_durations() -> None:
    assert [parse_duration(v) for v in (90, "90", "2s", "10m", "1h30m", "1d", "250ms")] == [
        90, 90, 2, 600, 5400, 86400, 0.25]
    with pytest.raises(ValueError):
        parse_duration("10 minutes")


def test_config_command(toml_file: Path) -> None:
    env = clean_env(NEWSMON_CONFIG=str(toml_file),
                    NEWSMON_DATABASE_URL="postgresql://newsmon:from-env@db2/newsmon")
    result = newsmon("config", env=env)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "from-env" not in out and "s3cret" not in out and "hunter2" not in out
    assert 'database_url = "postgresql://newsmon:***@db2/newsmon"  # env NEWSMON_DATABASE_URL' \
        in out
    assert f'concurrency = 1  # file {toml_file}' in out
    assert "USER_AGENT" in out
    result = newsmon("config", "--format", "json", "--config", str(toml_file),
                     env=clean_env())
    data = json.loads(result.stdout)
    assert data["settings"]["politeness"]["download_delay"] == 2.5
    assert data["config_file"] == str(toml_file.resolve())


def test_bad_configuration_exits_2(tmp_path: Path) -> None:
    result = newsmon("config", env=clean_env(NEWSMON_CRAWL_EVERY="often"))
    assert result.returncode == 2
    assert "configuration: [schedule] crawl_every (from env NEWSMON_CRAWL_EVERY)" \
        in result.stderr


def test_json_logs() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    log = logging.getLogger("newsmon.test_json")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("run %d: %s", 7, "naïve", extra={"run_id": 7})
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            log.exception("failed")
    finally:
        log.removeHandler(handler)
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "run 7: naïve" and first["level"] == "WARNING"
    assert first["run_id"] == 7 and first["time"].endswith("Z")
    assert "RuntimeError: boom" in second["exception"]
    # every stderr line is JSON, a command's printed messages included
    result = newsmon("--log-format", "json", "runs", "--db",
                     "postgresql://postgres@127.0.0.1:1/nothing")
    records = [json.loads(line) for line in result.stderr.splitlines()]
    assert any(r["level"] == "ERROR" and "database unavailable" in r["message"]
               for r in records)
    result = newsmon("config", "--log-format", "json",
                     env=clean_env(NEWSMON_UNKNOWN_THING="1"))
    records = [json.loads(line) for line in result.stderr.splitlines()]
    # (the other warning: contact_url is still the placeholder, issue 13)
    assert any("unknown environment variable NEWSMON_UNKNOWN_THING" in r["message"]
               for r in records)


def test_crawl_uses_the_configuration(tmp_path: Path) -> None:
    """base_url, database_url and the user agent of a TOML file reach the crawl."""
    db_url = sqlite_url(tmp_path / "newsmon.sqlite3")
    with ReplicaServer() as replica:
        config = tmp_path / "newsmon.toml"
        config.write_text(f'database_url = "{db_url}"\nbase_url = "{replica.base_url}"\n'
                          '[politeness]\ncontact_url = "https://ops.example/contact"\n'
                          'download_delay = 0\nautothrottle = false\n')
        result = newsmon("--config", str(config), "crawl", "--trigger", "cron", timeout=60,
                         env=clean_env())
        agents = {r.user_agent for r in replica.request_log}
    assert result.returncode == 0, result.stderr[-2000:]
    assert agents == {"newsmon/0.1.0 (+https://ops.example/contact)"}
    (run,) = runs(db_url)
    assert run["trigger"] == "cron" and run["status"] == "ok"


DEPLOY = Path(__file__).resolve().parent.parent / "deploy"


def test_deploy_examples_match_the_code() -> None:
    """deploy/: the TOML example shows the defaults, every NEWSMON_* variable named
    there exists, and every newsmon command line parses."""
    import re
    import shlex
    from dataclasses import fields

    from crawler.cli import build_parser
    from crawler.config import ENV_CONFIG, Config

    example = load_config(DEPLOY / "newsmon.toml.example", environ={})
    defaults = load_config(environ={})
    assert example.values() == defaults.values()
    known = {ENV_CONFIG} | {f.metadata["env"] for f in fields(Config)
                            if f.metadata.get("env")}
    texts = {p.name: p.read_text() for p in DEPLOY.rglob("*") if p.is_file()}
    named = {v for text in texts.values() for v in re.findall(r"\bNEWSMON_[A-Z_]+", text)}
    from crawler.crawl import settings as scrapy_settings

    known |= {name for name in vars(scrapy_settings) if name.startswith("NEWSMON_")}
    assert named - {"NEWSMON_DB_PASSWORD"} <= known, named - known
    commands = [m.group(1) for text in texts.values()
                for m in re.finditer(r"(?:/bin/newsmon|\"\$NEWSMON\"|exec scheduler newsmon)"
                                     r" ([a-z][^>;|\n]*)", text)]
    assert len(commands) >= 5, commands
    parser = build_parser()
    from crawler.cli import cli_commands

    available = cli_commands()
    for command in commands:
        argv = shlex.split(command)
        if argv[0] in ("revisit", "backfill") and argv[0] not in available:
            continue  # the examples show them for when those commands exist
        parser.parse_args(argv)
