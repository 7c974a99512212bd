"""The database of `newsmon demo`: which one it may replace, how it is marked, and how
the report tells the user to look at it (never with the password in clear).

A SQLite file the demo creates carries a file-level tag (SQLite's ``application_id``
in the file header): the next demo replaces only a file with that tag, or any file
with ``--force``; anything else (a real crawl database, a text file) is refused. A
PostgreSQL database is never emptied: the demo refuses one holding another site's
runs (the replica is served on a stable port, so a second demo updates the first).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from crawler.cli.errors import UsageError

# "nsmm" in the file header (offset 68): this file was created by `newsmon demo`.
DEMO_APPLICATION_ID = int.from_bytes(b"nsmm", "big")
# The English replica's port for the demo (a stable origin; the Arabic and Spanish
# ones: the next two); another one when it is taken.
DEMO_PORT = 8765


def demo_sqlite_path(db_url: str) -> Path | None:
    url = make_url(db_url)
    return Path(url.database) if url.get_backend_name() == "sqlite" else None


def is_demo_file(path: Path) -> bool:
    """True when ``path`` is a SQLite file whose header carries the demo's tag."""
    try:
        with open(path, "rb") as handle:
            header = handle.read(100)
    except OSError:
        return False
    return (len(header) == 100 and header.startswith(b"SQLite format 3\x00")
            and int.from_bytes(header[68:72], "big") == DEMO_APPLICATION_ID)


def prepare_sqlite(path: Path, force: bool) -> None:
    """Remove an earlier demo's file (each demo starts afresh), or refuse (UsageError)
    to touch anything else unless ``force``. Then create the file, tagged."""
    if not path.parent.is_dir():
        raise UsageError(f"--db: no directory {path.parent} for the demo database")
    if path.exists():
        if not path.is_file():
            raise UsageError(f"--db: {path} is not a file: not replacing it")
        if not (force or is_demo_file(path)):
            raise UsageError(f"--db: {path} exists and was not created by `newsmon demo`: "
                             f"not replacing it (choose another --db, or --force)")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    # Tag the file before anything else writes to it (rollback journal: the header is
    # in the main file at once, even if the demo is killed later).
    connection = sqlite3.connect(path)
    try:
        connection.execute(f"PRAGMA application_id={DEMO_APPLICATION_ID}")
        connection.commit()
    finally:
        connection.close()


def refuse_other_sites(store: object, base_urls: list[str]) -> None:
    """UsageError when a (PostgreSQL) database holds runs of a site other than the
    replicas at ``base_urls`` (one per edition): the demo would mix its articles into
    someone's data."""
    from sqlalchemy import select

    from crawler.db.models import CrawlRun

    runs = CrawlRun.__table__
    with store.engine.connect() as connection:  # type: ignore[attr-defined]
        others = sorted({row[0] for row in connection.execute(
            select(runs.c.base_url).where(runs.c.base_url.not_in(base_urls)).distinct())})
    if others:
        raise UsageError(f"--db: the database holds crawls of {', '.join(others[:3])}: "
                         f"the demo needs an empty database or one of an earlier demo")


def try_hints(db_url: str, program: str) -> list[str]:
    """Commands to look at the demo's data; a password is left out (libpq and
    newsmon read it from PGPASSWORD or ~/.pgpass)."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        return [f"{program} export --db {url.database} --format jsonl | head -n 1",
                f"sqlite3 {url.database} 'select section, count(*) from articles "
                f"group by section'"]
    def without_password(driver: str) -> str:
        return URL.create(driver, username=url.username, host=url.host, port=url.port,
                          database=url.database, query=url.query
                          ).render_as_string(hide_password=False)

    hints = [f"{program} export --db '{without_password(url.drivername)}' --format jsonl "
             f"| head -n 1",
             f"psql '{without_password('postgresql')}' -c "
             f"'select section, count(*) from articles group by section'"]
    if url.password:
        hints.append("(password left out: set PGPASSWORD or use ~/.pgpass)")
    return hints
