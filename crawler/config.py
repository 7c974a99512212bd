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

    [scrapy]                      # any other Scrapy setting (no environment variable)
    DOWNLOAD_TIMEOUT = 20

`newsmon config` prints the effective values, where each came from, secrets masked.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from crawler import __version__
from crawler import settings as scrapy_defaults

ENV_CONFIG = "NEWSMON_CONFIG"
DEFAULT_BASE_URL = "https://english.almayadeen.net"  # same as crawler.spiders.almayadeen
LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
JOBS = ("crawl", "revisit", "backfill")
_OFF = ("", "off", "none", "false", "no", "0", "never", "disabled")


class ConfigError(ValueError):
    """A configuration value (file or environment) that cannot be used."""


# --- value parsing -----------------------------------------------------------------

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)", re.IGNORECASE)
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(value: Any) -> float:
    """Seconds from a number (seconds) or a string like "90", "2s", "10m", "1h30m", "1d"."""
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        text = str(value).strip().lower()
        try:
            seconds = float(text)
        except ValueError:
            parts = _DURATION_PART.findall(text)
            if not parts or _DURATION_PART.sub("", text).strip():
                raise ValueError(f"not a duration: {value!r} (try 30s, 10m, 1h, 1d)") from None
            seconds = sum(float(n) * _UNIT_SECONDS[u.lower()] for n, u in parts)
    if seconds < 0 or not math.isfinite(seconds):
        raise ValueError(f"not a duration: {value!r}")
    return seconds


def parse_optional_duration(value: Any) -> float | None:
    """Like parse_duration, but "off", "", 0 (and the like) mean disabled (None)."""
    if value is None or (isinstance(value, str) and value.strip().lower() in _OFF):
        return None
    if value is False:
        return None
    seconds = parse_duration(value)
    return seconds or None


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "off"
    if seconds and seconds % 86400 == 0:
        return f"{int(seconds // 86400)}d"
    if seconds and seconds % 3600 == 0:
        return f"{int(seconds // 3600)}h"
    if seconds and seconds % 60 == 0:
        return f"{int(seconds // 60)}m"
    return f"{seconds:g}s"


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"not a boolean: {value!r} (use true or false)")


def parse_cron(value: Any) -> str | None:
    if value is None or value is False or str(value).strip().lower() in _OFF:
        return None
    text = " ".join(str(value).split())
    if len(text.split(" ")) != 5:
        raise ValueError(f"not a 5-field crontab expression: {value!r}")
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(text, timezone="UTC")
    except ValueError as exc:
        raise ValueError(f"bad crontab expression {value!r}: {exc}") from None
    return text


def parse_str_list(value: Any) -> list[str]:
    if isinstance(value, str):
        import shlex

        return shlex.split(value)
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return [str(v) for v in value]
    raise ValueError(f"expected a list of strings, got {value!r}")


def _choice(options: tuple[str, ...], upper: bool = False):
    def parse(value: Any) -> str:
        text = str(value).strip()
        text = text.upper() if upper else text.lower()
        if text not in options:
            raise ValueError(f"{value!r} is not one of {', '.join(options)}")
        return text
    return parse


def _positive_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(f"not an integer: {value!r}")
    number = int(str(value).strip()) if not isinstance(value, int) else value
    if number < 1:
        raise ValueError(f"must be at least 1, got {value!r}")
    return number


