"""`newsmon doctor`: what is wrong with this installation, one line per check.

Each check returns a `Check` (OK, WARNING or FAILURE and one line saying why, with
what to do); the command exits with the worst: 0 OK, 1 warning, 2 failure. The
checks, in order (a check that needs an earlier one to pass says it was skipped):

- config: the configuration loads, and where each value came from;
- database: reachable; schema: at this newsmon's head revision; writable: a row
  written and rolled back;
- disk: free space where the SQLite database, the outage spool, the metrics textfile
  and the logs (/var/log/newsmon, else the journal) live;
- chromium: present and starts (only when JavaScript rendering is on);
- site: the site's robots.txt fetched once, with the configured User-Agent;
- contact: `contact_url` is not the placeholder newsmon ships with;
- runs: no run left `running` by a process that is gone (with the command to mark it);
- scheduler: the last heartbeat of `newsmon schedule` is recent, when one ever ran.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Engine, make_url

from crawler.config import DEFAULT_CONTACT_URL, Config, format_duration

OK, WARNING, FAILURE = 0, 1, 2
LABELS = {OK: "OK", WARNING: "WARNING", FAILURE: "FAILURE"}
LOG_DIRS = ("/var/log/newsmon", "/var/log/journal")
CHROMIUM_TIMEOUT = 30.0
SITE_TIMEOUT = 15.0


@dataclass
class Check:
    name: str
    level: int
    message: str

    @property
    def label(self) -> str:
        return LABELS[self.level]

    def line(self) -> str:
        return f"{self.label:<8} {self.name}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "status": self.label}


def _first_line(exc: BaseException | str) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:300]


# --- configuration -----------------------------------------------------------------------

def check_config(config: Config | None, error: str | None = None) -> Check:
    if config is None:
        return Check("config", FAILURE, f"invalid: {error}")
    by_source: dict[str, list[str]] = {}
    for name, source in sorted(config.sources.items()):
        if source != "default":
            by_source.setdefault(source, []).append(name)
    where = "; ".join(f"from {source}: {', '.join(names)}"
                      for source, names in sorted(by_source.items())) or "all defaults"
    file = config.config_file or "no config file"
    if config.warnings:
        return Check("config", WARNING, f"{'; '.join(config.warnings)} ({file}; {where})")
    return Check("config", OK, f"valid ({file}; {where}; the rest default)")


# --- database ----------------------------------------------------------------------------

def check_database(url: str) -> tuple[list[Check], Engine | None]:
    """database, schema and writable; the engine when the schema is current."""
    from crawler.db import migrate
    from crawler.db.session import DatabaseUnavailable, check_connection, make_engine
    from crawler.config import redact_url

    engine = make_engine(url)
    try:
        check_connection(engine)
    except DatabaseUnavailable as exc:
        engine.dispose()
        return [Check("database", FAILURE, f"{_first_line(exc)} (is it running? "
                                           f"is the URL right?)"),
                Check("schema", FAILURE, "skipped: no database"),
                Check("writable", FAILURE, "skipped: no database")], None
    checks = [Check("database", OK, f"{redact_url(url)} answers")]
    alembic_logger = logging.getLogger("alembic.runtime.migration")
    level = alembic_logger.level
    alembic_logger.setLevel(logging.WARNING)  # no "Context impl" lines
    try:
        current, head = migrate.current_revision(url), migrate.head_revision()
    finally:
        alembic_logger.setLevel(level)
    if current != head:
        checks.append(Check("schema", FAILURE,
                            f"at revision {current or 'none (empty database)'}, this "
                            f"newsmon needs {head}: run `newsmon db upgrade`"))
        checks.append(Check("writable", FAILURE, "skipped: schema not current"))
        return checks, None
    checks.append(Check("schema", OK, f"at the head revision {head}"))
    checks.append(check_writable(engine))
    return checks, engine


def check_writable(engine: Engine) -> Check:
    """Write a heartbeat row and roll it back: the database accepts writes."""
    from crawler.db.models import Heartbeat

    beats = Heartbeat.__table__
    now = datetime.now(UTC)
    try:
        with engine.connect() as conn:
            transaction = conn.begin()
            try:
                conn.execute(insert(beats).values(
                    process="doctor-write-test", role="doctor", host="-", pid=0,
                    started_at=now, beat_at=now))
                conn.execute(delete(beats).where(beats.c.process == "doctor-write-test"))
            finally:
                transaction.rollback()
    except Exception as exc:  # noqa: BLE001 - any refusal is the finding
        return Check("writable", FAILURE, f"a write was refused: "
                                          f"{_first_line(getattr(exc, 'orig', exc))}")
    return Check("writable", OK, "a test write was accepted (and rolled back)")


# --- disk --------------------------------------------------------------------------------

def disk_places(config: Config, url: str) -> dict[str, Path]:
    """What newsmon writes, and where: the existing folder that holds each."""
    from crawler.crawl.spool import spool_path

    places: dict[str, Path] = {}
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database \
            and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
        places["database"] = Path(parsed.database).expanduser()
    places["spool"] = spool_path(url, config.base_url, config.scrapy.get("NEWSMON_SPOOL_DIR"))
    if config.metrics_textfile:
        places["metrics textfile"] = Path(config.metrics_textfile).expanduser()
    for candidate in LOG_DIRS:
        if os.path.isdir(candidate):
            places["logs"] = Path(candidate) / "newsmon.log"
            break
    return {what: _existing_parent(path) for what, path in places.items()}


def _existing_parent(path: Path) -> Path:
    path = path.parent
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_disk(config: Config, url: str) -> Check:
    warn_below = config.doctor_min_free_mb * 1024 * 1024
    by_device: dict[int, tuple[Path, list[str], int]] = {}
    for what, folder in disk_places(config, url).items():
        try:
            device = folder.stat().st_dev
            free = shutil.disk_usage(folder).free
        except OSError as exc:
            return Check("disk", FAILURE, f"{what}: cannot read {folder}: {_first_line(exc)}")
        by_device.setdefault(device, (folder, [], free))[1].append(what)
    level, parts = OK, []
    for folder, whats, free in by_device.values():
        parts.append(f"{', '.join(whats)} on {folder}: {free / 2**30:.1f} GiB free")
        if free < warn_below / 10:
            level = FAILURE
        elif free < warn_below:
            level = max(level, WARNING)
    floor = f" (warning below {config.doctor_min_free_mb} MiB, failure below a tenth)"
    return Check("disk", level, "; ".join(parts) + (floor if level else ""))


# --- Chromium ---------------------------------------------------------------------------

def check_chromium(config: Config) -> Check:
    if not config.javascript:
        return Check("chromium", OK, "not needed (javascript = false)")
    from crawler.crawl.browser import chromium_problem, sandbox_launch_options

    executable, problem = chromium_problem(config.chromium_path)
    if executable is None:
        return Check("chromium", FAILURE, f"{problem}: install it (scripts/install-chromium)"
                                          f" or set javascript = false")
    with tempfile.TemporaryDirectory(prefix="newsmon-doctor-") as profile:
        # The crawl's own arguments: the sandbox on, except as root (crawler.crawl.browser)
        args = sandbox_launch_options()["args"]
        argv = [executable, "--headless", *args, f"--user-data-dir={profile}",
                "--dump-dom", "data:text/html,<p>newsmon-doctor</p>"]
        try:
            done = subprocess.run(argv, capture_output=True, text=True,
                                  timeout=CHROMIUM_TIMEOUT, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return Check("chromium", FAILURE, f"{executable} does not start: {_first_line(exc)}")
    if "newsmon-doctor" not in done.stdout:
        # The last line: Debian's launcher script may print noise first.
        why = (done.stderr.strip().splitlines()[-1][:300] if done.stderr.strip()
               else f"exit {done.returncode}")
        return Check("chromium", FAILURE, f"{executable} did not render a page: {why}")
    return Check("chromium", OK, f"{executable} starts and renders a page")


# --- the site -----------------------------------------------------------------------------

def check_site(config: Config) -> Check:
    """One request: the site's robots.txt, with the User-Agent crawls send."""
    url = config.base_url.rstrip("/") + "/robots.txt"
    request = urllib.request.Request(url, headers={"User-Agent": config.effective_user_agent})
    try:
        with urllib.request.urlopen(request, timeout=SITE_TIMEOUT) as response:  # noqa: S310 - the configured site
            body = response.read(512 * 1024)
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return Check("site", WARNING, f"{url}: 404 (no robots.txt: everything "
                                          f"allowed; is base_url right?)")
        return Check("site", FAILURE, f"{url}: HTTP {exc.code} (blocked? the User-Agent "
                                      f"is {config.effective_user_agent!r})")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return Check("site", FAILURE, f"{url}: unreachable: {_first_line(reason)}")
    text = body.decode("utf-8", "replace")
    rules = sum(1 for line in text.splitlines()
                if line.split(":")[0].strip().lower() in ("allow", "disallow"))
    return Check("site", OK, f"{url}: readable ({rules} rules)")


