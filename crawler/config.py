"""Every operational setting of newsmon, in one place.

Each value comes from (highest first): the command line where a command has an option
for it (`--db`, `--base-url`, `--set`), an environment variable `NEWSMON_*`, the
optional TOML file (`--config FILE` or `$NEWSMON_CONFIG`), the default here.

    database_url = "postgresql+psycopg://newsmon@db/newsmon"   # NEWSMON_DATABASE_URL
    base_url = "https://english.almayadeen.net"                # NEWSMON_BASE_URL
    javascript = true                                          # NEWSMON_JAVASCRIPT
    chromium_path = "/usr/bin/chromium"                        # NEWSMON_CHROMIUM_PATH
    log_format = "text"                                        # NEWSMON_LOG_FORMAT
    log_level = "INFO"                                         # NEWSMON_LOG_LEVEL
    metrics_address = "off"       # NEWSMON_METRICS_ADDRESS (`schedule` serves /metrics)
    metrics_textfile = ""         # NEWSMON_METRICS_TEXTFILE (`crawl` writes its metrics)

    [site]                        # Al Mayadeen's editions (crawler/sites/editions.py)
    editions = ["en", "ar", "es"] # NEWSMON_EDITIONS: what `schedule`/`monitor` crawl
    ar_base_url = ""              # NEWSMON_AR_BASE_URL ("" = https://www.almayadeen.net)
    es_base_url = ""              # NEWSMON_ES_BASE_URL ("" = https://espanol.almayadeen.net)
                                  # (English: base_url above)

    [politeness]
    download_delay = 1.0          # NEWSMON_DOWNLOAD_DELAY (seconds)
    concurrency = 2               # NEWSMON_CONCURRENCY (requests at a time to the site)
    autothrottle = true           # NEWSMON_AUTOTHROTTLE
    obey_robots = true            # NEWSMON_OBEY_ROBOTS
    contact_url = "https://..."   # NEWSMON_CONTACT_URL
    user_agent = ""               # NEWSMON_USER_AGENT ("" = newsmon/VERSION (+contact_url))

    [schedule]
    crawl_every = "10m"           # NEWSMON_CRAWL_EVERY ("off" disables the job)
    revisit_every = "1h"          # NEWSMON_REVISIT_EVERY
    backfill_cron = "30 3 * * *"  # NEWSMON_BACKFILL_CRON (crontab syntax, or "off")
    ...

    [health]
    ...

    [retention]                   # `newsmon prune` (docs/OPERATIONS.md); "off" keeps all
    raw_pages = "off"             # NEWSMON_RETENTION_RAW_PAGES, e.g. "180d"
    placements = "off"            # NEWSMON_RETENTION_PLACEMENTS (compacted after)
    fetch_errors = "off"          # NEWSMON_RETENTION_FETCH_ERRORS
    runs = "off"                  # NEWSMON_RETENTION_RUNS

    [scrapy]                      # any other Scrapy setting (no environment variable)
    DOWNLOAD_TIMEOUT = 20

`newsmon config` prints the effective values, where each came from, secrets masked.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from crawler import __version__
from crawler.config_values import (  # noqa: F401  (parsers re-exported for callers)
    choice_of, format_duration, format_listen_address, non_negative_float, optional_text,
    parse_bool, parse_cron, parse_duration, parse_listen_address, parse_optional_duration,
    parse_str_list, parse_str_map, plain_text, positive_int, rate, to_toml)

ENV_CONFIG = "NEWSMON_CONFIG"
DEFAULT_BASE_URL = "https://english.almayadeen.net"  # crawler.spiders.almayadeen uses it
LOG_FORMATS = ("text", "json")
# The editions' keys (crawler.sites.editions, a layer above, names their hosts).
EDITION_KEYS = ("en", "ar", "es")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
JOBS = ("crawl", "revisit", "backfill", "prune")

# Politeness and browser defaults; crawler/crawl/settings.py takes its values from here.
DEFAULT_CONTACT_URL = "https://github.com/newsmon/newsmon"
DEFAULT_CHROMIUM_PATH = "/usr/bin/chromium"
DEFAULT_DOWNLOAD_DELAY = 1.0
DEFAULT_CONCURRENCY = 2            # requests in flight to the site
DEFAULT_CONCURRENT_REQUESTS = 8    # in flight overall
DEFAULT_AUTOTHROTTLE = True
DEFAULT_OBEY_ROBOTS = True


# NEWSMON_* variables that are not settings, so not misspellings either: the test
# suite's and CI's (tests/conftest.py, .ci/run), the crash-test hooks
# (crawler/db/faults.py) and the benchmarks' database.
NOT_SETTINGS_ENV = frozenset({
    "NEWSMON_REQUIRE_POSTGRES", "NEWSMON_REQUIRE_BROWSER", "NEWSMON_TEST_PG_URL",
    "NEWSMON_BENCH_PG_URL", "NEWSMON_SAVE_REPORT_PNG", "NEWSMON_FAULT_EXIT_AFTER_WRITES",
    "NEWSMON_FAULT_WRITES_OF", "NEWSMON_FAULT_MODE"})


class ConfigError(ValueError):
    """A configuration value (file or environment) that cannot be used."""


# --- the settings ------------------------------------------------------------------

def _setting(default: Any, section: str | None, key: str, parse: Any, *, env: str | None = "",
             secret: bool = False, doc: str = "", factory: Any = None) -> Any:
    meta = {"section": section, "key": key, "parse": parse, "secret": secret, "doc": doc,
            "env": (f"NEWSMON_{key.upper()}" if env == "" else env)}
    if factory is not None:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


@dataclass
class Config:
    """The effective configuration. `sources` says where each field's value came from."""

    database_url: str | None = _setting(
        None, None, "database_url", optional_text, secret=True,
        doc="database URL (default: the SQLite file ~/.local/share/newsmon/newsmon.sqlite3)")
    base_url: str = _setting(DEFAULT_BASE_URL, None, "base_url", plain_text, doc="site to crawl")
    editions: list[str] = _setting(None, "site", "editions", lambda v: _editions(v),
                                   factory=lambda: ["en"],
                                   doc="the editions `schedule` and `monitor` crawl, each "
                                       "in turn (en, ar, es); `crawl` takes --edition")
    ar_base_url: str | None = _setting(None, "site", "ar_base_url", optional_text,
                                       doc="the Arabic edition's site (default: "
                                           "https://www.almayadeen.net)")
    es_base_url: str | None = _setting(None, "site", "es_base_url", optional_text,
                                       doc="the Spanish edition's site (default: "
                                           "https://espanol.almayadeen.net)")
    javascript: bool = _setting(True, None, "javascript", parse_bool,
                                doc="render the pages that need JavaScript in Chromium "
                                    "(scrapy-playwright); false: record them as skipped")
    chromium_path: str = _setting(DEFAULT_CHROMIUM_PATH, None, "chromium_path",
                                  plain_text, doc="the Chromium executable (Debian's chromium)")
    log_format: str = _setting("text", None, "log_format", choice_of(LOG_FORMATS),
                               doc="text, or json (one JSON object a line)")
    log_level: str = _setting("INFO", None, "log_level", choice_of(LOG_LEVELS, upper=True))
    metrics_address: tuple[str, int] | None = _setting(
        None, None, "metrics_address", parse_listen_address,
        doc="`newsmon schedule` serves Prometheus /metrics here: PORT (on 127.0.0.1) or "
            "HOST:PORT; off by default")
    metrics_textfile: str | None = _setting(
        None, None, "metrics_textfile", optional_text,
        doc="`newsmon crawl` writes its metrics to this node_exporter textfile "
            "(*.prom), atomically, at the end of the run")

    download_delay: float = _setting(
        DEFAULT_DOWNLOAD_DELAY, "politeness", "download_delay",
        non_negative_float, doc="seconds between two requests to the site")
    concurrency: int = _setting(
        DEFAULT_CONCURRENCY, "politeness", "concurrency",
        positive_int, doc="requests in flight to the site at a time")
    autothrottle: bool = _setting(DEFAULT_AUTOTHROTTLE, "politeness",
                                  "autothrottle", parse_bool,
                                  doc="slow down when the site slows down")
    obey_robots: bool = _setting(DEFAULT_OBEY_ROBOTS, "politeness", "obey_robots",
                                 parse_bool)
    contact_url: str = _setting(DEFAULT_CONTACT_URL, "politeness",
                                "contact_url", plain_text,
                                doc="where the site's operators can reach you")
    user_agent: str = _setting("", "politeness", "user_agent", plain_text,
                               doc='"" = newsmon/VERSION (+contact_url); must name a URL')

    crawl_every: float | None = _setting(600.0, "schedule", "crawl_every",
                                         parse_optional_duration,
                                         doc="fresh crawl interval, or off")
    revisit_every: float | None = _setting(3600.0, "schedule", "revisit_every",
                                           parse_optional_duration,
                                           doc="revisit pass interval (when the command exists)")
    backfill_cron: str | None = _setting("30 3 * * *", "schedule", "backfill_cron", parse_cron,
                                         doc="`newsmon backfill` (sitemaps), crontab syntax")
    schedule_timezone: str = _setting("UTC", "schedule", "timezone", plain_text,
                                      env="NEWSMON_SCHEDULE_TIMEZONE",
                                      doc="time zone of backfill_cron")
    run_on_start: bool = _setting(True, "schedule", "run_on_start", parse_bool,
                                  doc="start a crawl as soon as the scheduler starts")
    coalesce: bool = _setting(True, "schedule", "coalesce", parse_bool,
                              doc="run a job once, not once per missed time")
    max_instances: int = _setting(1, "schedule", "max_instances", positive_int)
    misfire_grace_time: float = _setting(300.0, "schedule", "misfire_grace_time",
                                         parse_duration,
                                         doc="a job that is late by more is skipped")
    shutdown_grace: float = _setting(120.0, "schedule", "shutdown_grace", parse_duration,
                                     doc="on SIGTERM, time the running crawl has to finish")
    job_timeout: float | None = _setting(7200.0, "schedule", "job_timeout",
                                         parse_optional_duration,
                                         doc="a job running longer is stopped like on SIGTERM")
    prune_cron: str | None = _setting(None, "schedule", "prune_cron", parse_cron,
                                      doc="`newsmon prune` (the [retention] settings), "
                                          "crontab syntax, e.g. '15 4 * * *'; off")
    crawl_args: list[str] = _setting(None, "schedule", "crawl_args", parse_str_list, env=None,
                                     factory=list, doc="extra arguments of `newsmon crawl`")
    revisit_args: list[str] = _setting(None, "schedule", "revisit_args", parse_str_list,
                                       env=None, factory=list)
    backfill_args: list[str] = _setting(None, "schedule", "backfill_args", parse_str_list,
                                        env=None, factory=list)
    prune_args: list[str] = _setting(None, "schedule", "prune_args", parse_str_list,
                                     env=None, factory=list)
    monitor: bool = _setting(False, "schedule", "monitor", parse_bool,
                             doc="run `newsmon monitor` continuously instead of the crawl "
                                 "job (restarted within a minute if it ends)")
    monitor_args: list[str] = _setting(None, "schedule", "monitor_args", parse_str_list,
                                       env=None, factory=list,
                                       doc="extra arguments of `newsmon monitor` "
                                           "(e.g. --budget)")

    health_window: int = _setting(10, "health", "window", positive_int,
                                  env="NEWSMON_HEALTH_WINDOW",
                                  doc="recent finished runs the rates are computed over")
    health_warn_age: float = _setting(1800.0, "health", "warn_age", parse_duration,
                                      env="NEWSMON_HEALTH_WARN_AGE",
                                      doc="last successful run older: WARNING")
    health_crit_age: float = _setting(7200.0, "health", "crit_age", parse_duration,
                                      env="NEWSMON_HEALTH_CRIT_AGE",
                                      doc="last successful run older: CRITICAL")
    health_warn_failure_rate: float = _setting(0.2, "health", "warn_failure_rate", rate,
                                               env="NEWSMON_HEALTH_WARN_FAILURE_RATE",
                                               doc="share of failed runs in the window")
    health_crit_failure_rate: float = _setting(0.5, "health", "crit_failure_rate", rate,
                                               env="NEWSMON_HEALTH_CRIT_FAILURE_RATE")
    health_warn_error_rate: float = _setting(0.1, "health", "warn_error_rate", rate,
                                             env="NEWSMON_HEALTH_WARN_ERROR_RATE",
                                             doc="fetch errors per page fetched in the window")
    health_crit_error_rate: float = _setting(0.5, "health", "crit_error_rate", rate,
                                             env="NEWSMON_HEALTH_CRIT_ERROR_RATE")

    retention_raw_pages: float | None = _setting(
        None, "retention", "raw_pages", parse_optional_duration,
        env="NEWSMON_RETENTION_RAW_PAGES",
        doc="delete stored pages fetched longer ago (reparse cannot re-read them); off")
    retention_placements: float | None = _setting(
        None, "retention", "placements", parse_optional_duration,
        env="NEWSMON_RETENTION_PLACEMENTS",
        doc="compact placement runs older than this to one per position; off")
    retention_fetch_errors: float | None = _setting(
        None, "retention", "fetch_errors", parse_optional_duration,
        env="NEWSMON_RETENTION_FETCH_ERRORS", doc="delete fetch errors older; off")
    retention_runs: float | None = _setting(
        None, "retention", "runs", parse_optional_duration, env="NEWSMON_RETENTION_RUNS",
        doc="delete run records (with their errors and statistics) older; off")
    retention_keep_runs: int = _setting(
        100, "retention", "keep_runs", positive_int, env="NEWSMON_RETENTION_KEEP_RUNS",
        doc="the newest runs of each site are always kept (layout alarm baseline)")
    prune_batch: int = _setting(500, "retention", "batch", positive_int,
                                env="NEWSMON_PRUNE_BATCH",
                                doc="rows per transaction (short locks)")
    doctor_min_free_mb: int = _setting(
        1024, "doctor", "min_free_mb", positive_int, env="NEWSMON_DOCTOR_MIN_FREE_MB",
        doc="`newsmon doctor` warns below this free disk space, fails below a tenth")
    alerts_poll: float = _setting(2.0, "alerts", "poll", parse_duration,
                                  env="NEWSMON_ALERTS_POLL",
                                  doc="the scheduler's sender looks for new alerts this often")
    alerts_digest_after: int = _setting(5, "alerts", "digest_after", positive_int,
                                        env="NEWSMON_ALERTS_DIGEST_AFTER",
                                        doc="alerts a watchlist sends one by one per minute; "
                                            "more arrive as one digest")
    alerts_max_attempts: int = _setting(10, "alerts", "max_attempts", positive_int,
                                        env="NEWSMON_ALERTS_MAX_ATTEMPTS",
                                        doc="then an alert is failed (newsmon alerts retry)")
    alerts_backoff: float = _setting(5.0, "alerts", "backoff", parse_duration,
                                     env="NEWSMON_ALERTS_BACKOFF",
                                     doc="wait after a first failed attempt; doubles after "
                                         "each, at most 15m")
    alerts_lease: float = _setting(60.0, "alerts", "lease", parse_duration,
                                   env="NEWSMON_ALERTS_LEASE",
                                   doc="a sender that died mid-delivery: its alerts are "
                                       "sent again after this")
    alerts_crawl_wait: float = _setting(30.0, "alerts", "crawl_wait", parse_duration,
                                        env="NEWSMON_ALERTS_CRAWL_WAIT",
                                        doc="`newsmon crawl` waits at most this long to "
                                            "deliver its run's alerts")
    alerts_feeds: dict[str, str] = _setting(
        None, "alerts", "feeds", parse_str_map, env="NEWSMON_ALERTS_FEEDS", factory=dict,
        doc="watchlist name -> Atom feed file that `newsmon schedule` rewrites when new "
            "matches arrive (after each job); env: name=FILE,name=FILE")

    scrapy: dict[str, Any] = _setting(None, "scrapy", "*", dict, env=None, factory=dict,
                                      doc="other Scrapy settings")

    # Not settings: where the values came from.
    config_file: str | None = field(default=None, metadata={"internal": True})
    sources: dict[str, str] = field(default_factory=dict, metadata={"internal": True})
    warnings: list[str] = field(default_factory=list, metadata={"internal": True})

    # --- derived values ------------------------------------------------------------

    @property
    def effective_user_agent(self) -> str:
        return self.user_agent or f"newsmon/{__version__} (+{self.contact_url})"

    def job_schedule(self, job: str) -> tuple[str, Any] | None:
        """("interval", seconds) | ("cron", expression) | None (disabled)."""
        if job == "crawl":  # the monitor replaces the fixed crawls
            return ("interval", self.crawl_every) if self.crawl_every and not self.monitor \
                else None
        if job == "monitor":  # a long-running job: started again a minute after it ends
            return ("interval", 60.0) if self.monitor else None
        if job == "revisit":
            return ("interval", self.revisit_every) if self.revisit_every else None
        if job == "backfill":
            return ("cron", self.backfill_cron) if self.backfill_cron else None
        if job == "prune":
            return ("cron", self.prune_cron) if self.prune_cron else None
        raise KeyError(job)

    def edition_base_url(self, edition: str) -> str | None:
        """The configured site of an edition (English: ``base_url``), or None for the
        edition's real site (crawler.sites.editions)."""
        if edition == "en":
            return self.base_url
        return getattr(self, f"{edition}_base_url", None) or None

    def job_args(self, job: str) -> list[str]:
        return list(getattr(self, f"{job}_args"))

    def scrapy_settings(self) -> dict[str, Any]:
        """Scrapy settings for `newsmon crawl` (below `--set`, above crawler/crawl/settings.py)."""
        result: dict[str, Any] = {
            "DOWNLOAD_DELAY": self.download_delay,
            "CONCURRENT_REQUESTS_PER_DOMAIN": self.concurrency,
            "CONCURRENT_REQUESTS": max(self.concurrency,
                                       DEFAULT_CONCURRENT_REQUESTS),
            "AUTOTHROTTLE_ENABLED": self.autothrottle,
            "ROBOTSTXT_OBEY": self.obey_robots,
            "USER_AGENT": self.effective_user_agent,
            "NEWSMON_CONTACT_URL": self.contact_url,
            "NEWSMON_JAVASCRIPT": self.javascript,
            "NEWSMON_CHROMIUM_PATH": self.chromium_path,
            "LOG_LEVEL": self.log_level,
        }
        if self.metrics_textfile:  # crawler.ops.metrics.RunMetrics writes it
            result["NEWSMON_METRICS_TEXTFILE"] = self.metrics_textfile
        result.update(self.scrapy)
        return result

    # --- views ---------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)
                if not f.metadata.get("internal")}

    def masked(self) -> dict[str, Any]:
        """Settings by TOML section (top-level keys first), secrets masked."""
        view: dict[str, Any] = {}
        for f in fields(self):
            if f.metadata.get("internal"):
                continue
            value = getattr(self, f.name)
            if f.metadata["secret"] and value:
                value = mask_url(value)
            section, key = f.metadata["section"], f.metadata["key"]
            if section == "scrapy":
                view["scrapy"] = {k: ("***" if _secret_name(k) and v else v)
                                  for k, v in value.items()}
                continue
            if f.metadata["parse"] in (parse_duration, parse_optional_duration):
                value = format_duration(value)
            elif f.metadata["parse"] is parse_listen_address:
                value = format_listen_address(value)
            elif value is None:
                value = ""
            (view.setdefault(section, {}) if section else view)[key] = value
        return view