def _non_negative_float(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    number = float(value)
    if number < 0 or not math.isfinite(number):
        raise ValueError(f"must be a non-negative number, got {value!r}")
    return number


def _rate(value: Any) -> float:
    number = _non_negative_float(value)
    if number > 1:
        raise ValueError(f"a rate is between 0 and 1, got {value!r}")
    return number


def _text(value: Any) -> str:
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise ValueError(f"expected a string, got {value!r}")
    return str(value).strip()


def _optional_text(value: Any) -> str | None:
    text = _text(value)
    return text or None


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
        None, None, "database_url", _optional_text, secret=True,
        doc="database URL (default: the SQLite file ~/.local/share/newsmon/newsmon.sqlite3)")
    base_url: str = _setting(DEFAULT_BASE_URL, None, "base_url", _text, doc="site to crawl")
    javascript: bool = _setting(True, None, "javascript", parse_bool,
                                doc="render the pages that need JavaScript in Chromium "
                                    "(scrapy-playwright); false: record them as skipped")
    chromium_path: str = _setting(scrapy_defaults.NEWSMON_CHROMIUM_PATH, None, "chromium_path",
                                  _text, doc="the Chromium executable (Debian's chromium)")
    log_format: str = _setting("text", None, "log_format", _choice(LOG_FORMATS),
                               doc="text, or json (one JSON object a line)")
    log_level: str = _setting("INFO", None, "log_level", _choice(LOG_LEVELS, upper=True))

    download_delay: float = _setting(
        float(scrapy_defaults.DOWNLOAD_DELAY), "politeness", "download_delay",
        _non_negative_float, doc="seconds between two requests to the site")
    concurrency: int = _setting(
        scrapy_defaults.CONCURRENT_REQUESTS_PER_DOMAIN, "politeness", "concurrency",
        _positive_int, doc="requests in flight to the site at a time")
    autothrottle: bool = _setting(scrapy_defaults.AUTOTHROTTLE_ENABLED, "politeness",
                                  "autothrottle", parse_bool,
                                  doc="slow down when the site slows down")
    obey_robots: bool = _setting(scrapy_defaults.ROBOTSTXT_OBEY, "politeness", "obey_robots",
                                 parse_bool)
    contact_url: str = _setting(scrapy_defaults.NEWSMON_CONTACT_URL, "politeness",
                                "contact_url", _text,
                                doc="where the site's operators can reach you")
    user_agent: str = _setting("", "politeness", "user_agent", _text,
                               doc='"" = newsmon/VERSION (+contact_url); must name a URL')

    crawl_every: float | None = _setting(600.0, "schedule", "crawl_every",
                                         parse_optional_duration,
                                         doc="fresh crawl interval, or off")
    revisit_every: float | None = _setting(3600.0, "schedule", "revisit_every",
                                           parse_optional_duration,
                                           doc="revisit pass interval (when the command exists)")
    backfill_cron: str | None = _setting("30 3 * * *", "schedule", "backfill_cron", parse_cron,
                                         doc="`newsmon backfill` (sitemaps), crontab syntax")
    schedule_timezone: str = _setting("UTC", "schedule", "timezone", _text,
                                      env="NEWSMON_SCHEDULE_TIMEZONE",
                                      doc="time zone of backfill_cron")
    run_on_start: bool = _setting(True, "schedule", "run_on_start", parse_bool,
                                  doc="start a crawl as soon as the scheduler starts")
    coalesce: bool = _setting(True, "schedule", "coalesce", parse_bool,
                              doc="run a job once, not once per missed time")
    max_instances: int = _setting(1, "schedule", "max_instances", _positive_int)
    misfire_grace_time: float = _setting(300.0, "schedule", "misfire_grace_time",
                                         parse_duration,
                                         doc="a job that is late by more is skipped")
    shutdown_grace: float = _setting(120.0, "schedule", "shutdown_grace", parse_duration,
                                     doc="on SIGTERM, time the running crawl has to finish")
    job_timeout: float | None = _setting(7200.0, "schedule", "job_timeout",
                                         parse_optional_duration,
                                         doc="a job running longer is stopped like on SIGTERM")
    crawl_args: list[str] = _setting(None, "schedule", "crawl_args", parse_str_list, env=None,
                                     factory=list, doc="extra arguments of `newsmon crawl`")
    revisit_args: list[str] = _setting(None, "schedule", "revisit_args", parse_str_list,
                                       env=None, factory=list)
    backfill_args: list[str] = _setting(None, "schedule", "backfill_args", parse_str_list,
                                        env=None, factory=list)

    health_window: int = _setting(10, "health", "window", _positive_int,
                                  env="NEWSMON_HEALTH_WINDOW",
                                  doc="recent finished runs the rates are computed over")
    health_warn_age: float = _setting(1800.0, "health", "warn_age", parse_duration,
                                      env="NEWSMON_HEALTH_WARN_AGE",
                                      doc="last successful run older: WARNING")
    health_crit_age: float = _setting(7200.0, "health", "crit_age", parse_duration,
                                      env="NEWSMON_HEALTH_CRIT_AGE",
                                      doc="last successful run older: CRITICAL")
    health_warn_failure_rate: float = _setting(0.2, "health", "warn_failure_rate", _rate,
                                               env="NEWSMON_HEALTH_WARN_FAILURE_RATE",
                                               doc="share of failed runs in the window")
    health_crit_failure_rate: float = _setting(0.5, "health", "crit_failure_rate", _rate,
                                               env="NEWSMON_HEALTH_CRIT_FAILURE_RATE")
    health_warn_error_rate: float = _setting(0.1, "health", "warn_error_rate", _rate,
                                             env="NEWSMON_HEALTH_WARN_ERROR_RATE",
                                             doc="fetch errors per page fetched in the window")
    health_crit_error_rate: float = _setting(0.5, "health", "crit_error_rate", _rate,
                                             env="NEWSMON_HEALTH_CRIT_ERROR_RATE")

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
        if job == "crawl":
            return ("interval", self.crawl_every) if self.crawl_every else None
        if job == "revisit":
            return ("interval", self.revisit_every) if self.revisit_every else None
        if job == "backfill":
            return ("cron", self.backfill_cron) if self.backfill_cron else None
        raise KeyError(job)

    def job_args(self, job: str) -> list[str]:
        return list(getattr(self, f"{job}_args"))

    def scrapy_settings(self) -> dict[str, Any]:
        """Scrapy settings for `newsmon crawl` (below `--set`, above crawler/settings.py)."""
        result: dict[str, Any] = {
            "DOWNLOAD_DELAY": self.download_delay,
            "CONCURRENT_REQUESTS_PER_DOMAIN": self.concurrency,
            "CONCURRENT_REQUESTS": max(self.concurrency,
                                       scrapy_defaults.CONCURRENT_REQUESTS),
            "AUTOTHROTTLE_ENABLED": self.autothrottle,
            "ROBOTSTXT_OBEY": self.obey_robots,
            "USER_AGENT": self.effective_user_agent,
            "NEWSMON_CONTACT_URL": self.contact_url,
            "NEWSMON_JAVASCRIPT": self.javascript,
            "NEWSMON_CHROMIUM_PATH": self.chromium_path,
            "LOG_LEVEL": self.log_level,
        }
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
            elif value is None:
                value = ""
            (view.setdefault(section, {}) if section else view)[key] = value
        return view


