"""Storage throughput: ``Store.save_article`` on SQLite and PostgreSQL.

Articles are the generator's truth as the parser would hand them over (every field,
the raw page, its URLs), written one at a time into a freshly migrated database, as
the store pipeline does during a crawl. SQLite: a file in a temporary folder.
PostgreSQL: a database of its own (``newsmon_bench_<random>``) on 127.0.0.1:5432,
created, then dropped; the server itself is left alone.
"""

from __future__ import annotations

import time
import uuid
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from bench import pages
from bench.scratch import BENCH_ADMIN_URL, scratch_postgres
from bench.sitegen import Site, truth
from crawler.db import migrate
from crawler.db.session import make_engine, sqlite_url
from crawler.db.store import Store
from crawler.items import ArticleItem

ORIGIN = "http://127.0.0.1:8000"


def items(site: Site, count: int, origin: str = ORIGIN) -> list[ArticleItem]:
    out = []
    for a in site.articles[:count]:
        fields = truth(site, a, origin)
        item = ArticleItem(**fields)
        item.field_sources = {name: "tawsiyat" for name in fields}
        item.fetched_url = fields["url"]
        item.requested_urls = [fields["url"]]
        item.raw_html = pages.render_article(site, a, origin)
        item.encoding, item.http_status = "utf-8", 200
        out.append(item)
    return out


def write_rate(db_url: str, articles: list[ArticleItem]) -> dict:
    """Articles per second through save_article into a migrated, empty database."""
    migrate.upgrade(db_url)
    engine = make_engine(db_url)
    try:
        store = Store(engine)
        run_id = store.start_run(ORIGIN, trigger="manual")
        now = datetime.now(UTC)
        started = time.perf_counter()
        for item in articles:
            store.save_article(item, run_id, now)
        elapsed = time.perf_counter() - started
    finally:
        engine.dispose()
    return {"articles": len(articles), "seconds": round(elapsed, 3),
            "articles_per_s": round(len(articles) / elapsed, 1),
            "ms_per_article": round(1000 * elapsed / len(articles), 2)}


def sqlite_rate(articles: list[ArticleItem], workdir: Path) -> dict:
    path = workdir / f"storage-{uuid.uuid4().hex[:8]}.sqlite3"
    try:
        return write_rate(sqlite_url(path), articles)
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def postgres_rate(articles: list[ArticleItem]) -> dict:
    """As sqlite_rate on PostgreSQL; {"error": reason} when the server is unreachable."""
    with ExitStack() as stack:
        try:
            url = stack.enter_context(scratch_postgres(BENCH_ADMIN_URL, connect_timeout=5))
        except OperationalError as error:
            return {"error": str(error.orig).strip().splitlines()[0] if error.orig
                    else "unreachable"}
        return write_rate(url, articles)


def server_version(db: str) -> str:
    if db == "sqlite":
        import sqlite3
        return sqlite3.sqlite_version
    engine = create_engine(BENCH_ADMIN_URL, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            return conn.execute(text("SHOW server_version")).scalar_one()
    except OperationalError:
        return "unreachable"
    finally:
        engine.dispose()