def check_contact(config: Config) -> Check:
    if config.contact_url.rstrip("/") == DEFAULT_CONTACT_URL.rstrip("/") \
            and not config.user_agent:
        return Check("contact", WARNING,
                     f"contact_url is still newsmon's placeholder {DEFAULT_CONTACT_URL}: "
                     f"set [politeness] contact_url (NEWSMON_CONTACT_URL) to a page of yours")
    return Check("contact", OK, f"User-Agent {config.effective_user_agent!r}")


# --- runs and the scheduler ---------------------------------------------------------------

def check_runs(engine: Engine, url: str) -> Check:
    """Runs recorded `running` whose site's crawl lock is free: nobody runs them."""
    from crawler.db.models import CrawlRun
    from crawler.db.runs import site_key
    from crawler.ops.crawl_lock import LockHeld, crawl_lock

    runs = CrawlRun.__table__
    with engine.connect() as conn:
        running = conn.execute(select(runs.c.id, runs.c.base_url, runs.c.started_at,
                                      runs.c.edition)
                               .where(runs.c.status == "running")).all()
    if not running:
        return Check("runs", OK, "no run left running")
    abandoned, live = [], []
    for site, edition in sorted({(site_key(r.base_url or ""), r.edition) for r in running}):
        mine = [r for r in running if (site_key(r.base_url or ""), r.edition) == (site, edition)]
        ids, base_url = [r.id for r in mine], mine[0].base_url
        try:
            with crawl_lock(url, base_url, edition=edition):
                abandoned.append((base_url, ids))
        except LockHeld:
            live.extend(ids)
    if not abandoned:
        return Check("runs", OK, f"run(s) {', '.join(map(str, live))} running, "
                                 f"their crawl alive")
    parts = [f"run(s) {', '.join(map(str, ids))} of {base} left running by a process that "
             f"is gone: `newsmon db mark-interrupted --base-url {base}` (the next crawl "
             f"of the site does it too)" for base, ids in abandoned]
    return Check("runs", WARNING, "; ".join(parts))