def _secret_name(name: str) -> bool:
    return bool(re.search(r"pass|secret|token|credential|auth|apikey|api_key", name, re.I))


def mask_url(url: str) -> str:
    """A URL with its password (and any password-like query parameter) masked."""
    from crawler.db.session import redact_url

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

    known_env = {ENV_CONFIG}
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
    return config


def _validate(config: Config) -> None:
    if not re.match(r"https?://[^/\s]+", config.base_url):
        raise ConfigError(f"base_url must be an http(s) URL, got {config.base_url!r}")
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


def to_toml(view: dict[str, Any], sources: dict[str, str] | None = None,
            names: dict[tuple[str | None, str], str] | None = None) -> str:
    """Render a masked() view as TOML, with each value's source as a comment."""
    lines: list[str] = []

    def emit(section: str | None, items: dict[str, Any]) -> None:
        for key, value in items.items():
            comment = ""
            if sources is not None and names is not None and (section, key) in names:
                comment = f"  # {sources.get(names[(section, key)], 'default')}"
            lines.append(f"{_toml_key(key)} = {_toml_value(value)}{comment}")

    emit(None, {k: v for k, v in view.items() if not isinstance(v, dict)})
    for section, items in view.items():
        if isinstance(items, dict):
            lines.append("")
            lines.append(f"[{section}]")
            emit(section, items)
    return "\n".join(lines) + "\n"


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_value(key)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}"
                               for k, v in value.items()) + "}"
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def field_names() -> dict[tuple[str | None, str], str]:
    """(section, key) -> field name, for to_toml's source comments."""
    return {key: f.name for key, f in _spec().items()}


__all__ = ["Config", "ConfigError", "load_config", "current", "set_current", "mask_url",
           "parse_duration", "parse_optional_duration", "format_duration", "JOBS"]
