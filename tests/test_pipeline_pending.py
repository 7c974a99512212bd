"""Listings of articles not stored yet (crawler.crawl.pipelines.StorePipeline.pending):
bounded for a monitor that polls the same pages all day, on a real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crawler.crawl.pipelines import PENDING_MAX_AGE, StorePipeline
from crawler.db.store import Store
from crawler.items import ListingItem


def _pipeline(store: Store) -> StorePipeline:
    # Only the pending-listings part of the pipeline: its store and its waiting room.
    pipeline = StorePipeline.__new__(StorePipeline)
    pipeline.store, pipeline.pending = store, {}
    return pipeline


def _card(url: str, at: datetime, position: int = 3) -> ListingItem:
    return ListingItem(article_url=url, page_url="https://example.org/news/politics",
                       page_kind="section", page_name="Politics", page_number=1,
                       position=position, observed_at=at)


def test_a_card_seen_at_every_poll_keeps_the_ends_of_its_streaks(store: Store):
    pipeline = _pipeline(store)
    start = datetime.now(UTC) - timedelta(hours=1)
    url = "https://example.org/news/politics/never-stored"
    for n in range(500):  # a day of polls, the card moving down once
        pipeline._hold(_card(url, start + timedelta(seconds=n), position=3 if n < 300 else 4))
    waiting = pipeline.pending[url]
    assert [(c.position, c.observed_at - start) for c in waiting] == [
        (3, timedelta(0)), (3, timedelta(seconds=299)),
        (4, timedelta(seconds=300)), (4, timedelta(seconds=499))]


def test_cards_whose_article_never_comes_are_let_go(store: Store):
    pipeline = _pipeline(store)
    now = datetime.now(UTC)
    old = "https://example.org/news/politics/forbidden"
    recent = "https://example.org/news/politics/coming"
    pipeline._hold(_card(old, now - timedelta(seconds=PENDING_MAX_AGE + 60)))
    pipeline._hold(_card(recent, now - timedelta(seconds=60)))
    pipeline._flush_pending()  # a checkpoint: neither article is stored
    assert set(pipeline.pending) == {recent}
