"""Where the database is and how to connect to it.

- SQLite (the default): a file, WAL journal, ``foreign_keys=ON``, a busy timeout.
  Transactions are begun explicitly; a connection with the execution option
  ``sqlite_begin="IMMEDIATE"`` takes the write lock at ``BEGIN``, so concurrent
  writers queue (up to the busy timeout) instead of failing.
- PostgreSQL (production): ``postgresql+psycopg://`` (``postgresql://`` and
  ``postgres://`` are rewritten to it), a connection pool (pre-ping, recycle), a
  statement timeout, the session time zone UTC.

Never log a database URL without ``redact_url``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event, make_url, text
from sqlalchemy.exc import ArgumentError, DBAPIError

from crawler.config import redact_url  # noqa: F401  (re-exported: db code uses it)

ENV_DATABASE_URL = "NEWSMON_DATABASE_URL"
SQLITE_BUSY_TIMEOUT_MS = 30_000
PG_STATEMENT_TIMEOUT_MS = 60_000
PG_CONNECT_TIMEOUT_S = 10
# SQLAlchemy's QueuePool: connections kept open, extra ones allowed under load,
# recycled after half an hour (a server or proxy may drop idle connections).
PG_POOL = {"pool_size": 5, "max_overflow": 10, "pool_recycle": 1800}


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or used. The message is one line and
    never contains a password."""


def default_sqlite_path() -> Path:
    """``$XDG_DATA_HOME/newsmon/newsmon.sqlite3``, where ``XDG_DATA_HOME`` defaults
    to ``~/.local/share`` (and is ignored unless it is an absolute path)."""
    data_home = os.environ.get("XDG_DATA_HOME", "")
    base = Path(data_home) if os.path.isabs(data_home) else Path.home() / ".local" / "share"
    return base / "newsmon" / "newsmon.sqlite3"


# The default database file, as computed at import time; see default_sqlite_path().
DEFAULT_SQLITE_PATH = default_sqlite_path()


def sqlite_url(path: str | os.PathLike[str]) -> str:
    """A SQLite URL for a file path (made absolute)."""
    return str(URL.create("sqlite", database=str(Path(path).expanduser().resolve())))


def resolve_database_url(cli_value: str | None) -> str:
    """The database to use: the ``--db`` value, else ``$NEWSMON_DATABASE_URL``, else
    the default SQLite file (whose folder is created).

    A value without ``://`` is taken as a SQLite file path.
    """
    for value in (cli_value, os.environ.get(ENV_DATABASE_URL)):
        if value and value.strip():
            value = value.strip()
            return value if "://" in value else sqlite_url(value)
    path = default_sqlite_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return sqlite_url(path)


def _parse(url: str | URL) -> URL:
    try:
        return make_url(url)
    except ArgumentError:
        # The message of ArgumentError repeats the URL, password included.
        raise ValueError("invalid database URL (expected e.g. sqlite:///path or "
                         "postgresql://user@host/db)") from None


def normalize_url(url: str | URL) -> URL:
    """Parse a URL; ``postgres://`` and ``postgresql://`` become psycopg 3 URLs."""
    parsed = _parse(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _json_dumps(value: Any) -> str:
    # Keep non-ASCII text readable in the database (Arabic titles, tags, ...).
    return json.dumps(value, ensure_ascii=False)


def make_engine(url: str | URL, *, statement_timeout_ms: int = PG_STATEMENT_TIMEOUT_MS,
                **kwargs: Any) -> Engine:
    """An Engine configured for newsmon. ``statement_timeout_ms`` applies to
    PostgreSQL (0: no limit). Extra keyword arguments go to ``create_engine``
    (``connect_args`` are merged)."""
    parsed = normalize_url(url)
    connect_args: dict[str, Any] = {}
    options: dict[str, Any] = {"json_serializer": _json_dumps}
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        connect_args["timeout"] = SQLITE_BUSY_TIMEOUT_MS / 1000
    elif backend == "postgresql":
        connect_args["connect_timeout"] = PG_CONNECT_TIMEOUT_S
        connect_args["application_name"] = "newsmon"
        # Sessions in UTC: a timestamptz reads the same whatever the server's zone.
        connect_args["options"] = (f"-c statement_timeout={int(statement_timeout_ms)} "
                                   f"-c TimeZone=UTC")
        options["pool_pre_ping"] = True
        if "poolclass" not in kwargs:  # e.g. NullPool takes no size
            options.update(PG_POOL)
    connect_args.update(kwargs.pop("connect_args", {}))
    options.update(kwargs)
    engine = create_engine(parsed, connect_args=connect_args, **options)
    if backend == "sqlite":
        _configure_sqlite(engine, in_memory=parsed.database in (None, "", ":memory:"))
    return engine


def _configure_sqlite(engine: Engine, *, in_memory: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below emit BEGIN (pysqlite's implicit
        # transactions would start them late, and never for SELECTs).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_MS)}")
            cursor.execute("PRAGMA foreign_keys=ON")
            if not in_memory:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        if mode not in ("DEFERRED", "IMMEDIATE", "EXCLUSIVE"):
            raise ValueError(f"invalid sqlite_begin mode {mode!r}")
        connection.exec_driver_sql(f"BEGIN {mode}")


def _first_line(error: BaseException, password: str | None) -> str:
    message = str(getattr(error, "orig", None) or error).strip()
    line = message.splitlines()[0].strip() if message else type(error).__name__
    return line.replace(password, "***") if password else line


def check_connection(engine: Engine) -> None:
    """Raise ``DatabaseUnavailable`` (one line, no password) unless ``SELECT 1``
    works on ``engine``."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except (DBAPIError, OSError) as error:
        raise DatabaseUnavailable(
            f"database {redact_url(engine.url)} is unavailable: {_first_line(error, engine.url.password)}"
        ) from error
