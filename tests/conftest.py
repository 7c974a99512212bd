"""Database fixtures shared by the test suite.

- ``db_url``: an empty database, once on SQLite (a file in ``tmp_path``) and once on
  PostgreSQL (a fresh ``newsmon_test_<random>`` database on 127.0.0.1:5432, dropped
  afterwards). When PostgreSQL is unreachable the PostgreSQL case is skipped, or
  fails if ``NEWSMON_REQUIRE_POSTGRES=1``. ``NEWSMON_TEST_PG_URL`` overrides the
  server (a URL of its maintenance database, default ``postgres``).
- ``db_engine``: an Engine (``make_engine``) on ``db_url``, not migrated.
- ``store``: a migrated database on both backends, wrapped in a ``Store``.
- ``sqlite_store``: the same on SQLite only (quick tests of code above the store).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.exc import OperationalError

from crawler.db.migrate import upgrade
from crawler.db.session import make_engine, redact_url, sqlite_url
from crawler.db.store import Store

PG_ADMIN_URL = os.environ.get(
    "NEWSMON_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")

_pg_problem: list[str] = []  # cached reason PostgreSQL is unusable ("" if usable)


def _admin_engine() -> Engine:
    return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT",
                         connect_args={"connect_timeout": 5})


def _require_postgres() -> None:
    """Skip (or fail, with NEWSMON_REQUIRE_POSTGRES=1) when PostgreSQL is unusable."""
    if not _pg_problem:
        engine = _admin_engine()
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            _pg_problem.append("")
        except OperationalError as error:
            first = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
            _pg_problem.append(f"PostgreSQL at {redact_url(PG_ADMIN_URL)} unreachable: {first}")
        finally:
            engine.dispose()
    if _pg_problem[0]:
        if os.environ.get("NEWSMON_REQUIRE_POSTGRES") == "1":
            pytest.fail(_pg_problem[0] + " (NEWSMON_REQUIRE_POSTGRES=1)", pytrace=False)
        pytest.skip(_pg_problem[0])


def _postgres_database() -> Iterator[str]:
    _require_postgres()
    name = f"newsmon_test_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine()
    quoted = admin.dialect.identifier_preparer.quote(name)
    try:
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {quoted}"))
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)"))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of an empty database (not migrated), on each backend."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path / "newsmon.sqlite3")
    else:
        yield from _postgres_database()


@pytest.fixture
def db_engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def store(db_url: str, db_engine: Engine) -> Store:
    """A Store on a freshly migrated database, on each backend."""
    upgrade(db_url)
    return Store(db_engine)


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    url = sqlite_url(tmp_path / "newsmon.sqlite3")
    upgrade(url)
    engine = make_engine(url)
    yield Store(engine)
    engine.dispose()
