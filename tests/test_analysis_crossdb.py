"""The same answers on SQLite and PostgreSQL: the same data written to both
(tests/_analyst_week.py and tests/_analyst_data.py), then every analyst's answer
compared, field by field: search (count, date order, pages), export --query,
changes, frontpage at several moments, prominence, stats by every key, rising terms.

Relevance order is left out: the two databases rank with different formulas
(``ts_rank`` and ``bm25``, see crawler/db/search.py); their sets of matches agree.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crawler.db.changes import changes
from crawler.db.migrate import upgrade
from crawler.db.prominence import frontpage, prominence
from crawler.db.search import count_matches, iter_export_matches, search
from crawler.db.session import make_engine, sqlite_url
from crawler.db.store import Store
from crawler.db.trends import BY, rising, stats
from tests._analyst_data import populate
from tests._analyst_week import populate_week, url_of
from tests.conftest import _postgres_database

pytestmark = pytest.mark.postgres

NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
HOUR = timedelta(hours=1)
QUERIES = ["gaza", "story or cairo", '"talks in cairo"', "oil -gaza", "corridor or summit",
           "quote", "nothing-at-all"]


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, Store]]:
    sqlite = sqlite_url(Path(tmp_path_factory.mktemp("crossdb")) / "newsmon.sqlite3")
    postgres_urls = _postgres_database()
    postgres = next(postgres_urls)
    pair = []
    for url in (sqlite, postgres):
        upgrade(url)
        store = Store(make_engine(url))
        populate_week(store, NOW)
        populate(store, NOW)
        pair.append(store)
    yield pair[0], pair[1]
    for store in pair:
        store.engine.dispose()
    next(postgres_urls, None)  # drop the PostgreSQL database


def without(records: list[dict], *keys: str) -> list[dict]:
    return [{k: v for k, v in r.items() if k not in keys} for r in records]


@pytest.mark.parametrize("query", QUERIES)
def test_search_answers_agree(stores: tuple[Store, Store], query: str):
    lite, pg = (s.engine for s in stores)
    assert count_matches(lite, query) == count_matches(pg, query)
    assert count_matches(lite, query, since=NOW - timedelta(days=3)) == \
        count_matches(pg, query, since=NOW - timedelta(days=3))
    for sort in ("newest", "oldest"):
        for offset in (0, 5):
            # rank and snippet are each database's own (bm25 / ts_rank, highlighting)
            assert without(search(lite, query, sort=sort, limit=5, offset=offset),
                           "rank", "snippet") == \
                without(search(pg, query, sort=sort, limit=5, offset=offset),
                        "rank", "snippet")
    assert {r["url"] for r in search(lite, query, limit=100)} == \
        {r["url"] for r in search(pg, query, limit=100)}
    assert list(iter_export_matches(lite, query)) == list(iter_export_matches(pg, query))


def test_changes_agree(stores: tuple[Store, Store]):
    lite, pg = (s.engine for s in stores)
    for kwargs in ({}, {"kind": "title"}, {"kind": "body"}, {"section": "politics"},
                   {"since": NOW - 36 * HOUR}):
        assert changes(lite, **kwargs) == changes(pg, **kwargs)
    assert len(changes(lite)) == 3  # two in the week's data, one in the small set


def test_frontpage_and_prominence_agree(stores: tuple[Store, Store]):
    lite_store, pg_store = stores
    for hours_back in (0, 1, 13, 50, 100, 167, 170):
        for page in ("home", "Economy", "Europe"):
            at = NOW - hours_back * HOUR
            assert frontpage(lite_store.engine, at, page) == frontpage(pg_store.engine, at, page)
    for n in (0, 1, 5, 13):
        assert prominence(lite_store.engine, lite_store.resolve_article_id(url_of(n))) == \
            prominence(pg_store.engine, pg_store.resolve_article_id(url_of(n)))


@pytest.mark.parametrize("by", BY)
def test_stats_agree(stores: tuple[Store, Store], by: str):
    lite, pg = (s.engine for s in stores)
    for days in (1, 7, 30):
        since = NOW - timedelta(days=days)
        assert stats(lite, since, NOW, by) == stats(pg, since, NOW, by)


def test_rising_agrees(stores: tuple[Store, Store]):
    lite, pg = (s.engine for s in stores)
    for min_count in (1, 3):
        answer = rising(lite, NOW - timedelta(days=7), NOW, min_count=min_count)
        assert answer == rising(pg, NOW - timedelta(days=7), NOW, min_count=min_count)
        assert answer["tags"]  # a comparison of two empty lists would prove nothing
