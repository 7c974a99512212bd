"""A durable local spool for the items a crawl could not write: the database was gone.

While the database is unavailable, the item pipeline (``crawler.crawl.outage.Spooler``)
appends every item it cannot write to a spool file; once the database answers again,
the spooled items are written in the order they arrived, before anything newer: in the
same run if the database returns in time, else at the start of the next run of the site.

The spool is a SQLite file of its own (stdlib ``sqlite3``, WAL journal,
``synchronous=FULL``): when ``append`` returns, the item is on disk, so a crash, a
SIGKILL or a power cut right after loses nothing. Items are stored as JSON with type
tags (datetimes as ISO 8601, bytes as base64), never pickled: a spool file is data, not
code, and a file written by another version of newsmon cannot run anything.

One spool file per database and site (the database URL without its password, hashed,
and the site's host and port), so that items go back where they came from and two
crawls of different sites never share one. Where:

- ``NEWSMON_SPOOL_DIR`` (a Scrapy setting: ``--set``, or the ``[scrapy]`` table of the
  configuration file), if set;
- else beside a SQLite database file (``<database>.spool-<site>.sqlite3``);
- else ``$XDG_DATA_HOME/newsmon/spool/`` (``~/.local/share/newsmon/spool/``).

The file is created at the first item spooled and never deleted (another process may
hold it open); an empty spool costs a few kilobytes.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import logging
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from crawler.items import (ArticleItem, BreakingItem, FetchErrorItem, IndexPageItem,
                           ListingItem, MenuItem, NotModifiedItem)
from crawler.db.runs import site_key

logger = logging.getLogger(__name__)

SPOOL_DIR_SETTING = "NEWSMON_SPOOL_DIR"


@dataclass
class RunEnd:
    """The end of a run whose database was unavailable when it finished: what
    ``Store.finish_run`` would have recorded (replayed last, with the counts of the
    items written from the spool added)."""
    status: str
    finished_at: datetime
    pages_fetched: int = 0
    articles_new: int = 0
    articles_updated: int = 0
    articles_unchanged: int = 0
    errors: int = 0
    error_summary: str | None = None
    index_complete: bool = False  # Store.finish_run's (a crawl that read every chain)


@dataclass
class RedirectAliases:
    """URLs that redirect to ``target`` (an article), to record as its aliases."""
    target: str
    sources: list[str]


# Every type a spool may hold, by name (the "kind" column). Adding a field with a
# default to one of them keeps old spool files readable.
KINDS: dict[str, type] = {cls.__name__: cls for cls in (
    ArticleItem, ListingItem, IndexPageItem, NotModifiedItem, BreakingItem, MenuItem,
    FetchErrorItem, RunEnd, RedirectAliases)}


# --- the codec: JSON with type tags ------------------------------------------------

def _tagged(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, (bytes, bytearray)):
        return {"$bytes": base64.b64encode(bytes(value)).decode("ascii")}
    raise TypeError(f"cannot spool a {type(value).__name__}")


def _untagged(obj: dict) -> Any:
    if len(obj) == 1:
        if "$datetime" in obj:
            return datetime.fromisoformat(obj["$datetime"])
        if "$bytes" in obj:
            return base64.b64decode(obj["$bytes"])
    return obj


def encode_item(item: Any) -> tuple[str, str]:
    """``(kind, JSON text)`` of an item (one of ``KINDS``); TypeError otherwise."""
    kind = type(item).__name__
    if KINDS.get(kind) is not type(item):
        raise TypeError(f"cannot spool a {kind}")
    values = {f.name: getattr(item, f.name) for f in dataclasses.fields(item)}
    return kind, json.dumps(values, default=_tagged, ensure_ascii=False)


def decode_item(kind: str, payload: str) -> Any:
    """The item ``encode_item`` encoded (unknown fields of a newer version ignored)."""
    cls = KINDS.get(kind)
    if cls is None:
        raise ValueError(f"unknown spooled item kind {kind!r}")
    values = json.loads(payload, object_hook=_untagged)
    names = {f.name for f in dataclasses.fields(cls)}
    values = {k: v for k, v in values.items() if k in names}
    if cls is MenuItem:
        values["sections"] = [tuple(pair) for pair in values.get("sections", [])]
    return cls(**values)


# --- where ---------------------------------------------------------------------------

def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.-]+", "_", text).strip("_") or "site"


def spool_path(db_url: str, base_url: str, spool_dir: str | None = None) -> Path:
    """The spool file of a database and site (see the module docstring)."""
    url = make_url(db_url)
    site = _slug(site_key(base_url).replace(":", "-"))
    if not spool_dir and url.get_backend_name() == "sqlite" and url.database \
            and url.database != ":memory:" and not url.database.startswith("file:"):
        return Path(f"{Path(url.database).expanduser()}.spool-{site}.sqlite3")
    if spool_dir:
        directory = Path(spool_dir).expanduser()
    else:
        from crawler.db.session import default_sqlite_path

        directory = default_sqlite_path().parent / "spool"
    # The URL without its password identifies the database (never the password).
    identity = url.render_as_string(hide_password=True)
    digest = hashlib.sha256(identity.encode()).hexdigest()[:16]
    database = _slug(f"{url.host or 'local'}-{url.database or ''}")[:40]
    return directory / f"{database}-{digest}.spool-{site}.sqlite3"


# --- the file ------------------------------------------------------------------------

@dataclass
class SpooledRecord:
    id: int
    run_id: int
    seen_at: datetime
    kind: str
    payload: str

    def item(self) -> Any:
        return decode_item(self.kind, self.payload)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS spooled (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER NOT NULL,
    seen_at TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    spooled_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS unwritable (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL,
    seen_at TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    spooled_at TEXT NOT NULL,
    error TEXT NOT NULL
);
"""


