"""Relevance within a window: a query with more than RANK_WINDOW matches is ranked
among its RANK_WINDOW most recently stored matches (crawler/db/search.py), unless
fewer than a page of them pass the filters; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import crawler.db.search as search_module
from crawler.db.search import count_matches, search
from crawler.db.store import Store
from crawler.items import ArticleItem

NOW = datetime.now(UTC).replace(microsecond=0)
BASE = "https://english.almayadeen.net"
OLD_URL = f"{BASE}/news/drought-grips-the-valley"  # stored first: the lowest id
NEW_URLS = [f"{BASE}/news/market-report-{i}" for i in (1, 2, 3)]  # stored in this order


@pytest.fixture
def drought(store: Store) -> Store:
    """The oldest article has the word in its title (the best match); three newer
    ones have it once in their body."""
    run = store.start_run(BASE)
    items = [ArticleItem(url=OLD_URL, title="Drought grips the valley",
                         summary="Farmers count the losses of the drought.",
                         body="The drought is the worst in decades.", language="en",
                         published_at=NOW - timedelta(days=30))]
    items += [ArticleItem(url=url, title=f"Market report number {i}",
                          summary="Prices held steady on the exchange.",
                          body=f"Traders spoke of the drought once, among other news {i}. "
                               "Shipping volumes rose and the currency held.",
                          language="en", published_at=NOW - timedelta(hours=i))
              for i, url in enumerate(NEW_URLS, 1)]
    for item in items:
        store.save_article(item, run, NOW)
    return store


def urls(results: list[dict]) -> list[str]:
    return [r["url"] for r in results]


def test_few_matches_are_all_ranked(drought: Store):
    assert urls(search(drought.engine, "drought", limit=1)) == [OLD_URL]


def test_many_matches_are_ranked_among_the_newest(drought: Store, monkeypatch):
    monkeypatch.setattr(search_module, "RANK_WINDOW", 2)
    monkeypatch.setattr(search_module, "PG_WINDOW_SPAN", 1)
    engine = drought.engine
    # Four matches, a window of two: the title match, stored first, is outside it.
    assert urls(search(engine, "drought", limit=1))[0] in NEW_URLS[1:]
    assert set(urls(search(engine, "drought", limit=2))) == set(NEW_URLS[1:])
    # Past the window, the older matches by rank; pages add up to the whole list.
    everything = urls(search(engine, "drought", limit=10))
    assert set(everything[:2]) == set(NEW_URLS[1:]) and everything[2] == OLD_URL
    assert len(everything) == 4
    assert [url for offset in range(4)
            for url in urls(search(engine, "drought", limit=1, offset=offset))] == everything
    assert urls(search(engine, "drought", limit=2, offset=2)) == everything[2:]
    # Filters that leave nothing in the window: the older matches.
    assert urls(search(engine, "drought", limit=1, until=NOW - timedelta(days=10))) == [
        OLD_URL]
    assert urls(search(engine, "drought", limit=2, offset=1,
                       until=NOW - timedelta(minutes=150))) == [OLD_URL]  # after NEW_URLS[2]
    # Counting and date order are not windowed.
    assert count_matches(engine, "drought") == 4
    assert urls(search(engine, "drought", sort="oldest", limit=1)) == [OLD_URL]
