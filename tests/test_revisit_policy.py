"""The revisit policy: when a stored article is due for a new fetch (no network)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crawler.db.monitoring import KnownArticle
from crawler.crawl.incremental import RevisitPolicy, parse_schedule, title_changed

NOW = datetime(2025, 10, 6, 12, 0, tzinfo=UTC)
DEFAULT = RevisitPolicy(parse_schedule("1d=1h, 7d=12h, *=never"))


def known(age: timedelta, fetched_ago: timedelta, title: str = "A title of a story",
          published: bool = True) -> KnownArticle:
    return KnownArticle(id=1, url="https://example.net/news/x/y", title=title,
                        published_at=NOW - age if published else None,
                        first_seen_at=NOW - age, last_fetched_at=NOW - fetched_ago)


def test_parse_schedule_forms():
    hour, day = 3600.0, 86400.0
    assert parse_schedule("1d=1h, 7d=12h, *=never") == [(day, hour), (7 * day, 12 * hour),
                                                         (None, None)]
    assert parse_schedule({"2h": "10m"}) == [(2 * hour, 600.0)]
    assert parse_schedule([("*", "30m")]) == [(None, 1800.0)]
    assert parse_schedule("") == []
    for bad in ("1d", "1d=soon", "often=1h"):
        with pytest.raises(ValueError):
            parse_schedule(bad)


@pytest.mark.parametrize("age, fetched_ago, due", [
    (timedelta(hours=2), timedelta(minutes=30), False),
    (timedelta(hours=2), timedelta(minutes=61), True),
    (timedelta(days=3), timedelta(hours=11), False),
    (timedelta(days=3), timedelta(hours=13), True),
    (timedelta(days=30), timedelta(days=365), False),   # older: never by age
])
def test_due_by_age(age, fetched_ago, due):
    assert DEFAULT.is_due(known(age, fetched_ago), NOW) is due


def test_undated_articles_age_from_first_seen():
    assert DEFAULT.is_due(known(timedelta(hours=5), timedelta(hours=2), published=False), NOW)


def test_revisit_after_overrides_the_schedule():
    old = known(timedelta(days=300), timedelta(seconds=1))
    assert RevisitPolicy(DEFAULT.tiers, after=0).is_due(old, NOW)
    six_hours = RevisitPolicy(DEFAULT.tiers, after=6 * 3600)
    assert not six_hours.is_due(known(timedelta(hours=1), timedelta(hours=5)), NOW)
    assert six_hours.is_due(known(timedelta(days=300), timedelta(hours=7)), NOW)


def test_a_changed_card_title_makes_any_article_due():
    old = known(timedelta(days=300), timedelta(seconds=1), title="Talks collapse in Doha")
    assert DEFAULT.is_due(old, NOW, card_title="Talks resume in Doha")
    assert not DEFAULT.is_due(old, NOW, card_title="Talks  collapse in Doha")
    assert not title_changed("Talks collapse in…", "Talks collapse in Doha")  # shortened
    assert not title_changed("More", "Talks collapse in Doha")  # too short to judge