class Spool:
    """A spool file (created on the first ``append``). Safe to share between
    processes (SQLite locking); one connection per instance, for one thread."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._conn: sqlite3.Connection | None = None

    def _connect(self, create: bool) -> sqlite3.Connection | None:
        if self._conn is None:
            if not create and not self.path.exists():
                return None
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")  # fsync at every commit
            conn.executescript(_SCHEMA)
            self._conn = conn
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def append(self, run_id: int, seen_at: datetime, item: Any) -> int:
        """Write one item durably; returns its record id."""
        kind, payload = encode_item(item)
        conn = self._connect(create=True)
        assert conn is not None
        now = datetime.now(UTC).isoformat()
        cursor = conn.execute(
            "INSERT INTO spooled (run_id, seen_at, kind, payload, spooled_at) "
            "VALUES (?, ?, ?, ?, ?)", (run_id, seen_at.isoformat(), kind, payload, now))
        return int(cursor.lastrowid or 0)

    def count(self, run_id: int | None = None) -> int:
        conn = self._connect(create=False)
        if conn is None:
            return 0
        if run_id is None:
            return conn.execute("SELECT count(*) FROM spooled").fetchone()[0]
        return conn.execute("SELECT count(*) FROM spooled WHERE run_id = ?",
                            (run_id,)).fetchone()[0]

    def runs(self) -> list[int]:
        """The runs with spooled items, oldest first."""
        conn = self._connect(create=False)
        if conn is None:
            return []
        return [r[0] for r in conn.execute(
            "SELECT run_id FROM spooled GROUP BY run_id ORDER BY min(id)")]

    def records(self, batch: int = 50) -> Iterator[SpooledRecord]:
        """Every spooled record in arrival order, read in short batches (records
        appended or removed meanwhile are seen or skipped accordingly)."""
        conn = self._connect(create=False)
        if conn is None:
            return
        last = 0
        while True:
            rows = conn.execute(
                "SELECT id, run_id, seen_at, kind, payload FROM spooled WHERE id > ? "
                "ORDER BY id LIMIT ?", (last, batch)).fetchall()
            if not rows:
                return
            for row in rows:
                last = row[0]
                yield SpooledRecord(row[0], row[1], datetime.fromisoformat(row[2]),
                                    row[3], row[4])

    def remove(self, record_id: int) -> None:
        """The record is in the database now: forget it (durably)."""
        conn = self._connect(create=False)
        if conn is not None:
            conn.execute("DELETE FROM spooled WHERE id = ?", (record_id,))

    def set_aside(self, record_id: int, error: str) -> None:
        """A record the database refuses (not an outage: a bug or bad data) moves to
        the ``unwritable`` table of the file, kept for inspection, out of the way."""
        conn = self._connect(create=False)
        if conn is None:
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("INSERT INTO unwritable (id, run_id, seen_at, kind, payload, "
                         "spooled_at, error) SELECT id, run_id, seen_at, kind, payload, "
                         "spooled_at, ? FROM spooled WHERE id = ?", (error[:2000], record_id))
            conn.execute("DELETE FROM spooled WHERE id = ?", (record_id,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def unwritable_count(self) -> int:
        conn = self._connect(create=False)
        if conn is None:
            return 0
        return conn.execute("SELECT count(*) FROM unwritable").fetchone()[0]
