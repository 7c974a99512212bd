"""The same crawl of the replica into SQLite and into PostgreSQL gives the same export
(modulo the crawl's own first/last-seen times) and the same search hits."""

from __future__ import annotations

import pytest

from crawler.db.search import search
from crawler.db.session import make_engine
from crawler.replica.server import ReplicaServer
from tests.conftest import _postgres_database
from tests.test_e2e_crawl import FAST, export, newsmon

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

CRAWL_TIMES = ("first_seen_at", "last_seen_at")


def comparable(records: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k not in CRAWL_TIMES} for r in records]


def test_sqlite_and_postgresql_crawls_export_the_same_records(tmp_path):
    sqlite_url = f"sqlite:///{tmp_path}/crawl.sqlite3"
    with ReplicaServer() as server:
        for pg_url in _postgres_database():
            for db_url in (sqlite_url, pg_url):
                result = newsmon("crawl", "--base-url", server.base_url, "--db", db_url,
                                 *FAST)
                assert result.returncode == 0, result.stderr[-3000:]
            on_sqlite, on_pg = export(sqlite_url), export(pg_url)
            assert len(on_sqlite) >= 25
            assert comparable(on_pg) == comparable(on_sqlite)
            assert all(r["first_seen_at"].endswith("+00:00") for r in on_sqlite + on_pg)
            texts = [sorted(b["text"] for b in export(url, kind="breaking"))
                     for url in (sqlite_url, pg_url)]
            assert texts[0] == texts[1] and texts[0]

            def hits(db_url: str, query: str) -> set[str]:
                engine = make_engine(db_url)
                try:
                    return {hit["url"] for hit in search(engine, query, limit=100)}
                finally:
                    engine.dispose()

            for query in ('"regional war"', "drones yemen", "gaza -lebanon", "olive"):
                found = hits(sqlite_url, query)
                assert found and found == hits(pg_url, query), query
