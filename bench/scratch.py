"""Throwaway PostgreSQL databases for the benchmarks: one created on the server of an
admin URL for a measurement and dropped after it (``WITH (FORCE)``: a crawl killed
midway may leave a connection behind)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, make_url, text

# The server the benchmarks make their databases on.
BENCH_ADMIN_URL = os.environ.get("NEWSMON_BENCH_PG_URL",
                                 "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@contextmanager
def scratch_postgres(admin_url: str, prefix: str = "newsmon_bench", *, keep: bool = False,
                     connect_timeout: int | None = None) -> Iterator[str]:
    """The URL of a new, empty database on ``admin_url``'s server, dropped on leaving
    unless ``keep``. Creating it raises what the server said (unreachable, no rights)."""
    connect_args = {"connect_timeout": connect_timeout} if connect_timeout else {}
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", connect_args=connect_args)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except BaseException:
        admin.dispose()
        raise
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
