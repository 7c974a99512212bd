"""Command-line values checked before anything is opened, created or fetched:
database URLs, site URLs, limits, output files, Scrapy settings.

Each check raises ``UsageError`` (exit 2) with one line naming the value, or, for a
database that is not there, ``NoDatabase`` (exit 3). Nothing here writes anything.
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from crawler.cli.errors import NoDatabase, UsageError

# Drivers newsmon is installed with; `postgres://` is what Docker and hosting services
# print, and means PostgreSQL (psycopg 3) for every command.
SQLITE_DRIVERS = ("sqlite", "sqlite+pysqlite")
POSTGRES_DRIVERS = ("postgres", "postgresql", "postgresql+psycopg")
URL_EXAMPLES = "sqlite:///PATH, a file path, or postgresql://USER@HOST/DB"
# A value without "://" that starts like a scheme: `postgresql//host/db`, `sqlite:/x`.
_BROKEN_SCHEME = re.compile(r"^(?:[a-z][a-z0-9+.-]*:/{1,2}(?!/)|"
                            r"(?:postgres|postgresql|sqlite|mysql|mariadb|oracle|mssql)"
                            r"[a-z0-9+]*(?::|//))", re.IGNORECASE)
MAX_LIMIT = 100_000


def database_url(value: str | None, *, must_exist: bool = False) -> str:
    """The database a command uses, from ``--db`` (or the configuration, the
    environment, the default file): a plain path is a SQLite file; ``postgres://`` and
    ``postgresql://`` become ``postgresql+psycopg://``. UsageError for a URL newsmon
    cannot use; NoDatabase when ``must_exist`` and the SQLite file is missing (a read
    command must not create an empty database where a mistyped one was meant)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from crawler.db.session import default_sqlite_path, sqlite_url

    text = (value or os.environ.get("NEWSMON_DATABASE_URL") or "").strip()
    if not text:
        text = sqlite_url(default_sqlite_path())
    elif "://" not in text:
        if _BROKEN_SCHEME.match(text):
            raise UsageError(f"--db: {text.split('/')[0]!r}... looks like a broken URL "
                             f"(expected {URL_EXAMPLES})")
        text = sqlite_url(text)
    try:
        url = make_url(text)
    except ArgumentError:
        # Its message repeats the URL, password included.
        raise UsageError(f"--db: not a database URL (expected {URL_EXAMPLES})") from None
    driver = url.drivername.lower()
    if driver in POSTGRES_DRIVERS:
        url = url.set(drivername="postgresql+psycopg")
        if not url.database:
            raise UsageError("--db: a PostgreSQL URL must name the database "
                             "(postgresql://USER@HOST/DB)")
    elif driver in SQLITE_DRIVERS:
        if url.database in (None, "", ":memory:") or "mode=memory" in text:
            raise UsageError("--db: an in-memory SQLite database (sqlite://) is lost when "
                             "the command ends: give a file, sqlite:///PATH")
        path = Path(url.database).expanduser()
        if path.is_dir():
            raise UsageError(f"--db: {path} is a directory, not a database file")
        if must_exist and not path.exists():
            raise NoDatabase(f"no database at {path} (check --db, database_url in the "
                             f"config file or $NEWSMON_DATABASE_URL)")
    else:
        scheme = driver.split("+")[0]
        raise UsageError(f"--db: unsupported database {scheme!r}: newsmon stores into "
                         f"SQLite or PostgreSQL ({URL_EXAMPLES})")
    return url.render_as_string(hide_password=False)


def site_url(value: str, option: str = "--base-url") -> str:
    """An http(s) URL with a host, as the configuration file requires (UsageError)."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{option} must be an http(s) URL such as "
                         f"https://english.almayadeen.net, got {value!r}")
    return value.strip()


def limit(value: str) -> int:
    """An argparse type: a count from 1 to MAX_LIMIT."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if not 1 <= number <= MAX_LIMIT:
        raise argparse.ArgumentTypeError(f"must be from 1 to {MAX_LIMIT}, got {value}")
    return number


def output_path(value: str, option: str = "--out") -> str:
    """A file that can be written: not empty, not a directory, in an existing one."""
    if not value.strip():
        raise UsageError(f"{option}: an empty file name")
    path = Path(value).expanduser()
    if path.is_dir():
        raise UsageError(f"{option}: {value} is a directory")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"{option}: no directory {parent} to write {path.name} in")
    return str(path)


@contextmanager
def atomic_output(path: str) -> Iterator[IO[str]]:
    """A text stream whose content replaces ``path`` only once it is complete: written
    to a temporary file beside it, renamed on success, removed on failure (the file
    that was there is kept). A device or pipe (``/dev/stdout``, ``/dev/full``) is
    written directly: it cannot be renamed over."""
    target = Path(path)
    if target.exists() and not target.is_file():
        with open(target, "w", encoding="utf-8", newline="") as handle:
            yield handle
        return
    fd, partial = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial",
                                   dir=target.parent if str(target.parent) else ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if target.exists():
            os.chmod(partial, target.stat().st_mode & 0o7777)
        else:
            os.chmod(partial, 0o666 & ~_umask())
        os.replace(partial, target)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# --- Scrapy settings -----------------------------------------------------------------

_TRUE_FALSE = {"1", "0", "True", "true", "False", "false"}  # what Scrapy's getbool reads
# Integer settings that are counts (read with getint); other integer defaults, such as
# DOWNLOAD_TIMEOUT = 30, are read as floats and take "0.5".
_WHOLE = re.compile(r"CONCURRENT|_TIMES$|_COUNT$|_PAGES$|_ITEMS$|SIZE$|DEPTH|_RUNS$|_PORT$")


def scrapy_setting_types(settings: dict[str, Any]) -> None:
    """UsageError when a known Scrapy or newsmon setting gets a value of the wrong type
    (``DOWNLOAD_DELAY=abc``): Scrapy would fail inside its reactor, with tracebacks."""
    from scrapy.settings import default_settings

    from crawler.crawl import settings as newsmon_settings

    for name, value in settings.items():
        default = getattr(newsmon_settings, name, getattr(default_settings, name, None))
        if default is None or value is None:
            continue
        if isinstance(default, bool):
            ok = isinstance(value, (bool, int)) or str(value).strip() in _TRUE_FALSE
            expected = "True, False, 1 or 0"
        elif isinstance(default, int) and _WHOLE.search(name):
            ok = _converts(value, int)
            expected = "a whole number"
        elif isinstance(default, int):  # e.g. DOWNLOAD_TIMEOUT = 30 is read as a float
            ok = _converts(value, float)
            expected = "a number"
        elif isinstance(default, float):
            ok = _converts(value, float)
            expected = "a number"
        else:
            continue
        if not ok:
            raise UsageError(f"Scrapy setting {name}: {expected} expected, got {value!r}")


def _converts(value: Any, kind: type) -> bool:
    if isinstance(value, bool):
        return False
    try:
        kind(str(value).strip() if isinstance(value, str) else value)
    except (TypeError, ValueError, OverflowError):
        return False
    return True
