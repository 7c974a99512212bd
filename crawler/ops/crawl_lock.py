"""One crawl of a site's edition at a time against a database, whoever starts it.

    with crawl_lock(db_url, base_url, edition="ar"):
        ...  # the crawl

raises `LockHeld` at once (no waiting) when another process holds the lock.

- PostgreSQL: `pg_try_advisory_lock(namespace, hash(site))` on a dedicated connection
  held for the whole crawl. It works across machines (the lock lives in the server)
  and is released by the server when the holder's connection ends, so a crashed or
  killed holder is recovered as soon as its connection closes (TCP keepalives bound
  that for a machine that vanished). The connection's `application_name` names the
  holder (pid, host). A heartbeat thread checks the connection; if it is lost and the
  lock cannot be taken again, the holder is asked to stop (SIGTERM to itself), so two
  crawls never overlap.
- SQLite: `flock` on `<database file>.<site>.lock` beside the database. The kernel
  releases it when the holder dies, whatever the cause. The file holds the holder's
  pid, host and start time (for the message); a file left behind means nothing.
  (SQLite on a network file system is unsupported by SQLite itself; so is this lock.)

The site is the base URL's host and port: http and https of one host are one site.
Each edition of a site has its own lock (``crawler.db.runs.lock_key``: the site, then
``#ar``/``#es``; English keeps the plain site), so the three editions crawl side by side.
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import re
import signal
import socket
import threading
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.pool import NullPool

from crawler.db.runs import lock_key, site_key  # noqa: F401 - site_key: re-exported

logger = logging.getLogger(__name__)

# First key of every newsmon advisory lock (the second is the site's hash).
PG_LOCK_NAMESPACE = zlib.crc32(b"newsmon.crawl_lock") & 0x7FFFFFFF
HEARTBEAT_SECONDS = 30.0


class LockHeld(Exception):
    """Another process holds the crawl lock of this site on this database."""

    def __init__(self, site: str, holder: str):
        self.site = site
        self.holder = holder
        super().__init__(f"another crawl of {site} is running against this database "
                         f"({holder})")


@dataclass
class LockInfo:
    site: str
    kind: str          # "postgresql" | "file" | "none"
    where: str         # the lock file, or the advisory lock keys


def holder_description() -> dict[str, Any]:
    return {"pid": os.getpid(), "host": socket.gethostname(),
            "since": datetime.now(UTC).isoformat(timespec="seconds")}


@contextmanager
def crawl_lock(db_url: str, base_url: str, *, edition: str | None = None,
               heartbeat: float = HEARTBEAT_SECONDS,
               on_lost: Callable[[], None] | None = None) -> Iterator[LockInfo]:
    """Hold the crawl lock of `base_url`'s site and `edition` on `db_url` (LockHeld if
    taken): each edition has its own (``crawler.db.runs.lock_key``)."""
    url = make_url(db_url)
    site = lock_key(base_url, edition)
    backend = url.get_backend_name()
    if backend == "sqlite":
        database = url.database or ""
        if database in ("", ":memory:") or database.startswith("file:"):
            # A private in-memory database: nobody else can crawl into it.
            yield LockInfo(site, "none", "in-memory database")
            return
        with _file_lock(lock_file_path(database, site), site) as info:
            yield info
    elif backend == "postgresql":
        with _pg_lock(db_url, site, heartbeat, on_lost) as info:
            yield info
    else:
        raise ValueError(f"crawl lock: unsupported database {backend!r}")


@contextmanager
def every_edition_lock(db_url: str, base_url: str) -> Iterator[None]:
    """Hold the crawl locks of every edition of the site (LockHeld if one is taken):
    then no crawl of the site runs (marking its abandoned runs interrupted)."""
    from contextlib import ExitStack

    from crawler.config import EDITION_KEYS

    with ExitStack() as stack:
        for edition in EDITION_KEYS:
            stack.enter_context(crawl_lock(db_url, base_url, edition=edition))
        yield


# --- SQLite: a file lock -----------------------------------------------------------

def lock_file_path(database: str, site: str) -> Path:
    slug = re.sub(r"[^A-Za-z0-9.-]+", "_", site.replace(":", "-")) or "site"
    return Path(f"{Path(database).expanduser()}.{slug}.lock")


@contextmanager
def _file_lock(path: Path, site: str) -> Iterator[LockInfo]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)  # not inherited by children
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            raise LockHeld(site, _describe_file_holder(path)) from None
        os.ftruncate(fd, 0)
        os.write(fd, (json.dumps({**holder_description(), "site": site}) + "\n").encode())
        logger.debug("crawl lock %s taken", path)
        try:
            yield LockInfo(site, "file", str(path))
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _describe_file_holder(path: Path) -> str:
    try:
        holder = json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        holder = {}
    if not holder:
        return f"lock file {path}"
    return (f"pid {holder.get('pid', '?')} on {holder.get('host', '?')} since "
            f"{holder.get('since', '?')}; lock file {path}")


# --- PostgreSQL: an advisory lock on a dedicated connection ------------------------

def pg_lock_keys(site: str) -> tuple[int, int]:
    return PG_LOCK_NAMESPACE, zlib.crc32(site.encode()) & 0x7FFFFFFF


def _lock_engine(db_url: str, site: str) -> Engine:
    from crawler.db.session import make_engine

    holder = holder_description()
    name = f"newsmon crawl pid={holder['pid']} host={holder['host']}"[:63]
    return make_engine(db_url, poolclass=NullPool, connect_args={
        "application_name": name,
        # Notice a vanished peer within minutes rather than hours (client side).
        "keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10,
        "keepalives_count": 6,
    })


def _prepare_session(conn: Connection) -> None:
    # The server side of the same: a dead client's session (and lock) ends quickly.
    # idle_session_timeout exists from PostgreSQL 14; each SET may fail on its own.
    for setting in ("tcp_keepalives_idle = 30", "tcp_keepalives_interval = 10",
                    "tcp_keepalives_count = 6", "idle_session_timeout = 0",
                    "idle_in_transaction_session_timeout = 0"):
        try:
            conn.execute(text(f"SET {setting}"))
        except Exception:  # noqa: BLE001 - an older server or a restricted role
            logger.debug("crawl lock: SET %s failed", setting)


def _try_lock(conn: Connection, keys: tuple[int, int]) -> bool:
    return bool(conn.execute(text("SELECT pg_try_advisory_lock(:a, :b)"),
                             {"a": keys[0], "b": keys[1]}).scalar())


def _describe_pg_holder(conn: Connection, keys: tuple[int, int]) -> str:
    row = conn.execute(text(
        "SELECT a.pid, a.application_name, host(a.client_addr) AS client, a.backend_start "
        "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 "
        "AND l.classid::bigint = :a AND l.objid::bigint = :b "
        "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"),
        {"a": keys[0], "b": keys[1]}).mappings().first()
    if row is None:
        return "advisory lock held by a session that just ended; try again"
    since = row["backend_start"].astimezone(UTC).isoformat(timespec="seconds") \
        if row["backend_start"] else "?"
    return (f"{row['application_name'] or 'unnamed session'}, server pid {row['pid']}, "
            f"client {row['client'] or 'local'}, connected since {since}")


def _default_on_lost() -> None:
    logger.error("crawl lock lost and not recovered: stopping this crawl gracefully")
    os.kill(os.getpid(), signal.SIGTERM)


@contextmanager
def _pg_lock(db_url: str, site: str, heartbeat: float,
             on_lost: Callable[[], None] | None) -> Iterator[LockInfo]:
    keys = pg_lock_keys(site)
    engine = _lock_engine(db_url, site)
    state = {"conn": None}
    guard = threading.Lock()
    stop = threading.Event()
    try:
        conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        state["conn"] = conn
        _prepare_session(conn)
        if not _try_lock(conn, keys):
            raise LockHeld(site, _describe_pg_holder(conn, keys))
        logger.debug("crawl lock taken: advisory lock %s/%s", *keys)

        def beat() -> None:
            while not stop.wait(heartbeat):
                with guard:
                    if stop.is_set():
                        return
                    if _heartbeat(engine, state, keys):
                        continue
                (on_lost or _default_on_lost)()
                return

        thread = threading.Thread(target=beat, name="newsmon-lock-heartbeat", daemon=True)
        thread.start()
        try:
            yield LockInfo(site, "postgresql", f"pg_advisory_lock({keys[0]}, {keys[1]})")
        finally:
            with guard:
                stop.set()
            thread.join(timeout=5)
            conn = state["conn"]
            if conn is not None:
                try:
                    conn.execute(text("SELECT pg_advisory_unlock(:a, :b)"),
                                 {"a": keys[0], "b": keys[1]})
                except Exception:  # noqa: BLE001 - closing the session releases it too
                    logger.debug("crawl lock: unlock failed", exc_info=True)
    finally:
        conn = state["conn"]
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: BLE001
                pass
        engine.dispose()


def _heartbeat(engine: Engine, state: dict[str, Any], keys: tuple[int, int]) -> bool:
    """True while this process holds the lock (re-taking it on a new connection if the
    old one was lost and nobody else took it meanwhile)."""
    try:
        state["conn"].execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001
        logger.warning("crawl lock: the lock connection was lost; taking the lock again")
    try:
        state["conn"].close()
    except Exception:  # noqa: BLE001
        pass
    state["conn"] = None
    try:
        conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    except Exception:  # noqa: BLE001
        logger.error("crawl lock: cannot reconnect to the database")
        return False
    _prepare_session(conn)
    if _try_lock(conn, keys):
        state["conn"] = conn
        logger.warning("crawl lock: taken again after the connection was lost")
        return True
    conn.close()
    return False