def check_scheduler(engine: Engine, now: datetime | None = None) -> Check:
    from crawler.ops.heartbeat import STALE_AFTER, latest_beat

    now = now or datetime.now(UTC)
    beat = latest_beat(engine)
    if beat is None:
        return Check("scheduler", OK, "no `newsmon schedule` has run against this database "
                                      "(crawls by cron or by hand?)")
    age = (now - beat["beat_at"]).total_seconds()
    who = f"pid {beat['pid']} on {beat['host']}"
    if beat["stopped_at"] is not None:
        return Check("scheduler", WARNING, f"stopped {format_duration(round(age))} ago "
                                           f"({who}): start it again if it should run")
    if age > STALE_AFTER:
        return Check("scheduler", FAILURE,
                     f"no heartbeat for {format_duration(round(age))} ({who}): the "
                     f"scheduler is dead or stuck; check `systemctl status "
                     f"newsmon-scheduler` and its logs")
    return Check("scheduler", OK, f"alive ({who}, heartbeat {round(age)}s ago)")


# --- all of them ------------------------------------------------------------------------

def run_checks(config: Config | None, config_error: str | None, url: str | None
               ) -> list[Check]:
    checks = [check_config(config, config_error)]
    if config is None or url is None:
        return checks
    database_checks, engine = check_database(url)
    checks += database_checks
    checks.append(check_disk(config, url))
    checks.append(check_chromium(config))
    checks.append(check_site(config))
    checks.append(check_contact(config))
    if engine is None:
        checks += [Check("runs", FAILURE, "skipped: no usable database"),
                   Check("scheduler", FAILURE, "skipped: no usable database")]
        return checks
    try:
        checks.append(check_runs(engine, url))
        checks.append(check_scheduler(engine))
    finally:
        engine.dispose()
    return checks


def worst(checks: list[Check]) -> int:
    return max((c.level for c in checks), default=OK)
