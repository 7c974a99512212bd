"""The spool file (crawler/crawl/spool.py) and the outage rules (crawler/crawl/outage.py), in
process: JSON codec, durability through SIGKILL, where the file goes, which errors
mean "the database is unavailable". The crawls that lose their database are in
tests/test_reliability_database.py."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from crawler.db.session import make_engine, sqlite_url
from crawler.db.store import Store
from crawler.items import (ArticleItem, BreakingItem, FetchErrorItem, IndexPageItem,
                           ListingItem, MenuItem, NotModifiedItem)
from crawler.crawl.outage import OutageTolerantReads, is_unavailable
from crawler.crawl.spool import (RedirectAliases, RunEnd, Spool, decode_item, encode_item,
                           spool_path)

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)

ITEMS = [
    ArticleItem(url="http://x/a", title="T\u00e9", published_at=NOW, tags=["a", "b"],
                field_sources={"title": "jsonld"}, raw_html=b"<html>\x00\xff</html>",
                requested_urls=["http://x/old"]),
    ListingItem("http://x/a", "http://x/news", "section", "News", 1, 3, observed_at=NOW),
    IndexPageItem("http://x/news", "section", "News", 1, NOW, ["http://x/a"], None,
                  'W/"e"', None, True),
    NotModifiedItem("http://x/a", 7),
    BreakingItem(["one", "two"]),
    MenuItem([("News", "Politics"), (None, "Opinion")], ["MENA"]),
    FetchErrorItem("http://x/b", "HTTP 404", 404),
    RunEnd("ok", NOW, 3, 1, 0, 0, 1, "note"),
    RedirectAliases("http://x/a", ["http://x/old"]),
]


@pytest.mark.parametrize("item", ITEMS, ids=lambda i: type(i).__name__)
def test_every_item_survives_the_json_codec(item):
    kind, payload = encode_item(item)
    assert "pickle" not in payload
    assert decode_item(kind, payload) == item


def test_only_known_kinds_are_spooled_or_read():
    with pytest.raises(TypeError):
        encode_item({"url": "x"})
    with pytest.raises(ValueError):
        decode_item("os.system", "{}")


def test_spooled_items_survive_sigkill(tmp_path):
    path = tmp_path / "spool.sqlite3"
    child = textwrap.dedent(f"""
        import os, signal
        from datetime import UTC, datetime
        from crawler.items import FetchErrorItem
        from crawler.crawl.spool import Spool
        spool = Spool({str(path)!r})
        for i in range(200):
            spool.append(1, datetime.now(UTC), FetchErrorItem(f"http://x/{{i}}", "e"))
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    result = subprocess.run([sys.executable, "-c", child], timeout=60)
    assert result.returncode == -9
    spool = Spool(path)
    records = list(spool.records())
    assert [r.item().url for r in records] == [f"http://x/{i}" for i in range(200)]
    spool.remove(records[0].id)
    spool.set_aside(records[1].id, "refused")
    assert spool.count() == 198 and spool.unwritable_count() == 1 and spool.runs() == [1]


def test_spool_paths(tmp_path):
    sqlite_db = sqlite_url(tmp_path / "news.sqlite3")
    beside = spool_path(sqlite_db, "http://127.0.0.1:8000/")
    assert beside.parent == tmp_path and beside.name.startswith("news.sqlite3.spool-")
    pg = "postgresql+psycopg://newsmon:s3cret@db.example:5432/newsmon"
    first = spool_path(pg, "https://english.almayadeen.net", str(tmp_path / "spool"))
    assert first.parent == tmp_path / "spool" and "s3cret" not in str(first)
    # One file per database and site; the password is not part of the identity.
    assert first == spool_path(pg.replace("s3cret", "other"),
                               "https://english.almayadeen.net", str(tmp_path / "spool"))
    assert first != spool_path(pg, "http://127.0.0.1:8000", str(tmp_path / "spool"))
    assert first != spool_path(pg.replace("/newsmon", "/other"),
                               "https://english.almayadeen.net", str(tmp_path / "spool"))


def _error_of(work) -> Exception:
    try:
        work()
    except Exception as error:  # noqa: BLE001
        return error
    raise AssertionError("no error")


def test_which_errors_mean_the_database_is_unavailable(tmp_path):
    refused = make_engine("postgresql+psycopg://postgres@127.0.0.1:1/x")
    error = _error_of(lambda: refused.connect())
    assert isinstance(error, OperationalError) and is_unavailable(error)
    refused.dispose()

    url = sqlite_url(tmp_path / "db.sqlite3")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY)"))
        conn.execute(text("INSERT INTO t VALUES (1)"))
    with engine.connect() as conn:
        duplicate = _error_of(lambda: conn.execute(text("INSERT INTO t VALUES (1)")))
        conn.rollback()
        missing = _error_of(lambda: conn.execute(text("SELECT * FROM nothing")))
    assert isinstance(duplicate, IntegrityError) and not is_unavailable(duplicate)
    assert isinstance(missing, DBAPIError) and not is_unavailable(missing)
    holder = sqlite3.connect(tmp_path / "db.sqlite3", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    impatient = make_engine(url, connect_args={"timeout": 0})
    with impatient.connect() as conn:
        conn.exec_driver_sql("PRAGMA busy_timeout=0")
        locked = _error_of(lambda: conn.execute(text("INSERT INTO t VALUES (2)")))
    assert "locked" in str(locked) and is_unavailable(locked)
    holder.execute("ROLLBACK")
    holder.close()
    engine.dispose()
    impatient.dispose()


def test_the_spiders_reads_answer_nothing_known_while_the_database_is_away():
    engine = make_engine("postgresql+psycopg://postgres@127.0.0.1:1/x")
    reads = OutageTolerantReads(Store(engine))
    assert reads.known_articles(["http://x/a"], known_before=NOW) == {}
    assert reads.recent_failures(["http://x/a"], NOW) == set()
    assert reads.validators(["http://x/a"]) == {}
    assert reads.index_listing("http://x/news") is None
    assert reads.engine is engine
    engine.dispose()