def _secret_name(name: str) -> bool:
    return bool(re.search(r"pass|secret|token|credential|auth|apikey|api_key", name, re.I))


def redact_url(url: Any) -> str:
    """A database URL with its password hidden (``***``), safe for logs and messages."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<invalid database URL>"


def mask_url(url: str) -> str:
    """A URL with its password (and any password-like query parameter) masked."""
    masked = redact_url(url)
    return re.sub(r"(?i)((?:password|pass|token|secret)=)[^&]*", r"\1***", masked)


# --- loading -----------------------------------------------------------------------

def _spec() -> dict[tuple[str | None, str], Any]:
    return {(f.metadata["section"], f.metadata["key"]): f for f in fields(Config)
            if not f.metadata.get("internal")}


def _describe(section: str | None, key: str) -> str:
    return f"[{section}] {key}" if section else key


def load_config(path: str | os.PathLike[str] | None = None,
                environ: dict[str, str] | None = None) -> Config:
    """The effective configuration: environment over the TOML file over defaults.

    `path` defaults to `$NEWSMON_CONFIG`; no file is read when neither is set.
    Raises ConfigError with a one-line reason.
    """
    env = dict(os.environ if environ is None else environ)
    path = path or env.get(ENV_CONFIG) or None
    spec = _spec()
    raw: dict[str, tuple[Any, str]] = {}  # field name -> (value, source)

    if path is not None:
        file = Path(path).expanduser()
        try:
            with open(file, "rb") as handle:
                data = tomllib.load(handle)
        except FileNotFoundError:
            raise ConfigError(f"config file not found: {file}") from None
        except UnicodeDecodeError as exc:
            raise ConfigError(f"cannot read config file {file}: not UTF-8 text (byte "
                              f"{exc.object[exc.start]:#04x} at offset {exc.start}); "
                              f"save it as UTF-8") from None
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read config file {file}: {exc}") from None
        source = f"file {file}"
        for name, value in data.items():
            if isinstance(value, dict) and name in {s for s, _k in spec if s}:
                if name == "scrapy":
                    raw["scrapy"] = (dict(value), source)
                    continue
                for key, item in value.items():
                    f = spec.get((name, key))
                    if f is None:
                        raise ConfigError(f"{file}: unknown setting [{name}] {key}")
                    raw[f.name] = (item, source)
            else:
                f = spec.get((None, name))
                if f is None:
                    raise ConfigError(f"{file}: unknown setting {name}")
                raw[f.name] = (value, source)

    known_env = {ENV_CONFIG, *NOT_SETTINGS_ENV}
    for f in spec.values():
        var = f.metadata["env"]
        if not var:
            continue
        known_env.add(var)
        if var in env:
            raw[f.name] = (env[var], f"env {var}")

    config = Config()
    config.config_file = str(Path(path).expanduser().resolve()) if path else None
    for f in spec.values():
        if f.name not in raw:
            config.sources[f.name] = "default"
            continue
        value, source = raw[f.name]
        try:
            parsed = f.metadata["parse"](value)
        except (ValueError, TypeError) as exc:
            where = _describe(f.metadata["section"], f.metadata["key"])
            raise ConfigError(f"{where} (from {source}): {exc}") from None
        setattr(config, f.name, parsed)
        config.sources[f.name] = source
    for var in sorted(env):
        if var.startswith("NEWSMON_") and var not in known_env:
            config.warnings.append(f"unknown environment variable {var} (ignored)")
    _validate(config)
    if config.contact_url == DEFAULT_CONTACT_URL or re.search(
            r"\.\.\.|example\.(org|com|net)", config.contact_url):
        config.warnings.append(f"contact_url is still the placeholder {config.contact_url!r}: "
                               f"set [politeness] contact_url (or NEWSMON_CONTACT_URL) to "
                               f"a page where the site's operators can reach you")
    return config


def _editions(value: Any) -> list[str]:
    keys = [k.strip().lower() for k in parse_str_list(
        value.replace(",", " ") if isinstance(value, str) else value)]
    unknown = [k for k in keys if k not in EDITION_KEYS]
    if unknown or not keys:
        raise ValueError(f"expected editions among {', '.join(EDITION_KEYS)}, got {value!r}")
    return list(dict.fromkeys(keys))


def _validate(config: Config) -> None:
    for name in ("base_url", "ar_base_url", "es_base_url"):
        value = getattr(config, name)
        if value is not None and not re.match(r"https?://[^/\s]+", value):
            raise ConfigError(f"{name} must be an http(s) URL, got {value!r}")
    if not re.search(r"https?://|@", config.effective_user_agent):
        raise ConfigError("[politeness] user_agent must include a contact URL, e.g. "
                          "'newsmon/0.1 (+https://example.org/contact)'")
    if config.health_crit_age < config.health_warn_age:
        raise ConfigError("[health] crit_age must not be shorter than warn_age")
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(config.schedule_timezone)
    except Exception:  # noqa: BLE001 - ZoneInfoNotFoundError, ValueError
        raise ConfigError(f"[schedule] timezone: unknown time zone "
                          f"{config.schedule_timezone!r}") from None


_current: Config | None = None


def set_current(config: Config | None) -> None:
    """Make `config` what `current()` returns (the CLI does this once per process)."""
    global _current  # noqa: PLW0603
    _current = config


def current() -> Config:
    """The configuration set by the CLI, else loaded from the environment."""
    return _current if _current is not None else load_config()


def field_names() -> dict[tuple[str | None, str], str]:
    """(section, key) -> field name, for to_toml's source comments."""
    return {key: f.name for key, f in _spec().items()}


__all__ = ["Config", "ConfigError", "load_config", "current", "set_current", "mask_url",
           "parse_duration", "parse_optional_duration", "format_duration", "JOBS"]
